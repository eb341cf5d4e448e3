// A file of its own: better-auth's client keeps the session in a module-wide store, so signed-out
// and signed-in headers cannot share one test file.
import { render, screen, within } from '@testing-library/react';
import { expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api';
import { SessionProvider } from '../session/SessionProvider';
import { AppHeader } from './AppHeader';

vi.mock('next/navigation', () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => '/sign-in' }));

it('signed out, the header offers sign-in, sign-up and the playground, but no task list', async () => {
  new FakeApi().install(); // nobody signed in
  render(
    <SessionProvider navigate={vi.fn()}>
      <AppHeader />
    </SessionProvider>,
  );
  expect(await screen.findByRole('link', { name: 'Sign in' })).toHaveAttribute('aria-current', 'page');
  expect(screen.getByRole('link', { name: 'Sign up' })).toBeInTheDocument();
  const nav = screen.getByRole('navigation', { name: 'Main' });
  expect(within(nav).getByRole('link', { name: 'Playground' })).toBeInTheDocument();
  expect(within(nav).queryByRole('link', { name: 'Tasks' })).not.toBeInTheDocument();
  expect(screen.queryByRole('link', { name: /^Account/ })).not.toBeInTheDocument();
});
