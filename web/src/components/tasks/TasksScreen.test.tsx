import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api';
import { SessionProvider } from '../session/SessionProvider';
import { TasksScreen } from './TasksScreen';

vi.mock('next/navigation', () => import('../../test/fake-router'));

let api: FakeApi;
beforeEach(() => {
  api = new FakeApi().signIn().install();
});

describe('task screen and the session', () => {
  it('when the session dies, a failed token refresh signs out and leaves with "expired" once', async () => {
    api.seed(2);
    const navigate = vi.fn();
    const user = userEvent.setup();
    render(
      <SessionProvider navigate={navigate}>
        <TasksScreen />
      </SessionProvider>,
    );
    await screen.findByText('Task 2');

    // The session is revoked on the server: the access token and the cookie both stop working.
    api.validTokens.clear();
    api.sessionUserId = null;
    await user.click(screen.getByRole('checkbox', { name: 'Task 1' }));

    await waitFor(() => expect(navigate).toHaveBeenCalledWith('expired'));
    expect(api.requests.some((r) => r.path === '/api/auth/sign-out')).toBe(true);
    // The previous user's tasks are gone from the page at once, before the browser even leaves.
    await waitFor(() => expect(screen.queryByText('Task 2')).not.toBeInTheDocument());
    expect(navigate).toHaveBeenCalledTimes(1);
  });
});
