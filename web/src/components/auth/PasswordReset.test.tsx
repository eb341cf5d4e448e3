import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi, restError } from '../../test/fake-api';
import { router } from '../../test/fake-router';
import { findAlert } from '../../test/queries';
import { SessionProvider } from '../session/SessionProvider';
import { FORGOT_CONFIRMATION, ForgotPasswordForm } from './ForgotPasswordForm';
import { ResetPasswordForm } from './ResetPasswordForm';

vi.mock('next/navigation', () => import('../../test/fake-router'));

const STRONG = 'violet harbour tractor 58';

let api: FakeApi;
beforeEach(() => {
  api = new FakeApi().install();
  window.history.replaceState(null, '', '/');
  router.replace.mockClear();
});

const forgotRequests = () => api.requests.filter((r) => r.path === '/api/auth/password/forgot');
const resetRequests = () => api.requests.filter((r) => r.path === '/api/auth/password/reset');

describe('forgot password', () => {
  function renderForgot() {
    const user = userEvent.setup();
    render(
      <SessionProvider navigate={vi.fn()}>
        <ForgotPasswordForm />
      </SessionProvider>,
    );
    return user;
  }

  it('checks the address before sending', async () => {
    const user = renderForgot();
    await user.type(screen.getByLabelText('Email'), 'ada@');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription('Enter an email address like name@example.com.');
    expect(forgotRequests()).toHaveLength(0);
  });

  it('shows the same confirmation for a known and an unknown address', async () => {
    const user = renderForgot();
    const seen: string[] = [];
    for (const email of ['ada@example.com', 'nobody@example.com']) {
      await user.clear(screen.getByLabelText('Email'));
      await user.type(screen.getByLabelText('Email'), ` ${email} `);
      await user.click(screen.getByRole('button', { name: 'Send the link' }));
      const status = await screen.findByText(FORGOT_CONFIRMATION);
      seen.push(status.closest('[role="status"]')!.textContent!.replace(email, '<email>'));
      expect(screen.getByRole('status')).toHaveTextContent(`Check the inbox of ${email}.`);
      await user.click(screen.getByRole('button', { name: 'Use another address' }));
    }
    expect(seen[0]).toBe(seen[1]);
    expect(forgotRequests().map((r) => r.body)).toEqual([{ email: 'ada@example.com' }, { email: 'nobody@example.com' }]);
  });

  it('says how long to wait when rate limited', async () => {
    api.restOverrides.set('POST /password/forgot', () => {
      const response = restError(429, 'RATE_LIMITED', 'Too many requests');
      response.headers.set('Retry-After', '30');
      return response;
    });
    const user = renderForgot();
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    const alert = await findAlert('Too many attempts. Wait 30 seconds and try again.');
    expect(alert).toHaveFocus();
    expect(screen.queryByText(FORGOT_CONFIRMATION)).not.toBeInTheDocument();
  });
});

describe('reset password', () => {
  function renderReset(token: string | undefined) {
    window.history.replaceState(null, '', token ? `/reset-password?token=${token}` : '/reset-password');
    const user = userEvent.setup();
    render(
      <SessionProvider navigate={vi.fn()}>
        <ResetPasswordForm token={token} />
      </SessionProvider>,
    );
    return user;
  }

  it('takes the token out of the address bar, sets the password and goes to sign-in with a notice', async () => {
    api.resetTokens.set('tok-1', 'u1');
    const user = renderReset('tok-1');
    await waitFor(() => expect(window.location.search).toBe(''));
    await user.type(screen.getByLabelText('New password'), STRONG);
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/sign-in?reason=password-reset'));
    expect(resetRequests()[0]?.body).toEqual({ token: 'tok-1', newPassword: STRONG });
    expect(api.users[0]!.password).toBe(STRONG);
  });

  it('refuses a guessable password before sending, and says the API refusal at the field', async () => {
    api.resetTokens.set('tok-1', 'u1');
    const user = renderReset('tok-1');
    const field = screen.getByLabelText('New password');
    await user.type(field, 'Password123!');
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    expect(field).toHaveAccessibleDescription(/^Password is too easy to guess/);
    expect(resetRequests()).toHaveLength(0);

    api.restOverrides.set('POST /password/reset', () =>
      restError(400, 'WEAK_PASSWORD', 'Password is too easy to guess (this is similar to your email): add another word.'),
    );
    await user.clear(field);
    await user.type(field, STRONG);
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    await waitFor(() => expect(field).toHaveAccessibleDescription(/similar to your email/));
    expect(field).toHaveFocus();
    expect(router.replace).not.toHaveBeenCalledWith('/sign-in?reason=password-reset');
  });

  it('says a used or expired link is dead and offers a new one', async () => {
    const user = renderReset('used-token');
    await user.type(screen.getByLabelText('New password'), STRONG);
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    await findAlert('This link is invalid or has expired. Ask for a new one.');
    expect(screen.getByRole('link', { name: 'Ask for a new link' })).toHaveAttribute('href', '/forgot-password');
    expect(api.users[0]!.password).toBe('correct horse');
  });

  it('without a token, says the link is incomplete and offers a new one', () => {
    renderReset(undefined);
    expect(screen.getByText(/This link is incomplete/)).toBeVisible();
    expect(screen.queryByLabelText('New password')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Ask for a new link' })).toHaveAttribute('href', '/forgot-password');
  });
});
