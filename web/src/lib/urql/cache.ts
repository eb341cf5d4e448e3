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
import type { Cache, CacheExchangeOpts, Resolver, Variables } from '@urql/exchange-graphcache';
import { graphql } from '../../gql';
import type {
  CreateTaskMutation,
  DeleteTaskMutationVariables,
  TaskStatus,
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
type Membership = boolean | null;

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

export const cacheConfig: CacheExchangeOpts = {
  keys: {
    // Embedded in their parent field: no identity of their own.
    TaskPage: () => null,
    PageInfo: () => null,
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
    Mutation: {
      createTask: (result: CreateTaskMutation, _args, cache) => {
        if (result.createTask)
          reconcile(cache, taskKey(cache, result.createTask.id), null, result.createTask.completed);
      },
      toggleTask: (result: ToggleTaskMutation, _args, cache) => {
        const task = result.toggleTask;
        if (task) reconcile(cache, taskKey(cache, task.id), !task.completed, task.completed);
      },
      deleteTask: (_result, args: DeleteTaskMutationVariables, cache) => {
        const key = taskKey(cache, args.id);
        const before = cache.resolve(key, 'completed');
        if (typeof before === 'boolean') reconcile(cache, key, before, null);
      },
    },
  },
};
