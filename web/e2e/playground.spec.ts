import type { Page } from '@playwright/test';
import { SCREENS, expect, signUp, test, uniqueEmail } from './fixtures';

// Monaco takes a few seconds to start in headless Chromium.
const EDITOR_TIMEOUT = 30_000;

async function runQuery(page: Page, query: string) {
  const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
  await expect(editor).toBeVisible({ timeout: EDITOR_TIMEOUT });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(query);
  await page.getByRole('button', { name: /Execute query/ }).click();
}

test('signed out, the playground runs `health` and explains how to get a token', async ({ page }) => {
  await page.goto('/playground');
  await expect(page.getByText('You are not signed in, so only health works here.')).toBeVisible();
  await expect(page.getByText('GET /api/auth/token')).toBeVisible();
  await runQuery(page, '{ health }');
  await expect(page.locator('.graphiql-response')).toContainText('"health"', { timeout: EDITOR_TIMEOUT });
});

test("signed in, the playground sends the user's token: `{ me { email } }` shows their email", async ({ page }) => {
  const email = uniqueEmail('graphiql');
  await signUp(page, { name: 'Graph Explorer', email });
  await page.getByRole('link', { name: 'Playground' }).click();
  await expect(page).toHaveURL('/playground');
  await expect(page.getByText(`Signed in as ${email}`)).toBeVisible();

  // The preloaded example operations.
  await expect(page.locator('.graphiql-query-editor')).toContainText('query Me', { timeout: EDITOR_TIMEOUT });
  for (const tab of ['Me', 'Tasks', 'CreateTask', 'ToggleTask', 'Health']) {
    await expect(page.getByRole('tab', { name: tab })).toBeVisible();
  }

  await runQuery(page, '{ me { email } }');
  const response = page.locator('.graphiql-response');
  await expect(response).toContainText(email, { timeout: EDITOR_TIMEOUT });
  await expect(response).not.toContainText('UNAUTHENTICATED');
  await page.screenshot({ path: `${SCREENS}/playground.png` });

  // The token lives in memory only.
  const stored = await page.evaluate(() =>
    JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }),
  );
  expect(stored).not.toMatch(/eyJ[\w-]+\.eyJ/); // no JWT
  expect(stored).not.toContain(email); // no results or history of this user
});
