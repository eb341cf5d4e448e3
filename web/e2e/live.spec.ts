// Live updates in real browsers: one user on a laptop and a phone (two browser contexts, each its
// own session and socket), a second user beside them, and the playground running the
// subscription. The access token lives 10 s here (run.mjs), so every socket is also closed with
// 4401 at expiry and reopened with the renewed token several times during these tests.
import type { BrowserContext, Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
import { SCREENS, addTask, expect, filterButton, signIn, signUp, taskTitles, test, uniqueEmail } from './fixtures';

const PHONE = { width: 360, height: 740 };
const EDITOR_TIMEOUT = 30_000;

/** The Live indicator: a status region whose text is the connection's state. */
function liveIndicator(page: Page) {
  return page.locator('p.live[role="status"]');
}

async function openPhone(browser: import('@playwright/test').Browser, email: string): Promise<{ context: BrowserContext; phone: Page }> {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const phone = await context.newPage();
  await signIn(phone, { email });
  return { context, phone };
}

test('add, tick, edit and delete on one device appear on the other without a reload; another user sees none of it', async ({
  page,
  browser,
}) => {
  const email = uniqueEmail('live');
  await signUp(page, { name: 'Live Laptop', email });
  const { context: phoneContext, phone } = await openPhone(browser, email);
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  try {
    await signUp(other, { name: 'Someone Else', email: uniqueEmail('live-other') });
    for (const device of [page, phone, other]) await expect(liveIndicator(device)).toHaveText('Live');
    await expect(other.getByText('No tasks yet. Add your first one above.')).toBeVisible();

    // Added on the laptop: on the phone.
    await addTask(page, 'Buy bread');
    await expect(phone.getByRole('checkbox', { name: 'Buy bread', exact: true })).toBeVisible();
    await expect(filterButton(phone, 'All')).toHaveText('All 1');

    // Added on the phone: on the laptop, newest first.
    await addTask(phone, 'Call the plumber');
    await expect(taskTitles(page)).toHaveText(['Call the plumber', 'Buy bread']);
    await expect(filterButton(page, 'Pending')).toHaveText('Pending 2');

    // Ticked on the phone: ticked on the laptop, and counted as completed there.
    await phone.getByRole('checkbox', { name: 'Buy bread', exact: true }).check();
    await expect(page.getByRole('checkbox', { name: 'Buy bread', exact: true })).toBeChecked();
    await expect(filterButton(page, 'Completed')).toHaveText('Completed 1');
    await expect(filterButton(page, 'Pending')).toHaveText('Pending 1');

    // Edited on the laptop: in place on the phone.
    await page.getByRole('button', { name: 'Edit “Call the plumber”' }).click();
    await page.getByLabel('Title').fill('Call the plumber about the sink');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(phone.getByRole('checkbox', { name: 'Call the plumber about the sink' })).toBeVisible();
    await expect(taskTitles(phone)).toHaveText(['Call the plumber about the sink', 'Buy bread']);

    // Deleted on the phone: gone from the laptop.
    await phone.getByRole('button', { name: 'Delete “Buy bread”' }).click();
    await phone.getByRole('group', { name: 'Delete “Buy bread”?' }).getByRole('button', { name: /^Delete/ }).click();
    await expect(taskTitles(page)).toHaveText(['Call the plumber about the sink']);
    await expect(filterButton(page, 'All')).toHaveText('All 1');
    await expect(filterButton(page, 'Completed')).toHaveText('Completed 0');

    // Every one of those events reached the laptop; the other user's socket got none of them.
    await expect(liveIndicator(other)).toHaveText('Live');
    await expect(other.getByText('No tasks yet. Add your first one above.')).toBeVisible();
    await expect(filterButton(other, 'All')).toHaveText('All 0');
    await expect(other.locator('.task-list .task__title')).toHaveCount(0);

    // Still live after the 10-second tokens have expired and been renewed at least once.
    await addTask(other, 'Someone else’s task');
    await expect(liveIndicator(page)).toHaveText('Live');
    await addTask(phone, 'After the renewals');
    await expect(taskTitles(page)).toHaveText(['After the renewals', 'Call the plumber about the sink']);
    await expect(taskTitles(other)).toHaveText(['Someone else’s task']);

    await page.screenshot({ path: `${SCREENS}/tasks-live.png` });
    await phone.screenshot({ path: `${SCREENS}/tasks-live-phone.png` });
    await expectNoAxeViolations(page, 'the task list with the Live indicator');
    await expectNoAxeViolations(phone, 'the task list with the Live indicator, on a phone');
  } finally {
    await phoneContext.close();
    await otherContext.close();
  }
});

test('the playground runs `subscription { taskEvents … }` and shows a change made on another device', async ({
  page,
  browser,
}) => {
  const email = uniqueEmail('live-graphiql');
  await signUp(page, { name: 'Live Explorer', email });
  await page.getByRole('link', { name: 'Playground' }).click();
  await expect(page).toHaveURL('/playground');

  const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
  await expect(editor).toBeVisible({ timeout: EDITOR_TIMEOUT });
  await page.locator('.graphiql-tab-button', { hasText: 'TaskEvents' }).click();
  await expect(page.locator('.graphiql-query-editor')).toContainText('subscription TaskEvents', {
    timeout: EDITOR_TIMEOUT,
  });
  await page.getByRole('button', { name: /Execute query/ }).click();

  const { context, phone } = await openPhone(browser, email);
  try {
    await expect(liveIndicator(phone)).toHaveText('Live');
    await addTask(phone, 'Seen in GraphiQL');
    const response = page.locator('.graphiql-response');
    await expect(response).toContainText('"CREATED"', { timeout: EDITOR_TIMEOUT });
    await expect(response).toContainText('Seen in GraphiQL');
    await page.screenshot({ path: `${SCREENS}/playground-subscription.png` });
  } finally {
    await context.close();
  }
});
