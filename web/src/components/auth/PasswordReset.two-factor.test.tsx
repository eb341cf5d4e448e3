import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi, restError } from '../../test/fake-api';
import { router } from '../../test/fake-router';
import { findAlert } from '../../test/queries';
import { SessionProvider } from '../session/SessionProvider';
import { ResetPasswordForm } from './ResetPasswordForm';

vi.mock('next/navigation', () => import('../../test/fake-router'));

const STRONG = 'violet harbour tractor 58';

let api: FakeApi;
beforeEach(() => {
  api = new FakeApi().install();
  window.history.replaceState(null, '', '/');
  router.replace.mockClear();
  // An account with two-factor sign-in: the link alone is not enough.
  api.restOverrides.set('POST /password/reset', () => {
    const body = api.requests.at(-1)!.body as Record<string, string>;
    if (body.code === '123456' || body.backupCode === 'abcde-12345') return new Response(null, { status: 204 });
    if (body.code || body.backupCode) return restError(400, 'INVALID_CODE', 'That code is not right.');
    return restError(400, 'TWO_FACTOR_REQUIRED', 'This account has two-factor sign-in.');
  });
});

const resetBodies = () => api.requests.filter((r) => r.path === '/api/auth/password/reset').map((r) => r.body);

function renderReset() {
  const user = userEvent.setup();
  render(
    <SessionProvider navigate={vi.fn()}>
      <ResetPasswordForm token="tok-1" />
    </SessionProvider>,
  );
  return user;
}

describe('password reset with two-factor sign-in on', () => {
  it('asks for the app code after the first try, says a wrong one at the field, and sends it with the password', async () => {
    const user = renderReset();
    await user.type(screen.getByLabelText('New password'), STRONG);
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    await findAlert('Your account has two-factor sign-in: enter the code from your authenticator app (or a backup code) as well.');
    const code = screen.getByLabelText('Code from your authenticator app');
    expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    await user.type(code, '000000');
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    await waitFor(() => expect(screen.getByLabelText('Code from your authenticator app')).toHaveAccessibleDescription(/That code is not right/));
    await user.clear(screen.getByLabelText('Code from your authenticator app'));
    await user.type(screen.getByLabelText('Code from your authenticator app'), '123456');
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/sign-in?reason=password-reset'));
    expect(resetBodies()).toEqual([
      { token: 'tok-1', newPassword: STRONG },
      { token: 'tok-1', newPassword: STRONG, code: '000000' },
      { token: 'tok-1', newPassword: STRONG, code: '123456' },
    ]);
  });

  it('takes a backup code instead', async () => {
    const user = renderReset();
    await user.type(screen.getByLabelText('New password'), STRONG);
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    await user.click(await screen.findByRole('button', { name: 'Use a backup code' }));
    await user.type(screen.getByLabelText('Backup code'), 'abcde-12345');
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/sign-in?reason=password-reset'));
    expect(resetBodies().at(-1)).toEqual({ token: 'tok-1', newPassword: STRONG, backupCode: 'abcde-12345' });
  });
});
