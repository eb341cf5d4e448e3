// REST and GraphQL are twins: the same mistake gets the same answer from both, through real HTTP
// into a real database. Each row is one mistake, the REST request with the status, code and message
// it must get, and the GraphQL operation with the extensions.code and message it must get. Field
// names differ only where the transports name the field differently (REST `limit`/`cursor`,
// GraphQL `first`/`after`). The account's own mistakes (password, profile, sessions, e-mail
// change) are in the same table.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, RANDOM_UUID, startApi, type HttpResult, type TestApi, type TestUser } from './support/harness.js';

const TASK = 'query($id: ID!) { task(id: $id) { id } }';
const TASKS = 'query($first: Int, $after: String) { tasks(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }';
const CREATE = 'mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }';
const UPDATE = 'mutation($id: ID!, $input: UpdateTaskInput!) { updateTask(id: $id, input: $input) { id } }';
const TOGGLE = 'mutation($id: ID!) { toggleTask(id: $id) { id } }';
const DELETE = 'mutation($id: ID!) { deleteTask(id: $id) }';
const CHANGE_PASSWORD = 'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';
const UPDATE_PROFILE = 'mutation($name: String!) { updateProfile(name: $name) { id } }';
const REVOKE_SESSION = 'mutation($id: ID!) { revokeSession(id: $id) }';
const CHANGE_EMAIL = 'mutation($input: ChangeEmailInput!) { changeEmail(input: $input) }';
/** The password of the account every row runs as (fixed, so the rows can name it). */
const PASSWORD = 'twin passphrase that nobody guesses';
const WEAK = 'Password is too easy to guess (this is a commonly used password): add another word or two, or make it longer.';

const UNSTORABLE = 'contains characters that cannot be stored (NUL or an unpaired surrogate)';

interface Twin {
  mistake: string;
  rest: { method: string; path: string; body?: unknown; status: number; code: string; message: string };
  graphql: { query: string; variables: Record<string, unknown>; code: string; message: string };
}

const TWINS: Twin[] = [
  {
    mistake: 'reading a task by a malformed id',
    rest: { method: 'GET', path: '/api/tasks/not-a-uuid', status: 400, code: 'VALIDATION_FAILED', message: 'id: must be a UUID' },
    graphql: { query: TASK, variables: { id: 'not-a-uuid' }, code: 'BAD_USER_INPUT', message: 'id: must be a UUID' },
  },
  {
    mistake: 'updating a task by a malformed id',
    rest: { method: 'PATCH', path: '/api/tasks/not-a-uuid', body: { title: 'x' }, status: 400, code: 'VALIDATION_FAILED', message: 'id: must be a UUID' },
    graphql: { query: UPDATE, variables: { id: 'not-a-uuid', input: { title: 'x' } }, code: 'BAD_USER_INPUT', message: 'id: must be a UUID' },
  },
  {
    mistake: 'toggling a task by a malformed id',
    rest: { method: 'PATCH', path: '/api/tasks/not-a-uuid/complete', status: 400, code: 'VALIDATION_FAILED', message: 'id: must be a UUID' },
    graphql: { query: TOGGLE, variables: { id: 'not-a-uuid' }, code: 'BAD_USER_INPUT', message: 'id: must be a UUID' },
  },
  {
    mistake: 'deleting a task by a malformed id',
    rest: { method: 'DELETE', path: '/api/tasks/not-a-uuid', status: 400, code: 'VALIDATION_FAILED', message: 'id: must be a UUID' },
    graphql: { query: DELETE, variables: { id: 'not-a-uuid' }, code: 'BAD_USER_INPUT', message: 'id: must be a UUID' },
  },
  {
    mistake: 'updating a task that does not exist',
    rest: { method: 'PATCH', path: `/api/tasks/${RANDOM_UUID}`, body: { title: 'x' }, status: 404, code: 'NOT_FOUND', message: 'Task not found.' },
    graphql: { query: UPDATE, variables: { id: RANDOM_UUID, input: { title: 'x' } }, code: 'NOT_FOUND', message: 'Task not found.' },
  },
  {
    mistake: 'a NUL character in the title',
    rest: { method: 'POST', path: '/api/tasks', body: { title: 'a\u0000b' }, status: 400, code: 'VALIDATION_FAILED', message: `title: ${UNSTORABLE}` },
    graphql: { query: CREATE, variables: { input: { title: 'a\u0000b' } }, code: 'BAD_USER_INPUT', message: `title: ${UNSTORABLE}` },
  },
  {
    mistake: 'a lone surrogate in the description',
    rest: { method: 'POST', path: '/api/tasks', body: { title: 'ok', description: 'x\uD800y' }, status: 400, code: 'VALIDATION_FAILED', message: `description: ${UNSTORABLE}` },
    graphql: { query: CREATE, variables: { input: { title: 'ok', description: 'x\uD800y' } }, code: 'BAD_USER_INPUT', message: `description: ${UNSTORABLE}` },
  },
  {
    mistake: 'a null title',
    rest: { method: 'PATCH', path: `/api/tasks/${RANDOM_UUID}`, body: { title: null }, status: 400, code: 'VALIDATION_FAILED', message: 'title: must be a string' },
    graphql: { query: UPDATE, variables: { id: RANDOM_UUID, input: { title: null } }, code: 'BAD_USER_INPUT', message: 'title: must be a string' },
  },
  {
    mistake: 'a blank title',
    rest: { method: 'POST', path: '/api/tasks', body: { title: '   ' }, status: 400, code: 'VALIDATION_FAILED', message: 'title: must not be empty' },
    graphql: { query: CREATE, variables: { input: { title: '   ' } }, code: 'BAD_USER_INPUT', message: 'title: must not be empty' },
  },
  {
    mistake: 'a title over 200 characters',
    rest: { method: 'POST', path: '/api/tasks', body: { title: 'x'.repeat(201) }, status: 400, code: 'VALIDATION_FAILED', message: 'title: must be at most 200 characters' },
    graphql: { query: CREATE, variables: { input: { title: 'x'.repeat(201) } }, code: 'BAD_USER_INPUT', message: 'title: must be at most 200 characters' },
  },
  {
    mistake: 'a page size of 0',
    rest: { method: 'GET', path: '/api/tasks?limit=0', status: 400, code: 'VALIDATION_FAILED', message: 'limit: must be an integer from 1 to 100' },
    graphql: { query: TASKS, variables: { first: 0 }, code: 'BAD_USER_INPUT', message: 'first: must be an integer from 1 to 100' },
  },
  {
    mistake: 'a page size over 100',
    rest: { method: 'GET', path: '/api/tasks?limit=101', status: 400, code: 'VALIDATION_FAILED', message: 'limit: must be an integer from 1 to 100' },
    graphql: { query: TASKS, variables: { first: 101 }, code: 'BAD_USER_INPUT', message: 'first: must be an integer from 1 to 100' },
  },
  {
    mistake: 'a cursor the server never issued',
    rest: { method: 'GET', path: '/api/tasks?cursor=bm90LWEtY3Vyc29y', status: 400, code: 'VALIDATION_FAILED', message: 'cursor: is not a valid cursor' },
    graphql: { query: TASKS, variables: { after: 'bm90LWEtY3Vyc29y' }, code: 'BAD_USER_INPUT', message: 'after: is not a valid cursor' },
  },
  {
    mistake: 'changing the password with a wrong current password',
    rest: { method: 'POST', path: '/api/auth/password', body: { currentPassword: 'not the password', newPassword: 'a brand new passphrase for this' }, status: 401, code: 'INVALID_CREDENTIALS', message: 'Current password is incorrect.' },
    graphql: { query: CHANGE_PASSWORD, variables: { c: 'not the password', n: 'a brand new passphrase for this' }, code: 'INVALID_CREDENTIALS', message: 'Current password is incorrect.' },
  },
  {
    mistake: 'changing to a weak new password',
    rest: { method: 'POST', path: '/api/auth/password', body: { currentPassword: PASSWORD, newPassword: 'password1' }, status: 400, code: 'WEAK_PASSWORD', message: WEAK },
    graphql: { query: CHANGE_PASSWORD, variables: { c: PASSWORD, n: 'password1' }, code: 'WEAK_PASSWORD', message: WEAK },
  },
  {
    mistake: 'a blank display name',
    rest: { method: 'PATCH', path: '/api/auth/me', body: { name: '   ' }, status: 400, code: 'VALIDATION_FAILED', message: 'name: must not be blank' },
    graphql: { query: UPDATE_PROFILE, variables: { name: '   ' }, code: 'BAD_USER_INPUT', message: 'name: must not be blank' },
  },
  {
    mistake: 'ending a session that does not exist',
    rest: { method: 'DELETE', path: '/api/auth/sessions/no-such-session', status: 404, code: 'NOT_FOUND', message: 'Session not found.' },
    graphql: { query: REVOKE_SESSION, variables: { id: 'no-such-session' }, code: 'NOT_FOUND', message: 'Session not found.' },
  },
  {
    mistake: 'ending a session by a malformed (300-character) id',
    rest: { method: 'DELETE', path: `/api/auth/sessions/${'s'.repeat(300)}`, status: 404, code: 'NOT_FOUND', message: 'Session not found.' },
    graphql: { query: REVOKE_SESSION, variables: { id: 's'.repeat(300) }, code: 'NOT_FOUND', message: 'Session not found.' },
  },
  {
    mistake: 'changing the e-mail address to something that is not one',
    rest: { method: 'POST', path: '/api/auth/email', body: { newEmail: 'not-an-email', password: PASSWORD }, status: 400, code: 'VALIDATION_FAILED', message: 'newEmail: must be a valid email address' },
    graphql: { query: CHANGE_EMAIL, variables: { input: { newEmail: 'not-an-email', password: PASSWORD } }, code: 'BAD_USER_INPUT', message: 'newEmail: must be a valid email address' },
  },
  {
    mistake: 'changing the e-mail address with a wrong password',
    rest: { method: 'POST', path: '/api/auth/email', body: { newEmail: 'somewhere-new@example.com', password: 'not the password' }, status: 401, code: 'INVALID_CREDENTIALS', message: 'Password is incorrect.' },
    graphql: { query: CHANGE_EMAIL, variables: { input: { newEmail: 'somewhere-new@example.com', password: 'not the password' } }, code: 'INVALID_CREDENTIALS', message: 'Password is incorrect.' },
  },
];

describe.each(DATABASES)('REST and GraphQL answer the same mistake the same way on %s', (kind) => {
  let api: TestApi;
  let user: TestUser;

  beforeAll(async () => {
    api = await startApi(kind);
    const email = `twin-${randomBytes(5).toString('hex')}@example.com`;
    const res = await api.request('POST', '/api/auth/register', { body: { email, password: PASSWORD, name: 'Twin' } });
    expect(res.status, res.text).toBe(201);
    user = { id: res.body.user.id, email, password: PASSWORD, name: 'Twin', accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
  });

  afterAll(async () => {
    await api?.close();
  });

  async function taskCount(): Promise<number> {
    const res = await api.request('GET', '/api/tasks?limit=100', { token: user.accessToken });
    expect(res.status, res.text).toBe(200);
    return res.body.tasks.length;
  }

  it.each(TWINS.map((twin) => [twin.mistake, twin] as const))('%s', async (_mistake, { rest, graphql }) => {
    const before = await taskCount();

    const r: HttpResult = await api.request(rest.method, rest.path, { token: user.accessToken, body: rest.body });
    expect(r.status, r.text).toBe(rest.status);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body.error).toMatchObject({ code: rest.code, message: rest.message });

    const g: HttpResult = await api.gql(graphql.query, graphql.variables, user.accessToken);
    expect(g.status, g.text).toBe(200);
    expect(g.headers.get('cache-control')).toBe('no-store');
    expect(g.body.errors, g.text).toHaveLength(1);
    expect(g.body.errors[0]).toMatchObject({ message: graphql.message, extensions: { code: graphql.code } });

    // A validation error names the same problems in both (with each transport's field names).
    if (rest.code === 'VALIDATION_FAILED') {
      const field = (f: string) => ({ limit: 'first', cursor: 'after' })[f] ?? f;
      const restDetails = r.body.error.details.map((d: { field: string; message: string }) => ({ ...d, field: field(d.field) }));
      expect(g.body.errors[0].extensions.details).toEqual(restDetails);
    }
    // Neither created anything.
    expect(await taskCount()).toBe(before);
  });

  it("another user's session id: NOT_FOUND on both, exactly like an unknown id; that session lives on", async () => {
    const other = await api.registerUser('Other Twin');
    const sessions = await api.request('GET', '/api/auth/sessions', { token: other.accessToken });
    const foreign = sessions.body.sessions[0].id as string;
    const r = await api.request('DELETE', `/api/auth/sessions/${foreign}`, { token: user.accessToken });
    const unknown = await api.request('DELETE', '/api/auth/sessions/no-such-session', { token: user.accessToken });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'NOT_FOUND', message: 'Session not found.' });
    expect(r.body.error.message).toBe(unknown.body.error.message);
    const g = await api.gql(REVOKE_SESSION, { id: foreign }, user.accessToken);
    expect(g.body.errors[0]).toMatchObject({ message: 'Session not found.', extensions: { code: 'NOT_FOUND' } });
    expect((await api.request('GET', '/api/auth/me', { token: other.accessToken })).status).toBe(200);
  });

  it('a page is 20 tasks when the client does not say (both transports)', async () => {
    const other = await api.registerUser('Pager');
    for (let i = 0; i < 21; i++) {
      const res = await api.request('POST', '/api/tasks', { token: other.accessToken, body: { title: `task ${i}` } });
      expect(res.status, res.text).toBe(201);
    }
    const rest = await api.request('GET', '/api/tasks', { token: other.accessToken });
    expect(rest.status, rest.text).toBe(200);
    expect(rest.body.tasks).toHaveLength(20);
    expect(rest.body.nextCursor).toEqual(expect.any(String));

    const gql = await api.gql(TASKS, {}, other.accessToken);
    expect(gql.body.errors, gql.text).toBeUndefined();
    expect(gql.body.data.tasks.nodes).toHaveLength(20);
    expect(gql.body.data.tasks.pageInfo).toEqual({ hasNextPage: true, endCursor: rest.body.nextCursor });
  });
});
