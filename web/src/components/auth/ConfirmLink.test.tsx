import { render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api';
import { findAlert } from '../../test/queries';
import { SessionProvider } from '../session/SessionProvider';
import { ConfirmLink } from './ConfirmLink';

vi.mock('next/navigation', () => import('../../test/fake-router'));

let api: FakeApi;
beforeEach(() => {
  api = new FakeApi().install();
});

function renderLink(kind: 'verify' | 'change-email', token: string | undefined, path: string) {
  window.history.replaceState(null, '', token ? `${path}?token=${token}` : path);
  render(
    <StrictMode>
      <SessionProvider navigate={vi.fn()}>
        <ConfirmLink kind={kind} token={token} />
      </SessionProvider>
    </StrictMode>,
  );
}

const posts = (path: string) => api.requests.filter((r) => r.method === 'POST' && r.path === path);

describe('/verify-email', () => {
  it('verifies the address once on arrival and says so', async () => {
    api.verificationTokens.set('v-1', 'u1');
    renderLink('verify', 'v-1', '/verify-email');
    expect(await screen.findByText('Your email address is verified. Thank you.')).toBeVisible();
    expect(posts('/api/auth/verification/confirm').map((r) => r.body)).toEqual([{ token: 'v-1' }]);
    expect(api.users[0]!.emailVerified).toBe(true);
    expect(window.location.search).toBe('');
    expect(screen.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/sign-in');
  });

  it('says a dead link is dead and how to get a new one', async () => {
    renderLink('verify', 'stale', '/verify-email');
    const alert = await findAlert('This link is invalid or has expired. Ask for a new one.');
    expect(alert).toHaveTextContent('Resend the verification e-mail');
    expect(api.users[0]!.emailVerified).toBeUndefined();
  });

  it('without a token sends nothing', async () => {
    renderLink('verify', undefined, '/verify-email');
    await findAlert('This link is incomplete.');
    expect(posts('/api/auth/verification/confirm')).toHaveLength(0);
  });
});

describe('/confirm-email', () => {
  it('changes the address and names the new one; a signed-in user is offered the account page', async () => {
    api.signIn();
    api.emailChangeTokens.set('c-1', { userId: 'u1', email: 'ada.king@example.com' });
    renderLink('change-email', 'c-1', '/confirm-email');
    await waitFor(() => expect(screen.getByRole('link', { name: 'Go to your account' })).toHaveAttribute('href', '/account'));
    expect(screen.getByText('Your email address is now ada.king@example.com. Use it to sign in.')).toBeVisible();
    expect(api.users[0]!.email).toBe('ada.king@example.com');
    // The page was mounted again when the session arrived: still one request for the token.
    expect(posts('/api/auth/email/confirm')).toHaveLength(1);
  });
});
