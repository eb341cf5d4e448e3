import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api';
import { findAlert } from '../../test/queries';
import { SessionProvider } from '../session/SessionProvider';
import { PASSWORD_RULE, SignUpForm } from './SignUpForm';
import { VERIFY_FIRST_NOTICE } from './useAuthForm';

const router = vi.hoisted(() => ({ replace: vi.fn(), push: vi.fn(), refresh: vi.fn(), prefetch: vi.fn() }));
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/sign-up' }));

// Strong under the API's policy (zxcvbn-ts score 4), as every password the tests expect to pass.
const STRONG = 'violet-harbor-tractor-58';

let api: FakeApi;
beforeEach(() => {
  api = new FakeApi().install();
  router.replace.mockReset();
});

function renderForm() {
  const user = userEvent.setup();
  render(
    <SessionProvider navigate={vi.fn()}>
      <SignUpForm />
    </SessionProvider>,
  );
  return user;
}

const field = (label: string) => screen.getByLabelText(label);
const submit = () => screen.getByRole('button', { name: 'Create account' });
const signUps = () => api.requests.filter((r) => r.path === '/api/auth/sign-up/email');
/** The meter's words, once the estimator has judged the password typed. */
const strengthText = () => screen.findByText(/^Strength: /);

describe('sign-up form', () => {
  it('when the API wants the address verified first (no session): says to check the inbox and stays on the page', async () => {
    api.restOverrides.set(
      'POST /sign-up/email',
      () => new Response(JSON.stringify({ token: null, user: { id: 'u9', email: 'grace@example.com', name: 'Grace' } }), { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    const user = renderForm();
    await user.type(field('Name'), 'Grace');
    await user.type(field('Email'), 'grace@example.com');
    await user.type(field('Password'), STRONG);
    await strengthText();
    await user.click(submit());
    expect(await screen.findByText(VERIFY_FIRST_NOTICE)).toHaveAttribute('role', 'status');
    expect(signUps()).toHaveLength(1);
    expect(router.replace).not.toHaveBeenCalled();
  });

  it('states the whole password rule and checks length as the API does', async () => {
    const user = renderForm();
    expect(field('Password')).toHaveAccessibleDescription(PASSWORD_RULE);
    expect(PASSWORD_RULE).toMatch(/^8 to 128 characters, hard to guess/);
    await user.type(field('Name'), '   ');
    await user.type(field('Email'), 'grace@example.com');
    await user.type(field('Password'), 'short');
    expect(screen.getByText('5 of at least 8 characters.')).toBeVisible();
    await user.click(submit());
    expect(field('Name')).toHaveAccessibleDescription('Enter your name.');
    expect(field('Name')).toHaveFocus();
    expect(field('Password')).toHaveAccessibleDescription(
      `Password must be at least 8 characters. ${PASSWORD_RULE} 5 of at least 8 characters.`,
    );

    await user.clear(field('Password'));
    await user.click(field('Password'));
    await user.paste('p'.repeat(129));
    await user.tab();
    expect(field('Password')).toHaveAccessibleDescription(/^Password must be at most 128 characters\./);
    expect(signUps()).toHaveLength(0);
   }, 15_000); // typing ~150 characters through user-event takes seconds on a shared machine

  it('rates the password while it is typed, in words and numbers, with what to do about it', async () => {
    const user = renderForm();
    await user.type(field('Name'), 'Grace Hopper');
    await user.type(field('Email'), 'grace@example.com');
    await user.type(field('Password'), 'password123');
    expect(await strengthText()).toHaveTextContent('Strength: very weak (0 of 4), needs 3 or more.');
    expect(
      screen.getByText(
        'Password is too easy to guess (this is a commonly used password): add another word or two, or make it longer.',
      ),
    ).toBeVisible();
    expect(screen.getByText('Add more words that are less common.')).toBeVisible();
    // The meter is part of the field's description, so a screen reader hears it with the field.
    expect(field('Password')).toHaveAccessibleDescription(/Strength: very weak \(0 of 4\)/);

    await user.clear(field('Password'));
    await user.type(field('Password'), STRONG);
    expect(await strengthText()).toHaveTextContent('Strength: very strong (4 of 4), good to go.');
    expect(screen.queryByText(/too easy to guess/)).not.toBeInTheDocument();
  });

  it("knows the account's own words: the name and email typed in the same form", async () => {
    const user = renderForm();
    await user.type(field('Email'), 'mountainquokka@example.com');
    await user.type(field('Password'), 'mountainquokka');
    await waitFor(() => expect(screen.getByText(/^Strength: /)).toHaveTextContent(/\([0-2] of 4\)/));

    // The same password for an account with other words is fine.
    await user.clear(field('Email'));
    await user.type(field('Email'), 'grace@example.com');
    await waitFor(() => expect(screen.getByText(/^Strength: /)).toHaveTextContent(/\([3-4] of 4\)/));

    await user.type(field('Name'), 'Mountain Quokka');
    await waitFor(() => expect(screen.getByText(/^Strength: /)).toHaveTextContent(/\([0-2] of 4\)/));
  });

  it('refuses a guessable password with the sentence the API would use, and sends nothing', async () => {
    const user = renderForm();
    await user.type(field('Name'), 'Grace');
    await user.type(field('Email'), 'grace@example.com');
    await user.type(field('Password'), 'Password123!');
    await user.click(submit());
    expect(field('Password')).toHaveAttribute('aria-invalid', 'true');
    expect(field('Password')).toHaveAccessibleDescription(
      /^Password is too easy to guess \(this is similar to a commonly used password\): add another word or two, or make it longer\./,
    );
    expect(field('Password')).toHaveFocus();
    expect(signUps()).toHaveLength(0);

    // Fixing it clears the error as the user types.
    await user.clear(field('Password'));
    await user.type(field('Password'), STRONG);
    expect(field('Password')).not.toHaveAttribute('aria-invalid');
  });

  it('refuses the published demo password', async () => {
    const user = renderForm();
    await user.type(field('Name'), 'Grace');
    await user.type(field('Email'), 'grace@example.com');
    await user.type(field('Password'), 'taskgate-demo-password');
    await user.click(submit());
    expect(field('Password')).toHaveAccessibleDescription(
      /^Password is published with this product; choose one of your own\./,
    );
    expect(signUps()).toHaveLength(0);
  });

  it('counts password characters as the API does (an emoji is one)', async () => {
    const user = renderForm();
    await user.type(field('Password'), '🔑🔑🔑🔑');
    await user.tab();
    expect(field('Password')).toHaveAccessibleDescription(/^Password must be at least 8 characters\./);
    expect(screen.getByText('4 of at least 8 characters.')).toBeVisible();
  });

  it('says the email is taken in words', async () => {
    const user = renderForm();
    await user.type(field('Name'), 'Another Ada');
    await user.type(field('Email'), 'ada@example.com');
    await user.type(field('Password'), STRONG);
    await user.click(submit());
    const alert = await findAlert('An account with this email already exists. Sign in instead, or use another email.');
    expect(alert).not.toHaveTextContent('USER_ALREADY_EXISTS');
    expect(router.replace).not.toHaveBeenCalled();
  });

  it('says so when the server cannot be reached', async () => {
    const user = renderForm();
    await user.type(field('Name'), 'Grace');
    await user.type(field('Email'), 'grace@example.com');
    await user.type(field('Password'), STRONG);
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))),
    );
    await user.click(submit());
    await findAlert('Cannot reach the server. Check your connection and try again.');
  });

  // Last: it leaves better-auth's (module-wide) session store signed in.
  it('creates the account, signs in and goes to the task list', async () => {
    const user = renderForm();
    await user.type(field('Name'), ' Grace Hopper ');
    await user.type(field('Email'), 'grace@example.com');
    await user.type(field('Password'), STRONG);
    await user.click(submit());
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/'));
    expect(api.users.at(-1)).toMatchObject({ name: 'Grace Hopper', email: 'grace@example.com', password: STRONG });
  });
});
