import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi, restError, type FakeSession } from '../../test/fake-api';
import { findAlert } from '../../test/queries';
import { SessionProvider } from '../session/SessionProvider';
import { AccountScreen } from './AccountScreen';

vi.mock('next/navigation', () => import('../../test/fake-router'));

const STRONG = 'violet harbour tractor 58';

let api: FakeApi;
beforeEach(() => {
  api = new FakeApi().signIn().install();
  api.sessions = [
    session({ id: 's1', current: true, device: 'Firefox on Linux', ip: '203.0.113.0/24' }),
    session({ id: 's2', device: 'Chrome on Android', ip: '198.51.100.0/24' }),
    session({ id: 's3', device: 'Safari on macOS', ip: '2001:db8:1::/48' }),
    session({ id: 'other-user', device: 'Edge on Windows', userId: 'u2' }),
  ];
});

function session(fields: Partial<FakeSession> & { id: string; device: string }): FakeSession {
  return {
    userId: 'u1',
    current: false,
    createdAt: '2026-11-20T09:00:00.000Z',
    lastUsedAt: '2026-11-25T11:00:00.000Z',
    ip: null,
    ...fields,
  };
}

async function renderAccount() {
  const navigate = vi.fn();
  const user = userEvent.setup();
  render(
    <SessionProvider navigate={navigate}>
      <AccountScreen />
    </SessionProvider>,
  );
  await screen.findByRole('heading', { name: 'Profile' });
  return { user, navigate };
}

const section = (name: string) => screen.getByRole('region', { name });
const status = (region: HTMLElement) => within(region).getAllByRole('status').at(-1)!;
const sent = (method: string, path: string) =>
  api.requests.filter((r) => r.method === method && r.path === `/api/auth${path}`);

describe('profile', () => {
  it('saves a new name (trimmed) and says so', async () => {
    const { user } = await renderAccount();
    const name = within(section('Profile')).getByLabelText('Name');
    expect(name).toHaveValue('Ada Lovelace');
    await user.clear(name);
    await user.type(name, '  Ada King ');
    await user.click(screen.getByRole('button', { name: 'Save name' }));
    await waitFor(() => expect(status(section('Profile'))).toHaveTextContent('Your name is saved.'));
    expect(sent('PATCH', '/me').at(-1)?.body).toEqual({ name: 'Ada King' });
    expect(sent('PATCH', '/me').at(-1)?.headers.get('authorization')).toMatch(/^Bearer /);
    expect(api.users[0]!.name).toBe('Ada King');
  });

  it('refuses a blank name before sending, and shows the API refusal next to the field', async () => {
    const { user } = await renderAccount();
    const name = within(section('Profile')).getByLabelText('Name');
    await user.clear(name);
    await user.type(name, '   ');
    await user.click(screen.getByRole('button', { name: 'Save name' }));
    expect(name).toHaveAccessibleDescription('Enter your name.');
    expect(sent('PATCH', '/me')).toHaveLength(0);

    api.restOverrides.set('PATCH /me', () => restError(400, 'VALIDATION_FAILED', 'name must not contain control characters.'));
    await user.clear(name);
    await user.type(name, 'Ada');
    await user.click(screen.getByRole('button', { name: 'Save name' }));
    await waitFor(() => expect(name).toHaveAccessibleDescription('name must not contain control characters.'));
    expect(name).toHaveFocus();
    expect(status(section('Profile'))).toHaveTextContent('');
  });
});

describe('email address', () => {
  it('shows the address unverified and resends the verification mail', async () => {
    const { user } = await renderAccount();
    const email = section('Email address');
    expect(within(email).getByText('ada@example.com')).toBeVisible();
    expect(within(email).getByText('Not verified')).toBeVisible();
    await user.click(within(email).getByRole('button', { name: 'Resend the verification e-mail' }));
    await waitFor(() =>
      expect(within(email).getByText('If that address needs verifying, a new link is on its way.')).toBeVisible(),
    );
    expect(sent('POST', '/verification/resend')[0]?.body).toEqual({ email: 'ada@example.com' });
  });

  it('shows a verified address without the resend button', async () => {
    api.users[0]!.emailVerified = true;
    await renderAccount();
    expect(within(section('Email address')).getByText('Verified')).toBeVisible();
    expect(screen.queryByRole('button', { name: 'Resend the verification e-mail' })).not.toBeInTheDocument();
  });

  it('asks for a change: a bad address and a wrong password are said at their fields; a taken address answers like a free one', async () => {
    api.users.push({ id: 'u2', name: 'Grace', email: 'grace@example.com', password: 'x' });
    const { user, navigate } = await renderAccount();
    const form = within(section('Email address')).getByRole('form', { name: 'Change your email address' });
    const newEmail = within(form).getByLabelText('New email address');
    const password = within(form).getByLabelText('Your password');
    const submit = within(form).getByRole('button', { name: 'Send confirmation link' });

    await user.type(newEmail, 'ada@example.com');
    await user.click(submit);
    expect(newEmail).toHaveAccessibleDescription('This is already your address.');
    expect(sent('POST', '/email')).toHaveLength(0);

    await user.clear(newEmail);
    await user.type(newEmail, 'ada.king@example.com');
    await user.type(password, 'not it');
    await user.click(submit);
    await waitFor(() => expect(password).toHaveAccessibleDescription('That password is not right.'));
    expect(password).toHaveFocus();
    expect(navigate).not.toHaveBeenCalled(); // a wrong password is not a dead session

    // The API's own refusal of an address goes next to that field.
    api.restOverrides.set('POST /email', () =>
      restError(400, 'VALIDATION_FAILED', 'newEmail: must be a valid email address', [{ field: 'newEmail', message: 'must be a valid email address' }]),
    );
    await user.clear(password);
    await user.type(password, 'correct horse');
    await user.click(submit);
    await waitFor(() => expect(newEmail).toHaveAccessibleDescription('newEmail: must be a valid email address'));
    expect(newEmail).toHaveFocus();
    api.restOverrides.delete('POST /email');

    await user.clear(newEmail);
    await user.type(newEmail, 'grace@example.com');
    await user.click(submit);
    await waitFor(() =>
      expect(status(section('Email address'))).toHaveTextContent('Check grace@example.com for a link to confirm the change.'),
    );
    expect(sent('POST', '/email').at(-1)?.body).toEqual({ newEmail: 'grace@example.com', password: 'correct horse' });

    await user.type(newEmail, 'ada.king@example.com');
    await user.type(password, 'correct horse');
    await user.click(submit);
    await waitFor(() =>
      expect(status(section('Email address'))).toHaveTextContent(
        'Check ada.king@example.com for a link to confirm the change.',
      ),
    );
    expect(sent('POST', '/email').at(-1)?.body).toEqual({ newEmail: 'ada.king@example.com', password: 'correct horse' });
    expect(newEmail).toHaveValue('');
    expect(password).toHaveValue('');
  });
});

describe('password', () => {
  it('says a wrong current password at that field, and stays signed in', async () => {
    const { user, navigate } = await renderAccount();
    const form = screen.getByRole('form', { name: 'Change your password' });
    await user.type(within(form).getByLabelText('Current password'), 'not it');
    await user.type(within(form).getByLabelText('New password'), STRONG);
    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    const current = within(form).getByLabelText('Current password');
    await waitFor(() => expect(current).toHaveAccessibleDescription('Your current password is not right.'));
    expect(current).toHaveFocus();
    expect(navigate).not.toHaveBeenCalled();
    expect(api.users[0]!.password).toBe('correct horse');
  });

  it("rates the new password with the meter, refuses a guessable one, and shows the API's refusal", async () => {
    const { user } = await renderAccount();
    const form = screen.getByRole('form', { name: 'Change your password' });
    const next = within(form).getByLabelText('New password');
    await user.type(within(form).getByLabelText('Current password'), 'correct horse');
    await user.type(next, 'Password123!');
    await waitFor(() => expect(within(form).getByText(/^Strength: /)).toHaveTextContent(/\([0-2] of 4\)/));
    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(next).toHaveAccessibleDescription(/^Password is too easy to guess/);
    expect(sent('POST', '/password')).toHaveLength(0);

    api.restOverrides.set('POST /password', () =>
      restError(400, 'WEAK_PASSWORD', 'Password is too easy to guess (this is similar to your name): add another word.'),
    );
    await user.clear(next);
    await user.type(next, STRONG);
    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    await waitFor(() =>
      expect(next).toHaveAccessibleDescription(/^Password is too easy to guess \(this is similar to your name\)/),
    );
  });

  it('changes it, signs the other sessions out when asked, and the session list shows it', async () => {
    const { user } = await renderAccount();
    const sessions = section('Where you are signed in');
    await within(sessions).findByText('Chrome on Android');
    const form = screen.getByRole('form', { name: 'Change your password' });
    expect(within(form).getByLabelText('Sign out my other sessions')).toBeChecked();
    await user.type(within(form).getByLabelText('Current password'), 'correct horse');
    await user.type(within(form).getByLabelText('New password'), STRONG);
    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    await waitFor(() =>
      expect(status(section('Password'))).toHaveTextContent(
        'Your password is changed, and your other sessions are signed out.',
      ),
    );
    expect(sent('POST', '/password')[0]?.body).toEqual({
      currentPassword: 'correct horse',
      newPassword: STRONG,
      revokeOtherSessions: true,
    });
    await waitFor(() => expect(within(sessions).queryByText('Chrome on Android')).not.toBeInTheDocument());
    expect(within(sessions).getByText('Firefox on Linux')).toBeVisible();
    expect(within(form).getByLabelText('Current password')).toHaveValue('');
  });
});

describe('sessions', () => {
  it('lists this user’s sessions with this device marked and no sign-out button for it', async () => {
    await renderAccount();
    const list = await within(section('Where you are signed in')).findByRole('list', { name: 'Sessions' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((item) => item.querySelector('.account-list__title')?.textContent)).toEqual([
      'Firefox on LinuxThis device',
      'Chrome on Android',
      'Safari on macOS',
    ]);
    expect(within(items[0]!).queryByRole('button')).not.toBeInTheDocument();
    expect(items[1]).toHaveTextContent('network 198.51.100.0/24');
    expect(within(items[1]!).getByRole('button', { name: /^Sign out Chrome on Android/ })).toBeEnabled();
  });

  it('signs one session out, and says so when it had already ended', async () => {
    const { user } = await renderAccount();
    const region = section('Where you are signed in');
    await user.click(await within(region).findByRole('button', { name: /^Sign out Chrome on Android/ }));
    await waitFor(() => expect(status(region)).toHaveTextContent('Signed out Chrome on Android.'));
    expect(sent('DELETE', '/sessions/s2')).toHaveLength(1);
    expect(within(region).queryByText('Chrome on Android')).not.toBeInTheDocument();

    api.sessions = api.sessions.filter((s) => s.id !== 's3'); // ended elsewhere meanwhile
    await user.click(within(region).getByRole('button', { name: /^Sign out Safari on macOS/ }));
    await waitFor(() => expect(status(region)).toHaveTextContent('That session had already ended.'));
    expect(within(region).queryByText('Safari on macOS')).not.toBeInTheDocument();
  });

  it('signs out everywhere else; the button goes when nothing else is left', async () => {
    const { user } = await renderAccount();
    const region = section('Where you are signed in');
    await user.click(await within(region).findByRole('button', { name: 'Sign out everywhere else' }));
    await waitFor(() => expect(status(region)).toHaveTextContent('Signed out 2 other sessions.'));
    expect(sent('DELETE', '/sessions')).toHaveLength(1);
    expect(within(region).getAllByRole('listitem')).toHaveLength(1);
    expect(within(region).queryByRole('button', { name: 'Sign out everywhere else' })).not.toBeInTheDocument();
    expect(api.sessions.map((s) => s.id)).toEqual(['s1', 'other-user']);
  });

  it('says so when the list cannot be loaded, and tries again', async () => {
    api.restOverrides.set('GET /sessions', () => restError(500, 'INTERNAL', 'boom'));
    const { user } = await renderAccount();
    const region = section('Where you are signed in');
    await findAlert('The server had a problem. Please try again in a moment.');
    api.restOverrides.delete('GET /sessions');
    await user.click(within(region).getByRole('button', { name: 'Try again' }));
    expect(await within(region).findByText('Chrome on Android')).toBeVisible();
  });
});

describe('security activity', () => {
  it('shows events newest first, a page at a time', async () => {
    api.events = Array.from({ length: 13 }, (_, i) => ({
      id: `e${String(13 - i).padStart(2, '0')}`,
      type: i === 0 ? 'PASSWORD_CHANGED' : 'SIGN_IN',
      createdAt: new Date(Date.parse('2026-11-25T12:00:00Z') - i * 3_600_000).toISOString(),
      ip: '203.0.113.0/24',
      device: 'Firefox on Linux',
      method: i === 0 ? null : i === 1 ? 'passkey' : i === 2 ? 'backup_code' : 'password',
    }));
    const { user } = await renderAccount();
    const region = section('Security activity');
    const list = await within(region).findByRole('list', { name: 'Security activity' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(10);
    expect(within(list).getAllByRole('listitem')[0]).toHaveTextContent(/^Password changed.*Firefox on Linux · network 203\.0\.113\.0\/24$/);
    // Each sign-in says how it was made.
    expect(within(list).getAllByRole('listitem')[1]).toHaveTextContent(/^Signed in with a passkey/);
    expect(within(list).getAllByRole('listitem')[2]).toHaveTextContent(/^Signed in with the password and a backup code/);
    expect(within(list).getAllByRole('listitem')[3]).toHaveTextContent(/^Signed in with the password/);
    await user.click(within(region).getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(13));
    expect(within(region).queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
    expect(sent('GET', '/activity')).toHaveLength(2);
  });
});

describe('delete account', () => {
  it('needs the right password; then the account is gone and the browser leaves', async () => {
    const { user, navigate } = await renderAccount();
    const form = screen.getByRole('form', { name: 'Delete your account' });
    const password = within(form).getByLabelText('Your password, to confirm');
    await user.click(within(form).getByRole('button', { name: 'Delete my account' }));
    expect(password).toHaveAccessibleDescription('Enter your password.');
    expect(sent('DELETE', '/me')).toHaveLength(0);

    await user.type(password, 'wrong');
    await user.click(within(form).getByRole('button', { name: 'Delete my account' }));
    await waitFor(() =>
      expect(password).toHaveAccessibleDescription('That password is not right. Your account is not deleted.'),
    );
    expect(api.users).toHaveLength(1);
    expect(navigate).not.toHaveBeenCalled();

    await user.clear(password);
    await user.type(password, 'correct horse');
    await user.click(within(form).getByRole('button', { name: 'Delete my account' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('deleted'));
    expect(api.users).toHaveLength(0);
    expect(sent('DELETE', '/me').at(-1)?.body).toEqual({ password: 'correct horse' });
  });
});

describe('a session revoked elsewhere', () => {
  it('signs this browser out at its next request', async () => {
    const navigate = vi.fn();
    render(
      <SessionProvider navigate={navigate}>
        <AccountScreen />
      </SessionProvider>,
    );
    await screen.findByRole('heading', { name: 'Profile' });
    // The session is revoked: the API refuses its access token, the cookie buys no new one.
    api.validTokens.clear();
    api.sessionUserId = null;
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Save name' }));
    // Four round trips (refused call, refused token, sign-out, leave): more than waitFor's default
    // second on a loaded machine.
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('expired'), { timeout: 5_000 });
    expect(navigate).toHaveBeenCalledTimes(1);
  });
});
