import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api';
import { findAlert } from '../../test/queries';
import { SessionProvider } from '../session/SessionProvider';
import { SignInForm } from './SignInForm';

const router = vi.hoisted(() => ({ replace: vi.fn(), push: vi.fn(), refresh: vi.fn(), prefetch: vi.fn() }));
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/sign-in' }));

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const refusal = (status: number, code: string, message: string) => json(status, { code, message, error: { code, message, requestId: 'r' } });

let api: FakeApi;
beforeEach(() => {
  api = new FakeApi().install();
  router.replace.mockReset();
  api.authOverrides.set('/sign-in/email', () => json(200, { twoFactorRedirect: true, twoFactorMethods: ['totp'] }));
  const lastCode = () => (api.requests.at(-1)!.body as { code: string }).code;
  api.authOverrides.set('/two-factor/verify-totp', () => {
    if (lastCode() !== '123456') return refusal(401, 'INVALID_CODE', 'Invalid code');
    api.signIn('u1');
    return json(200, { token: 'session-token', user: { id: 'u1' } });
  });
  api.authOverrides.set('/two-factor/verify-backup-code', () => {
    if (lastCode() !== 'abcde-12345') return refusal(401, 'INVALID_BACKUP_CODE', 'Invalid backup code');
    api.signIn('u1');
    return json(200, { token: 'session-token', user: { id: 'u1' } });
  });
});

async function passPassword() {
  const user = userEvent.setup();
  render(
    <SessionProvider navigate={vi.fn()}>
      <SignInForm />
    </SessionProvider>,
  );
  await user.type(screen.getByLabelText('Email'), 'ada@example.com');
  await user.type(screen.getByLabelText('Password'), 'correct horse');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  await screen.findByRole('heading', { name: 'Two-factor sign-in' });
  return user;
}

const sent = (path: string) => api.requests.filter((r) => r.path === `/api/auth${path}`).map((r) => r.body);

describe('sign-in with two-factor on', () => {
  it('a challenge that is gone (expired, too many codes) offers to sign in again', async () => {
    api.authOverrides.set('/two-factor/verify-totp', () => refusal(401, 'INVALID_TWO_FACTOR_COOKIE', 'Invalid two factor cookie'));
    const user = await passPassword();
    await user.type(screen.getByLabelText('Authentication code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await findAlert('This sign-in has expired or had too many wrong codes. Sign in again with your password.');
    await user.click(screen.getByRole('button', { name: 'Sign in again' }));
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('"Use a backup code" switches the field; a wrong or used one is refused in words', async () => {
    const user = await passPassword();
    await user.click(screen.getByRole('button', { name: 'Use a backup code' }));
    const field = screen.getByLabelText('Backup code');
    await user.type(field, 'zzzzz-00000');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await findAlert('That backup code is not right, or it was already used.');
    expect(sent('/two-factor/verify-backup-code')).toEqual([{ code: 'zzzzz-00000' }]);
    expect(router.replace).not.toHaveBeenCalled();
    // And back to the app's code. (A backup code that works is signed in with in e2e/two-factor.spec.ts.)
    await user.click(screen.getByRole('button', { name: 'Use the code from your app' }));
    expect(screen.getByLabelText('Authentication code')).toHaveAttribute('autocomplete', 'one-time-code');
  });

  it('asks for the app code after the password (one-time-code, numeric), then goes to the task list (last: it leaves the client signed in)', async () => {
    const user = await passPassword();
    expect(router.replace).not.toHaveBeenCalled();
    const code = screen.getByLabelText('Authentication code');
    expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    expect(code).toHaveAttribute('inputmode', 'numeric');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(code).toHaveAccessibleDescription('Enter the 6-digit code from your authenticator app.');
    expect(sent('/two-factor/verify-totp')).toEqual([]);

    await user.type(code, '654321');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    const alert = await findAlert('That code is not right. Enter the current code from your authenticator app.');
    expect(alert).not.toHaveTextContent('INVALID_CODE');

    await user.clear(code);
    await user.type(code, '123 456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/'));
    expect(sent('/two-factor/verify-totp')).toEqual([{ code: '654321' }, { code: '123456' }]);
  });
});
