// What each scenario sends, shared by the driver (one checked request before measuring) and the
// load worker (autocannon's setupRequest). Every request picks a random user of the logged-in set.

export interface BenchUser {
  id: string;
  email: string;
  token: string;
  /** A few of the user's own task ids, for toggles. */
  taskIds: string[];
}

export interface BenchData {
  password: string;
  users: BenchUser[];
  /** The user with 100,000 tasks. */
  big: BenchUser;
  /** A cursor deep in the big user's chain (the API's own format). */
  deepCursor: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** `variant`: the second API of an A/B run (scenario `X@B`). */
export type Target = 'api' | 'floor' | 'variant';

/** `X@B` → `X`: the same scenario, against the variant API. */
export const baseName = (name: string) => name.replace(/@B$/, '');

export interface Scenario {
  name: string;
  target: Target;
  /** What it measures, for the README and the report. */
  description: string;
  /** The floor scenario its req/s and p99 are compared with. */
  floor?: string;
  /** Overrides the run's connection count (login is bounded by the password hash). */
  connections?: number;
  timeoutSeconds?: number;
  /** A second load run concurrently with this one (its result is reported alongside). */
  background?: { scenario: string; connections: number; overallRate: number };
  /**
   * Live updates (bench/live-worker.ts holds the WebSocket subscribers): `idle` opens them and
   * measures the server's RSS per connection, `fanout` times mutations' events to them; `load`
   * runs `load` through autocannon while they are connected.
   */
  live?: 'idle' | 'fanout' | { load: string };
}

export const SCENARIOS: Scenario[] = [
  { name: 'floor.list', target: 'floor', description: 'floor: the 20 newest tasks of the caller (node:http + driver, owner from a header)' },
  { name: 'floor.create', target: 'floor', description: 'floor: insert one task' },
  { name: 'floor.toggle', target: 'floor', description: 'floor: toggle one of the caller\'s tasks' },
  { name: 'floor.me', target: 'floor', description: 'floor: the caller\'s user row' },
  { name: 'floor.mix', target: 'floor', description: 'floor: 90 % list, 5 % insert, 5 % toggle' },
  { name: 'gql.list', target: 'api', floor: 'floor.list', description: 'GraphQL tasks(first: 20) { nodes {…all fields} pageInfo }' },
  { name: 'rest.list', target: 'api', floor: 'floor.list', description: 'REST GET /api/tasks?limit=20' },
  { name: 'gql.create', target: 'api', floor: 'floor.create', description: 'GraphQL createTask(input: {title})' },
  { name: 'rest.create', target: 'api', floor: 'floor.create', description: 'REST POST /api/tasks {title}' },
  { name: 'gql.toggle', target: 'api', floor: 'floor.toggle', description: 'GraphQL toggleTask(id) on one of the caller\'s tasks' },
  { name: 'rest.me', target: 'api', floor: 'floor.me', description: 'REST GET /api/auth/me' },
  { name: 'gql.mix', target: 'api', floor: 'floor.mix', description: 'GraphQL 90 % tasks(first:20), 5 % createTask, 5 % toggleTask, random users' },
  { name: 'big.first', target: 'api', floor: 'floor.list', description: 'REST first page of the user with 100,000 tasks' },
  { name: 'big.deep', target: 'api', floor: 'floor.list', description: 'REST page ~90 % deep in that user\'s cursor chain' },
  {
    name: 'auth.login',
    target: 'api',
    connections: 8,
    timeoutSeconds: 30,
    description: 'POST /api/auth/login (password-hash verify + session row + EdDSA access token), 8 connections',
  },
  {
    name: 'rest.list+login',
    target: 'api',
    floor: 'floor.list',
    description: 'REST list while logins run concurrently (background: 8 connections, rate-limited)',
    background: { scenario: 'auth.login', connections: 8, overallRate: 5 },
  },
  {
    name: 'live.idle',
    target: 'api',
    live: 'idle',
    description: 'opens 1,000 graphql-ws sockets (200 users × 5), each with a taskEvents subscription that has delivered an event; server RSS per socket',
  },
  {
    name: 'live.fanout',
    target: 'api',
    live: 'fanout',
    description: 'createTask by random subscribed users (25/s): ms from the mutation\'s response to the event on each of that user\'s 5 sockets',
  },
  {
    name: 'gql.create+live',
    target: 'api',
    floor: 'floor.create',
    live: { load: 'gql.create' },
    description: 'gql.create while the 1,000 subscribers (of other users) stay connected and idle',
  },
];

export const scenario = (name: string): Scenario => {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario ${name}`);
  return s;
};

const TASK_FIELDS = 'id title description completed createdAt updatedAt version';
const GQL_LIST = JSON.stringify({
  query: `query Tasks { tasks(first: 20) { nodes { ${TASK_FIELDS} } pageInfo { endCursor hasNextPage } } }`,
});
const GQL_CREATE = `mutation Create($input: CreateTaskInput!) { createTask(input: $input) { ${TASK_FIELDS} } }`;
const GQL_TOGGLE = `mutation Toggle($id: ID!) { toggleTask(id: $id) { ${TASK_FIELDS} } }`;

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
let counter = 0;
const title = () => `bench task ${++counter}`;

const bearer = (u: BenchUser) => ({ authorization: `Bearer ${u.token}` });
const owner = (u: BenchUser) => ({ 'x-owner-id': u.id });

function gql(u: BenchUser, body: string): HttpRequest {
  return { method: 'POST', path: '/graphql', headers: { ...JSON_HEADERS, ...bearer(u) }, body };
}

/** One request of the scenario, for a random user. */
export function makeRequest(name: string, data: BenchData): HttpRequest {
  const u = pick(data.users);
  switch (name) {
    case 'floor.list':
      return { method: 'GET', path: '/tasks?limit=20', headers: owner(u) };
    case 'floor.create':
      return { method: 'POST', path: '/tasks', headers: { ...JSON_HEADERS, ...owner(u) }, body: JSON.stringify({ title: title() }) };
    case 'floor.toggle':
      return { method: 'PATCH', path: `/tasks/${pick(u.taskIds)}/complete`, headers: owner(u) };
    case 'floor.me':
      return { method: 'GET', path: '/me', headers: owner(u) };
    case 'floor.mix': {
      const r = Math.random();
      return makeRequest(r < 0.9 ? 'floor.list' : r < 0.95 ? 'floor.create' : 'floor.toggle', data);
    }
    case 'gql.list':
      return gql(u, GQL_LIST);
    case 'rest.list':
    case 'rest.list+login':
      return { method: 'GET', path: '/api/tasks?limit=20', headers: { accept: 'application/json', ...bearer(u) } };
    case 'gql.create':
    case 'gql.create+live':
      return gql(u, JSON.stringify({ query: GQL_CREATE, variables: { input: { title: title() } } }));
    case 'rest.create':
      return { method: 'POST', path: '/api/tasks', headers: { ...JSON_HEADERS, ...bearer(u) }, body: JSON.stringify({ title: title() }) };
    case 'gql.toggle':
      return gql(u, JSON.stringify({ query: GQL_TOGGLE, variables: { id: pick(u.taskIds) } }));
    case 'rest.me':
      return { method: 'GET', path: '/api/auth/me', headers: { accept: 'application/json', ...bearer(u) } };
    case 'gql.mix': {
      const r = Math.random();
      return makeRequest(r < 0.9 ? 'gql.list' : r < 0.95 ? 'gql.create' : 'gql.toggle', data);
    }
    case 'big.first':
      return { method: 'GET', path: '/api/tasks?limit=20', headers: { accept: 'application/json', ...bearer(data.big) } };
    case 'big.deep':
      return {
        method: 'GET',
        path: `/api/tasks?limit=20&cursor=${data.deepCursor}`,
        headers: { accept: 'application/json', ...bearer(data.big) },
      };
    case 'auth.login':
      return {
        method: 'POST',
        path: '/api/auth/login',
        headers: JSON_HEADERS,
        body: JSON.stringify({ email: u.email, password: data.password }),
      };
    default:
      throw new Error(`unknown scenario ${name}`);
  }
}

/** Checks one response of the scenario; returns a problem or null. */
export function checkResponse(name: string, status: number, body: unknown): string | null {
  const b = body as Record<string, any> | null;
  const want = (ok: boolean, what: string) => (ok ? null : `${name}: ${what} (status ${status}, body ${JSON.stringify(body).slice(0, 300)})`);
  if (name.startsWith('gql.')) {
    if (status !== 200 || !b || b.errors) return want(false, 'GraphQL error');
  }
  switch (name) {
    case 'floor.list':
    case 'rest.list':
    case 'rest.list+login':
      return want(status === 200 && Array.isArray(b?.tasks) && b.tasks.length > 0, 'expected a non-empty page');
    case 'big.first':
    case 'big.deep':
      return want(status === 200 && Array.isArray(b?.tasks) && b.tasks.length === 20 && typeof b.nextCursor === 'string', 'expected a full page with a next cursor');
    case 'floor.create':
    case 'rest.create':
      return want(status === 201 && typeof b?.id === 'string', 'expected 201 with the task');
    case 'floor.toggle':
      return want(status === 200 && typeof b?.id === 'string', 'expected the toggled task');
    case 'floor.me':
    case 'rest.me':
      return want(status === 200 && typeof b?.user?.id === 'string', 'expected the user');
    case 'gql.list':
      return want(Array.isArray(b?.data?.tasks?.nodes) && b.data.tasks.nodes.length > 0, 'expected task nodes');
    case 'gql.create':
    case 'gql.create+live':
      return want(typeof b?.data?.createTask?.id === 'string', 'expected the created task');
    case 'gql.toggle':
      return want(typeof b?.data?.toggleTask?.id === 'string', 'expected the toggled task');
    case 'auth.login':
      return want(status === 200 && typeof b?.accessToken === 'string', 'expected an access token');
    default:
      return null;
  }
}
