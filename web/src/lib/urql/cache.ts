// Normalized cache (graphcache) for the task screens.
//
// Query.tasks is cached per (status, first, after). Two things are ours to do:
// 1. "Load more": the resolver below joins a status's pages along their cursors, so one query
//    shows every page loaded so far and keeps `totalCount`.
// 2. Keeping lists and counts right after a mutation: `reconcile` adds or removes a task in every
//    cached page and adjusts every totalCount, by the rule "a task belongs to ALL always, to
//    PENDING / COMPLETED by its `completed` flag". Updaters also run on optimistic results, so a
//    toggle or a delete shows at once; when the server refuses, graphcache drops the optimistic
//    layer and the list is as it was.
import type { Cache, CacheExchangeOpts, Data, Resolver, UpdateResolver, Variables } from '@urql/exchange-graphcache';
import type {
  CreateTaskMutation,
  DeleteTaskMutationVariables,
  TaskStatus,
  ToggleTaskMutation,
  ToggleTaskMutationVariables,
} from '../../gql/graphql';

type Membership = boolean | null; // `completed` before/after; null = the task does not exist

function statusOf(args: Variables | null): TaskStatus {
  const status = args?.status;
  return status === 'PENDING' || status === 'COMPLETED' ? status : 'ALL';
}

function belongs(status: TaskStatus, completed: Membership): boolean {
  if (completed === null) return false;
  return status === 'ALL' || (status === 'COMPLETED') === completed;
}

function taskFields(cache: Cache) {
  return cache.inspectFields('Query').filter((field) => field.fieldName === 'tasks');
}

/** Newest first, as the API orders them: by createdAt, then id, both descending. */
function isNewer(cache: Cache, a: string, b: string): boolean {
  const createdA = String(cache.resolve(a, 'createdAt') ?? '');
  const createdB = String(cache.resolve(b, 'createdAt') ?? '');
  if (createdA !== createdB) return createdA > createdB;
  return String(cache.resolve(a, 'id') ?? '') > String(cache.resolve(b, 'id') ?? '');
}

/** Moves one task into or out of every cached tasks page and fixes every totalCount. */
export function reconcile(cache: Cache, taskKey: string, before: Membership, after: Membership): void {
  for (const field of taskFields(cache)) {
    const status = statusOf(field.arguments);
    const wasIn = belongs(status, before);
    const isIn = belongs(status, after);
    if (wasIn === isIn) continue;

    const page = cache.resolve('Query', field.fieldKey);
    if (typeof page !== 'string') continue;

    const total = cache.resolve(page, 'totalCount');
    if (typeof total === 'number') cache.link(page, 'totalCount', null), writeScalar(cache, page, total + (isIn ? 1 : -1));

    const nodes = cache.resolve(page, 'nodes');
    if (!Array.isArray(nodes)) continue; // a count-only field
    const keys = nodes.filter((key): key is string => typeof key === 'string');
    if (!isIn) {
      cache.link(page, 'nodes', keys.filter((key) => key !== taskKey));
      continue;
    }
    if (keys.includes(taskKey)) continue;
    // Insert where it sorts, but only if that position is inside this page: a task older than
    // the page's last item belongs to a later page, unless this page is the last one.
    const index = keys.findIndex((key) => isNewer(cache, taskKey, key));
    const isFirstPage = field.arguments?.after == null;
    const pageInfo = cache.resolve(page, 'pageInfo');
    const hasNextPage = typeof pageInfo === 'string' ? cache.resolve(pageInfo, 'hasNextPage') !== false : true;
    if (index === 0 && !isFirstPage) continue; // belongs to an earlier page
    if (index === -1 && hasNextPage) continue; // belongs to a later page
    const at = index === -1 ? keys.length : index;
    cache.link(page, 'nodes', [...keys.slice(0, at), taskKey, ...keys.slice(at)]);
  }
}

/** `totalCount` is a scalar on an embedded entity: write it through a fragment. */
function writeScalar(cache: Cache, page: string, totalCount: number): void {
  cache.writeFragment(
    { kind: 'Document', definitions: [TOTAL_COUNT_FRAGMENT] } as never,
    { __typename: 'TaskPage', totalCount, ...keyFieldsOf(page) },
  );
}
