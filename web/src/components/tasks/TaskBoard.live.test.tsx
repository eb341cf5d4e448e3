import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchAccessToken } from '../../lib/auth/access-token';
import { TokenManager } from '../../lib/auth/token-manager';
import { createUrqlClient } from '../../lib/urql/client';
import { RECONNECT_GRACE_MS } from '../../lib/urql/live';
import { FakeApi, type TaskChange } from '../../test/fake-api';
import { fakeLive } from '../../test/fake-live';
import { router } from '../../test/fake-router';
import { LiveSocketContext } from '../session/SessionProvider';
import { TaskBoard } from './TaskBoard';

vi.mock('next/navigation', () => import('../../test/fake-router'));

let api: FakeApi;

beforeEach(() => {
  api = new FakeApi().signIn().install();
  window.history.replaceState(null, '', '/');
  router.push.mockClear();
});

function renderLiveBoard() {
  const tokens = new TokenManager({ fetchToken: fetchAccessToken, onSessionEnded: vi.fn() });
  const { live, ws } = fakeLive(tokens);
  const user = userEvent.setup();
  render(
    <LiveSocketContext.Provider value={live}>
      <Provider value={createUrqlClient(tokens, '/graphql', live)}>
        <TaskBoard />
      </Provider>
    </LiveSocketContext.Provider>,
  );
  return { user, ws, live };
}

const titles = () =>
  within(screen.getByRole('region', { name: /tasks$/ }))
    .queryAllByRole('checkbox')
    .map((box) => box.getAttribute('aria-labelledby'))
    .map((id) => document.getElementById(id!)?.textContent);
const filterButton = (name: 'All' | 'Pending' | 'Completed') =>
  screen.getByRole('button', { name: new RegExp(`^${name} `) });
const counts = () => ['All', 'Pending', 'Completed'].map((name) => filterButton(name as 'All').textContent);
/** The indicator: a status region whose text is the state. */
const indicator = () => screen.getAllByRole('status').find((region) => region.classList.contains('live'));

/** A change made on another device: the API has it, and publishes it. */
function elsewhere(ws: ReturnType<typeof fakeLive>['ws'], change: TaskChange) {
  ws.emit(change);
}

describe('live updates on the task board', () => {
  it('says "Live" once subscribed; a task added on another device appears at the top and is counted', async () => {
    api.seed(2);
    const { ws } = renderLiveBoard();
    await waitFor(() => expect(titles()).toEqual(['Task 2', 'Task 1']));
    await waitFor(() => expect(indicator()).toHaveTextContent('Live'));
    expect(ws.subscriptions.size).toBe(1);
    expect([...ws.subscriptions][0]!.payload.query).toMatch(/subscription TaskEvents/);

    const added = api.addTask({ title: 'From the phone' });
    elsewhere(ws, { type: 'CREATED', taskId: added.id, task: added });
    await waitFor(() => expect(titles()).toEqual(['From the phone', 'Task 2', 'Task 1']));
    await waitFor(() => expect(counts()).toEqual(['All 3', 'Pending 3', 'Completed 0']));
    expect(screen.getByText('Showing 3 of 3')).toBeInTheDocument();
  });

  it('shows an edit in place, moves a task ticked elsewhere between filters, and drops one deleted elsewhere', async () => {
    const [one, two] = api.seed(2);
    const { ws, user } = renderLiveBoard();
    await waitFor(() => expect(counts()).toEqual(['All 2', 'Pending 2', 'Completed 0']));
    await waitFor(() => expect(indicator()).toHaveTextContent('Live'));

    Object.assign(one!, { title: 'Task 1, renamed', version: 2 });
    elsewhere(ws, { type: 'UPDATED', taskId: one!.id, task: { ...one! } });
    await waitFor(() => expect(titles()).toEqual(['Task 2', 'Task 1, renamed']));

    Object.assign(two!, { completed: true, version: 2 });
    elsewhere(ws, { type: 'UPDATED', taskId: two!.id, task: { ...two! } });
    await waitFor(() => expect(counts()).toEqual(['All 2', 'Pending 1', 'Completed 1']));
    expect(screen.getByRole('checkbox', { name: 'Task 2' })).toBeChecked();

    await user.click(filterButton('Pending'));
    await waitFor(() => expect(titles()).toEqual(['Task 1, renamed']));
    api.tasks = api.tasks.filter((task) => task !== one);
    elsewhere(ws, { type: 'DELETED', taskId: one!.id, task: null });
    expect(await screen.findByText('Nothing pending. Well done!')).toBeInTheDocument();
    await waitFor(() => expect(counts()).toEqual(['All 1', 'Pending 0', 'Completed 1']));
  });

  for (const order of ['before', 'after'] as const) {
    it(`counts this tab's own add, tick and delete once when their events arrive ${order} the answers`, async () => {
      api.seed(1);
      const { ws, user } = renderLiveBoard();
      await waitFor(() => expect(counts()).toEqual(['All 1', 'Pending 1', 'Completed 0']));
      await waitFor(() => expect(indicator()).toHaveTextContent('Live'));
      const later: TaskChange[] = [];
      // "before": published while the mutation is answered, so the event overtakes the answer.
      api.onChange = order === 'before' ? (change) => ws.emit(change) : (change) => later.push(change);
      const deliver = () => later.splice(0).forEach((change) => ws.emit(change));
      /** A change from elsewhere after ours: once it shows, every earlier event has been applied. */
      let marker = 0;
      const settle = async () => {
        deliver();
        marker += 1;
        const task = api.addTask({ title: `Marker ${marker}` });
        ws.emit({ type: 'CREATED', taskId: task.id, task });
        await screen.findByText(`Marker ${marker}`);
      };

      await user.type(screen.getByLabelText('New task'), 'Buy milk');
      await user.click(screen.getByRole('button', { name: 'Add task' }));
      await waitFor(() => expect(titles()).toEqual(['Buy milk', 'Task 1']));
      await settle();
      expect(titles()).toEqual(['Marker 1', 'Buy milk', 'Task 1']);
      expect(counts()).toEqual(['All 3', 'Pending 3', 'Completed 0']);

      await user.click(screen.getByRole('checkbox', { name: 'Buy milk' }));
      await waitFor(() => expect(api.tasks.find((task) => task.title === 'Buy milk')?.completed).toBe(true));
      await settle();
      expect(counts()).toEqual(['All 4', 'Pending 3', 'Completed 1']);

      await user.click(screen.getByRole('button', { name: 'Delete “Buy milk”' }));
      await user.click(screen.getByRole('button', { name: 'Delete “Buy milk”' }));
      await waitFor(() => expect(api.tasks.some((task) => task.title === 'Buy milk')).toBe(false));
      await screen.findByText('Deleted “Buy milk”.');
      await settle();
      expect(titles()).toEqual(['Marker 3', 'Marker 2', 'Marker 1', 'Task 1']);
      expect(counts()).toEqual(['All 4', 'Pending 4', 'Completed 0']);
    });
  }

  it('fetches the counts again for an event about a task on a page it has not loaded', async () => {
    const tasks = api.seed(25);
    const { ws } = renderLiveBoard();
    await waitFor(() => expect(counts()).toEqual(['All 25', 'Pending 25', 'Completed 0']));
    await waitFor(() => expect(indicator()).toHaveTextContent('Live'));

    const old = tasks[1]!; // "Task 2": on the second page
    Object.assign(old, { completed: true, version: 2 });
    elsewhere(ws, { type: 'UPDATED', taskId: old.id, task: { ...old } });
    await waitFor(() => expect(counts()).toEqual(['All 25', 'Pending 24', 'Completed 1']));
    expect(titles()).toHaveLength(20);
  });

  it('says "Reconnecting…" while the socket is down, then fetches what it missed', async () => {
    api.seed(1);
    const { ws } = renderLiveBoard();
    await waitFor(() => expect(indicator()).toHaveTextContent('Live'));
    expect(indicator()).toHaveAttribute('title', expect.stringMatching(/other devices/));

    ws.drop(1006);
    await waitFor(() => expect(indicator()).toHaveTextContent('Reconnecting…'), { timeout: RECONNECT_GRACE_MS + 1000 });
    api.addTask({ title: 'Added while offline' }); // its event is lost
    await ws.reopen();
    await waitFor(() => expect(indicator()).toHaveTextContent('Live'));
    await waitFor(() => expect(titles()).toEqual(['Added while offline', 'Task 1']));
    await waitFor(() => expect(counts()).toEqual(['All 2', 'Pending 2', 'Completed 0']));
  });

  it('after a reconnection, fetches every page shown again: changes on a "Load more" page are not left behind', async () => {
    const tasks = api.seed(25);
    const { user, ws } = renderLiveBoard();
    await waitFor(() => expect(indicator()).toHaveTextContent('Live'));
    await user.click(await screen.findByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(titles()).toHaveLength(25));

    ws.drop(1006);
    await waitFor(() => expect(indicator()).toHaveTextContent('Reconnecting…'), { timeout: RECONNECT_GRACE_MS + 1000 });
    // Missed while offline (their events are lost): a task deleted on each page, one renamed on the first.
    for (const gone of [tasks[23]!, tasks[1]!]) api.tasks.splice(api.tasks.indexOf(gone), 1); // "Task 24", "Task 2"
    Object.assign(tasks[22]!, { title: 'Task 23, renamed elsewhere', version: 2 });
    await ws.reopen();
    await waitFor(() => expect(indicator()).toHaveTextContent('Live'));
    await waitFor(() => expect(titles()).toHaveLength(23));
    await waitFor(() => expect(titles()).toContain('Task 23, renamed elsewhere'));
    expect(titles()).not.toContain('Task 24');
    expect(titles()).not.toContain('Task 2');
    await waitFor(() => expect(counts()).toEqual(['All 23', 'Pending 23', 'Completed 0']));
  }, 20_000); // 45 rows rendered in jsdom, twice
});
