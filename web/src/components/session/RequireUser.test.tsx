import { render, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api';
import { TasksScreen } from '../tasks/TasksScreen';
import { SessionProvider } from './SessionProvider';

const router = vi.hoisted(() => ({ replace: vi.fn(), push: vi.fn() }));
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/' }));

let api: FakeApi;
beforeEach(() => {
  api = new FakeApi().install(); // nobody signed in
});

describe('signed-out visitors', () => {
  it('are sent to /sign-in from the task list, and no task query is made', async () => {
    render(
      <SessionProvider navigate={vi.fn()}>
        <TasksScreen />
      </SessionProvider>,
    );
    expect(screen.getByRole('list', { name: 'Loading tasks' })).toBeInTheDocument();
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/sign-in'));
    expect(api.graphqlRequests()).toHaveLength(0);
    expect(api.requests.some((r) => r.path === '/api/auth/token')).toBe(false);
  });
});
