import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchAccessToken } from '../../lib/auth/access-token';
import { TokenManager } from '../../lib/auth/token-manager';
import { createUrqlClient } from '../../lib/urql/client';
import { FakeApi, gqlError } from '../../test/fake-api';
import { nextPopState, router } from '../../test/fake-router';
import { findAlert } from '../../test/queries';
import { TaskBoard } from './TaskBoard';

vi.mock('next/navigation', () => import('../../test/fake-router'));

let api: FakeApi;

beforeEach(() => {
  api = new FakeApi().signIn().install();
  window.history.replaceState(null, '', '/');
  router.push.mockClear();
});

function renderBoard() {
  const onSessionEnded = vi.fn();
  const tokens = new TokenManager({ fetchToken: fetchAccessToken, onSessionEnded });
  const user = userEvent.setup();
  render(
    <Provider value={createUrqlClient(tokens)}>
      <TaskBoard />
    </Provider>,
  );
  return { user, onSessionEnded };
}

const titles = () =>
  within(screen.getByRole('region', { name: /tasks$/ }))
    .queryAllByRole('checkbox')
    .map((box) => box.getAttribute('aria-labelledby'))
    .map((id) => document.getElementById(id!)?.textContent);
const filterButton = (name: 'All' | 'Pending' | 'Completed') =>
  screen.getByRole('button', { name: new RegExp(`^${name} `) });

describe('task list states', () => {
  it('shows a loading placeholder, then the tasks newest first with counts', async () => {
    api.seed(3, (i) => ({ completed: i === 1 }));
    renderBoard();

    expect(screen.getByRole('list', { name: 'Loading tasks' })).toHaveAttribute('aria-busy', 'true');
    expect(await screen.findByText('Task 3')).toBeInTheDocument();
    expect(titles()).toEqual(['Task 3', 'Task 2', 'Task 1']);
    expect(screen.queryByRole('list', { name: 'Loading tasks' })).not.toBeInTheDocument();
    await waitFor(() => expect(filterButton('All')).toHaveTextContent('All 3'));
    expect(filterButton('Pending')).toHaveTextContent('Pending 2');
    expect(filterButton('Completed')).toHaveTextContent('Completed 1');
    expect(screen.getByText('Showing 3 of 3')).toBeInTheDocument();
  });

  it('says so when there are no tasks yet', async () => {
    renderBoard();
    expect(await screen.findByText('No tasks yet. Add your first one above.')).toBeInTheDocument();
  });

  it('explains a failed load and loads again on "Try again"', async () => {
    api.failNext('Tasks', gqlError('INTERNAL_SERVER_ERROR', 'boom'));
    api.seed(1);
    const { user } = renderBoard();

    const alert = await findAlert('Could not load your tasks. Something went wrong on the server. Please try again.');
    expect(alert).not.toHaveTextContent('boom');
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Task 1')).toBeInTheDocument();
  });

  it("filters by status and shows each filter's empty state", async () => {
    api.seed(2, (i) => ({ completed: i === 2 }));
    const { user } = renderBoard();
    await screen.findByText('Task 2');

    await user.click(filterButton('Pending'));
    await waitFor(() => expect(titles()).toEqual(['Task 1']));
    expect(filterButton('Pending')).toHaveAttribute('aria-pressed', 'true');

    await user.click(filterButton('Completed'));
    await waitFor(() => expect(titles()).toEqual(['Task 2']));

    await user.click(screen.getByRole('checkbox', { name: 'Task 2' }));
    expect(await screen.findByText('No completed tasks yet.')).toBeInTheDocument();
  });

  it('keeps the filter in the URL: a reload keeps it, back and forward step through it', async () => {
    api.seed(2, (i) => ({ completed: i === 2 }));
    window.history.replaceState(null, '', '/?status=completed');
    const { user } = renderBoard();
    await waitFor(() => expect(titles()).toEqual(['Task 2']));
    expect(filterButton('Completed')).toHaveAttribute('aria-pressed', 'true');
    expect(api.graphqlRequests('Tasks').map((r) => (r.body as { variables: { status: string } }).variables.status)).toEqual([
      'COMPLETED',
    ]);

    await user.click(filterButton('Pending'));
    expect(window.location.search).toBe('?status=pending');
    await waitFor(() => expect(titles()).toEqual(['Task 1']));
    await user.click(filterButton('All'));
    expect(window.location.search).toBe('');
    await waitFor(() => expect(titles()).toEqual(['Task 2', 'Task 1']));

    let popped = nextPopState();
    window.history.back();
    await popped;
    await waitFor(() => expect(filterButton('Pending')).toHaveAttribute('aria-pressed', 'true'));
    expect(titles()).toEqual(['Task 1']);
    popped = nextPopState();
    window.history.forward();
    await popped;
    await waitFor(() => expect(filterButton('All')).toHaveAttribute('aria-pressed', 'true'));
    expect(titles()).toEqual(['Task 2', 'Task 1']);
    // Choosing the filter already shown adds no history entry.
    router.push.mockClear();
    await user.click(filterButton('All'));
    expect(router.push).not.toHaveBeenCalled();
  });

  it('an unknown ?status= shows all tasks', async () => {
    api.seed(2, (i) => ({ completed: i === 2 }));
    window.history.replaceState(null, '', '/?status=bogus');
    renderBoard();
    await waitFor(() => expect(titles()).toEqual(['Task 2', 'Task 1']));
    expect(filterButton('All')).toHaveAttribute('aria-pressed', 'true');
  });

  it('loads the next page with "Load more" and keeps the first', async () => {
    api.seed(25);
    const { user } = renderBoard();
    await screen.findByText('Task 25');
    expect(titles()).toHaveLength(20);
    expect(screen.getByText('Showing 20 of 25')).toBeInTheDocument();

    const more = screen.getByRole('button', { name: 'Load more' });
    await user.click(more);
    await waitFor(() => expect(titles()).toHaveLength(25));
    expect(titles()[0]).toBe('Task 25');
    expect(titles()[24]).toBe('Task 1');
    expect(screen.getByText('Showing 25 of 25')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
    const after = api.graphqlRequests('Tasks').at(-1)!.body as { variables: { after: string } };
    expect(after.variables.after).toBe('t006');
  }, 15_000); // 45 rows rendered in jsdom: ~4 s alone, more on a shared machine
});

describe('adding and editing', () => {
  it('checks the title before sending and shows the rule that was broken', async () => {
    const { user } = renderBoard();
    await screen.findByText('No tasks yet. Add your first one above.');

    await user.type(screen.getByLabelText('New task'), '   ');
    await user.click(screen.getByRole('button', { name: 'Add task' }));
    expect(screen.getByLabelText('New task')).toHaveAccessibleDescription('Enter a title.');
    expect(screen.getByLabelText('New task')).toHaveFocus();

    await user.clear(screen.getByLabelText('New task'));
    await user.click(screen.getByLabelText('New task'));
    await user.paste('x'.repeat(201));
    await user.click(screen.getByRole('button', { name: 'Add task' }));
    expect(screen.getByLabelText('New task')).toHaveAccessibleDescription(
      'Keep the title to 200 characters (it has 201).',
    );
    expect(api.graphqlRequests('CreateTask')).toHaveLength(0);
  });

  it('adds a task at the top, updates the counts and clears the form', async () => {
    api.seed(1);
    const { user } = renderBoard();
    await screen.findByText('Task 1');
    await waitFor(() => expect(filterButton('All')).toHaveTextContent('All 1'));

    await user.type(screen.getByLabelText('New task'), '  Buy milk ');
    await user.type(screen.getByLabelText('Description (optional)'), 'Oat, 2 litres');
    await user.click(screen.getByRole('button', { name: 'Add task' }));

    await waitFor(() => expect(titles()).toEqual(['Buy milk', 'Task 1']));
    expect(screen.getByText('Oat, 2 litres')).toBeInTheDocument();
    expect(filterButton('All')).toHaveTextContent('All 2');
    expect(filterButton('Pending')).toHaveTextContent('Pending 2');
    expect(screen.getByLabelText('New task')).toHaveValue('');
    expect(screen.getByLabelText('New task')).toHaveFocus();
    expect(screen.getByRole('status')).toHaveTextContent('Added “Buy milk”.');
    expect(api.tasks.at(-1)).toMatchObject({ title: 'Buy milk', description: 'Oat, 2 litres' });
  });

  it("shows the server's refusal in words and keeps what was typed", async () => {
    api.failNext('CreateTask', gqlError('BAD_USER_INPUT', 'title must not contain control characters'));
    const { user } = renderBoard();
    await screen.findByText('No tasks yet. Add your first one above.');
    await user.type(screen.getByLabelText('New task'), 'Buy milk');
    await user.click(screen.getByRole('button', { name: 'Add task' }));
    await findAlert('The server did not accept that: title must not contain control characters');
    expect(screen.getByLabelText('New task')).toHaveValue('Buy milk');
  });

  it('edits in place; Escape cancels and focus returns to Edit', async () => {
    api.seed(1);
    const { user } = renderBoard();
    await screen.findByText('Task 1');

    await user.click(screen.getByRole('button', { name: 'Edit “Task 1”' }));
    const title = screen.getByLabelText('Title');
    expect(title).toHaveFocus();
    await user.keyboard('Changed{Escape}');
    expect(screen.getByRole('button', { name: 'Edit “Task 1”' })).toHaveFocus();
    expect(api.graphqlRequests('UpdateTask')).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Edit “Task 1”' }));
    await user.clear(screen.getByLabelText('Title'));
    await user.type(screen.getByLabelText('Title'), 'Renamed');
    await user.type(screen.getByLabelText('Description'), 'With notes');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Renamed')).toBeInTheDocument();
    expect(screen.getByText('With notes')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Edit “Renamed”' })).toHaveFocus();
    const sent = api.graphqlRequests('UpdateTask')[0]!.body as { variables: unknown };
    expect(sent.variables).toEqual({
      id: 't001',
      input: { title: 'Renamed', description: 'With notes' },
      expectedVersion: 1,
    });
  });

  it('on a conflict, says the task changed elsewhere and a second Save overwrites it', async () => {
    const [task] = api.seed(1);
    const { user } = renderBoard();
    await screen.findByText('Task 1');
    // Someone else renames it meanwhile.
    Object.assign(task!, { title: 'Renamed elsewhere', version: 2 });

    await user.click(screen.getByRole('button', { name: 'Edit “Task 1”' }));
    await user.clear(screen.getByLabelText('Title'));
    await user.type(screen.getByLabelText('Title'), 'Mine');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    await findAlert(
      'This task was changed elsewhere (it is now “Renamed elsewhere”). Save again to replace that with your text, or Cancel.',
    );
    expect(screen.getByLabelText('Title')).toHaveValue('Mine');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Mine')).toBeInTheDocument();
    expect(api.tasks[0]).toMatchObject({ title: 'Mine', version: 3 });
  });
});

describe('optimistic toggle and delete', () => {
  it('ticks a task at once, before the server answers', async () => {
    api.seed(2);
    const { user } = renderBoard();
    await screen.findByText('Task 2');
    await waitFor(() => expect(filterButton('Pending')).toHaveTextContent('Pending 2'));

    const release = api.hold('ToggleTask');
    await user.click(screen.getByRole('checkbox', { name: 'Task 1' }));
    expect(screen.getByRole('checkbox', { name: 'Task 1' })).toBeChecked();
    expect(filterButton('Pending')).toHaveTextContent('Pending 1');
    expect(filterButton('Completed')).toHaveTextContent('Completed 1');
    expect(api.tasks[0]!.completed).toBe(false); // the server has not done it yet

    release();
    await waitFor(() => expect(api.tasks[0]!.completed).toBe(true));
    expect(screen.getByRole('checkbox', { name: 'Task 1' })).toBeChecked();
  });

  it('rolls a refused toggle back and says why', async () => {
    api.seed(1);
    const { user } = renderBoard();
    await screen.findByText('Task 1');
    await waitFor(() => expect(filterButton('Completed')).toHaveTextContent('Completed 0'));

    const release = api.hold('ToggleTask');
    api.failNext('ToggleTask', gqlError('NOT_FOUND'));
    await user.click(screen.getByRole('checkbox', { name: 'Task 1' }));
    expect(screen.getByRole('checkbox', { name: 'Task 1' })).toBeChecked();
    release();

    await findAlert(
      'Could not mark “Task 1” as done: That task no longer exists. It may have been deleted elsewhere. The change was undone.',
    );
    expect(screen.getByRole('checkbox', { name: 'Task 1' })).not.toBeChecked();
    expect(filterButton('Completed')).toHaveTextContent('Completed 0');
  });

  it('in the Pending filter, a ticked task leaves the list at once', async () => {
    api.seed(2);
    const { user } = renderBoard();
    await screen.findByText('Task 2');
    await user.click(filterButton('Pending'));
    await waitFor(() => expect(titles()).toEqual(['Task 2', 'Task 1']));

    const release = api.hold('ToggleTask');
    await user.click(screen.getByRole('checkbox', { name: 'Task 2' }));
    expect(titles()).toEqual(['Task 1']);
    release();
    await waitFor(() => expect(api.tasks[1]!.completed).toBe(true));
    expect(titles()).toEqual(['Task 1']);
  });

  it('says where a ticked task went under a filter, and Undo brings it back', async () => {
    api.seed(2);
    window.history.replaceState(null, '', '/?status=pending');
    const { user } = renderBoard();
    await waitFor(() => expect(titles()).toEqual(['Task 2', 'Task 1']));

    await user.click(screen.getByRole('checkbox', { name: 'Task 2' }));
    const status = screen.getByRole('status');
    expect(status).toHaveTextContent('Moved “Task 2” to Completed.');
    const undo = within(status).getByRole('button', { name: 'Undo' });
    // Its checkbox left with it: focus waits on Undo instead of getting lost.
    expect(undo).toHaveFocus();
    await waitFor(() => expect(api.tasks[1]!.completed).toBe(true));

    await user.keyboard('{Enter}');
    await waitFor(() => expect(titles()).toEqual(['Task 2', 'Task 1']));
    await waitFor(() => expect(api.tasks[1]!.completed).toBe(false));
    expect(screen.queryByText(/Moved “Task 2”/)).not.toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Pending tasks' })).toHaveFocus();
  });

  it('under All, a ticked task stays where it is and no message is needed', async () => {
    api.seed(1);
    const { user } = renderBoard();
    await screen.findByText('Task 1');
    await user.click(screen.getByRole('checkbox', { name: 'Task 1' }));
    await waitFor(() => expect(api.tasks[0]!.completed).toBe(true));
    expect(screen.getByRole('checkbox', { name: 'Task 1' })).toHaveFocus();
    expect(screen.queryByText(/Moved/)).not.toBeInTheDocument();
  });

  it('asks before deleting; the task goes at once and comes back if the server refuses', async () => {
    api.seed(2);
    const { user } = renderBoard();
    await screen.findByText('Task 2');

    await user.click(screen.getByRole('button', { name: 'Delete “Task 2”' }));
    const confirm = screen.getByRole('group', { name: 'Delete “Task 2”?' });
    expect(within(confirm).getByRole('button', { name: 'Keep it' })).toHaveFocus();
    await user.click(within(confirm).getByRole('button', { name: 'Keep it' }));
    expect(titles()).toEqual(['Task 2', 'Task 1']);
    expect(screen.getByRole('button', { name: 'Delete “Task 2”' })).toHaveFocus();

    const release = api.hold('DeleteTask');
    api.failNext('DeleteTask', gqlError('FORBIDDEN'));
    await user.click(screen.getByRole('button', { name: 'Delete “Task 2”' }));
    await user.click(screen.getByRole('button', { name: 'Delete “Task 2”' }));
    expect(titles()).toEqual(['Task 1']);
    await waitFor(() => expect(filterButton('All')).toHaveTextContent('All 1'));
    release();

    await findAlert('Could not delete “Task 2”: You are not allowed to do that. It is back in the list.');
    await waitFor(() => expect(titles()).toEqual(['Task 2', 'Task 1']));
    expect(filterButton('All')).toHaveTextContent('All 2');
  });

  it('deletes for good when the server agrees', async () => {
    api.seed(2);
    const { user } = renderBoard();
    await screen.findByText('Task 2');
    await user.click(screen.getByRole('button', { name: 'Delete “Task 1”' }));
    await user.click(screen.getByRole('button', { name: 'Delete “Task 1”' }));
    await waitFor(() => expect(api.tasks.map((t) => t.title)).toEqual(['Task 2']));
    expect(titles()).toEqual(['Task 2']);
    expect(screen.getByRole('status')).toHaveTextContent('Deleted “Task 1”.');
  });
});

describe('access token', () => {
  it('sends the in-memory token as a Bearer header over POST, and refreshes it once after a 401', async () => {
    api.seed(1);
    const { user, onSessionEnded } = renderBoard();
    await screen.findByText('Task 1');
    const first = api.graphqlRequests('Tasks')[0]!;
    expect(first.method).toBe('POST');
    expect(first.headers.get('authorization')).toMatch(/^Bearer [\w-]+\.[\w-]+\.signature$/);

    // The server stops accepting the token (expired, say): one refresh, one retry, success.
    api.validTokens.clear();
    await user.click(screen.getByRole('checkbox', { name: 'Task 1' }));
    await waitFor(() => expect(api.tasks[0]!.completed).toBe(true));
    const toggles = api.graphqlRequests('ToggleTask');
    expect(toggles).toHaveLength(2);
    expect(toggles[1]!.headers.get('authorization')).not.toBe(toggles[0]!.headers.get('authorization'));
    expect(api.tokensIssued).toBe(2);
    expect(onSessionEnded).not.toHaveBeenCalled();
    expect(localStorage.length).toBe(0);
  });

  it('ends the session when the token cannot be refreshed', async () => {
    api.seed(1);
    const { user, onSessionEnded } = renderBoard();
    await screen.findByText('Task 1');
    api.validTokens.clear();
    api.sessionUserId = null; // the session cookie is no longer valid
    await user.click(screen.getByRole('checkbox', { name: 'Task 1' }));
    await waitFor(() => expect(onSessionEnded).toHaveBeenCalledTimes(1));
    expect(api.graphqlRequests('ToggleTask')).toHaveLength(2); // retried once, not in a loop
    await findAlert('Your session has ended. Sign in again to continue.');
  });
});
