import { addTask, expect, signIn, signUp, test, uniqueEmail } from './fixtures';

const TTL_MS = Number(process.env.E2E_ACCESS_TOKEN_TTL ?? 10) * 1000;

test('access tokens expire and are renewed without losing the page; a dead session signs out', async ({
  page,
  context,
}) => {
  // Skipped only when someone runs this file with a long E2E_ACCESS_TOKEN_TTL: waiting out a real
  // 15-minute token is not a test. `npm run test:e2e` (and so CI) sets 10 s, so it always runs there.
  test.skip(TTL_MS > 30_000, 'needs the short token lifetime that `npm run test:e2e` configures');
  const email = uniqueEmail('expiry');
  const tokenRequests: number[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/auth/token') tokenRequests.push(Date.now());
  });

  await signUp(page, { name: 'Expiry Tester', email });
  await addTask(page, 'Outlive the token');
  // Something typed but not saved: it must still be there after the token has been renewed.
  await page.getByLabel('New task').fill('an unsaved draft');
  const issuedBefore = tokenRequests.length;

  await page.waitForTimeout(TTL_MS + 2_000);
  await page.getByRole('checkbox', { name: 'Outlive the token' }).check();
  await expect(page.getByRole('checkbox', { name: 'Outlive the token' })).toBeChecked();
  await addTask(page, 'Added after the first token expired');
  await page.getByLabel('New task').fill('an unsaved draft');

  expect(tokenRequests.length).toBeGreaterThan(issuedBefore);
  await expect(page).toHaveURL('/');
  await expect(page.getByText('Your session has ended')).toHaveCount(0);

  // The session cookie disappears (as when the session is revoked): the next renewal fails,
  // and the app signs out and says why.
  await context.clearCookies();
  await expect(page).toHaveURL('/sign-in?reason=expired', { timeout: TTL_MS + 10_000 });
  await expect(page.getByText('Your session has ended. Sign in again to continue.')).toBeVisible();
  await expect(page.getByText('Outlive the token')).toHaveCount(0);

  // Nothing done before the expiry was lost.
  await signIn(page, { email });
  await expect(page.getByRole('checkbox', { name: 'Outlive the token' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Added after the first token expired' })).toBeVisible();
});
