import { SCREENS, addTask, expect, signUp, test, uniqueEmail } from './fixtures';

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
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
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
});
