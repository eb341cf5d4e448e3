import { copyFileSync } from 'node:fs';
import { expectNoAxeViolations } from './axe';
import {
  PASSWORD,
  SCREENS,
  addTask,
  expect,
  filterButton,
  signOut,
  taskTitles,
  test,
  uniqueEmail,
} from './fixtures';

test('a new user signs up, manages tasks, finds them after a reload, and signs out', async ({ page }) => {
  const email = uniqueEmail('ada');

  // Signed out, the task list sends you to sign in; from there, to sign up.
  await page.goto('/');
  await expect(page).toHaveURL('/sign-in');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page).toHaveURL('/sign-up');

  // Inline validation before anything is sent.
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByLabel('Name')).toHaveAccessibleDescription('Enter your name.');
  await expect(page.getByLabel('Name')).toBeFocused();
  await page.getByLabel('Name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/^Password must be at least 8 characters\./);

  // The API's strength rule, live: a guessable password is rated and refused before it is sent.
  await page.getByLabel('Password').fill('Password123!');
  await expect(page.getByText(/^Strength: weak \(1 of 4\)/)).toBeVisible();
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(
    /^Password is too easy to guess \(this is similar to a commonly used password\): add another word or two, or make it longer\./,
  );
  await expect(page).toHaveURL('/sign-up');
  await page.screenshot({ path: `${SCREENS}/sign-up.png` });
  await expectNoAxeViolations(page, 'the sign-up form with a refused password');

  await page.getByLabel('Password').fill(PASSWORD);
  await expect(page.getByText(/^Strength: very strong \(4 of 4\)/)).toBeVisible();
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('banner')).toContainText('Ada Lovelace');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByText('No tasks yet. Add your first one above.')).toBeVisible();

  // Three tasks, newest first, with counts.
  await addTask(page, 'Buy oat milk');
  await addTask(page, 'Write the report', 'Numbers for Q3, then the summary');
  await addTask(page, 'Call the plumber');
  await expect(taskTitles(page)).toHaveText(['Call the plumber', 'Write the report', 'Buy oat milk']);
  await expect(filterButton(page, 'All')).toHaveText('All 3');
  await expect(filterButton(page, 'Pending')).toHaveText('Pending 3');
  await expect(filterButton(page, 'Completed')).toHaveText('Completed 0');
  await expect(page.getByText('Showing 3 of 3')).toBeVisible();

  // Toggle.
  await page.getByRole('checkbox', { name: 'Buy oat milk' }).check();
  await expect(page.getByRole('checkbox', { name: 'Buy oat milk' })).toBeChecked();
  await expect(filterButton(page, 'Completed')).toHaveText('Completed 1');
  await expect(filterButton(page, 'Pending')).toHaveText('Pending 2');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.getByLabel('New task').blur();
  await page.screenshot({ path: `${SCREENS}/tasks.png` });
  if (process.env.UPDATE_DOCS_SCREENSHOT) copyFileSync(`${SCREENS}/tasks.png`, '../docs/screenshot-tasks.png');
  await expectNoAxeViolations(page, 'the task list');

  // Edit in place.
  await page.getByRole('button', { name: 'Edit “Write the report”' }).click();
  await expect(page.getByLabel('Title')).toBeFocused();
  await page.getByLabel('Title').fill('Write the quarterly report');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('checkbox', { name: 'Write the quarterly report' })).toBeVisible();
  await expect(page.getByText('Numbers for Q3, then the summary')).toBeVisible();

  // Delete, after confirming.
  await page.getByRole('button', { name: 'Delete “Call the plumber”' }).click();
  await page
    .getByRole('group', { name: 'Delete “Call the plumber”?' })
    .getByRole('button', { name: /^Delete/ })
    .click();
  await expect(taskTitles(page)).toHaveText(['Write the quarterly report', 'Buy oat milk']);
  await expect(filterButton(page, 'All')).toHaveText('All 2');

  // Filters, kept in the URL: a reload keeps them, back and forward step through them.
  await filterButton(page, 'Completed').click();
  await expect(page).toHaveURL('/?status=completed');
  await expect(taskTitles(page)).toHaveText(['Buy oat milk']);
  await filterButton(page, 'Pending').click();
  await expect(page).toHaveURL('/?status=pending');
  await expect(taskTitles(page)).toHaveText(['Write the quarterly report']);
  await page.reload();
  await expect(filterButton(page, 'Pending')).toHaveAttribute('aria-pressed', 'true');
  await expect(taskTitles(page)).toHaveText(['Write the quarterly report']);
  await page.goBack();
  await expect(page).toHaveURL('/?status=completed');
  await expect(taskTitles(page)).toHaveText(['Buy oat milk']);
  await page.goForward();
  await expect(page).toHaveURL('/?status=pending');
  await expect(taskTitles(page)).toHaveText(['Write the quarterly report']);

  // Ticked under "Pending", a task leaves the list, and the page says where it went.
  // (A click, not check(): the checkbox leaves with the task, so there is nothing left to verify.)
  await page.getByRole('checkbox', { name: 'Write the quarterly report' }).click();
  const moved = page.getByRole('status').filter({ hasText: 'Moved “Write the quarterly report” to Completed.' });
  await expect(moved).toBeVisible();
  await expect(page.getByText('Nothing pending. Well done!')).toBeVisible();
  await expect(moved.getByRole('button', { name: 'Undo' })).toBeFocused();
  await moved.getByRole('button', { name: 'Undo' }).click();
  await expect(taskTitles(page)).toHaveText(['Write the quarterly report']);
  await expect(filterButton(page, 'Pending')).toHaveText('Pending 1');
  await filterButton(page, 'All').click();
  await expect(page).toHaveURL('/');

  // Everything was saved on the server.
  await page.reload();
  await expect(taskTitles(page)).toHaveText(['Write the quarterly report', 'Buy oat milk']);
  await expect(page.getByRole('checkbox', { name: 'Buy oat milk' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Write the quarterly report' })).not.toBeChecked();

  await signOut(page);
  await page.screenshot({ path: `${SCREENS}/signed-out.png` });
  // The list is gone with the session: going back does not show it.
  await page.goBack();
  await expect(page).toHaveURL('/sign-in');
  await expect(page.getByText('Buy oat milk')).toHaveCount(0);
});

test('the task list works from the keyboard alone, with a visible focus', async ({ page }) => {
  await page.goto('/sign-up');
  await page.keyboard.press('Tab'); // skip link
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.getByLabel('Name').focus();
  await page.keyboard.type('Keyboard User');
  await page.keyboard.press('Tab');
  await page.keyboard.type(uniqueEmail('keys'));
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL('/');

  // From the top of a freshly loaded page, Tab reaches the new-task field after the header controls.
  await page.reload();
  await expect(page.getByLabel('New task')).toBeVisible();
  const order: string[] = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    const label = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const labelled = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : null;
      return labelled ?? el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName;
    });
    order.push(label);
    if (label === 'New task') break;
  }
  expect(order).toEqual([
    'Skip to content',
    'Taskgate',
    'Tasks',
    'Playground',
    'Account. Signed in as Keyboard User',
    'Sign out',
    'New task',
  ]);
  const outline = await page.getByLabel('New task').evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');

  await page.keyboard.type('Added from the keyboard');
  await page.keyboard.press('Enter');
  const checkbox = page.getByRole('checkbox', { name: 'Added from the keyboard' });
  await expect(checkbox).toBeVisible();
  await checkbox.focus();
  await page.keyboard.press('Space');
  await expect(checkbox).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Edit “Added from the keyboard”' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Title')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Edit “Added from the keyboard”' })).toBeFocused();
});

test('signed out, / is redirected by the server: no part of the app is sent', async ({ page }) => {
  const response = await page.request.get('/', { maxRedirects: 0 });
  expect(response.status()).toBe(307);
  expect(new URL(response.headers()['location']!, 'http://x').pathname).toBe('/sign-in');
  expect(await response.text()).not.toContain('Loading tasks');

  // The browser never renders the task page on the way.
  const documents: string[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'document') documents.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  await page.goto('/?status=pending');
  await expect(page).toHaveURL('/sign-in');
  expect(documents).toEqual(['307 /', '200 /sign-in']);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' })).toHaveCount(0);
  await expectNoAxeViolations(page, 'the sign-in page');
});
