import { copyFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
import { SCREENS, addTask, expect, signUp, taskTitles, test, uniqueEmail } from './fixtures';

/** True when a click at the middle of `target` would reach it (nothing drawn over it). */
async function reachable(target: Locator) {
  return target.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return hit !== null && (hit === element || element.contains(hit));
  });
}

async function scrollSoBottomIsAt(page: Page, target: Locator, pixelsAboveWindowBottom: number) {
  await target.evaluate((element, gap) => {
    window.scrollBy(0, element.getBoundingClientRect().bottom - (window.innerHeight - gap));
  }, pixelsAboveWindowBottom);
}

test('pages carry a nonce-based CSP that forbids framing, plus nosniff and a referrer policy', async ({ page }) => {
  const first = await page.goto('/sign-in');
  const headers = first!.headers();
  const csp = headers['content-security-policy'] ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  const scriptSrc =
    csp
      .split(',')
      .flatMap((policy) => policy.split(';'))
      .find((d) => d.trim().startsWith('script-src')) ?? '';
  expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  expect(scriptSrc).not.toContain("'unsafe-eval'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');

  const second = await page.goto('/sign-in');
  const nonce = (value: string) => /'nonce-([^']+)'/.exec(value)?.[1];
  expect(nonce(second!.headers()['content-security-policy'] ?? '')).not.toBe(nonce(csp));
  // The page works under that policy (the fixture fails the test on any CSP violation).
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeEnabled();
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

  test('at 360 px nothing scrolls sideways, and data arriving does not shift the layout', async ({ page }) => {
    await page.addInitScript(() => {
      const w = window as unknown as { __layoutShift: number };
      w.__layoutShift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
          if (!entry.hadRecentInput) w.__layoutShift += entry.value;
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });

    await signUp(page, { name: 'Phone User With A Rather Long Name', email: uniqueEmail('phone') });
    await addTask(
      page,
      'A task title that is long enough to wrap onto a second line on a narrow phone screen',
      'And a description.',
    );
    await addTask(page, 'Short one');

    await page.reload();
    await expect(page.getByRole('checkbox', { name: 'Short one' })).toBeVisible();
    await page.waitForTimeout(500);
    const shift = await page.evaluate(() => (window as unknown as { __layoutShift: number }).__layoutShift);
    expect(shift).toBeLessThan(0.1); // "good" cumulative layout shift
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SCREENS}/tasks-360px.png`, fullPage: true });
  });

  test('on a phone the list starts near the top, names wrap, actions are touch-sized, and axe is clean', async ({
    page,
  }) => {
    const name = 'Maximiliana Wilhelmina Bartholomew-Featherstonehaugh';
    await signUp(page, { name, email: uniqueEmail('phone-design') });
    await addTask(page, 'Water the tomatoes', 'Before nine, the pots by the door first');
    await addTask(page, 'Return the library books');
    await addTask(page, 'Book the bike service');
    await page.getByRole('checkbox', { name: 'Return the library books' }).check();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    // "Add a task" is one field until used; the first task follows right after it.
    await expect(page.getByLabel('Description (optional)')).toBeHidden();
    await expect(page.getByRole('button', { name: 'Add task' })).toBeHidden();
    const form = (await page.getByRole('form', { name: 'Add a task' }).boundingBox())!;
    expect(form.height).toBeLessThan(110);
    const firstTask = (await taskTitles(page).first().boundingBox())!;
    expect(firstTask.y).toBeLessThan(400);
    await page.getByLabel('New task').focus();
    await expect(page.getByLabel('Description (optional)')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add task' })).toBeVisible();
    await page.getByLabel('New task').blur();
    await expect(page.getByRole('button', { name: 'Add task' })).toBeHidden();

    // The whole name is on screen (wrapped), not cut off.
    const shown = page.getByRole('banner').getByText(name);
    await expect(shown).toBeVisible();
    expect(await shown.evaluate((el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight)).toBe(
      true,
    );

    // Row actions are icon buttons, named for screen readers and big enough for a finger.
    for (const action of ['Edit', 'Delete']) {
      const button = page.getByRole('button', { name: `${action} “Book the bike service”` });
      await expect(button).toBeVisible();
      const box = (await button.boundingBox())!;
      expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(40);
    }

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SCREENS}/phone.png` });
    if (process.env.UPDATE_DOCS_SCREENSHOT) copyFileSync(`${SCREENS}/phone.png`, '../docs/screenshot-phone.png');
    await expectNoAxeViolations(page, 'the task list at 360 px');

    await page.getByRole('button', { name: 'Edit “Water the tomatoes”' }).click();
    await expectNoAxeViolations(page, 'the task list at 360 px with an edit form open');
  });

  test('a "Saved" message never covers the edit form being used', async ({ page }) => {
    await signUp(page, { name: 'Toast Tester', email: uniqueEmail('toast') });
    for (let i = 1; i <= 6; i++) await addTask(page, `Errand ${i}`);

    // Save one task: the confirmation appears at the bottom of the window for a few seconds.
    await page.getByRole('button', { name: 'Edit “Errand 6”' }).click();
    await page.getByLabel('Title').fill('Errand six');
    await page.getByRole('button', { name: 'Save' }).click();
    const saved = page.getByRole('status').filter({ hasText: 'Saved “Errand six”.' });
    await expect(saved).toBeVisible();

    // Straight away, edit another one whose form ends where the message is.
    await page.getByRole('button', { name: 'Edit “Errand 3”' }).click();
    const cancel = page.getByRole('button', { name: 'Cancel' });
    await expect(cancel).toBeVisible();
    await scrollSoBottomIsAt(page, page.getByRole('form', { name: 'Edit “Errand 3”' }), 24);
    await expect(saved).toBeVisible();
    await expect.poll(() => reachable(cancel)).toBe(true);
    expect(await reachable(page.getByRole('button', { name: 'Save' }))).toBe(true);
    expect(await reachable(page.getByLabel('Title'))).toBe(true);
    await cancel.click();
    await expect(page.getByRole('button', { name: 'Edit “Errand 3”' })).toBeFocused();
  });
});
