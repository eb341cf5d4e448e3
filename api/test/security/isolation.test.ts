// Owner isolation: user B, with a perfectly valid token of their own, can neither read, change,
// delete, list nor even detect user A's tasks, through REST (both path forms) or GraphQL; cannot
// assign ownership or server-managed fields; cannot page into A's data with a crafted cursor.
// "Cannot detect" is checked literally: the answer for A's task id is byte-identical (status,
// headers, body) to the answer for an id no task has.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, RANDOM_UUID, asUser, startApi, type DbKind, type HttpResult, type TestApi, type TestUser, observable, type Task } from '../support/harness.js';

const NOT_FOUND = { error: { code: 'NOT_FOUND', message: 'Task not found.', requestId: expect.any(String) } };
const FORBIDDEN = { error: { code: 'FORBIDDEN', message: 'The user id in the path is not yours.', requestId: expect.any(String) } };

/** The keyset cursor exactly as the task service encodes it: base64url("<ms>.<uuid>"). */
const cursorOf = (task: Task) => Buffer.from(`${Date.parse(task.createdAt)}.${task.id}`).toString('base64url');

/** Newest first, as the list orders: (created_at desc, id desc). */
function newestFirst(tasks: Task[]): Task[] {
  return [...tasks].sort((x, y) => Date.parse(y.createdAt) - Date.parse(x.createdAt) || (y.id < x.id ? -1 : y.id > x.id ? 1 : 0));
}

/** Tasks strictly before `pos` in list order. */
function after(tasks: Task[], pos: Task): Task[] {
  const ms = Date.parse(pos.createdAt);
  return newestFirst(tasks).filter((t) => Date.parse(t.createdAt) < ms || (Date.parse(t.createdAt) === ms && t.id < pos.id));
}

describe.each(DATABASES)('owner isolation (%s)', (kind: DbKind) => {
  let api: TestApi;
  let A: TestUser;
  let B: TestUser;
  /** A's tasks as A last saw them (full JSON incl. version). */
  let aTasks: Task[];
  let bTasks: Task[];
  let aTask: Task;

  const as = (user: TestUser) => asUser(api, user);

  async function create(user: TestUser, body: Record<string, unknown>): Promise<Task> {
    const res = await as(user).rest('POST', '/api/tasks', body);
    expect(res.status).toBe(201);
    return res.body as Task;
  }

  async function listIds(user: TestUser, query = ''): Promise<string[]> {
    const res = await as(user).rest('GET', `/api/tasks?limit=100${query}`);
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    return (res.body.tasks as Task[]).map((t) => t.id);
  }

  async function countAllTasks(): Promise<number> {
    const { rows } = await api.built.db.query<{ n: number | string }>('select count(*)::int as n from task');
    return Number(rows[0]!.n);
  }

  /** A's tasks, read back by A, are exactly as before: same JSON, same version, same list. */
  async function expectAUnchanged() {
    for (const task of aTasks) {
      const res = await as(A).rest('GET', `/api/tasks/${task.id}`);
      expect([res.status, res.body]).toEqual([200, task]);
    }
    const list = await as(A).rest('GET', '/api/tasks?limit=100');
    expect(list.body).toEqual({ tasks: newestFirst(aTasks), nextCursor: null });
  }

  async function expectBUnchanged() {
    const list = await as(B).rest('GET', '/api/tasks?limit=100');
    expect(list.body).toEqual({ tasks: newestFirst(bTasks), nextCursor: null });
  }

  beforeAll(async () => {
    // Rate limits are not under test here.
    api = await startApi(kind, { RATE_LIMIT_ENABLED: 'false' });
    [A, B] = await Promise.all([api.registerUser('Alice'), api.registerUser('Bob')]);
    // Interleaved so that a cursor made from B's tasks falls between A's tasks.
    const a1 = await create(A, { title: 'A one', description: 'private to A' });
    const a2 = await create(A, { title: 'A two' });
    const b1 = await create(B, { title: 'B one' });
    const b2 = await create(B, { title: 'B two', description: 'private to B' });
    const a3created = await create(A, { title: 'A three' });
    const a3 = await as(A).rest('PATCH', `/api/tasks/${a3created.id}/complete`);
    expect(a3.status).toBe(200);
    aTasks = [a1, a2, a3.body as Task];
    bTasks = [b1, b2];
    aTask = a1;
    expect(aTasks[2]!.version).toBe(2);
  });

  afterAll(async () => {
    await api?.close();
  });

  describe("B's requests for A's task answer exactly as for a task that does not exist", () => {
    const replace = { title: 'hijacked', description: 'hijacked', completed: true };
    const CASES: [string, (id: string, bId: string) => [string, string, unknown?, Record<string, string>?]][] = [
      ['GET /api/tasks/:id', (id) => ['GET', `/api/tasks/${id}`]],
      ['HEAD /api/tasks/:id', (id) => ['HEAD', `/api/tasks/${id}`]],
      ['PUT /api/tasks/:id', (id) => ['PUT', `/api/tasks/${id}`, replace]],
      ['PUT /api/tasks/:id If-Match (A\'s current version)', (id) => ['PUT', `/api/tasks/${id}`, replace, { 'if-match': '"v1"' }]],
      ['PATCH /api/tasks/:id', (id) => ['PATCH', `/api/tasks/${id}`, { title: 'hijacked' }]],
      ['PATCH /api/tasks/:id If-Match (A\'s current version)', (id) => ['PATCH', `/api/tasks/${id}`, { completed: true }, { 'if-match': '"v1"' }]],
      ['PATCH /api/tasks/:id If-Match (another version)', (id) => ['PATCH', `/api/tasks/${id}`, { completed: true }, { 'if-match': '"v7"' }]],
      ['PATCH /api/tasks/:id/complete', (id) => ['PATCH', `/api/tasks/${id}/complete`]],
      ['DELETE /api/tasks/:id', (id) => ['DELETE', `/api/tasks/${id}`]],
      ['GET /api/{B}/tasks/:id', (id, bId) => ['GET', `/api/${bId}/tasks/${id}`]],
      ['PUT /api/{B}/tasks/:id', (id, bId) => ['PUT', `/api/${bId}/tasks/${id}`, replace]],
      ['PATCH /api/{B}/tasks/:id', (id, bId) => ['PATCH', `/api/${bId}/tasks/${id}`, { title: 'hijacked' }]],
      ['PATCH /api/{B}/tasks/:id/complete', (id, bId) => ['PATCH', `/api/${bId}/tasks/${id}/complete`]],
      ['DELETE /api/{B}/tasks/:id', (id, bId) => ['DELETE', `/api/${bId}/tasks/${id}`]],
    ];

    it.each(CASES)('REST %s → 404 NOT_FOUND, indistinguishable from a random id', async (_name, build) => {
      const send = async (id: string) => {
        const [method, path, body, headers] = build(id, B.id);
        return as(B).rest(method, path, body, headers);
      };
      const forA = await send(aTask.id);
      const forAUpper = await send(aTask.id.toUpperCase());
      const forNil = await send(RANDOM_UUID);
      const forRandom = await send(randomUUID());
      expect(forA.status).toBe(404);
      if (build(aTask.id, B.id)[0] !== 'HEAD') expect(forA.body).toEqual(NOT_FOUND);
      expect(observable(forA)).toEqual(observable(forNil));
      expect(observable(forAUpper)).toEqual(observable(forNil));
      expect(observable(forRandom)).toEqual(observable(forNil));
      await expectAUnchanged();
    });

    it('GraphQL task(id) → null, exactly as for a random id', async () => {
      const query = 'query ($id: ID!) { task(id: $id) { id title description completed version } }';
      const forA = await as(B).gql(query, { id: aTask.id });
      const forRandom = await as(B).gql(query, { id: RANDOM_UUID });
      expect([forA.status, forA.body]).toEqual([200, { data: { task: null } }]);
      expect(observable(forA)).toEqual(observable(forRandom));
      // Control: the same query finds the task for its owner.
      const own = await as(A).gql(query, { id: aTask.id });
      expect(own.body).toEqual({ data: { task: { id: aTask.id, title: aTask.title, description: aTask.description, completed: false, version: 1 } } });
    });

    const MUTATIONS: [string, string, Record<string, unknown>][] = [
      ['updateTask', 'mutation ($id: ID!) { updateTask(id: $id, input: { title: "hijacked", completed: true }) { id version } }', {}],
      ['updateTask', 'mutation ($id: ID!, $v: Int) { updateTask(id: $id, input: { title: "hijacked" }, expectedVersion: $v) { id } }', { v: 1 }],
      ['toggleTask', 'mutation ($id: ID!) { toggleTask(id: $id) { id completed } }', {}],
      ['deleteTask', 'mutation ($id: ID!) { deleteTask(id: $id) }', {}],
    ];

    it.each(MUTATIONS)('GraphQL %s → NOT_FOUND, exactly as for a random id (%s)', async (field, query, extra) => {
      const forA = await as(B).gql(query, { ...extra, id: aTask.id });
      const forRandom = await as(B).gql(query, { ...extra, id: RANDOM_UUID });
      expect(forA.status).toBe(200);
      expect(forA.body).toEqual({
        data: null,
        errors: [{ message: 'Task not found.', locations: expect.any(Array), path: [field], extensions: { code: 'NOT_FOUND', requestId: expect.any(String) } }],
      });
      expect(observable(forA)).toEqual(observable(forRandom));
      await expectAUnchanged();
    });
  });

  it("B's list (REST and GraphQL, every status) holds exactly B's tasks", async () => {
    const bIds = newestFirst(bTasks).map((t) => t.id);
    expect(await listIds(B)).toEqual(bIds);
    expect(await listIds(B, '&status=all')).toEqual(bIds);
    expect(await listIds(B, '&status=pending')).toEqual(bIds);
    expect(await listIds(B, '&status=completed')).toEqual([]);
    for (const [status, ids] of [
      ['ALL', bIds],
      ['PENDING', bIds],
      ['COMPLETED', []],
    ] as const) {
      const res = await as(B).gql(`{ tasks(status: ${status}, first: 100) { nodes { id } totalCount pageInfo { hasNextPage } } }`);
      expect(res.body).toEqual({
        data: { tasks: { nodes: ids.map((id) => ({ id })), totalCount: ids.length, pageInfo: { hasNextPage: false } } },
      });
    }
    // Control: A's completed task is there for A.
    expect(await listIds(A, '&status=completed')).toEqual([aTasks[2]!.id]);
  });

  describe('path aliases /api/{userId}/tasks', () => {
    const ALIAS_CASES: [string, (userId: string, id: string) => [string, string, unknown?]][] = [
      ['GET list', (u) => ['GET', `/api/${u}/tasks`]],
      ['POST', (u) => ['POST', `/api/${u}/tasks`, { title: 'planted in A' }]],
      ['GET :id', (u, id) => ['GET', `/api/${u}/tasks/${id}`]],
      ['PUT :id', (u, id) => ['PUT', `/api/${u}/tasks/${id}`, { title: 'hijacked', description: null, completed: true }]],
      ['PATCH :id', (u, id) => ['PATCH', `/api/${u}/tasks/${id}`, { title: 'hijacked' }]],
      ['DELETE :id', (u, id) => ['DELETE', `/api/${u}/tasks/${id}`]],
      ['PATCH :id/complete', (u, id) => ['PATCH', `/api/${u}/tasks/${id}/complete`]],
    ];

    it.each(ALIAS_CASES)("B on /api/{A.id}/tasks: %s → 403 FORBIDDEN, same as for a user id that does not exist", async (_name, build) => {
      const before = await countAllTasks();
      const send = async (userId: string, id: string) => {
        const [method, path, body] = build(userId, id);
        return as(B).rest(method, path, body);
      };
      const forA = await send(A.id, aTask.id);
      expect([forA.status, forA.body]).toEqual([403, FORBIDDEN]);
      // Neither the user id nor the task id leaks through the 403.
      expect(observable(await send(A.id, RANDOM_UUID))).toEqual(observable(forA));
      expect(observable(await send('no-such-user-0000000000000000', aTask.id))).toEqual(observable(forA));
      expect(await countAllTasks()).toBe(before);
      await expectAUnchanged();
    });

    it("B on /api/{B.id}/tasks works like /api/tasks", async () => {
      const base = `/api/${B.id}/tasks`;
      const list = await as(B).rest('GET', `${base}?limit=100`);
      expect([list.status, list.body]).toEqual([200, { tasks: newestFirst(bTasks), nextCursor: null }]);
      const one = await as(B).rest('GET', `${base}/${bTasks[0]!.id}`);
      expect([one.status, one.body]).toEqual([200, bTasks[0]]);
      const made = await as(B).rest('POST', base, { title: 'via alias' });
      expect(made.status).toBe(201);
      const id = (made.body as Task).id;
      const put = await as(B).rest('PUT', `${base}/${id}`, { title: 'via alias 2', description: 'd', completed: false });
      expect([put.status, put.body.title, put.body.version]).toEqual([200, 'via alias 2', 2]);
      const patch = await as(B).rest('PATCH', `${base}/${id}`, { description: null });
      expect([patch.status, patch.body.description, patch.body.version]).toEqual([200, null, 3]);
      const toggled = await as(B).rest('PATCH', `${base}/${id}/complete`);
      expect([toggled.status, toggled.body.completed]).toEqual([200, true]);
      // The alias task is B's, visible on the plain route, and not A's.
      expect((await as(B).rest('GET', `/api/tasks/${id}`)).status).toBe(200);
      expect((await as(A).rest('GET', `/api/tasks/${id}`)).status).toBe(404);
      const del = await as(B).rest('DELETE', `${base}/${id}`);
      expect(del.status).toBe(204);
      await expectBUnchanged();
    });
  });

  describe('mass assignment', () => {
    const polluted = () => (Object.prototype as Record<string, unknown>).polluted;

    // [case, field the error must name, raw JSON body built from A's user id and A's task id]
    const MASS: [string, string, (aId: string, aTaskId: string) => string][] = [
      ['owner = A', 'owner', (aId) => JSON.stringify({ title: 'mass', owner: aId })],
      ['owner = {id: A}', 'owner', (aId) => JSON.stringify({ title: 'mass', owner: { id: aId } })],
      ['ownerId = A', 'ownerId', (aId) => JSON.stringify({ title: 'mass', ownerId: aId })],
      ['owner_id = A', 'owner_id', (aId) => JSON.stringify({ title: 'mass', owner_id: aId })],
      ['userId = A', 'userId', (aId) => JSON.stringify({ title: 'mass', userId: aId })],
      ['user_id = A', 'user_id', (aId) => JSON.stringify({ title: 'mass', user_id: aId })],
      ["id = A's task id", 'id', (_a, aTaskId) => JSON.stringify({ title: 'mass', id: aTaskId })],
      ['id = a fresh uuid', 'id', () => JSON.stringify({ title: 'mass', id: RANDOM_UUID })],
      ['createdAt', 'createdAt', () => JSON.stringify({ title: 'mass', createdAt: '2000-01-01T00:00:00.000Z' })],
      ['created_at', 'created_at', () => JSON.stringify({ title: 'mass', created_at: '2000-01-01T00:00:00.000Z' })],
      ['updatedAt', 'updatedAt', () => JSON.stringify({ title: 'mass', updatedAt: '2000-01-01T00:00:00.000Z' })],
      ['version', 'version', () => JSON.stringify({ title: 'mass', version: 99 })],
      ['role', 'role', () => JSON.stringify({ title: 'mass', role: 'ADMIN' })],
      ['__proto__ object', '__proto__', (aId) => `{"title":"mass","__proto__":{"owner_id":${JSON.stringify(aId)},"polluted":true}}`],
      ['constructor string', 'constructor', () => '{"title":"mass","constructor":"x"}'],
      [
        'constructor.prototype object',
        'constructor',
        (aId) => `{"title":"mass","constructor":{"prototype":{"owner_id":${JSON.stringify(aId)},"polluted":true}}}`,
      ],
    ];

    const expectRejected = (res: HttpResult, field: string) => {
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'VALIDATION_FAILED', message: expect.any(String), details: [{ field, message: expect.any(String) }], requestId: expect.any(String) },
      });
    };

    it.each(MASS)('POST /api/tasks with %s → 400 VALIDATION_FAILED naming the field, nothing stored', async (_case, field, build) => {
      const raw = build(A.id, aTask.id);
      const before = await countAllTasks();
      const res = await api.request('POST', '/api/tasks', {
        token: B.accessToken,
        rawBody: raw,
        headers: { 'content-type': 'application/json' },
      });
      expect({ raw, status: res.status }).toEqual({ raw, status: 400 });
      expectRejected(res, field);
      expect(polluted()).toBeUndefined();
      expect(await countAllTasks()).toBe(before);
      await expectAUnchanged();
      await expectBUnchanged();
    });

    it("PATCH and PUT of B's own task with a server-managed field are rejected and change nothing", async () => {
      const own = bTasks[0]!;
      const outcomes: { case: string; method: string; status: number; details: unknown }[] = [];
      const expected: typeof outcomes = [];
      for (const [name, field, build] of MASS) {
        const raw = build(A.id, aTask.id);
        for (const method of ['PATCH', 'PUT']) {
          // PUT needs the full replacement body around the extra field.
          const body = method === 'PUT' ? raw.replace('"title":"mass"', '"title":"mass","description":null,"completed":true') : raw;
          const res = await api.request(method, `/api/tasks/${own.id}`, {
            token: B.accessToken,
            rawBody: body,
            headers: { 'content-type': 'application/json' },
          });
          outcomes.push({ case: name, method, status: res.status, details: res.body?.error?.details });
          expected.push({ case: name, method, status: 400, details: [{ field, message: expect.any(String) }] });
        }
      }
      expect(outcomes).toEqual(expected);
      expect(polluted()).toBeUndefined();
      await expectBUnchanged();
      await expectAUnchanged();
    });

    it('GraphQL createTask rejects an owner field in its input, nothing stored', async () => {
      const before = await countAllTasks();
      const literal = await as(B).gql(`mutation { createTask(input: { title: "mass", ownerId: "${A.id}" }) { id } }`);
      expect(literal.status).toBe(400);
      expect(literal.body.data).toBeUndefined();
      expect(literal.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(literal.body.errors[0].message).toContain('ownerId');
      const viaVariables = await as(B).gql('mutation ($input: CreateTaskInput!) { createTask(input: $input) { id } }', {
        input: { title: 'mass', ownerId: A.id },
      });
      expect(viaVariables.status).toBe(400);
      expect(viaVariables.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(viaVariables.body.errors[0].message).toContain('ownerId');
      expect(await countAllTasks()).toBe(before);
      await expectAUnchanged();
    });
  });

  describe('crafted cursors', () => {
    it("A's cursor made from B's task pages through A's tasks only (REST)", async () => {
      for (const b of bTasks) {
        const res = await as(A).rest('GET', `/api/tasks?limit=100&cursor=${cursorOf(b)}`);
        const expected = after(aTasks, b);
        expect(expected.length).toBeGreaterThan(0); // the cursor sits between A's tasks
        expect(expected.length).toBeLessThan(aTasks.length);
        expect([res.status, res.body]).toEqual([200, { tasks: expected, nextCursor: null }]);
      }
      // And the other way round: B with a cursor from A's newest task sees only B's.
      const newestA = newestFirst(aTasks)[0]!;
      const res = await as(B).rest('GET', `/api/tasks?limit=100&cursor=${cursorOf(newestA)}`);
      expect([res.status, res.body]).toEqual([200, { tasks: newestFirst(bTasks), nextCursor: null }]);
    });

    it("A's cursor made from B's task pages through A's tasks only (GraphQL), with small pages", async () => {
      const b = newestFirst(bTasks)[0]!;
      const expected = after(aTasks, b).map((t) => t.id);
      const seen: string[] = [];
      let cursor: string | null = cursorOf(b);
      for (let page = 0; page < 10 && cursor; page += 1) {
        const res = await as(A).gql(
          'query ($after: String) { tasks(first: 1, after: $after) { nodes { id } pageInfo { endCursor hasNextPage } totalCount } }',
          { after: cursor },
        );
        expect(res.status).toBe(200);
        expect(res.body.errors).toBeUndefined();
        const { nodes, pageInfo, totalCount } = res.body.data.tasks as {
          nodes: { id: string }[];
          pageInfo: { endCursor: string | null; hasNextPage: boolean };
          totalCount: number;
        };
        expect(totalCount).toBe(aTasks.length);
        seen.push(...nodes.map((n) => n.id));
        cursor = pageInfo.hasNextPage ? pageInfo.endCursor : null;
      }
      expect(seen).toEqual(expected);
    });

    it("a far-future cursor carrying B's task id returns all of A's tasks and none of B's", async () => {
      const cursor = Buffer.from(`${Date.parse('2999-01-01T00:00:00Z')}.${bTasks[0]!.id}`).toString('base64url');
      const res = await as(A).rest('GET', `/api/tasks?limit=100&cursor=${cursor}`);
      expect([res.status, res.body]).toEqual([200, { tasks: newestFirst(aTasks), nextCursor: null }]);
    });
  });

  it("after every attempt A's tasks are unchanged and still exist", async () => {
    await expectAUnchanged();
    await expectBUnchanged();
    const { rows } = await api.built.db.query<{ title: string }>(
      "select title from task where title in ('hijacked', 'planted in A', 'mass') or description = 'hijacked'",
    );
    expect(rows).toEqual([]);
  });
});
