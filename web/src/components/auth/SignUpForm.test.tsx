import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api';
import { findAlert } from '../../test/queries';
import { SessionProvider } from '../session/SessionProvider';
import { SignUpForm } from './SignUpForm';

const router = vi.hoisted(() => ({ replace: vi.fn(), push: vi.fn(), refresh: vi.fn(), prefetch: vi.fn() }));
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/sign-up' }));

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

describe('sign-up form', () => {
  it('mirrors the API rules: name required, password 8 to 128 characters', async () => {
    const user = renderForm();
    expect(field('Password')).toHaveAccessibleDescription('8 to 128 characters.');
    await user.type(field('Name'), '   ');
    await user.type(field('Email'), 'grace@example.com');
    await user.type(field('Password'), 'short');
    await user.click(submit());
    expect(field('Name')).toHaveAccessibleDescription('Enter your name.');
    expect(field('Name')).toHaveFocus();
    expect(field('Password')).toHaveAccessibleDescription('Use at least 8 characters. 8 to 128 characters.');

    await user.clear(field('Password'));
    await user.click(field('Password'));
    await user.paste('p'.repeat(129));
    await user.tab();
    expect(field('Password')).toHaveAccessibleDescription('Use at most 128 characters. 8 to 128 characters.');
    expect(api.requests.filter((r) => r.path === '/api/auth/sign-up/email')).toHaveLength(0);
  });

  it('says the email is taken in words', async () => {
    const user = renderForm();
    await user.type(field('Name'), 'Another Ada');
    await user.type(field('Email'), 'ada@example.com');
    await user.type(field('Password'), 'long enough');
    await user.click(submit());
    const alert = await findAlert('An account with this email already exists. Sign in instead, or use another email.');
    expect(alert).not.toHaveTextContent('USER_ALREADY_EXISTS');
    expect(router.replace).not.toHaveBeenCalled();
  });

  it("passes on the API's reason for refusing a password", async () => {
    const user = renderForm();
    await user.type(field('Name'), 'Grace');
    await user.type(field('Email'), 'grace@example.com');
    await user.type(field('Password'), 'password123');
    await user.click(submit());
    await findAlert('Password is too common; choose a less guessable password.');
  });

  it('counts password characters as the API does (an emoji is one)', async () => {
    const user = renderForm();
    await user.type(field('Password'), '🔑🔑🔑🔑');
    await user.tab();
    expect(field('Password')).toHaveAccessibleDescription('Use at least 8 characters. 8 to 128 characters.');
    await user.type(field('Password'), '🔑🔑🔑🔑');
    expect(field('Password')).not.toHaveAttribute('aria-invalid');
  });

  it('says so when the server cannot be reached', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))),
    );
    const user = renderForm();
    await user.type(field('Name'), 'Grace');
    await user.type(field('Email'), 'grace@example.com');
    await user.type(field('Password'), 'long enough');
    await user.click(submit());
    await findAlert('Cannot reach the server. Check your connection and try again.');
  });

  // Last: it leaves better-auth's (module-wide) session store signed in.
  it('creates the account, signs in and goes to the task list', async () => {
    const user = renderForm();
    await user.type(field('Name'), ' Grace Hopper ');
    await user.type(field('Email'), 'grace@example.com');
    await user.type(field('Password'), 'long enough');
    await user.click(submit());
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/'));
    expect(api.users.at(-1)).toMatchObject({ name: 'Grace Hopper', email: 'grace@example.com' });
  });
});
