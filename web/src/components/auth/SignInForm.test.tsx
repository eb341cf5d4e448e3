import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api';
import { findAlert } from '../../test/queries';
import { SessionProvider } from '../session/SessionProvider';
import { SignInForm } from './SignInForm';

const router = vi.hoisted(() => ({ replace: vi.fn(), push: vi.fn(), refresh: vi.fn(), prefetch: vi.fn() }));
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/sign-in' }));

let api: FakeApi;
beforeEach(() => {
  api = new FakeApi().install();
  router.replace.mockReset();
});

function renderForm(reason?: string) {
  const user = userEvent.setup();
  render(
    <SessionProvider navigate={vi.fn()}>
      <SignInForm reason={reason} />
    </SessionProvider>,
  );
  return user;
}

const email = () => screen.getByLabelText('Email');
const password = () => screen.getByLabelText('Password');
const submit = () => screen.getByRole('button', { name: 'Sign in' });

describe('sign-in form', () => {
  it('says what is missing next to each field, focuses the first, and sends nothing', async () => {
    const user = renderForm();
    await user.click(submit());
    expect(email()).toHaveAccessibleDescription('Enter your email address.');
    expect(email()).toHaveAttribute('aria-invalid', 'true');
    expect(password()).toHaveAccessibleDescription('Enter your password.');
    expect(email()).toHaveFocus();

    await user.type(email(), 'ada@');
    expect(email()).toHaveAccessibleDescription('Enter an email address like name@example.com.');
    await user.type(email(), 'example.com');
    expect(email()).not.toHaveAttribute('aria-invalid');
    expect(api.requests.filter((r) => r.path === '/api/auth/sign-in/email')).toHaveLength(0);
  });

  it('checks a field when the user leaves it', async () => {
    const user = renderForm();
    await user.type(email(), 'not-an-email');
    await user.tab();
    expect(email()).toHaveAccessibleDescription('Enter an email address like name@example.com.');
  });

  it('shows wrong credentials in words, not codes', async () => {
    const user = renderForm();
    await user.type(email(), 'ada@example.com');
    await user.type(password(), 'wrong password');
    await user.click(submit());
    const alert = await findAlert('That email and password do not match an account.');
    expect(alert).not.toHaveTextContent('INVALID_EMAIL_OR_PASSWORD');
    expect(alert).toHaveFocus();
    expect(submit()).toBeEnabled();
    expect(router.replace).not.toHaveBeenCalled();
  });

  it('explains rate limiting with the wait the server asked for', async () => {
    api.authOverrides.set(
      '/sign-in/email',
      () =>
        new Response(JSON.stringify({ message: 'Too many requests. Please try again later.' }), {
          status: 429,
          headers: { 'content-type': 'application/json', 'X-Retry-After': '7' },
        }),
    );
    const user = renderForm();
    await user.type(email(), 'ada@example.com');
    await user.type(password(), 'correct horse');
    await user.click(submit());
    await findAlert('Too many attempts. Wait 7 seconds and try again.');
  });

  it('links to the forgotten-password page', () => {
    renderForm();
    expect(screen.getByRole('link', { name: 'Forgot password?' })).toHaveAttribute('href', '/forgot-password');
  });

  it('offers to resend the verification e-mail when the address is not verified', async () => {
    api.authOverrides.set(
      '/sign-in/email',
      () =>
        // What the API answers with REQUIRE_EMAIL_VERIFICATION on (api/test/verification-required.test.ts).
        new Response(
          JSON.stringify({
            code: 'EMAIL_NOT_VERIFIED',
            message: 'Email not verified',
            error: { code: 'EMAIL_NOT_VERIFIED', message: 'Email not verified', requestId: 'req-1' },
          }),
          {
            status: 403,
            headers: { 'content-type': 'application/json' },
          },
        ),
    );
    const user = renderForm();
    expect(screen.queryByRole('button', { name: 'Resend the verification e-mail' })).not.toBeInTheDocument();
    await user.type(email(), 'ada@example.com');
    await user.type(password(), 'correct horse');
    await user.click(submit());
    await findAlert('Confirm your email address before signing in.');
    await user.click(screen.getByRole('button', { name: 'Resend the verification e-mail' }));
    expect(await screen.findByText('If that address needs verifying, a new link is on its way.')).toBeVisible();
    const resend = api.requests.filter((r) => r.path === '/api/auth/verification/resend');
    expect(resend.map((r) => r.body)).toEqual([{ email: 'ada@example.com' }]);
    expect(router.replace).not.toHaveBeenCalled();
  });

  it('after a password reset, says to sign in with the new password', () => {
    renderForm('password-reset');
    expect(screen.getByRole('status')).toHaveTextContent('Sign in with the new password.');
  });

  it('says why the user landed here after a session ended', async () => {
    renderForm('expired');
    expect(screen.getByRole('status')).toHaveTextContent('Your session has ended. Sign in again to continue.');
  });

  it('ignores an unknown reason instead of echoing it', async () => {
    renderForm('<script>alert(1)</script>');
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  // Last: it leaves better-auth's (module-wide) session store signed in.
  it('signs in and goes to the task list', async () => {
    const user = renderForm();
    await user.type(email(), '  ada@example.com ');
    await user.type(password(), 'correct horse');
    await user.click(submit());
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/'));
    const sent = api.requests.find((r) => r.path === '/api/auth/sign-in/email');
    expect(sent?.body).toEqual({ email: 'ada@example.com', password: 'correct horse' });
    expect(localStorage.length).toBe(0);
  });
});
