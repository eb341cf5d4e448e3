// The account lifecycle in a real browser against the real API, with the API's mail received by the
// runner's SMTP server (mailbox.mjs): tests open the links in the mails as a user would.
import { copyFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
import { PASSWORD, SCREENS, addTask, alert, expect, signIn, signOut, signUp, test, uniqueEmail } from './fixtures';
import { linkIn, nextMail } from './mail';

const NEW_PASSWORD = 'e2e amber quarry 77';
const FORGOT_CONFIRMATION = 'If an account exists for that address, a link to reset its password is on its way.';

const section = (page: Page, name: string) => page.getByRole('region', { name });

async function expectSignInRefused(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(alert(page, 'That email and password do not match an account.')).toBeVisible();
  await expect(page).toHaveURL('/sign-in');
}

test('forgot password: the link in the mail sets a new password, and only the new one signs in', async ({
  page,
  baseURL,
}) => {
  const email = uniqueEmail('forgot');
  await signUp(page, { name: 'Forgetful Fran', email });
  await signOut(page);

  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page).toHaveURL('/forgot-password');
  // An unknown address gets the very same answer.
  await page.getByLabel('Email').fill(uniqueEmail('nobody'));
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByRole('status').filter({ hasText: FORGOT_CONFIRMATION })).toBeVisible();
  await page.getByRole('button', { name: 'Use another address' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByRole('status').filter({ hasText: FORGOT_CONFIRMATION })).toBeVisible();

  const mail = await nextMail(email, { contains: '/reset-password' });
  const link = linkIn(mail, '/reset-password');
  expect(link.origin).toBe(new URL(baseURL!).origin);
  await page.goto(link.href);
  // The token leaves the address bar at once.
  await expect(page).toHaveURL('/reset-password');
  await expectNoAxeViolations(page, '/reset-password');
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await expect(page.getByText(/^Strength: .*good to go\.$/)).toBeVisible();
  await page.getByRole('button', { name: 'Save the new password' }).click();
  await expect(page).toHaveURL('/sign-in?reason=password-reset');
  await expect(page.getByRole('status').filter({ hasText: 'Sign in with the new password.' })).toBeVisible();

  // The link was single-use.
  await page.goto(link.href);
  await page.getByLabel('New password', { exact: true }).fill('e2e second harbour 19');
  await page.getByRole('button', { name: 'Save the new password' }).click();
  await expect(alert(page, 'This link is invalid or has expired. Ask for a new one.')).toBeVisible();

  await expectSignInRefused(page, email, PASSWORD);
  await signIn(page, { email, password: NEW_PASSWORD });
});

test('signing out another browser from /account: that browser is signed out at once (its live connection is closed)', async ({
  page,
  browser,
}) => {
  const email = uniqueEmail('devices');
  await signUp(page, { name: 'Two Devices', email });

  const other = await browser.newContext();
  try {
    const otherPage = await other.newPage();
    await signIn(otherPage, { email });
    await addTask(otherPage, 'Added on the other device');

    await page.goto('/account');
    const sessions = section(page, 'Where you are signed in');
    const items = sessions.getByRole('list', { name: 'Sessions' }).getByRole('listitem');
    await expect(items).toHaveCount(2);
    await expect(items.filter({ hasText: 'This device' })).toHaveCount(1);
    await expect(items.first()).toContainText(/last active/);
    await items.filter({ hasNotText: 'This device' }).getByRole('button', { name: /^Sign out / }).click();
    await expect(sessions.getByRole('status')).toHaveText(/^Signed out .+\.$/);
    await expect(items).toHaveCount(1);

    // The other browser's live connection is closed when its session ends, and its token cannot be
    // refreshed: without any action of its user it lands on the sign-in page and says why.
    await expect(otherPage).toHaveURL('/sign-in?reason=expired');
    await expect(otherPage.getByText('Your session has ended. Sign in again to continue.')).toBeVisible();

    // This browser is still signed in.
    await page.reload();
    await expect(section(page, 'Profile').getByLabel('Name')).toHaveValue('Two Devices');
    // And the security activity has the story.
    const activity = section(page, 'Security activity').getByRole('list', { name: 'Security activity' });
    await expect(activity.getByRole('listitem').first()).toBeVisible();
  } finally {
    await other.close();
  }
});

test('e-mail verification: the link from the sign-up mail marks the address verified', async ({ page }) => {
  const email = uniqueEmail('verify');
  await signUp(page, { name: 'Vera Verify', email });
  await page.goto('/account');
  const emailSection = section(page, 'Email address');
  await expect(emailSection.getByText('Not verified')).toBeVisible();

  const mail = await nextMail(email, { contains: '/verify-email' });
  await page.goto(linkIn(mail, '/verify-email').href);
  await expect(page.getByText('Your email address is verified. Thank you.')).toBeVisible();
  await expect(page).toHaveURL('/verify-email');
  await page.getByRole('link', { name: 'Go to your account' }).click();
  await expect(emailSection.getByText('Verified', { exact: true })).toBeVisible();
  await expect(emailSection.getByRole('button', { name: 'Resend the verification e-mail' })).toHaveCount(0);
});

test('changing the password on /account: the old one stops working, the new one signs in', async ({ page }) => {
  const email = uniqueEmail('change');
  await signUp(page, { name: 'Changing Chris', email });
  await page.goto('/account');
  const form = page.getByRole('form', { name: 'Change your password' });
  await form.getByLabel('Current password').fill('not my password');
  await form.getByLabel('New password').fill(NEW_PASSWORD);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByLabel('Current password')).toHaveAccessibleDescription('Your current password is not right.');

  await form.getByLabel('Current password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(section(page, 'Password').getByRole('status')).toHaveText(
    'Your password is changed, and your other sessions are signed out.',
  );
  // This session goes on.
  await page.reload();
  await expect(section(page, 'Profile').getByLabel('Name')).toHaveValue('Changing Chris');

  await signOut(page);
  await expectSignInRefused(page, email, PASSWORD);
  await signIn(page, { email, password: NEW_PASSWORD });
});

test('changing the e-mail address: the link mailed to the new address makes the change', async ({ page }) => {
  const email = uniqueEmail('move');
  const newEmail = uniqueEmail('moved');
  await signUp(page, { name: 'Moving Mo', email });
  await page.goto('/account');
  const form = page.getByRole('form', { name: 'Change your email address' });
  await form.getByLabel('New email address').fill(newEmail);
  await form.getByLabel('Your password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Send confirmation link' }).click();
  await expect(section(page, 'Email address').getByRole('status').last()).toHaveText(
    `Check ${newEmail} for a link to confirm the change.`,
  );
  // Nothing changes until the link is used.
  await page.reload();
  await expect(section(page, 'Email address').getByText(email, { exact: true })).toBeVisible();

  const mail = await nextMail(newEmail, { contains: '/confirm-email' });
  await page.goto(linkIn(mail, '/confirm-email').href);
  await expect(page.getByText(`Your email address is now ${newEmail}. Use it to sign in.`)).toBeVisible();

  await signOut(page);
  await signIn(page, { email: newEmail });
  await page.goto('/account');
  await expect(section(page, 'Email address').getByText(newEmail, { exact: true })).toBeVisible();
});

test('deleting the account signs out, and the account is gone', async ({ page }) => {
  const email = uniqueEmail('delete');
  await signUp(page, { name: 'Leaving Lee', email });
  await page.goto('/account');
  const form = page.getByRole('form', { name: 'Delete your account' });
  await form.getByLabel('Your password, to confirm').fill(PASSWORD);
  await form.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL('/sign-in?reason=deleted');
  await expect(page.getByText('Your account and its tasks are deleted.')).toBeVisible();
  await expectSignInRefused(page, email, PASSWORD);
});

test('the account pages pass axe', async ({ page }) => {
  for (const path of ['/forgot-password', '/reset-password?token=not-a-real-token', '/verify-email?token=not-a-real-token']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    // The link pages have asked the API and show its answer.
    if (path.startsWith('/verify-email')) await expect(page.getByRole('main').getByRole('link', { name: 'Sign in' })).toBeVisible();
    await expectNoAxeViolations(page, path);
  }
  await page.goto('/confirm-email');
  await expect(alert(page, 'This link is incomplete.')).toBeVisible();
  await expectNoAxeViolations(page, '/confirm-email');

  await signUp(page, { name: 'Axe Account', email: uniqueEmail('axe-account') });
  await page.goto('/account');
  await expect(section(page, 'Where you are signed in').getByRole('listitem')).toHaveCount(1);
  await expect(section(page, 'Security activity').getByText('Loading your activity…')).toHaveCount(0);
  // With field errors and a result showing, too.
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByLabel('Current password')).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page, '/account');
  await page.screenshot({ path: `${SCREENS}/account.png`, fullPage: true });
  if (process.env.UPDATE_DOCS_SCREENSHOT) copyFileSync(`${SCREENS}/account.png`, '../docs/screenshot-account.png');
});
