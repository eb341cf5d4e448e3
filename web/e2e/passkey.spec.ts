// Passkeys in a real browser, with Chromium's virtual authenticator (DevTools protocol: a platform
// authenticator with resident keys and user verification that always says yes): add one on
// /account, sign out, sign in with it, then rename and remove it. The page runs on
// http://localhost:3000 (run.mjs): WebAuthn needs a host name as the relying party.
import type { BrowserContext, CDPSession, Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
import { PASSWORD, SCREENS, alert, expect, signOut, signUp, test, uniqueEmail } from './fixtures';

const section = (page: Page, name: string) => page.getByRole('region', { name });

async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/**
 * Whether the page may offer passkeys in the e-mail field's suggestions (conditional mediation). The
 * virtual authenticator answers such a request at once, as a user picking the one passkey would; so
 * the button is tested as in a browser without that feature, and the autofill on its own.
 */
async function setAutofill(page: Page, on: boolean) {
  await page.evaluate((value) => localStorage.setItem('e2e:passkey-autofill', value), on ? 'on' : 'off');
}

async function credentialCount(cdp: CDPSession, authenticatorId: string): Promise<number> {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  return credentials.length;
}

test('add a passkey on /account, sign out, sign in with it; rename it; remove it (password first)', async ({ context, page }) => {
  const { cdp, authenticatorId } = await virtualAuthenticator(context, page);
  await page.addInitScript(() => {
    const credential = window.PublicKeyCredential as { isConditionalMediationAvailable?: () => Promise<boolean> } | undefined;
    if (credential) credential.isConditionalMediationAvailable = async () => localStorage.getItem('e2e:passkey-autofill') === 'on';
  });
  const email = uniqueEmail('passkey');
  await signUp(page, { name: 'Passkey Pat', email });

  await page.goto('/account');
  const passkeys = section(page, 'Passkeys');
  await expect(passkeys.getByText('You have no passkeys yet.')).toBeVisible();

  // A wrong password creates nothing.
  await passkeys.getByLabel('Name for the new passkey').fill('Work laptop');
  await passkeys.getByLabel('Your password, to confirm').fill('not my password 1');
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(passkeys.getByText('That password is not right.')).toBeVisible();
  expect(await credentialCount(cdp, authenticatorId)).toBe(0);

  await passkeys.getByLabel('Your password, to confirm').fill(PASSWORD);
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(passkeys.getByRole('status').filter({ hasText: 'Passkey “Work laptop” added.' })).toBeVisible();
  const list = passkeys.getByRole('list', { name: 'Passkeys' });
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list.getByText('Work laptop', { exact: true })).toBeVisible();
  await expect(list.getByText(/not used yet/)).toBeVisible();
  expect(await credentialCount(cdp, authenticatorId)).toBe(1);
  await expectNoAxeViolations(page, '/account with a passkey');
  await passkeys.screenshot({ path: `${SCREENS}/account-passkeys.png` });
  // The activity says so.
  await expect(section(page, 'Security activity').getByText('Passkey added').first()).toBeVisible();

  await signOut(page);
  // The e-mail field offers passkeys in its suggestions where the browser supports it.
  await expect(page.getByLabel('Email')).toHaveAttribute('autocomplete', 'username webauthn');
  await expectNoAxeViolations(page, '/sign-in with the passkey button');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('banner').getByText('Passkey Pat')).toBeVisible();

  // The session works like a password one: the account page loads, and shows the passkey as used.
  await page.goto('/account');
  await expect(list.getByText(/last used/)).toBeVisible();

  await list.getByRole('button', { name: /^Rename Work laptop/ }).click();
  await list.getByLabel('New name for Work laptop').fill('Home desktop');
  await list.getByRole('button', { name: 'Save name' }).click();
  await expect(passkeys.getByRole('status').filter({ hasText: 'Renamed to “Home desktop”.' })).toBeVisible();

  // Conditional mediation: on the sign-in page the e-mail field's suggestions offer the passkey;
  // picking it (the virtual authenticator does so at once) signs in without a click.
  await signOut(page);
  await setAutofill(page, true);
  await page.reload();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('banner').getByText('Passkey Pat')).toBeVisible();
  await setAutofill(page, false);

  await page.goto('/account');
  await list.getByRole('button', { name: /^Remove Home desktop/ }).click();
  await list.getByLabel('Your password, to remove it').fill('not my password 1');
  await list.getByRole('button', { name: 'Remove passkey' }).click();
  await expect(list.getByText('That password is not right. The passkey is kept.')).toBeVisible();
  await list.getByLabel('Your password, to remove it').fill(PASSWORD);
  await list.getByRole('button', { name: 'Remove passkey' }).click();
  await expect(passkeys.getByRole('status').filter({ hasText: 'Passkey “Home desktop” removed.' })).toBeVisible();
  await expect(passkeys.getByText('You have no passkeys yet.')).toBeVisible();

  // The authenticator still holds the credential, but the server no longer knows it.
  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(alert(page, 'That passkey is not registered with Taskgate (it may have been removed).')).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
});
