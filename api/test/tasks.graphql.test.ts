// GraphQL at /graphql through real HTTP into a real database: queries, mutations, pagination,
// input errors, optimistic locking, and the transport rules (CSRF prevention, no batching).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, RANDOM_UUID, startApi, type HttpResult, type TestApi, type TestUser, ISO, UUID, type Task } from './support/harness.js';


const TASK_FIELDS = 'id title description completed createdAt updatedAt version';

const CREATE = `mutation Create($input: CreateTaskInput!) { createTask(input: $input) { ${TASK_FIELDS} } }`;
const UPDATE = `mutation Update($id: ID!, $input: UpdateTaskInput!, $v: Int) { updateTask(id: $id, input: $input, expectedVersion: $v) { ${TASK_FIELDS} } }`;
const TOGGLE = `mutation Toggle($id: ID!) { toggleTask(id: $id) { ${TASK_FIELDS} } }`;
const DELETE = 'mutation Delete($id: ID!) { deleteTask(id: $id) }';
const TASK = `query One($id: ID!) { task(id: $id) { ${TASK_FIELDS} } }`;
const TASKS = `query List($status: TaskStatus, $first: Int, $after: String) {
  tasks(status: $status, first: $first, after: $after) {
    nodes { ${TASK_FIELDS} }
    pageInfo { endCursor hasNextPage }
    totalCount
  }
}`;

/** A 200 response with data and no errors. */
function ok(res: HttpResult) {
  expect(res.status, res.text).toBe(200);
  expect(res.body.errors, res.text).toBeUndefined();
  return res.body.data;
}

/** A 200 response whose one error has the given code; returns the error. */
function gqlError(res: HttpResult, code: string) {
  expect(res.status, res.text).toBe(200);
  expect(res.body.errors, res.text).toHaveLength(1);
  const [error] = res.body.errors;
  expect(error.extensions.code).toBe(code);
  expect(typeof error.message).toBe('string');
  expect(error.extensions.stacktrace).toBeUndefined();
  return error;
}

function expectTask(task: Task, expected: Partial<Task>) {
  expect(Object.keys(task).sort()).toEqual(['completed', 'createdAt', 'description', 'id', 'title', 'updatedAt', 'version']);
  expect(task.id).toMatch(UUID);
  expect(task.createdAt).toMatch(ISO);
  expect(task.updatedAt).toMatch(ISO);
  expect(task).toMatchObject(expected);
}

describe.each(DATABASES)('GraphQL /graphql on %s', (kind) => {
  let api: TestApi;
  let alice: TestUser;
  let pager: TestUser;

  const totalCount = async (user: TestUser) => ok(await api.gql('{ tasks { totalCount } }', {}, user.accessToken)).tasks.totalCount as number;
  const titles = async (user: TestUser) =>
    (ok(await api.gql('{ tasks(first: 100) { nodes { title } } }', {}, user.accessToken)).tasks.nodes as { title: string }[]).map((n) => n.title);

  beforeAll(async () => {
    // A large task-API budget: this file makes a few hundred requests from one IP within a minute.
    api = await startApi(kind, { RATE_LIMIT_API: '100000/60' });
    alice = await api.registerUser('Alice');
    pager = await api.registerUser('Pager');
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('queries', () => {
    it('health answers without a token', async () => {
      expect(ok(await api.gql('{ health }'))).toEqual({ health: 'ok' });
    });

    it('me returns the caller', async () => {
      const data = ok(await api.gql('{ me { id email name createdAt } }', {}, alice.accessToken));
      expect(data.me).toEqual({ id: alice.id, email: alice.email, name: 'Alice', createdAt: expect.stringMatching(ISO) });
    });

    it('@auth fields without a token are UNAUTHENTICATED (HTTP 200, data null), @public ones still answer', async () => {
      for (const query of ['{ me { id } }', '{ tasks { totalCount } }']) {
        const res = await api.gql(query);
        const error = gqlError(res, 'UNAUTHENTICATED');
        expect(error.path).toHaveLength(1);
        expect(res.body.data).toBeNull(); // non-null fields: the error nulls the whole data
      }
      const nullable = await api.gql(`{ task(id: "${RANDOM_UUID}") { id } }`);
      expect(gqlError(nullable, 'UNAUTHENTICATED').path).toEqual(['task']);
      expect(nullable.body.data).toEqual({ task: null });
      const mixed = await api.gql('{ health me { id } }');
      expect(mixed.status).toBe(200);
      expect(mixed.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      // me is non-null, so the whole data is null
      expect(mixed.body.data).toBeNull();
      const mutation = await api.gql(CREATE, { input: { title: 'anonymous' } });
      gqlError(mutation, 'UNAUTHENTICATED');
    });
  });

  describe('mutations', () => {
    let task: Task;

    it('createTask trims the title and defaults the rest', async () => {
      const data = ok(await api.gql(CREATE, { input: { title: '  Write tests  ' } }, alice.accessToken));
      task = data.createTask;
      expectTask(task, { title: 'Write tests', description: null, completed: false, version: 1 });
      expect(task.createdAt).toBe(task.updatedAt);
      const withDescription = ok(await api.gql(CREATE, { input: { title: 'Notes', description: 'some' } }, alice.accessToken));
      expectTask(withDescription.createTask, { title: 'Notes', description: 'some' });
    });

    it('task(id) returns it; an unknown id gives null; a non-UUID is BAD_USER_INPUT on id (as REST answers 400)', async () => {
      expect(ok(await api.gql(TASK, { id: task.id }, alice.accessToken)).task).toEqual(task);
      expect(ok(await api.gql(TASK, { id: RANDOM_UUID }, alice.accessToken))).toEqual({ task: null });
      const error = gqlError(await api.gql(TASK, { id: 'not-a-uuid' }, alice.accessToken), 'BAD_USER_INPUT');
      expect(error).toMatchObject({ message: 'id: must be a UUID', extensions: { details: [{ field: 'id', message: 'must be a UUID' }] } });
    });

    it('createTask with an empty title is BAD_USER_INPUT with per-field details, and creates nothing', async () => {
      const before = await totalCount(alice);
      for (const title of ['', '   ', 'x'.repeat(201)]) {
        const error = gqlError(await api.gql(CREATE, { input: { title } }, alice.accessToken), 'BAD_USER_INPUT');
        expect(error.extensions.details).toEqual([{ field: 'title', message: expect.any(String) }]);
        expect(error.path).toEqual(['createTask']);
      }
      const description = gqlError(
        await api.gql(CREATE, { input: { title: 'ok', description: 'd'.repeat(2001) } }, alice.accessToken),
        'BAD_USER_INPUT',
      );
      expect(description.extensions.details).toEqual([{ field: 'description', message: expect.any(String) }]);
      expect(await totalCount(alice)).toBe(before);
    });

    it('a NUL byte or lone surrogate in the title is BAD_USER_INPUT on title, in GraphQL\'s error shape', async () => {
      const before = await totalCount(alice);
      for (const title of ['nul\u0000', 'lone \ud800 surrogate']) {
        const res = await api.gql(CREATE, { input: { title } }, alice.accessToken);
        expect(res.body.error, res.text).toBeUndefined(); // not the REST error body
        const error = gqlError(res, 'BAD_USER_INPUT');
        expect(error.extensions.details).toEqual([{ field: 'title', message: expect.any(String) }]);
      }
      expect(await totalCount(alice)).toBe(before);
    });

    it('variables of the wrong type or missing are rejected before execution', async () => {
      const before = await totalCount(alice);
      const missing = await api.gql(CREATE, { input: {} }, alice.accessToken);
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      const wrongType = await api.gql(CREATE, { input: { title: 5 } }, alice.accessToken);
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      const unknownField = await api.gql(CREATE, { input: { title: 'x', owner: 'someone' } }, alice.accessToken);
      expect(unknownField.status).toBe(400);
      expect(unknownField.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(await totalCount(alice)).toBe(before);
    });

    it('updateTask changes only the fields given', async () => {
      const data = ok(await api.gql(UPDATE, { id: task.id, input: { title: ' Renamed ' } }, alice.accessToken));
      expectTask(data.updateTask, { id: task.id, title: 'Renamed', description: null, completed: false, version: 2 });
      const more = ok(await api.gql(UPDATE, { id: task.id, input: { description: 'why', completed: true } }, alice.accessToken));
      expectTask(more.updateTask, { title: 'Renamed', description: 'why', completed: true, version: 3 });
      task = more.updateTask;
      expect(ok(await api.gql(TASK, { id: task.id }, alice.accessToken)).task).toEqual(task);
    });

    it('updateTask with an explicit null title or completed is BAD_USER_INPUT and changes nothing', async () => {
      for (const input of [{ title: null }, { completed: null }, { title: '' }]) {
        const error = gqlError(await api.gql(UPDATE, { id: task.id, input }, alice.accessToken), 'BAD_USER_INPUT');
        expect(error.extensions.details.map((d: { field: string }) => d.field)).toEqual(Object.keys(input));
      }
      expect(ok(await api.gql(TASK, { id: task.id }, alice.accessToken)).task).toEqual(task);
    });

    it('updateTask with a stale expectedVersion is CONFLICT and the task is unchanged; the current one succeeds', async () => {
      const error = gqlError(
        await api.gql(UPDATE, { id: task.id, input: { title: 'Lost update' }, v: task.version - 1 }, alice.accessToken),
        'CONFLICT',
      );
      expect(error.path).toEqual(['updateTask']);
      expect(ok(await api.gql(TASK, { id: task.id }, alice.accessToken)).task).toEqual(task);
      const fresh = ok(await api.gql(UPDATE, { id: task.id, input: { title: 'Current' }, v: task.version }, alice.accessToken));
      expectTask(fresh.updateTask, { title: 'Current', version: task.version + 1 });
      task = fresh.updateTask;
    });

    it('toggleTask flips completed back and forth', async () => {
      const once = ok(await api.gql(TOGGLE, { id: task.id }, alice.accessToken)).toggleTask;
      expectTask(once, { completed: !task.completed, title: task.title, version: task.version + 1 });
      const twice = ok(await api.gql(TOGGLE, { id: task.id }, alice.accessToken)).toggleTask;
      expectTask(twice, { completed: task.completed, version: task.version + 2 });
      task = twice;
    });

    it('update, toggle and delete on an unknown id are NOT_FOUND, on a malformed id BAD_USER_INPUT', async () => {
      for (const [id, code] of [
        [RANDOM_UUID, 'NOT_FOUND'],
        ['not-a-uuid', 'BAD_USER_INPUT'],
      ] as const) {
        gqlError(await api.gql(UPDATE, { id, input: { title: 'x' } }, alice.accessToken), code);
        gqlError(await api.gql(TOGGLE, { id }, alice.accessToken), code);
        gqlError(await api.gql(DELETE, { id }, alice.accessToken), code);
      }
    });

    it('deleteTask returns the id; afterwards the task is gone', async () => {
      expect(ok(await api.gql(DELETE, { id: task.id }, alice.accessToken))).toEqual({ deleteTask: task.id });
      expect(ok(await api.gql(TASK, { id: task.id }, alice.accessToken))).toEqual({ task: null });
      gqlError(await api.gql(DELETE, { id: task.id }, alice.accessToken), 'NOT_FOUND');
      gqlError(await api.gql(TOGGLE, { id: task.id }, alice.accessToken), 'NOT_FOUND');
    });
  });

  describe('tasks: status filters and pagination', () => {
    const created: Task[] = [];

    beforeAll(async () => {
      for (let i = 0; i < 7; i++) {
        created.push(ok(await api.gql(CREATE, { input: { title: `Page task ${i}` } }, pager.accessToken)).createTask);
      }
      for (const i of [1, 4]) ok(await api.gql(TOGGLE, { id: created[i]!.id }, pager.accessToken));
    });

    const newestFirst = (filter: (i: number) => boolean = () => true) =>
      created.map((t, i) => ({ id: t.id, i })).filter(({ i }) => filter(i)).reverse().map(({ id }) => id);

    it('lists newest first with totalCount per status', async () => {
      const all = ok(await api.gql(TASKS, {}, pager.accessToken)).tasks;
      expect(all.nodes.map((n: Task) => n.id)).toEqual(newestFirst());
      expect(all.totalCount).toBe(7);
      expect(all.pageInfo).toEqual({ endCursor: null, hasNextPage: false });
      const completed = ok(await api.gql(TASKS, { status: 'COMPLETED' }, pager.accessToken)).tasks;
      expect(completed.nodes.map((n: Task) => n.id)).toEqual(newestFirst((i) => i === 1 || i === 4));
      expect(completed.totalCount).toBe(2);
      const pending = ok(await api.gql(TASKS, { status: 'PENDING' }, pager.accessToken)).tasks;
      expect(pending.nodes.map((n: Task) => n.id)).toEqual(newestFirst((i) => i !== 1 && i !== 4));
      expect(pending.totalCount).toBe(5);
      expect(ok(await api.gql(TASKS, { status: 'ALL' }, pager.accessToken)).tasks.totalCount).toBe(7);
    });

    it('first/after pages through everything once, with pageInfo and totalCount on each page', async () => {
      const pages: string[][] = [];
      let after: string | null = null;
      for (;;) {
        const data: { tasks: { nodes: Task[]; pageInfo: { endCursor: string | null; hasNextPage: boolean }; totalCount: number } } = ok(
          await api.gql(TASKS, { first: 3, after }, pager.accessToken),
        );
        const page = data.tasks;
        pages.push(page.nodes.map((n) => n.id));
        expect(page.totalCount).toBe(7);
        expect(page.pageInfo.hasNextPage).toBe(page.pageInfo.endCursor !== null);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
        expect(pages.length).toBeLessThan(3);
      }
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat()).toEqual(newestFirst());
      // with a status filter
      const firstPending = ok(await api.gql(TASKS, { status: 'PENDING', first: 4 }, pager.accessToken)).tasks;
      expect(firstPending.pageInfo.hasNextPage).toBe(true);
      const restPending = ok(
        await api.gql(TASKS, { status: 'PENDING', first: 4, after: firstPending.pageInfo.endCursor }, pager.accessToken),
      ).tasks;
      expect([...firstPending.nodes, ...restPending.nodes].map((n: Task) => n.id)).toEqual(newestFirst((i) => i !== 1 && i !== 4));
      expect(restPending.pageInfo).toEqual({ endCursor: null, hasNextPage: false });
    });

    it.each([0, 101, -1])('first: %i is BAD_USER_INPUT on first', async (first) => {
      const error = gqlError(await api.gql(TASKS, { first }, pager.accessToken), 'BAD_USER_INPUT');
      expect(error.extensions.details).toEqual([{ field: 'first', message: expect.any(String) }]);
    });

    it('first: 1 and first: 100 are accepted', async () => {
      expect(ok(await api.gql(TASKS, { first: 1 }, pager.accessToken)).tasks.nodes).toHaveLength(1);
      expect(ok(await api.gql(TASKS, { first: 100 }, pager.accessToken)).tasks.nodes).toHaveLength(7);
    });

    it('a malformed after is BAD_USER_INPUT with details on after', async () => {
      for (const after of ['not a cursor', '@@@', 'abcd', Buffer.from('1.nope').toString('base64url'), 'A'.repeat(200)]) {
        const error = gqlError(await api.gql(TASKS, { after }, pager.accessToken), 'BAD_USER_INPUT');
        expect(error.extensions.details).toEqual([{ field: 'after', message: expect.any(String) }]);
      }
    });
  });

  describe('transport rules', () => {
    const mutation = (title: string) => `mutation { createTask(input: { title: "${title}" }) { id } }`;

    it('a mutation over GET is rejected and not executed, with or without a CSRF preflight header', async () => {
      const before = await titles(alice);
      const simple = await api.request('GET', `/graphql?query=${encodeURIComponent(mutation('csrf via get'))}`, { token: alice.accessToken });
      expect(simple.status).toBe(400);
      expect(simple.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(simple.body.errors[0].message).toMatch(/CSRF/);
      const preflighted = await api.request('GET', `/graphql?query=${encodeURIComponent(mutation('mutation via get'))}`, {
        token: alice.accessToken,
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(preflighted.status).toBe(405);
      expect(preflighted.body.data).toBeUndefined();
      expect(await titles(alice)).toEqual(before);
    });

    it('every answer is Cache-Control: no-store (data, GraphQL errors, unauthenticated, GET)', async () => {
      const answers = {
        data: await api.request('POST', '/graphql', { token: alice.accessToken, body: { query: '{ tasks(first: 1) { nodes { id } } }' } }),
        error: await api.request('POST', '/graphql', { token: alice.accessToken, body: { query: CREATE, variables: { input: { title: '' } } } }),
        anonymous: await api.request('POST', '/graphql', { body: { query: '{ tasks { totalCount } }' } }),
        invalid: await api.request('POST', '/graphql', { body: { query: '{ nope }' } }),
        get: await api.request('GET', `/graphql?query=${encodeURIComponent('{ health }')}`, { headers: { 'apollo-require-preflight': 'true' } }),
      };
      for (const [label, res] of Object.entries(answers)) {
        expect({ label, cacheControl: res.headers.get('cache-control') }).toEqual({ label, cacheControl: 'no-store' });
      }
    });

    it('a simple GET query without a preflight header is blocked; with one it answers', async () => {
      const blocked = await api.request('GET', `/graphql?query=${encodeURIComponent('{ health }')}`);
      expect(blocked.status).toBe(400);
      expect(blocked.body.data).toBeUndefined();
      const allowed = await api.request('GET', `/graphql?query=${encodeURIComponent('{ health }')}`, {
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(allowed.status).toBe(200);
      expect(allowed.body).toEqual({ data: { health: 'ok' } });
    });

    it('POST with Content-Type text/plain is 400 (CSRF) and not executed; form types 415', async () => {
      const before = await titles(alice);
      const send = (contentType: string) =>
        api.request('POST', '/graphql', {
          token: alice.accessToken,
          rawBody: JSON.stringify({ query: mutation('csrf via simple request') }),
          headers: { 'content-type': contentType },
        });
      const plain = await send('text/plain');
      expect(plain.status).toBe(400);
      expect(plain.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(plain.body.errors[0].message).toMatch(/CSRF/);
      expect(plain.body.data).toBeUndefined();
      // the other "simple request" types never reach GraphQL at all
      for (const contentType of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await send(contentType);
        expect(res.status, `${contentType}: ${res.text}`).toBe(415);
        expect(res.text).not.toContain('"data"');
      }
      expect(await titles(alice)).toEqual(before);
    });

    it('a batched array body is 400 and none of it runs', async () => {
      const before = await titles(alice);
      const res = await api.request('POST', '/graphql', {
        token: alice.accessToken,
        body: [{ query: mutation('batched 1') }, { query: mutation('batched 2') }],
      });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(await titles(alice)).toEqual(before);
    });

    it('an unknown field is GRAPHQL_VALIDATION_FAILED (HTTP 400) and nothing runs', async () => {
      const before = await titles(alice);
      const res = await api.gql('mutation { createTask(input: { title: "half" }) { id owner } }', {}, alice.accessToken);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.body.errors[0].message).toMatch(/owner/);
      expect(res.body.data).toBeUndefined();
      expect(await titles(alice)).toEqual(before);
      const unknownRoot = await api.gql('{ users { id } }', {}, alice.accessToken);
      expect(unknownRoot.status).toBe(400);
      expect(unknownRoot.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('a syntax error is GRAPHQL_PARSE_FAILED with HTTP 400, not 500', async () => {
      for (const query of ['{ tasks { ', '}', 'query {', 'mutation { createTask(input: { title: "x" ) { id } }']) {
        for (const token of [alice.accessToken, undefined]) {
          const res = await api.gql(query, {}, token);
          expect(res.status, `${query}: ${res.text}`).toBe(400);
          expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
          expect(res.body.data).toBeUndefined();
        }
      }
    });

    it('a document over the token limit is rejected with HTTP 400, not 500', async () => {
      const query = `{ ${Array.from({ length: 1200 }, () => '__typename').join(' ')} }`;
      const res = await api.gql(query, {}, alice.accessToken);
      expect(res.status, res.text).toBe(400);
      expect(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']).toContain(res.body.errors[0].extensions.code);
      expect(res.body.data).toBeUndefined();
    });
  });
});
