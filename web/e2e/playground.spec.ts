import type { Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
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

/** The example operations, one button each (GraphiQL's tab bar as the playground presents it). */
function operationButtons(page: Page) {
  return page.getByRole('list', { name: 'Select active operation' }).locator('.graphiql-tab-button');
}

/** The Docs panel lists the schema's types once the introspection query was answered. */
async function expectDocsShowTask(page: Page) {
  await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
  const docs = page.locator('.graphiql-doc-explorer');
  await expect(docs).toBeVisible();
  await expect(docs).not.toContainText('Error fetching schema');
  // Search the schema for the type, then open its page: its fields are listed.
  // The results re-render while the search runs (TaskEvent, TaskStatus… arrive too), so a click can
  // land on a neighbour: search again until the page opened is Task's.
  await expect(async () => {
    await docs.getByRole('combobox').fill('Task');
    await page.getByRole('option', { name: 'Task', exact: true }).click({ timeout: 2_000 });
    await expect(docs.locator('.graphiql-doc-explorer-title')).toHaveText('Task', { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(docs.getByText('Fields')).toBeVisible();
  for (const field of ['title', 'completed', 'version']) {
    await expect(docs.getByRole('link', { name: field, exact: true })).toBeVisible();
  }
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
  await expect(operationButtons(page)).toHaveText(['Me', 'Tasks', 'CreateTask', 'ToggleTask', 'TaskEvents', 'Health']);
  await expect(operationButtons(page).first()).toHaveAttribute('aria-current', 'true');

  await runQuery(page, '{ me { email } }');
  const response = page.locator('.graphiql-response');
  await expect(response).toContainText(email, { timeout: EDITOR_TIMEOUT });
  await expect(response).not.toContainText('UNAUTHENTICATED');

  // The playground sits in the page's content column, like every other page.
  const column = await page.locator('main').evaluate((main) => {
    const style = getComputedStyle(main);
    const box = main.getBoundingClientRect();
    return { left: box.left + parseFloat(style.paddingLeft), right: box.right - parseFloat(style.paddingRight) };
  });
  const frame = (await page.locator('.playground-frame').boundingBox())!;
  const header = (await page.locator('.app-header__inner').boundingBox())!;
  expect(frame.x).toBeGreaterThanOrEqual(column.left - 1);
  expect(frame.x + frame.width).toBeLessThanOrEqual(column.right + 1);
  expect(Math.abs(frame.width - (header.width - (column.left - header.x) * 2))).toBeLessThan(2);

  await expectDocsShowTask(page);
  await page.screenshot({ path: `${SCREENS}/playground.png` });
  await expectNoAxeViolations(page, 'the playground (signed in, Docs open)');

  // The token lives in memory only.
  const stored = await page.evaluate(() =>
    JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }),
  );
  expect(stored).not.toMatch(/eyJ[\w-]+\.eyJ/); // no JWT
  expect(stored).not.toContain(email); // no results or history of this user
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

  test('at 360 × 740 the playground shows every example, runs ▶ and shows the result', async ({ page }) => {
    await signUp(page, { name: 'Pocket Explorer', email: uniqueEmail('phone-graphiql') });
    await page.goto('/playground');
    await expect(page.locator('.graphiql-query-editor')).toContainText('query Me', { timeout: EDITOR_TIMEOUT });

    // All six example operations can be seen and chosen.
    await expect(operationButtons(page)).toHaveCount(6);
    for (const button of await operationButtons(page).all()) await expect(button).toBeInViewport();
    await operationButtons(page).filter({ hasText: 'Health' }).click();
    await expect(page.locator('.graphiql-query-editor')).toContainText('query Health', { timeout: EDITOR_TIMEOUT });

    await page.getByRole('button', { name: /Execute query/ }).click();
    const response = page.locator('.graphiql-response');
    await expect(response).toContainText('"health": "ok"', { timeout: EDITOR_TIMEOUT });
    await response.scrollIntoViewIfNeeded();
    // The result is on screen and wide enough to read, below the editor.
    const result = (await response.boundingBox())!;
    const editor = (await page.locator('.graphiql-editors').boundingBox())!;
    expect(result.width).toBeGreaterThan(250);
    expect(result.height).toBeGreaterThan(120);
    expect(result.y).toBeGreaterThanOrEqual(editor.y + editor.height - 1);
    await expect(response.getByText('"health": "ok"')).toBeInViewport();

    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SCREENS}/playground-360px.png` });
    await expectNoAxeViolations(page, 'the playground at 360 px');
  });
});
