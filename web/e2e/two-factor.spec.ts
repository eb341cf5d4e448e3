// Two-factor sign-in in a real browser against the real API: enrol an authenticator app on
// /account (the test reads the setup key from the page and computes codes with otpauth, as an app
// would), then sign in with a code and with a backup code; axe on every new screen.
import { Secret, TOTP } from 'otpauth';
import type { Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
import { PASSWORD, alert, expect, signOut, signUp, test, uniqueEmail } from './fixtures';

const section = (page: Page) => page.getByRole('region', { name: 'Two-factor sign-in' });

async function passwordStep(page: Page, email: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Two-factor sign-in' })).toBeVisible();
  await expect(page).toHaveURL('/sign-in');
}

test('enrol an authenticator app on /account, then sign in with a code and with a backup code', async ({ page }) => {
  const email = uniqueEmail('two-factor');
  await signUp(page, { name: 'Tess Two-Factor', email });
  await page.goto('/account');
  const s = section(page);
  await expect(s.getByText(/^Off\./)).toBeVisible();
  await s.getByLabel('Password').fill(PASSWORD);
  await s.getByRole('button', { name: 'Set up authenticator app' }).click();

  // The QR code is drawn in the page (a data: image), and the key is there as text.
  const qr = s.getByRole('img', { name: 'QR code to scan with your authenticator app' });
  await expect(qr).toBeVisible();
  expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
  const secret = await s.locator('[data-secret]').getAttribute('data-secret');
  expect(secret).toMatch(/^[A-Z2-7]+$/);
  const totp = new TOTP({ secret: Secret.fromBase32(secret!) });
  await expectNoAxeViolations(page, '/account (two-factor setup)');

  await s.getByLabel('Code from the app').fill(totp.generate());
  await s.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  const items = s.getByRole('list', { name: 'Backup codes' }).getByRole('listitem');
  await expect(items).toHaveCount(10);
  const codes = (await items.allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  await expect(s.getByRole('link', { name: 'Download as .txt' })).toHaveAttribute('download', 'taskgate-backup-codes.txt');
  await expectNoAxeViolations(page, '/account (backup codes)');
  await s.getByRole('button', { name: 'I have saved my backup codes' }).click();
  await expect(s.getByText('Two-factor sign-in is on.')).toBeVisible();

  // Sign in: the password, then the code. The enrolment used this step's code, so the app's next one.
  await signOut(page);
  await passwordStep(page, email);
  await expectNoAxeViolations(page, '/sign-in (code step)');
  const code = page.getByLabel('Authentication code');
  await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
  await expect(code).toHaveAttribute('inputmode', 'numeric');
  await code.fill(totp.generate({ timestamp: Date.now() + 30_000 }));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('banner').getByText('Tess Two-Factor')).toBeVisible();

  // A backup code instead; it works once.
  await signOut(page);
  await passwordStep(page, email);
  await page.getByRole('button', { name: 'Use a backup code' }).click();
  await expectNoAxeViolations(page, '/sign-in (backup code step)');
  await page.getByLabel('Backup code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL('/');

  await signOut(page);
  await passwordStep(page, email);
  await page.getByRole('button', { name: 'Use a backup code' }).click();
  await page.getByLabel('Backup code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(alert(page, 'That backup code is not right, or it was already used.')).toBeVisible();
  await page.getByLabel('Backup code').fill(codes[1]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL('/');

  // The account page says it is on, and the activity list names what happened.
  await page.goto('/account');
  await expect(section(page).getByText(/^On: signing in asks for a code/)).toBeVisible();
  await expect(page.getByRole('region', { name: 'Security activity' }).getByText('Backup code used').first()).toBeVisible();
});
