import { expect, test } from './fixtures';

test('the password estimator (~2 MB of dictionaries) loads on first use, not with the sign-up page', async ({
  page,
}) => {
  const scripts = new Map<string, number>();
  page.on('response', async (response) => {
    if (response.request().resourceType() !== 'script') return;
    const body = await response.body().catch(() => Buffer.alloc(0));
    scripts.set(response.url(), body.length);
  });
  const total = () => [...scripts.values()].reduce((sum, bytes) => sum + bytes, 0);

  await page.goto('/sign-up');
  await expect(page.getByRole('button', { name: 'Create account' })).toBeEnabled();
  await page.waitForLoadState('networkidle');
  const onLoad = new Map(scripts);
  const loadBytes = total();
  expect(Math.max(...onLoad.values())).toBeLessThan(700_000);

  await page.getByLabel('Password').focus();
  await expect.poll(() => total() - loadBytes, { timeout: 20_000 }).toBeGreaterThan(1_000_000);
  const added = [...scripts].filter(([url]) => !onLoad.has(url));
  console.log(
    `sign-up scripts: ${Math.round(loadBytes / 1024)} KiB on load; +${Math.round((total() - loadBytes) / 1024)} KiB ` +
      `in ${added.length} file(s) on the first focus of the password field`,
  );

  // And now it rates what is typed.
  await page.getByLabel('Password').fill('violet-harbor-tractor-58');
  await expect(page.getByText('Strength: very strong (4 of 4), good to go.')).toBeVisible();
});
