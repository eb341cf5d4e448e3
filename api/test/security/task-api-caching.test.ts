// Every answer of the task API is one user's data: `Cache-Control: no-store` on each of them,
// success or failure, in both path forms, as GraphQL and the auth routes already send (OWASP
// ASVS 5.0 V14.3: sensitive data is not cached by browsers or intermediaries).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, RANDOM_UUID, startApi, type DbKind, type HttpResult, type TestApi, type TestUser } from '../support/harness.js';

describe.each(DATABASES)('task API responses are never cached (%s)', (kind: DbKind) => {
  let api: TestApi;
  let user: TestUser;

  beforeAll(async () => {
    api = await startApi(kind);
    user = await api.registerUser('Cache');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('Cache-Control: no-store on every task answer: list, get, create, replace, change, toggle, delete, and every refusal', async () => {
    const as = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      api.request(method, path, { token: user.accessToken, body, headers });
    const created = await as('POST', '/api/tasks', { title: 'Private' });
    const id = created.body.id as string;
    const responses: [string, HttpResult, number][] = [
      ['POST 201', created, 201],
      ['GET list 200', await as('GET', '/api/tasks'), 200],
      ['GET list by path 200', await as('GET', `/api/${user.id}/tasks`), 200],
      ['GET 200', await as('GET', `/api/tasks/${id}`), 200],
      ['GET by path 200', await as('GET', `/api/${user.id}/tasks/${id}`), 200],
      ['PUT 200', await as('PUT', `/api/tasks/${id}`, { title: 'Private', description: null, completed: false }), 200],
      ['PATCH 200', await as('PATCH', `/api/tasks/${id}`, { title: 'Still private' }), 200],
      ['PATCH complete 200', await as('PATCH', `/api/tasks/${id}/complete`), 200],
      ['PATCH 412', await as('PATCH', `/api/tasks/${id}`, { title: 'stale' }, { 'if-match': '"v1"' }), 412],
      ['GET 404', await as('GET', `/api/tasks/${RANDOM_UUID}`), 404],
      ['GET list 400', await as('GET', '/api/tasks?status=done'), 400],
      ['POST 400', await as('POST', '/api/tasks', { title: '' }), 400],
      ['GET 401', await api.request('GET', '/api/tasks'), 401],
      ['GET by foreign path 403', await as('GET', `/api/someone-else/tasks`), 403],
      ['POST 415', await api.request('POST', '/api/tasks', { token: user.accessToken, rawBody: 'title=x', headers: { 'content-type': 'text/plain' } }), 415],
      ['DELETE 204', await as('DELETE', `/api/tasks/${id}`), 204],
      ['GraphQL 200', await api.gql('{ tasks { totalCount } }', undefined, user.accessToken), 200],
    ];
    for (const [label, res, status] of responses) {
      expect({ label, status: res.status, cacheControl: res.headers.get('cache-control') }).toEqual({ label, status, cacheControl: 'no-store' });
    }
  });
});
