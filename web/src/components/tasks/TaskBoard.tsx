'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { useClient, useMutation, useQuery, useSubscription } from 'urql';
import type { TaskFieldsFragment, TaskStatus, TasksQuery as TasksResult } from '../../gql/graphql';
import { describeGraphQLError, errorCode } from '../../lib/graphql-errors';
import {
  CreateTaskMutation,
  DeleteTaskMutation,
  PAGE_SIZE,
  TaskCountsQuery,
  TaskEventsSubscription,
  TaskQuery,
  TasksQuery,
  ToggleTaskMutation,
  UpdateTaskMutation,
} from '../../lib/tasks/documents';
import { useLiveSocket } from '../session/SessionProvider';
import { AddTaskForm, type CreateTask } from './AddTaskForm';
import { LiveIndicator, useLiveStatus } from './LiveIndicator';
import { NoticeList, useNotices } from './Notices';
import { TaskItem, type TaskActions } from './TaskItem';

const FILTERS: {
  status: TaskStatus;
  /** The filter's `?status=` value in the page's URL; none for All. */
  param: string | null;
  label: string;
  count: 'all' | 'pending' | 'completed';
  empty: string;
}[] = [
  { status: 'ALL', param: null, label: 'All', count: 'all', empty: 'No tasks yet. Add your first one above.' },
  { status: 'PENDING', param: 'pending', label: 'Pending', count: 'pending', empty: 'Nothing pending. Well done!' },
  { status: 'COMPLETED', param: 'completed', label: 'Completed', count: 'completed', empty: 'No completed tasks yet.' },
];

/**
 * The filter lives in the URL (`/?status=pending`): a reload keeps it, a link can share it, and the
 * browser's back and forward buttons step through the filters the user chose.
 */
function useStatusFilter(): [(typeof FILTERS)[number], (next: TaskStatus) => void] {
  const params = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const wanted = params?.get('status');
  const filter = FILTERS.find((f) => f.param !== null && f.param === wanted) ?? FILTERS[0]!;
  const select = (next: TaskStatus) => {
    if (next === filter.status) return;
    const param = FILTERS.find((f) => f.status === next)?.param;
    router.push(param ? `${pathname}?status=${param}` : pathname, { scroll: false });
  };
  return [filter, select];
}

export function TaskBoard() {
  const client = useClient();
  const [filter, selectFilter] = useStatusFilter();
  const status = filter.status;
  // "Load more" pages belong to the filter they were loaded for. `loaded`: the cursor of every page
  // shown, the first page's null included.
  const [paging, setPaging] = useState<{ status: TaskStatus; loaded: (string | null)[] }>({ status, loaded: [null] });
  const loaded = paging.status === status ? paging.loaded : [null];
  const after = loaded.at(-1) ?? null;
  const setAfter = (cursor: string | null) => setPaging({ status, loaded: [...loaded, cursor] });
  const [tasks, retryTasks] = useQuery({ query: TasksQuery, variables: { status, first: PAGE_SIZE, after } });
  const [counts, retryCounts] = useQuery({ query: TaskCountsQuery });
  // Live updates: graphcache applies each event to the lists (lib/urql/cache.ts).
  const live = useLiveSocket();
  useSubscription({ query: TaskEventsSubscription, pause: !live });
  const liveStatus = useLiveStatus(live);
  // Events sent while the socket was down are not replayed: after a reconnection, fetch again —
  // every page shown, each with its own cursor, so graphcache replaces each one (a task deleted
  // or changed meanwhile on a "Load more" page is not left behind).
  const refetch = useRef(() => {});
  refetch.current = () => {
    for (const cursor of loaded.slice(0, -1)) {
      void client.query(TasksQuery, { status, first: PAGE_SIZE, after: cursor }, { requestPolicy: 'network-only' }).toPromise();
    }
    retryTasks({ requestPolicy: 'network-only' });
    retryCounts({ requestPolicy: 'network-only' });
  };
  useEffect(() => live?.onReconnected(() => refetch.current()), [live]);
  const [, createTask] = useMutation(CreateTaskMutation);
  const [, updateTask] = useMutation(UpdateTaskMutation);
  const [, toggleTask] = useMutation(ToggleTaskMutation);
  const [, deleteTask] = useMutation(DeleteTaskMutation);
  const { notices, push, dismiss, onFocusChange } = useNotices();
  const listHeading = useRef<HTMLHeadingElement>(null);

  // urql keeps the previous variables' data while new ones load. That is what "Load more" wants
  // (the list stays), but not a filter change (it would show the wrong filter's tasks).
  // And if loading more fails, urql drops the data: keep showing the pages we had.
  const [lastShown, setLastShown] = useState<{ status: TaskStatus; page: TasksResult['tasks'] } | null>(null);
  const fresh = tasks.data && tasks.operation?.variables.status === status ? tasks.data.tasks : undefined;
  if (fresh && fresh !== lastShown?.page) setLastShown({ status, page: fresh });
  const page = fresh ?? (lastShown?.status === status ? lastShown.page : undefined);
  const loadingMore = tasks.fetching && page !== undefined && after !== null;

  const onCreate: CreateTask = async (input) => {
    const result = await createTask({ input });
    if (result.error) return describeGraphQLError(result.error);
    push('ok', `Added “${input.title}”.`);
    return null;
  };

  const actions: TaskActions = {
    onToggle: (task: TaskFieldsFragment) => {
      // Shown at once through graphcache's optimistic layer; undone by graphcache on error.
      const toggle = (undoing: boolean) =>
        void toggleTask({ id: task.id }).then((result) => {
          if (result.error) {
            const wanted = task.completed === undoing ? 'done' : 'not done';
            push(
              'error',
              `Could not mark “${task.title}” as ${wanted}: ${describeGraphQLError(result.error)} The change was undone.`,
            );
          }
        });
      toggle(false);
      // Under a filter the task now leaves the list: say where it went, and offer to take it back.
      // Its checkbox is gone with it, so keyboard focus goes to Undo.
      const movedTo = task.completed ? 'Pending' : 'Completed';
      if (status !== 'ALL') {
        push('ok', `Moved “${task.title}” to ${movedTo}.`, {
          focusAction: true,
          action: {
            label: 'Undo',
            run: () => {
              listHeading.current?.focus();
              toggle(true);
            },
          },
        });
      }
    },
    onDelete: (task: TaskFieldsFragment) => {
      // The item disappears at once (optimistic): keep keyboard focus on the list.
      listHeading.current?.focus();
      void deleteTask({ id: task.id }).then((result) => {
        if (result.error) {
          push(
            'error',
            `Could not delete “${task.title}”: ${describeGraphQLError(result.error)} It is back in the list.`,
          );
        } else {
          push('ok', `Deleted “${task.title}”.`);
        }
      });
    },
    onSave: async (task, input) => {
      const result = await updateTask({ id: task.id, input, expectedVersion: task.version });
      if (!result.error) {
        push('ok', `Saved “${input.title}”.`);
        return null;
      }
      if (errorCode(result.error) === 'CONFLICT') {
        // Load the latest version, so a second Save is a deliberate overwrite.
        const latest = await client.query(TaskQuery, { id: task.id }, { requestPolicy: 'network-only' }).toPromise();
        const now = latest.data?.task;
        return now
          ? `This task was changed elsewhere (it is now “${now.title}”). Save again to replace that with your text, or Cancel.`
          : describeGraphQLError(result.error);
      }
      return describeGraphQLError(result.error);
    },
  };

  const countOf = (key: (typeof FILTERS)[number]['count']) => counts.data?.[key].totalCount;

  return (
    <>
      <AddTaskForm onCreate={onCreate} />
      <NoticeList notices={notices} onDismiss={dismiss} onFocusChange={onFocusChange} />

      <section aria-labelledby="task-list-heading">
        <div className="toolbar">
          <h2 id="task-list-heading" ref={listHeading} tabIndex={-1} className="visually-hidden">
            {filter.label} tasks
          </h2>
          <div className="filters" role="group" aria-label="Show tasks">
            {FILTERS.map((f) => (
              <button
                key={f.status}
                type="button"
                className="button button--small"
                aria-pressed={f.status === status}
                onClick={() => selectFilter(f.status)}
              >
                {f.label} <span className="count">{countOf(f.count) ?? <span aria-hidden="true">–</span>}</span>
              </button>
            ))}
          </div>
          <div className="toolbar__end">
            <p className="summary" aria-live="polite">
              {page ? `Showing ${page.nodes.length} of ${page.totalCount}` : '\u00a0'}
            </p>
            {live ? <LiveIndicator status={liveStatus} /> : null}
          </div>
        </div>

        {page === undefined && tasks.error ? (
          <div role="alert" className="notice notice--error">
            <div className="notice__row">
              <span>Could not load your tasks. {describeGraphQLError(tasks.error)}</span>
              <button
                type="button"
                className="button button--small"
                onClick={() => retryTasks({ requestPolicy: 'network-only' })}
              >
                Try again
              </button>
            </div>
          </div>
        ) : null}

        {page === undefined ? (
          tasks.error ? null : (
            <TaskListSkeleton />
          )
        ) : page.nodes.length === 0 ? (
          <ul className="task-list">
            <li className="empty">{filter.empty}</li>
          </ul>
        ) : (
          <ul className="task-list" aria-busy={loadingMore}>
            {page.nodes.map((task) => (
              <TaskItem key={task.id} task={task} actions={actions} />
            ))}
          </ul>
        )}

        {page && after !== null && tasks.error && !tasks.fetching ? (
          <p role="alert" className="notice notice--error">
            Could not load more tasks. {describeGraphQLError(tasks.error)}
          </p>
        ) : null}

        <div className="load-more">
          {page?.pageInfo.hasNextPage ? (
            <button
              type="button"
              className="button"
              disabled={loadingMore}
              onClick={() => setAfter(page.pageInfo.endCursor)}
            >
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          ) : null}
        </div>
      </section>
    </>
  );
}

export function TaskListSkeleton() {
  return (
    <ul className="task-list" aria-busy="true" aria-label="Loading tasks">
      {[0, 1, 2].map((i) => (
        <li key={i} className="task task--skeleton" aria-hidden="true">
          <div className="task__body">
            <div className="skeleton" />
          </div>
        </li>
      ))}
    </ul>
  );
}
