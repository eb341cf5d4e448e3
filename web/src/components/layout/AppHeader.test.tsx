import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api';
import { findAlert } from '../../test/queries';
import { SessionProvider } from '../session/SessionProvider';
import { AppHeader } from './AppHeader';

vi.mock('next/navigation', () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => '/' }));

let api: FakeApi;
beforeEach(() => {
  api = new FakeApi().signIn().install();
});

function renderHeader() {
  const navigate = vi.fn();
  const user = userEvent.setup();
  render(
    <SessionProvider navigate={navigate}>
      <AppHeader />
    </SessionProvider>,
  );
  return { user, navigate };
}

describe('header', () => {
  it('keeps the user signed in, and says so, when sign-out cannot reach the server', async () => {
    const { user, navigate } = renderHeader();
    await screen.findByRole('button', { name: 'Sign out' });
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))),
    );
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await findAlert('Cannot reach the server, so you are still signed in. Try again.');
    expect(navigate).not.toHaveBeenCalled();
    expect(screen.getByText('Ada Lovelace')).toBeInTheDocument();
  });

  it('shows who is signed in; Sign out ends the session and leaves for /sign-in', async () => {
    const { user, navigate } = renderHeader();
    expect(await screen.findByText('Ada Lovelace')).toBeInTheDocument();
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Tasks' })).toBeVisible();
    expect(screen.getByText(/Signed in as/)).toHaveClass('visually-hidden');
    expect(screen.getByRole('link', { name: 'Account. Signed in as Ada Lovelace' })).toHaveAttribute('href', '/account');

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('signed-out'));
    expect(navigate).toHaveBeenCalledTimes(1);
    expect(api.sessionUserId).toBeNull();
  });
});
