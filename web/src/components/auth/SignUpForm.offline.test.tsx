import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api';
import { findAlert } from '../../test/queries';
import { SessionProvider } from '../session/SessionProvider';
import { SignUpForm } from './SignUpForm';

const router = vi.hoisted(() => ({ replace: vi.fn(), push: vi.fn(), refresh: vi.fn(), prefetch: vi.fn() }));
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/sign-up' }));

// The estimator's chunk cannot be fetched (offline, a deploy replaced it): the form must still work.
const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('@taskgate/common/password', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@taskgate/common/password')>()),
  loadEstimator: () => {
    loads.count += 1;
    return Promise.reject(new Error('ChunkLoadError: Loading chunk failed'));
  },
}));

let api: FakeApi;
beforeEach(() => {
  api = new FakeApi().install();
});

it("without the estimator, the form checks length only, says so, and shows the API's refusal", async () => {
  const user = userEvent.setup();
  render(
    <SessionProvider navigate={vi.fn()}>
      <SignUpForm />
    </SessionProvider>,
  );
  await user.type(screen.getByLabelText('Name'), 'Grace');
  await user.type(screen.getByLabelText('Email'), 'grace@example.com');
  await user.type(screen.getByLabelText('Password'), 'password123');
  expect(
    await screen.findByText('The strength check could not be loaded; the server checks the password when you submit.'),
  ).toBeVisible();
  await user.click(screen.getByRole('button', { name: 'Create account' }));
  await findAlert(
    'Password is too easy to guess (this is a commonly used password): add another word or two, or make it longer.',
  );
  expect(api.requests.filter((r) => r.path === '/api/auth/sign-up/email')).toHaveLength(1);
  // Each attempt tried the chunk again instead of giving up for good.
  await waitFor(() => expect(loads.count).toBeGreaterThan(1));
});
