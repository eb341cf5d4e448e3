// REST /api/tasks through real HTTP into a real database: CRUD, validation, listing, keyset
// pagination and conditional writes (ETag / If-Match).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, RANDOM_UUID, asUser, startApi, type HttpResult, type TestApi, type TestUser, ISO, UUID, type Task } from './support/harness.js';
import { detailFields, expectError } from './support/expect.js';
import { rawRequest } from './security/helpers.js';

function expectTask(res: HttpResult, status: number, expected: Partial<Task>): Task {
  expect(res.status, res.text).toBe(status);
  const task = res.body as Task;
  expect(Object.keys(task).sort()).toEqual(['completed', 'createdAt', 'description', 'id', 'title', 'updatedAt', 'version']);
  expect(task.id).toMatch(UUID);
  expect(task.createdAt).toMatch(ISO);
  expect(task.updatedAt).toMatch(ISO);
  expect(Date.parse(task.updatedAt)).toBeGreaterThanOrEqual(Date.parse(task.createdAt));
  expect(task).toMatchObject(expected);
  expect(res.headers.get('etag')).toBe(`"v${task.version}"`);
  return task;
}

describe.each(DATABASES)('REST /api/tasks on %s', (kind) => {
  let api: TestApi;
  let alice: TestUser;
  let lister: TestUser;

  const as = (user: TestUser) => asUser(api, user);

  beforeAll(async () => {
    // A large task-API budget: this file makes a few hundred requests from one IP within a minute.
    api = await startApi(kind, { RATE_LIMIT_API: '100000/60' });
    alice = await api.registerUser('Alice');
    lister = await api.registerUser('Lister');
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('create', () => {
    it('201 with the trimmed title, no description, not completed, ISO dates and ETag "v1"', async () => {
      const before = Date.now();
      const res = await as(alice).post('/api/tasks', { title: '  Buy milk \t\n' });
      const task = expectTask(res, 201, { title: 'Buy milk', description: null, completed: false, version: 1 });
      expect(res.headers.get('etag')).toBe('"v1"');
      expect(task.createdAt).toBe(task.updatedAt);
      expect(Date.parse(task.createdAt)).toBeGreaterThanOrEqual(before - 5_000);
      expect(Date.parse(task.createdAt)).toBeLessThanOrEqual(Date.now() + 5_000);
      // it is really stored
      const got = await as(alice).get(`/api/tasks/${task.id}`);
      expect(got.body).toEqual(task);
      expect(got.headers.get('etag')).toBe('"v1"');
    });

    it('201 carries Location: the new task\'s URL, in the path form it was created with; following it returns the task', async () => {
      const res = await as(alice).post('/api/tasks', { title: 'Located' });
      const task = expectTask(res, 201, { title: 'Located' });
      expect(res.headers.get('location')).toBe(`/api/tasks/${task.id}`);
      expect((await as(alice).get(res.headers.get('location')!)).body).toEqual(task);
      const alias = await as(alice).post(`/api/${alice.id}/tasks`, { title: 'Located by path' });
      const aliased = expectTask(alias, 201, { title: 'Located by path' });
      expect(alias.headers.get('location')).toBe(`/api/${alice.id}/tasks/${aliased.id}`);
      expect((await as(alice).get(alias.headers.get('location')!)).body).toEqual(aliased);
      // refusals create nothing and point nowhere
      expect((await as(alice).post('/api/tasks', { title: '' })).headers.get('location')).toBeNull();
    });

    it('keeps a description, and accepts exactly 200 title and 2000 description characters', async () => {
      const withDescription = await as(alice).post('/api/tasks', { title: 'Read', description: '  chapter 3  ' });
      expectTask(withDescription, 201, { title: 'Read', description: '  chapter 3  ' });
      const explicitNull = await as(alice).post('/api/tasks', { title: 'No notes', description: null });
      expectTask(explicitNull, 201, { description: null });
      const max = await as(alice).post('/api/tasks', { title: ` ${'t'.repeat(200)} `, description: 'd'.repeat(2000) });
      expectTask(max, 201, { title: 't'.repeat(200), description: 'd'.repeat(2000) });
      const unicode = await as(alice).post('/api/tasks', { title: 'Café ☕ 日本 😀' });
      expectTask(unicode, 201, { title: 'Café ☕ 日本 😀' });
    });

    it.each([
      ['an empty title', { title: '' }, ['title']],
      ['a whitespace-only title', { title: ' \t\n ' }, ['title']],
      ['a 201-character title after trimming', { title: `  ${'x'.repeat(201)}  ` }, ['title']],
      ['a missing title', { description: 'no title' }, ['title']],
      ['a numeric title', { title: 42 }, ['title']],
      ['a null title', { title: null }, ['title']],
      ['a 2001-character description', { title: 'ok', description: 'd'.repeat(2001) }, ['description']],
      ['a numeric description', { title: 'ok', description: 7 }, ['description']],
      ['an unknown field', { title: 'ok', owner: 'someone-else' }, ['owner']],
      ['completed on create (not an allowed field)', { title: 'ok', completed: 'yes' }, ['completed']],
      ['a NUL byte in the title', { title: 'a\u0000b' }, ['title']],
      ['a NUL byte in the description', { title: 'ok', description: 'a\u0000b' }, ['description']],
    ])('400 VALIDATION_FAILED on the field for %s', async (_label, body, fields) => {
      const res = await as(alice).post('/api/tasks', body);
      expect(detailFields(res)).toEqual(fields);
      expect(res.headers.get('etag')).toBeNull();
    });

    it('a lone surrogate in the title (raw JSON escape) is 400 on title, not 500', async () => {
      for (const escaped of ['\\ud800', '\\udc00', 'x\\ud800y']) {
        const res = await as(alice).raw('POST', '/api/tasks', `{"title":"${escaped}"}`, 'application/json');
        expect(detailFields(res)).toEqual(['title']);
      }
    });

    it('a body that is not JSON is 400 VALIDATION_FAILED', async () => {
      for (const raw of ['{"title":', 'title=x', '{title: "x"}']) {
        expectError(await as(alice).raw('POST', '/api/tasks', raw, 'application/json'), 400, 'VALIDATION_FAILED');
      }
      expectError(await as(alice).raw('POST', '/api/tasks', '', 'application/json'), 400, 'VALIDATION_FAILED');
      for (const raw of ['null', '[]', '"a title"', '3']) {
        expectError(await as(alice).raw('POST', '/api/tasks', raw, 'application/json'), 400, 'VALIDATION_FAILED');
      }
    });

    it('a body over 64 KiB is 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await as(alice).post('/api/tasks', { title: 'big', description: 'd'.repeat(70 * 1024) });
      expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('Content-Type text/plain is 415 UNSUPPORTED_MEDIA_TYPE, and nothing is created', async () => {
      const before = await as(alice).get('/api/tasks?limit=100');
      const res = await as(alice).raw('POST', '/api/tasks', JSON.stringify({ title: 'plain text' }), 'text/plain');
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      const form = await as(alice).raw('POST', '/api/tasks', 'title=form', 'application/x-www-form-urlencoded');
      expectError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
      const after = await as(alice).get('/api/tasks?limit=100');
      expect(after.body.tasks).toEqual(before.body.tasks);
    });
  });

  describe('get one', () => {
    it('400 on id for a malformed UUID', async () => {
      for (const bad of ['not-a-uuid', '123', `${RANDOM_UUID}x`, "1' or '1'='1"]) {
        const res = await as(alice).get(`/api/tasks/${encodeURIComponent(bad)}`);
        expect(detailFields(res)).toEqual(['id']);
      }
    });

    it('404 NOT_FOUND for a well-formed id that is no task', async () => {
      const res = await as(alice).get(`/api/tasks/${RANDOM_UUID}`);
      expectError(res, 404, 'NOT_FOUND');
      expect(res.body.error.details).toBeUndefined();
    });

    it('401 without a token', async () => {
      const res = await api.request('GET', `/api/tasks/${RANDOM_UUID}`);
      expectError(res, 401, 'UNAUTHENTICATED');
    });
  });

  describe('update', () => {
    let task: Task;
    beforeAll(async () => {
      task = expectTask(await as(alice).post('/api/tasks', { title: 'Original', description: 'original notes' }), 201, {});
    });

    it('PUT replaces every field and bumps the version', async () => {
      await new Promise((r) => setTimeout(r, 5));
      const res = await as(alice).put(`/api/tasks/${task.id}`, { title: '  Replaced  ', description: null, completed: true });
      const updated = expectTask(res, 200, { id: task.id, title: 'Replaced', description: null, completed: true, version: 2 });
      expect(updated.createdAt).toBe(task.createdAt);
      expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(task.updatedAt));
      expect((await as(alice).get(`/api/tasks/${task.id}`)).body).toEqual(updated);
      task = updated;
    });

    it.each([
      ['a missing completed', { title: 'x', description: null }, ['completed']],
      ['a missing description', { title: 'x', completed: false }, ['description']],
      ['a missing title', { description: 'x', completed: false }, ['title']],
      ['completed:"yes"', { title: 'x', description: null, completed: 'yes' }, ['completed']],
      ['an empty title', { title: '  ', description: null, completed: false }, ['title']],
      ['an unknown field', { title: 'x', description: null, completed: false, version: 99 }, ['version']],
    ])('PUT with %s is 400 and changes nothing', async (_label, body, fields) => {
      const res = await as(alice).put(`/api/tasks/${task.id}`, body);
      expect(detailFields(res)).toEqual(fields);
      expect((await as(alice).get(`/api/tasks/${task.id}`)).body).toEqual(task);
    });

    it('PATCH changes only the fields sent', async () => {
      const title = await as(alice).patch(`/api/tasks/${task.id}`, { title: ' Patched ' });
      task = expectTask(title, 200, { title: 'Patched', description: null, completed: true, version: 3 });
      const description = await as(alice).patch(`/api/tasks/${task.id}`, { description: 'new notes' });
      task = expectTask(description, 200, { title: 'Patched', description: 'new notes', completed: true, version: 4 });
      const completed = await as(alice).patch(`/api/tasks/${task.id}`, { completed: false });
      task = expectTask(completed, 200, { title: 'Patched', description: 'new notes', completed: false, version: 5 });
      const cleared = await as(alice).patch(`/api/tasks/${task.id}`, { description: null });
      task = expectTask(cleared, 200, { title: 'Patched', description: null, completed: false, version: 6 });
      expect((await as(alice).get(`/api/tasks/${task.id}`)).body).toEqual(task);
    });

    it.each([
      ['completed:"yes"', { completed: 'yes' }, ['completed']],
      ['completed:null', { completed: null }, ['completed']],
      ['title:null', { title: null }, ['title']],
      ['an empty title', { title: '' }, ['title']],
      ['a 201-character title', { title: 'y'.repeat(201) }, ['title']],
      ['a 2001-character description', { description: 'd'.repeat(2001) }, ['description']],
      ['a NUL in the title', { title: 'bad\u0000' }, ['title']],
      ['an unknown field', { id: RANDOM_UUID }, ['id']],
    ])('PATCH with %s is 400 and changes nothing', async (_label, body, fields) => {
      const res = await as(alice).patch(`/api/tasks/${task.id}`, body);
      expect(detailFields(res)).toEqual(fields);
      expect((await as(alice).get(`/api/tasks/${task.id}`)).body).toEqual(task);
    });

    it('PUT, PATCH, complete and DELETE on an unknown id are 404, on a malformed id 400', async () => {
      const full = { title: 'x', description: null, completed: false };
      expectError(await as(alice).put(`/api/tasks/${RANDOM_UUID}`, full), 404, 'NOT_FOUND');
      expectError(await as(alice).patch(`/api/tasks/${RANDOM_UUID}`, { title: 'x' }), 404, 'NOT_FOUND');
      expectError(await as(alice).patch(`/api/tasks/${RANDOM_UUID}/complete`), 404, 'NOT_FOUND');
      expectError(await as(alice).del(`/api/tasks/${RANDOM_UUID}`), 404, 'NOT_FOUND');
      expect(detailFields(await as(alice).put('/api/tasks/nope', full))).toEqual(['id']);
      expect(detailFields(await as(alice).patch('/api/tasks/nope', { title: 'x' }))).toEqual(['id']);
      expect(detailFields(await as(alice).patch('/api/tasks/nope/complete'))).toEqual(['id']);
      expect(detailFields(await as(alice).del('/api/tasks/nope'))).toEqual(['id']);
    });

    it('PATCH /complete toggles completed back and forth', async () => {
      const start = (await as(alice).get(`/api/tasks/${task.id}`)).body as Task;
      const once = expectTask(await as(alice).patch(`/api/tasks/${task.id}/complete`), 200, {
        completed: !start.completed,
        title: start.title,
        description: start.description,
        version: start.version + 1,
      });
      const twice = expectTask(await as(alice).patch(`/api/tasks/${task.id}/complete`), 200, {
        completed: start.completed,
        version: start.version + 2,
      });
      expect(once.completed).not.toBe(twice.completed);
      expect((await as(alice).get(`/api/tasks/${task.id}`)).body).toEqual(twice);
      task = twice;
    });

    it('DELETE is 204 with no body, then the task is 404 everywhere', async () => {
      const doomed = expectTask(await as(alice).post('/api/tasks', { title: 'Doomed' }), 201, {});
      const res = await as(alice).del(`/api/tasks/${doomed.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectError(await as(alice).get(`/api/tasks/${doomed.id}`), 404, 'NOT_FOUND');
      expectError(await as(alice).del(`/api/tasks/${doomed.id}`), 404, 'NOT_FOUND');
      expectError(await as(alice).patch(`/api/tasks/${doomed.id}`, { title: 'back' }), 404, 'NOT_FOUND');
      const list = await as(alice).get('/api/tasks?limit=100');
      expect(list.body.tasks.map((t: Task) => t.id)).not.toContain(doomed.id);
    });
  });

  describe('routes without a body accept Content-Type: application/json with an empty one', () => {
    const json = { 'content-type': 'application/json' };

    it('DELETE and PATCH …/complete with Content-Length: 0, or with no length at all, answer as without the header', async () => {
      const a = expectTask(await as(alice).post('/api/tasks', { title: 'Empty bodies' }), 201, { completed: false });
      // fetch: an empty string body is sent with Content-Length: 0
      const toggled = await api.request('PATCH', `/api/tasks/${a.id}/complete`, { token: alice.accessToken, rawBody: '', headers: json });
      expectTask(toggled, 200, { completed: true, version: 2 });
      // node:http without a body: neither Content-Length nor Transfer-Encoding
      const again = await rawRequest(api.url, { method: 'PATCH', path: `/api/${alice.id}/tasks/${a.id}/complete`, token: alice.accessToken, headers: json });
      expectTask(again, 200, { completed: false, version: 3 });
      const deleted = await api.request('DELETE', `/api/tasks/${a.id}`, { token: alice.accessToken, rawBody: '', headers: json });
      expect([deleted.status, deleted.text]).toEqual([204, '']);
      const b = expectTask(await as(alice).post('/api/tasks', { title: 'Empty bodies 2' }), 201, {});
      const rawDelete = await rawRequest(api.url, { method: 'DELETE', path: `/api/${alice.id}/tasks/${b.id}`, token: alice.accessToken, headers: json });
      expect([rawDelete.status, rawDelete.text]).toEqual([204, '']);
      expectError(await as(alice).get(`/api/tasks/${b.id}`), 404, 'NOT_FOUND');
      // an empty body on a missing task is the usual 404
      expectError(await api.request('DELETE', `/api/tasks/${RANDOM_UUID}`, { token: alice.accessToken, rawBody: '', headers: json }), 404, 'NOT_FOUND');
    });

    it('a body that is sent is still parsed there, and routes that need a body still refuse an empty one', async () => {
      const a = expectTask(await as(alice).post('/api/tasks', { title: 'Bodies' }), 201, {});
      expectTask(await api.request('PATCH', `/api/tasks/${a.id}/complete`, { token: alice.accessToken, rawBody: '{}', headers: json }), 200, { completed: true });
      expectError(await api.request('PATCH', `/api/tasks/${a.id}/complete`, { token: alice.accessToken, rawBody: '{"x":', headers: json }), 400, 'VALIDATION_FAILED');
      expectError(await api.request('DELETE', `/api/tasks/${a.id}`, { token: alice.accessToken, rawBody: 'not json', headers: json }), 400, 'VALIDATION_FAILED');
      for (const [method, path] of [['POST', '/api/tasks'], ['PATCH', `/api/tasks/${a.id}`], ['PUT', `/api/tasks/${a.id}`]] as const) {
        const res = await api.request(method, path, { token: alice.accessToken, rawBody: '', headers: json });
        expect({ method, status: res.status, body: res.body }).toEqual({
          method,
          status: 400,
          body: { error: { code: 'VALIDATION_FAILED', message: 'Body must not be empty when Content-Type is application/json.', requestId: expect.any(String) } },
        });
      }
      expect((await as(alice).get(`/api/tasks/${a.id}`)).body).toMatchObject({ title: 'Bodies', completed: true, version: 2 });
    });
  });

  describe('conditional writes (If-Match)', () => {
    it('a stale "v1" after an update is 412 PRECONDITION_FAILED and the task is unchanged', async () => {
      const created = expectTask(await as(alice).post('/api/tasks', { title: 'Versioned' }), 201, { version: 1 });
      const v2 = expectTask(await as(alice).patch(`/api/tasks/${created.id}`, { title: 'Second' }, { 'if-match': '"v1"' }), 200, {
        title: 'Second',
        version: 2,
      });
      expect(v2.version).toBe(2);

      const stalePatch = await as(alice).patch(`/api/tasks/${created.id}`, { title: 'Lost update' }, { 'if-match': '"v1"' });
      expectError(stalePatch, 412, 'PRECONDITION_FAILED');
      const stalePut = await as(alice).put(
        `/api/tasks/${created.id}`,
        { title: 'Lost update', description: 'x', completed: true },
        { 'if-match': '"v1"' },
      );
      expectError(stalePut, 412, 'PRECONDITION_FAILED');
      const now = await as(alice).get(`/api/tasks/${created.id}`);
      expect(now.body).toEqual(v2);
      expect(now.headers.get('etag')).toBe('"v2"');

      const matching = await as(alice).put(
        `/api/tasks/${created.id}`,
        { title: 'Third', description: 'x', completed: true },
        { 'if-match': now.headers.get('etag')! },
      );
      expectTask(matching, 200, { title: 'Third', description: 'x', completed: true, version: 3 });
      expect(matching.headers.get('etag')).toBe('"v3"');
    });

    it('an If-Match naming no version is 412; If-Match on an unknown task is 404', async () => {
      const created = expectTask(await as(alice).post('/api/tasks', { title: 'Odd etag' }), 201, {});
      expectError(await as(alice).patch(`/api/tasks/${created.id}`, { title: 'x' }, { 'if-match': '"abc"' }), 412, 'PRECONDITION_FAILED');
      expect((await as(alice).get(`/api/tasks/${created.id}`)).body).toEqual(created);
      expectError(await as(alice).patch(`/api/tasks/${RANDOM_UUID}`, { title: 'x' }, { 'if-match': '"v1"' }), 404, 'NOT_FOUND');
    });

    it('only the quoted ETag matches: a weak W/"v1" is 412 (strong comparison), an unquoted or listed value 400 on if-match', async () => {
      const created = expectTask(await as(alice).post('/api/tasks', { title: 'Strict etag' }), 201, { version: 1 });
      const weak = await as(alice).patch(`/api/tasks/${created.id}`, { title: 'x' }, { 'if-match': 'W/"v1"' });
      expect([weak.status, weak.body]).toEqual([412, { error: { code: 'PRECONDITION_FAILED', message: 'If-Match does not name a version of this task.', requestId: expect.any(String) } }]);
      for (const header of ['v1', '1', '"v1', 'v1"', '"v1", "v2"', "'v1'"]) {
        for (const res of [
          await as(alice).patch(`/api/tasks/${created.id}`, { title: 'x' }, { 'if-match': header }),
          await as(alice).put(`/api/tasks/${created.id}`, { title: 'x', description: null, completed: false }, { 'if-match': header }),
        ]) {
          expect({ header, status: res.status, body: res.body }).toEqual({
            header,
            status: 400,
            body: {
              error: {
                code: 'VALIDATION_FAILED',
                message: 'if-match: must be the ETag as sent, e.g. "v3" (quotes included), or *',
                details: [{ field: 'if-match', message: 'must be the ETag as sent, e.g. "v3" (quotes included), or *' }],
                requestId: expect.any(String),
              },
            },
          });
        }
      }
      expect((await as(alice).get(`/api/tasks/${created.id}`)).body).toEqual(created);
      // the quoted form, and `*` (any current version) for an existing task
      expectTask(await as(alice).patch(`/api/tasks/${created.id}`, { title: 'quoted' }, { 'if-match': ' "v1" ' }), 200, { title: 'quoted', version: 2 });
      expectTask(await as(alice).patch(`/api/tasks/${created.id}`, { title: 'star' }, { 'if-match': '*' }), 200, { title: 'star', version: 3 });
      expectError(await as(alice).patch(`/api/tasks/${RANDOM_UUID}`, { title: 'x' }, { 'if-match': '*' }), 404, 'NOT_FOUND');
    });

    it('50 concurrent PATCHes with the same If-Match: exactly one wins, the rest 412, no lost update', async () => {
      const created = expectTask(await as(alice).post('/api/tasks', { title: 'Contended' }), 201, { version: 1 });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => as(alice).patch(`/api/tasks/${created.id}`, { title: `writer ${i}` }, { 'if-match': '"v1"' })),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 412)).toHaveLength(49);
      for (const r of results.filter((x) => x.status === 412)) expect(r.body.error.code).toBe('PRECONDITION_FAILED');
      const winner = results.find((r) => r.status === 200)!.body as Task;
      expect(winner.version).toBe(2);
      const final = await as(alice).get(`/api/tasks/${created.id}`);
      expect(final.body).toEqual(winner);
      expect(final.body.version).toBe(2);
    });
  });

  describe('list', () => {
    const created: Task[] = [];

    beforeAll(async () => {
      for (let i = 0; i < 25; i++) {
        created.push(expectTask(await as(lister).post('/api/tasks', { title: `Task ${String(i).padStart(2, '0')}` }), 201, {}));
      }
      // every fifth completed: 5 completed, 20 pending
      for (const t of created.filter((_, i) => i % 5 === 0)) {
        expect((await as(lister).patch(`/api/tasks/${t.id}/complete`)).status).toBe(200);
      }
    });

    const newestFirst = () => [...created].reverse().map((t) => t.id);
    const completedIds = () => newestFirst().filter((id) => created.findIndex((t) => t.id === id) % 5 === 0);
    const pendingIds = () => newestFirst().filter((id) => created.findIndex((t) => t.id === id) % 5 !== 0);

    it('lists only the caller\'s tasks, newest first, 20 by default', async () => {
      const res = await as(lister).get('/api/tasks');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['nextCursor', 'tasks']);
      expect(res.body.tasks.map((t: Task) => t.id)).toEqual(newestFirst().slice(0, 20));
      expect(typeof res.body.nextCursor).toBe('string');
      const full = await as(lister).get('/api/tasks?limit=100');
      expect(full.body.tasks.map((t: Task) => t.id)).toEqual(newestFirst());
      expect(full.body.nextCursor).toBeNull();
      for (const t of full.body.tasks) expect(Object.keys(t).sort()).toEqual(['completed', 'createdAt', 'description', 'id', 'title', 'updatedAt', 'version']);
      // Alice's tasks are not in it, and Lister's are not in hers
      const mine = await as(alice).get('/api/tasks?limit=100');
      const hers = new Set(mine.body.tasks.map((t: Task) => t.id));
      expect(full.body.tasks.some((t: Task) => hers.has(t.id))).toBe(false);
    });

    it('filters by status', async () => {
      const completed = await as(lister).get('/api/tasks?status=completed&limit=100');
      expect(completed.status).toBe(200);
      expect(completed.body.tasks.map((t: Task) => t.id)).toEqual(completedIds());
      expect(completed.body.tasks.every((t: Task) => t.completed)).toBe(true);
      const pending = await as(lister).get('/api/tasks?status=pending&limit=100');
      expect(pending.body.tasks.map((t: Task) => t.id)).toEqual(pendingIds());
      expect(pending.body.tasks.every((t: Task) => !t.completed)).toBe(true);
      const all = await as(lister).get('/api/tasks?status=all&limit=100');
      expect(all.body.tasks).toHaveLength(25);
      for (const status of ['done', 'COMPLETED']) {
        const res = await as(lister).get(`/api/tasks?status=${status}`);
        expect([res.status, res.body]).toEqual([
          400,
          { error: { code: 'VALIDATION_FAILED', message: 'status: must be one of: all, pending, completed', details: [{ field: 'status', message: 'must be one of: all, pending, completed' }], requestId: expect.any(String) } },
        ]);
      }
    });

    it.each(['0', '101', 'abc', '-1', '1.5', ''])('limit=%j is 400 on limit', async (limit) => {
      const res = await as(lister).get(`/api/tasks?limit=${limit}`);
      expect(detailFields(res)).toEqual(['limit']);
    });

    it('limit=1 and limit=100 are accepted', async () => {
      const one = await as(lister).get('/api/tasks?limit=1');
      expect(one.body.tasks.map((t: Task) => t.id)).toEqual(newestFirst().slice(0, 1));
      expect(typeof one.body.nextCursor).toBe('string');
      const hundred = await as(lister).get('/api/tasks?limit=100');
      expect(hundred.body.tasks).toHaveLength(25);
    });

    it('keyset pagination: 25 tasks by 10 → 3 pages, no duplicates, no gaps, nextCursor null at the end', async () => {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/api/tasks?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res: HttpResult = await as(lister).get(query);
        expect(res.status, res.text).toBe(200);
        pages.push(res.body.tasks.map((t: Task) => t.id));
        cursor = res.body.nextCursor;
        expect(pages.length).toBeLessThanOrEqual(3);
      } while (cursor);
      expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
      expect(pages.flat()).toEqual(newestFirst());
      expect(new Set(pages.flat()).size).toBe(25);
    });

    it('pagination is stable when a task is created between pages, and with a status filter', async () => {
      const first = await as(lister).get('/api/tasks?status=pending&limit=8');
      expect(first.body.tasks.map((t: Task) => t.id)).toEqual(pendingIds().slice(0, 8));
      const intruder = expectTask(await as(lister).post('/api/tasks', { title: 'Late arrival' }), 201, {});
      try {
        const second = await as(lister).get(`/api/tasks?status=pending&limit=8&cursor=${first.body.nextCursor}`);
        expect(second.body.tasks.map((t: Task) => t.id)).toEqual(pendingIds().slice(8, 16));
        const third = await as(lister).get(`/api/tasks?status=pending&limit=8&cursor=${second.body.nextCursor}`);
        expect(third.body.tasks.map((t: Task) => t.id)).toEqual(pendingIds().slice(16));
        expect(third.body.nextCursor).toBeNull();
      } finally {
        expect((await as(lister).del(`/api/tasks/${intruder.id}`)).status).toBe(204);
      }
    });

    it('a malformed cursor is 400 on cursor', async () => {
      const valid = (await as(lister).get('/api/tasks?limit=1')).body.nextCursor as string;
      const bad = [
        'not a cursor!',
        '@@@',
        'abcd',
        Buffer.from('12345.not-a-uuid').toString('base64url'),
        Buffer.from(`abc.${RANDOM_UUID}`).toString('base64url'),
        Buffer.from(`1.${RANDOM_UUID}.x`).toString('base64url'),
        `${valid}%00`,
        'A'.repeat(129),
        '',
      ];
      for (const cursor of bad) {
        const res = await as(lister).get(`/api/tasks?cursor=${encodeURIComponent(cursor).replace('%2500', '%00')}`);
        expect(detailFields(res), cursor).toEqual(['cursor']);
      }
    });

    it('an unknown query parameter is 400', async () => {
      const res = await as(lister).get('/api/tasks?owner=someone');
      expect(detailFields(res)).toEqual(['owner']);
    });
  });
});
