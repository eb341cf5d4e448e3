// A stand-in for the Taskgate API behind `fetch`, for component tests only. It follows the
// contract in schema.graphql and better-auth's HTTP answers closely enough that the real client
// code (better-auth client, urql, graphcache, the auth exchange) runs unchanged on top of it.
// Tests can hold a response (to look at the optimistic UI) or make one operation fail.
import { vi } from 'vitest';

export interface FakeTask {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface TaskChange {
  type: 'CREATED' | 'UPDATED' | 'DELETED';
  taskId: string;
  task: FakeTask | null;
}

export interface FakeUser {
  id: string;
  name: string;
  email: string;
  password: string;
  emailVerified?: boolean;
}

/** A device session as GET /api/auth/sessions lists it (userId: whose it is). */
export interface FakeSession {
  id: string;
  userId: string;
  current: boolean;
  createdAt: string;
  lastUsedAt: string;
  ip: string | null;
  device: string;
}

export interface FakeSecurityEvent {
  id: string;
  type: string;
  createdAt: string;
  ip: string | null;
  device: string | null;
  method?: string | null;
}

/** The REST error shape: `{code, message, error: {code, message, requestId}}`. */
export function restError(status: number, code: string, message: string, details?: { field: string; message: string }[]): Response {
  return json(status, { code, message, error: { code, message, ...(details ? { details } : {}), requestId: 'req-1' } });
}

type GraphQLResponse = { data?: unknown; errors?: { message: string; extensions?: { code: string } }[] };
type Override = (variables: Record<string, unknown>) => GraphQLResponse | { status: number; body: unknown } | undefined;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

function base64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fakeJwt(claims: { sub: string; iat: number; exp: number }): string {
  return `${base64url({ alg: 'EdDSA', typ: 'JWT' })}.${base64url(claims)}.signature`;
}

export function gqlError(code: string, message = code): GraphQLResponse {
  return { data: null, errors: [{ message, extensions: { code } }] };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export class FakeApi {
  users: FakeUser[] = [{ id: 'u1', name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' }];
  /** The signed-in user (the session cookie), or null. */
  sessionUserId: string | null = null;
  tasks: FakeTask[] = [];
  requests: RecordedRequest[] = [];
  tokenTtlSeconds = 900;
  tokensIssued = 0;
  /** Tokens the API still accepts (a token leaves this set to simulate expiry/revocation). */
  validTokens = new Set<string>();
  private clock = Date.parse('2026-11-25T12:00:00.000Z');
  private nextTaskId = 1;
  private overrides = new Map<string, Override[]>();
  private holds = new Map<string, { promise: Promise<void>; release: () => void }>();
  authOverrides = new Map<string, () => Response>();
  /** Answers for one REST route (`"PATCH /me"`, path under /api/auth) instead of the fake's own. */
  restOverrides = new Map<string, () => Response>();
  /** Device sessions (GET /api/auth/sessions); the signed-in user's current one is 's1'. */
  sessions: FakeSession[] = [];
  /** Security events of the signed-in user, newest first (GET /api/auth/activity). */
  events: FakeSecurityEvent[] = [];
  /** Valid link tokens: reset (token → user id), verification and e-mail change (token → new address). */
  resetTokens = new Map<string, string>();
  verificationTokens = new Map<string, string>();
  emailChangeTokens = new Map<string, { userId: string; email: string }>();
  /** Called with each committed task change, as the API publishes them to the user's subscriptions. */
  onChange: ((event: TaskChange) => void) | null = null;
  /** Adds tasks; the last one given is the newest. */
  seed(count: number, make: (i: number) => Partial<FakeTask> = () => ({})): FakeTask[] {
    const created: FakeTask[] = [];
    for (let i = 1; i <= count; i++) created.push(this.addTask({ title: `Task ${i}`, ...make(i) }));
    return created;
  }

  addTask(fields: Partial<FakeTask> & { title: string }): FakeTask {
    this.clock += 1000;
    const now = new Date(this.clock).toISOString();
    const task: FakeTask = {
      id: `t${String(this.nextTaskId++).padStart(3, '0')}`,
      description: null,
      completed: false,
      createdAt: now,
      updatedAt: now,
      version: 1,
      ...fields,
    };
    this.tasks.push(task);
    return task;
  }

  signIn(userId = 'u1'): this {
    this.sessionUserId = userId;
    return this;
  }

  /** The next `times` calls of this GraphQL operation answer with `override` instead. */
  failNext(operationName: string, response: GraphQLResponse, times = 1): void {
    const list = this.overrides.get(operationName) ?? [];
    for (let i = 0; i < times; i++) list.push(() => response);
    this.overrides.set(operationName, list);
  }

  /** Holds every response of this operation until the returned function is called. */
  hold(operationName: string): () => void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.holds.set(operationName, { promise, release });
    return () => {
      this.holds.delete(operationName);
      release();
    };
  }

  graphqlRequests(operationName?: string): RecordedRequest[] {
    return this.requests.filter(
      (request) =>
        request.path === '/graphql' &&
        (operationName === undefined ||
          (request.body as { operationName?: string } | null)?.operationName === operationName),
    );
  }

  install(): this {
    vi.stubGlobal(
      'fetch',
      vi.fn((input: RequestInfo | URL, init?: RequestInit) => this.handle(input, init)),
    );
    return this;
  }

  private async handle(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input), window.location.href);
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers ?? request?.headers);
    const rawBody = init.body ?? (request ? await request.text() : undefined);
    let body: unknown = null;
    if (typeof rawBody === 'string' && rawBody !== '') body = JSON.parse(rawBody);
    this.requests.push({ method, path: url.pathname, headers, body });

    if (url.pathname.startsWith('/api/auth/')) {
      const path = url.pathname.slice('/api/auth'.length);
      const restOverride = this.restOverrides.get(`${method} ${path}`);
      if (restOverride) return restOverride();
      if (!this.authOverrides.has(path)) {
        const answer = this.account(path, url.searchParams, method, body, headers);
        if (answer) return answer;
      }
      return this.auth(path, method, body);
    }
    if (url.pathname === '/graphql') {
      if (method !== 'POST')
        return json(400, { errors: [{ message: 'This operation has been blocked as a potential CSRF.' }] });
      return this.graphql(
        body as { query: string; operationName?: string; variables?: Record<string, unknown> },
        headers,
      );
    }
    return json(404, { message: 'not found' });
  }

  private user(): FakeUser | undefined {
    return this.users.find((user) => user.id === this.sessionUserId);
  }

  private auth(path: string, method: string, body: unknown): Response {
    const override = this.authOverrides.get(path);
    if (override) return override();
    const input = (body ?? {}) as Record<string, string>;
    switch (`${method} ${path}`) {
      case 'GET /get-session': {
        const user = this.user();
        if (!user) return json(200, null);
        const { password: _password, ...publicUser } = user;
        return json(200, {
          session: { id: 's1', userId: user.id, expiresAt: '2026-12-02T12:00:00.000Z' },
          user: {
            ...publicUser,
            emailVerified: user.emailVerified ?? false,
            createdAt: '2026-11-01T00:00:00.000Z',
            updatedAt: '2026-11-01T00:00:00.000Z',
          },
        });
      }
      case 'POST /sign-in/email': {
        const user = this.users.find((u) => u.email === input.email && u.password === input.password);
        if (!user) return json(401, { code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' });
        this.sessionUserId = user.id;
        return json(200, {
          redirect: false,
          token: 'session-token',
          user: { id: user.id, email: user.email, name: user.name },
        });
      }
      case 'POST /sign-up/email': {
        if (this.users.some((u) => u.email === input.email)) {
          return json(422, {
            code: 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL',
            message: 'User already exists. Use another email.',
          });
        }
        // The API's wording for a password its policy refuses (the form refuses it first when the
        // strength estimator has loaded).
        if (input.password === 'password123') {
          return json(400, {
            code: 'PASSWORD_REJECTED',
            message:
              'Password is too easy to guess (this is a commonly used password): add another word or two, or make it longer.',
          });
        }
        const user = {
          id: `u${this.users.length + 1}`,
          name: input.name ?? '',
          email: input.email ?? '',
          password: input.password ?? '',
        };
        this.users.push(user);
        this.sessionUserId = user.id;
        return json(200, { token: 'session-token', user: { id: user.id, email: user.email, name: user.name } });
      }
      case 'POST /sign-out':
        this.sessionUserId = null;
        return json(200, { success: true });
      case 'GET /token': {
        const user = this.user();
        if (!user) return json(401, { code: 'UNAUTHORIZED', message: 'Unauthorized' });
        const iat = Math.floor(Date.now() / 1000);
        const token = fakeJwt({
          sub: user.id,
          iat: iat + this.tokensIssued,
          exp: iat + this.tokensIssued + this.tokenTtlSeconds,
        });
        this.tokensIssued += 1;
        this.validTokens.add(token);
        return json(200, { token });
      }
      default:
        return json(404, { message: 'not found' });
    }
  }

  /** The user behind `Authorization: Bearer <token>`, if the API would accept it. */
  private bearerUser(headers: Headers): FakeUser | undefined {
    const token = headers.get('authorization')?.replace(/^Bearer /, '');
    return token && this.validTokens.has(token) ? this.user() : undefined;
  }

  /** The REST account routes of the contract (docs: README "REST"); undefined: not one of them. */
  private account(
    path: string,
    search: URLSearchParams,
    method: string,
    body: unknown,
    headers: Headers,
  ): Response | undefined {
    const input = (body ?? {}) as Record<string, unknown>;
    const route = `${method} ${path}`;
    const publicRoutes: Record<string, () => Response> = {
      'POST /password/forgot': () =>
        json(202, { message: 'If an account exists for that address, a link to reset its password is on its way.' }),
      'POST /verification/resend': () =>
        json(202, { message: 'If that address needs verifying, a new link is on its way.' }),
      'POST /password/reset': () => {
        const userId = this.resetTokens.get(String(input.token));
        if (!userId)
          return restError(400, 'INVALID_TOKEN', 'This link is invalid or has expired. Ask for a new one.');
        if (String(input.newPassword) === 'password123')
          return restError(400, 'WEAK_PASSWORD', 'Password is too easy to guess (this is a commonly used password): add another word or two, or make it longer.');
        this.resetTokens.delete(String(input.token));
        const user = this.users.find((u) => u.id === userId)!;
        user.password = String(input.newPassword);
        this.sessions = this.sessions.filter((session) => session.userId !== userId);
        if (this.sessionUserId === userId) this.sessionUserId = null;
        return new Response(null, { status: 204 });
      },
      'POST /verification/confirm': () => {
        const userId = this.verificationTokens.get(String(input.token));
        if (!userId) return restError(400, 'INVALID_TOKEN', 'This link is invalid or has expired. Ask for a new one.');
        this.verificationTokens.delete(String(input.token));
        this.users.find((u) => u.id === userId)!.emailVerified = true;
        return json(200, { emailVerified: true });
      },
      'POST /email/confirm': () => {
        const change = this.emailChangeTokens.get(String(input.token));
        if (!change) return restError(400, 'INVALID_TOKEN', 'This link is invalid or has expired. Ask for a new one.');
        this.emailChangeTokens.delete(String(input.token));
        this.users.find((u) => u.id === change.userId)!.email = change.email;
        return json(200, { email: change.email, emailVerified: true });
      },
    };
    const publicRoute = publicRoutes[route];
    if (publicRoute) return publicRoute();

    const authed = ['/me', '/password', '/email', '/sessions', '/activity'];
    if (!authed.includes(path) && !path.startsWith('/sessions/')) return undefined;
    const user = this.bearerUser(headers);
    if (!user) return restError(401, 'UNAUTHENTICATED', 'Access token is invalid or expired.');
    const { password: _password, ...publicUser } = user;
    const me = { ...publicUser, emailVerified: user.emailVerified ?? false, createdAt: '2026-11-01T00:00:00.000Z' };

    if (route === 'GET /me') return json(200, { user: me });
    if (route === 'PATCH /me') {
      const name = typeof input.name === 'string' ? input.name.trim() : '';
      if (name.length === 0 || name.length > 100)
        return restError(400, 'VALIDATION_FAILED', 'name must be 1–100 characters and not blank.');
      user.name = name;
      return json(200, { user: { ...me, name } });
    }
    if (route === 'DELETE /me') {
      if (input.password !== user.password) return restError(401, 'INVALID_CREDENTIALS', 'Password is incorrect.');
      this.users = this.users.filter((u) => u !== user);
      this.sessionUserId = null;
      return new Response(null, { status: 204 });
    }
    if (route === 'POST /password') {
      if (input.currentPassword !== user.password)
        return restError(401, 'INVALID_CREDENTIALS', 'Current password is incorrect.');
      if (input.newPassword === 'password123')
        return restError(400, 'WEAK_PASSWORD', 'Password is too easy to guess (this is a commonly used password): add another word or two, or make it longer.');
      user.password = String(input.newPassword);
      if (input.revokeOtherSessions === true)
        this.sessions = this.sessions.filter((session) => session.userId !== user.id || session.current);
      return new Response(null, { status: 204 });
    }
    if (route === 'POST /email') {
      // As the API: a taken address answers exactly like a free one.
      const newEmail = String(input.newEmail ?? '').trim().toLowerCase();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(newEmail)) {
        return restError(400, 'VALIDATION_FAILED', 'newEmail: must be a valid email address', [{ field: 'newEmail', message: 'must be a valid email address' }]);
      }
      if (input.password !== user.password) return restError(401, 'INVALID_CREDENTIALS', 'Password is incorrect.');
      if (!this.users.some((u) => u.email === newEmail)) this.emailChangeTokens.set(`change-${newEmail}`, { userId: user.id, email: newEmail });
      return json(202, { message: 'Check your new address for a link to confirm the change.' });
    }
    if (route === 'GET /sessions') {
      const mine = this.sessions.filter((session) => session.userId === user.id);
      return json(200, { sessions: mine.map(({ userId: _userId, ...session }) => session) });
    }
    if (route === 'DELETE /sessions' && search.get('scope') === 'others') {
      const before = this.sessions.length;
      this.sessions = this.sessions.filter((session) => session.userId !== user.id || session.current);
      return json(200, { revoked: before - this.sessions.length });
    }
    if (method === 'DELETE' && path.startsWith('/sessions/')) {
      const id = decodeURIComponent(path.slice('/sessions/'.length));
      const found = this.sessions.find((session) => session.id === id && session.userId === user.id);
      if (!found) return restError(404, 'NOT_FOUND', 'Session not found.');
      this.sessions = this.sessions.filter((session) => session !== found);
      return new Response(null, { status: 204 });
    }
    if (route === 'GET /activity') {
      const first = Number(search.get('first') ?? 20);
      const after = search.get('after');
      const start = after ? this.events.findIndex((event) => event.id === after) + 1 : 0;
      const nodes = this.events.slice(start, start + first);
      return json(200, {
        nodes,
        pageInfo: { endCursor: nodes.at(-1)?.id ?? null, hasNextPage: start + first < this.events.length },
      });
    }
    return undefined;
  }

  private async graphql(
    request: { query: string; operationName?: string; variables?: Record<string, unknown> },
    headers: Headers,
  ): Promise<Response> {
    const name = request.operationName ?? '';
    const variables = request.variables ?? {};
    const hold = this.holds.get(name);
    if (hold) await hold.promise;

    const override = this.overrides.get(name)?.shift();
    const overridden = override?.(variables);
    if (overridden) {
      return 'status' in overridden && typeof overridden.status === 'number'
        ? json(overridden.status, (overridden as { body: unknown }).body)
        : json(200, overridden);
    }

    if (name === 'Health') return json(200, { data: { health: 'ok' } });
    const token = headers.get('authorization')?.replace(/^Bearer /, '');
    const user = token && this.validTokens.has(token) ? this.user() : undefined;
    if (!user) return json(200, gqlError('UNAUTHENTICATED', 'A valid access token is required.'));
    return json(200, this.execute(name, variables, user));
  }

  private execute(name: string, variables: Record<string, unknown>, user: FakeUser): GraphQLResponse {
    const task = (t: FakeTask) => ({ __typename: 'Task', ...t });
    const find = (id: unknown) => this.tasks.find((t) => t.id === id);
    const newestFirst = () =>
      [...this.tasks].sort((a, b) =>
        a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt),
      );
    const page = (status: unknown, first: number, after: unknown) => {
      const all = newestFirst().filter((t) => status === 'ALL' || (status === 'COMPLETED') === t.completed);
      const start = typeof after === 'string' ? all.findIndex((t) => t.id === after) + 1 : 0;
      const nodes = all.slice(start, start + first);
      return {
        __typename: 'TaskPage',
        totalCount: all.length,
        nodes: nodes.map(task),
        pageInfo: {
          __typename: 'PageInfo',
          endCursor: nodes.at(-1)?.id ?? null,
          hasNextPage: start + first < all.length,
        },
      };
    };
    const touch = (t: FakeTask) => {
      this.clock += 1000;
      t.updatedAt = new Date(this.clock).toISOString();
      t.version += 1;
    };

    switch (name) {
      case 'Me':
        return { data: { me: { __typename: 'User', id: user.id, name: user.name, email: user.email } } };
      case 'Tasks':
        return { data: { tasks: page(variables.status ?? 'ALL', Number(variables.first ?? 20), variables.after) } };
      case 'TaskCounts':
        return {
          data: { all: page('ALL', 1, null), pending: page('PENDING', 1, null), completed: page('COMPLETED', 1, null) },
        };
      case 'Task': {
        const found = find(variables.id);
        return { data: { task: found ? task(found) : null } };
      }
      case 'CreateTask': {
        const input = variables.input as { title: string; description?: string | null };
        if (input.title.trim().length === 0 || input.title.trim().length > 200)
          return gqlError('BAD_USER_INPUT', 'title must be 1–200 characters');
        const created = this.addTask({ title: input.title.trim(), description: input.description ?? null });
        this.onChange?.({ type: 'CREATED', taskId: created.id, task: { ...created } });
        return { data: { createTask: task(created) } };
      }
      case 'UpdateTask': {
        const found = find(variables.id);
        if (!found) return gqlError('NOT_FOUND', 'Task not found');
        if (variables.expectedVersion != null && variables.expectedVersion !== found.version)
          return gqlError('CONFLICT', 'Version mismatch');
        const input = variables.input as Partial<FakeTask>;
        Object.assign(found, Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
        touch(found);
        this.onChange?.({ type: 'UPDATED', taskId: found.id, task: { ...found } });
        return { data: { updateTask: task(found) } };
      }
      case 'ToggleTask': {
        const found = find(variables.id);
        if (!found) return gqlError('NOT_FOUND', 'Task not found');
        found.completed = !found.completed;
        touch(found);
        this.onChange?.({ type: 'UPDATED', taskId: found.id, task: { ...found } });
        return { data: { toggleTask: task(found) } };
      }
      case 'DeleteTask': {
        const found = find(variables.id);
        if (!found) return gqlError('NOT_FOUND', 'Task not found');
        this.tasks = this.tasks.filter((t) => t !== found);
        this.onChange?.({ type: 'DELETED', taskId: found.id, task: null });
        return { data: { deleteTask: found.id } };
      }
      default:
        return { errors: [{ message: `Unknown operation ${name}` }] };
    }
  }
}
