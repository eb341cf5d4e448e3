// Shared fixtures: every test fails if the page sends a request off this machine, violates the
// Content-Security-Policy, or throws.
import { test as base, expect, type Page } from '@playwright/test';
import { PASSWORD } from './passwords';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const test = base.extend<{ guard: void }>({
  guard: [
    async ({ context, page }, use) => {
      const offMachine: string[] = [];
      const problems: string[] = [];
      context.on('request', (request) => {
        const url = new URL(request.url());
        if (['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && !LOCAL_HOSTS.has(url.hostname)) {
          offMachine.push(`${request.method()} ${request.url()}`);
        }
      });
      // Belt and braces: nothing may actually go out, even if it was attempted.
      await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/])(https?|wss?):\/\//, (route) =>
        route.abort(),
      );
      page.on('console', (message) => {
        if (/Content[- ]Security[- ]Policy|Refused to (load|execute|apply|connect|create)/i.test(message.text())) {
          problems.push(`CSP: ${message.text()}`);
        }
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

      await use();

      expect(offMachine, 'requests that left localhost').toEqual([]);
      expect(problems, 'CSP violations or uncaught errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

export const SCREENS = 'test-results/screens';

let counter = 0;
export function uniqueEmail(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`;
}

export { PASSWORD };

export async function signUp(
  page: Page,
  { name, email, password = PASSWORD }: { name: string; email: string; password?: string },
) {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('banner').getByText(name)).toBeVisible();
}

export async function signIn(page: Page, { email, password = PASSWORD }: { email: string; password?: string }) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL('/');
}

export async function signOut(page: Page) {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL('/sign-in?reason=signed-out');
  await expect(page.getByText('You have signed out.')).toBeVisible();
}

export async function addTask(page: Page, title: string, description?: string) {
  await page.getByLabel('New task').fill(title);
  if (description) await page.getByLabel('Description (optional)').fill(description);
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByRole('checkbox', { name: title, exact: true })).toBeVisible();
  await expect(page.getByLabel('New task')).toHaveValue('');
}

/** The alert with this text (Next.js keeps an empty role="alert" route announcer on every page). */
export function alert(page: Page, text: string | RegExp) {
  return page.getByRole('alert').filter({ hasText: text });
}

/** Task titles in the list, top to bottom. */
export function taskTitles(page: Page) {
  return page.locator('.task-list .task__title');
}

export function filterButton(page: Page, name: 'All' | 'Pending' | 'Completed') {
  return page.getByRole('group', { name: 'Show tasks' }).getByRole('button', { name: new RegExp(`^${name} `) });
}
