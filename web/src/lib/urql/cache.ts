// Normalized cache (graphcache) for the task screens.
//
// Query.tasks is cached per (status, first, after). Two things are ours to do:
// 1. "Load more": `joinPages` below joins a status's pages along their cursors, so one query shows
//    every page loaded so far (and keeps `totalCount`, which relayPagination would drop).
// 2. Keeping lists and counts right after a mutation: `reconcile` adds or removes a task in every
//    cached page and adjusts every totalCount by the rule "a task is in ALL always, and in PENDING
//    or COMPLETED by its `completed` flag". Updaters also run on optimistic results, so a toggle or
//    a delete shows at once; when the server refuses, graphcache drops the optimistic layer and
//    everything is as it was.
// 3. Live events (Subscription.taskEvents, from any client of the user): CREATED and DELETED move
//    the task into or out of the lists like the mutations do; UPDATED is written in place by
//    graphcache (Task is normalised by id) and moves the task between filters when `completed`
//    changed. This tab's own changes come back as events too, before or after the mutation's own
//    answer: every change goes through `move`, which remembers per task where the lists count it
//    (`listedAs`), so the second report of one change finds nothing left to do.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { Cache, CacheExchangeOpts, Resolver, Variables } from '@urql/exchange-graphcache';
import { graphql } from '../../gql';
import type {
  CreateTaskMutation,
  DeleteTaskMutationVariables,
  TaskEventsSubscription,
  TaskStatus,
  TasksQuery,
  ToggleTaskMutation,
  ToggleTaskMutationVariables,
} from '../../gql/graphql';

/** Used only to rewrite a cached page's totalCount (an embedded entity has no key to write to). */
const TaskPageTotal = graphql(`
  query TaskPageTotal($status: TaskStatus!, $first: Int!, $after: String) {
    tasks(status: $status, first: $first, after: $after) {
      totalCount
    }
  }
`);

/** A task's `completed` flag before or after a change; null when the task does not exist. */
export type Membership = boolean | null;

/**
 * `Task.listedAs`, a field of the cache only (no query selects it, the API has no such field): the
 * `completed` flag under which the cached lists and totals count this task, null once they no
 * longer count it. Written with every list change below and from every page a query loads; it
 * lives in graphcache's layers, so an optimistic change's record goes when its layer goes.
 * Written as a hand-built document because codegen validates `graphql()` documents against the schema.
 */
const ListedAs = {
  kind: 'Document',
  definitions: [
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'TaskListedAs' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'Task' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'id' } },
          { kind: 'Field', name: { kind: 'Name', value: 'listedAs' } },
        ],
      },
    },
  ],
} as unknown as TypedDocumentNode<{ __typename: 'Task'; id: string; listedAs: Membership }>;

/** Where the lists count this task; undefined when no list change or loaded page has told. */
export function listedAs(cache: Cache, id: string): Membership | undefined {
  const value = cache.resolve(taskKey(cache, id), 'listedAs');
  return typeof value === 'boolean' || value === null ? value : undefined;
}

function recordListed(cache: Cache, id: string, membership: Membership): void {
  cache.writeFragment(ListedAs, { __typename: 'Task', id, listedAs: membership });
}

function statusOf(args: Variables | null | undefined): TaskStatus {
  const status = args?.status;
  return status === 'PENDING' || status === 'COMPLETED' ? status : 'ALL';
}

function belongs(status: TaskStatus, completed: Membership): boolean {
  if (completed === null) return false;
  return status === 'ALL' || (status === 'COMPLETED') === completed;
}

function cachedTaskPages(cache: Cache) {
  return cache.inspectFields('Query').filter((field) => field.fieldName === 'tasks');
}

function stringKeys(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((key): key is string => typeof key === 'string') : null;
}

/** Newest first, as the API orders them: createdAt descending, then id descending. */
function isNewer(cache: Cache, a: string, b: string): boolean {
  const createdA = String(cache.resolve(a, 'createdAt') ?? '');
  const createdB = String(cache.resolve(b, 'createdAt') ?? '');
  if (createdA !== createdB) return createdA > createdB;
  return String(cache.resolve(a, 'id') ?? '') > String(cache.resolve(b, 'id') ?? '');
}

/** Moves one task into or out of every cached tasks page and fixes every totalCount. */
export function reconcile(cache: Cache, taskKey: string, before: Membership, after: Membership): void {
  for (const field of cachedTaskPages(cache)) {
    const status = statusOf(field.arguments);
    const wasIn = belongs(status, before);
    const isIn = belongs(status, after);
    if (wasIn === isIn) continue;

    const variables = {
      status,
      first: Number(field.arguments?.first),
      after: field.arguments?.after as string | null | undefined,
    };
    cache.updateQuery({ query: TaskPageTotal, variables }, (data) =>
      data ? { tasks: { ...data.tasks, totalCount: Math.max(0, data.tasks.totalCount + (isIn ? 1 : -1)) } } : null,
    );

    const page = cache.resolve('Query', field.fieldKey);
    if (typeof page !== 'string') continue;
    const keys = stringKeys(cache.resolve(page, 'nodes'));
    if (keys === null) continue; // a count-only field
    if (!isIn) {
      if (keys.includes(taskKey))
        cache.link(
          page,
          'nodes',
          keys.filter((key) => key !== taskKey),
        );
      continue;
    }
    if (keys.includes(taskKey)) continue;
    // Insert where it sorts, but only when that position lies inside this page.
    const index = keys.findIndex((key) => isNewer(cache, taskKey, key));
    const isFirstPage = field.arguments?.after == null;
    const pageInfo = cache.resolve(page, 'pageInfo');
    const hasNextPage = typeof pageInfo === 'string' ? cache.resolve(pageInfo, 'hasNextPage') !== false : true;
    if (index === 0 && !isFirstPage) continue; // newer than this page: an earlier page's
    if (index === -1 && hasNextPage) continue; // older than this page: a later page's
    const at = index === -1 ? keys.length : index;
    cache.link(page, 'nodes', [...keys.slice(0, at), taskKey, ...keys.slice(at)]);
  }
}

/**
 * Query.tasks resolver: the requested page plus every page chained to it by cursors from the first
 * page (after: null), in order. A page not in the cache yet is a cache miss (so it is fetched),
 * while the screen keeps showing the pages it has.
 */
export const joinPages: Resolver = (_parent, args, cache, info) => {
  const requested = cache.resolve(info.parentKey, info.fieldName, args);
  if (typeof requested !== 'string') return undefined;

  const status = statusOf(args);
  const byAfter = new Map<string | null, string>();
  for (const field of cachedTaskPages(cache)) {
    if (statusOf(field.arguments) !== status || field.arguments?.first !== args.first) continue;
    const page = cache.resolve('Query', field.fieldKey);
    const after = field.arguments?.after;
    if (typeof page === 'string') byAfter.set(typeof after === 'string' ? after : null, page);
  }

  const chain: string[] = [];
  const seen = new Set<string | null>();
  let cursor: string | null = null;
  for (let page = byAfter.get(cursor); page !== undefined && !seen.has(cursor); page = byAfter.get(cursor)) {
    seen.add(cursor);
    chain.push(page);
    const pageInfo = cache.resolve(page, 'pageInfo');
    const endCursor = typeof pageInfo === 'string' ? cache.resolve(pageInfo, 'endCursor') : null;
    if (typeof endCursor !== 'string') break;
    cursor = endCursor;
  }
  // A requested page that the chain does not reach (its cursor came from an older first page)
  // still goes at the end rather than replacing what is shown.
  const pages = chain.includes(requested) ? chain : [...chain, requested];
  if (pages.length < 2) return requested;

  const nodes = [...new Set(pages.flatMap((page) => stringKeys(cache.resolve(page, 'nodes')) ?? []))];
  const last = pages[pages.length - 1]!;
  const lastInfo = cache.resolve(last, 'pageInfo');
  return {
    __typename: 'TaskPage',
    totalCount: cache.resolve(pages[0]!, 'totalCount') as number,
    nodes,
    pageInfo: {
      __typename: 'PageInfo',
      endCursor: typeof lastInfo === 'string' ? (cache.resolve(lastInfo, 'endCursor') as string | null) : null,
      hasNextPage: typeof lastInfo === 'string' ? cache.resolve(lastInfo, 'hasNextPage') === true : false,
    },
  };
};

function taskKey(cache: Cache, id: string | number): string {
  return cache.keyOfEntity({ __typename: 'Task', id: String(id) }) ?? `Task:${id}`;
}

/** Every cached tasks field is fetched again (by the queries that show one). */
function refetchLists(cache: Cache): void {
  for (const field of cachedTaskPages(cache)) cache.invalidate('Query', field.fieldName, field.arguments);
}

/**
 * The task is now `after` (its `completed` flag, or null: gone). The lists move it from where
 * they count it (`listedAs`), or from `otherwise` for a task they have not recorded; once there,
 * a repeated report changes nothing. With neither (an event about a task on a page this tab has
 * not loaded), the lists cannot be adjusted by rule and are fetched again.
 */
export function move(cache: Cache, id: string, after: Membership, otherwise?: Membership): void {
  const recorded = listedAs(cache, id);
  const before = recorded !== undefined ? recorded : otherwise;
  if (before === after) return;
  // Nothing is recorded when nothing moves: an event that reads this tab's own optimistic change
  // (graphcache lets a write see the optimistic layers) must leave the record below it alone, so
  // the mutation's answer, written when that layer is gone, still finds where the task was.
  if (before === undefined) refetchLists(cache);
  else reconcile(cache, taskKey(cache, id), before, after);
  recordListed(cache, id, after);
}

function completedOf(cache: Cache, id: string): boolean | undefined {
  const completed = cache.resolve(taskKey(cache, id), 'completed');
  return typeof completed === 'boolean' ? completed : undefined;
}

export const cacheConfig: CacheExchangeOpts = {
  keys: {
    // Embedded in their parent field: no identity of their own.
    TaskPage: () => null,
    PageInfo: () => null,
    TaskEvent: () => null,
  },
  resolvers: {
    Query: { tasks: joinPages },
  },
  optimistic: {
    toggleTask: (args: ToggleTaskMutationVariables, cache) => {
      const entity = { __typename: 'Task', id: String(args.id) };
      return {
        __typename: 'Task',
        id: String(args.id),
        completed: cache.resolve(entity, 'completed') !== true,
        updatedAt: cache.resolve(entity, 'updatedAt') as string,
        version: cache.resolve(entity, 'version') as number,
      };
    },
    deleteTask: (args: DeleteTaskMutationVariables) => String(args.id),
  },
  updates: {
    // A page from the API: its tasks are counted by their `completed` flag.
    TaskPage: {
      nodes: (page: Partial<TasksQuery['tasks']>, _args, cache) => {
        for (const task of page.nodes ?? []) {
          if (task && typeof task.completed === 'boolean') recordListed(cache, String(task.id), task.completed);
        }
      },
    },
    Mutation: {
      createTask: (result: CreateTaskMutation, _args, cache) => {
        if (result.createTask) move(cache, String(result.createTask.id), result.createTask.completed, null);
      },
      toggleTask: (result: ToggleTaskMutation, _args, cache) => {
        const task = result.toggleTask;
        if (task) move(cache, String(task.id), task.completed, !task.completed);
      },
      deleteTask: (_result, args: DeleteTaskMutationVariables, cache) => {
        const id = String(args.id);
        const before = completedOf(cache, id);
        if (listedAs(cache, id) !== undefined || before !== undefined) move(cache, id, null, before);
      },
    },
    Subscription: {
      taskEvents: (result: TaskEventsSubscription, _args, cache) => {
        const event = result.taskEvents;
        if (!event) return;
        if (event.type === 'CREATED' && event.task) move(cache, String(event.task.id), event.task.completed, null);
        // graphcache has already written the new fields: the lists' record says where it was.
        else if (event.type === 'UPDATED' && event.task) move(cache, String(event.task.id), event.task.completed);
        else if (event.type === 'DELETED') move(cache, String(event.taskId), null, completedOf(cache, String(event.taskId)));
      },
    },
  },
};
