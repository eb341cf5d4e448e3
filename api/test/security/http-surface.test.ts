// The HTTP surface (OWASP API8, ASVS 3.4/4.x/12.x): security headers, CORS allowlist, CSRF
// refusal of cookie-bearing writes from foreign origins, TRACE, input PostgreSQL cannot store,
// content types, duplicate query parameters, mass assignment at sign-up, and better-auth routes
// the product does not use.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../support/expect.js';
import { DATABASES, startApi, type DbKind, type HttpResult, type TestApi, type TestUser } from '../support/harness.js';
import { OWN_ORIGIN, count, rawRequest, sessionCookie } from './helpers.js';

const APP_ORIGIN = 'https://app.example';
const EVIL = 'https://evil.example';
const CROSS_ORIGIN_REFUSED = { error: { code: 'FORBIDDEN', message: 'Cross-origin request refused.', requestId: expect.any(String) } };
const UNSTORABLE = 'contains characters that cannot be stored (NUL or an unpaired surrogate)';

function expectSecurityHeaders(res: HttpResult, label: string) {
  const h = (name: string) => res.headers.get(name);
  expect({ label, nosniff: h('x-content-type-options') }).toEqual({ label, nosniff: 'nosniff' });
  const csp = h('content-security-policy') ?? '';
  expect(csp, label).toContain("frame-ancestors 'none'");
  expect(csp, label).toContain("default-src 'none'");
  expect({ label, referrer: h('referrer-policy') }).toEqual({ label, referrer: 'no-referrer' });
  expect({ label, frame: h('x-frame-options') }).toEqual({ label, frame: 'SAMEORIGIN' });
  expect({ label, poweredBy: h('x-powered-by'), server: h('server') }).toEqual({ label, poweredBy: null, server: null });
  expect(h('access-control-allow-origin'), label).not.toBe('*');
}

describe.each(DATABASES)('HTTP surface (%s)', (kind: DbKind) => {
  let api: TestApi;
  let user: TestUser;

  beforeAll(async () => {
    api = await startApi(kind, { CORS_ORIGINS: APP_ORIGIN });
    user = await api.registerUser('Surface');
  });
  afterAll(async () => {
    await api?.close();
  });

  const allTasks = () => count(api, 'select count(*)::int as n from task');
  const allUsers = () => count(api, 'select count(*)::int as n from "user"');

  describe('security headers', () => {
    it('helmet headers on JSON answers of every kind (REST, errors, GraphQL, better-auth); no version banner; no HSTS over http', async () => {
      const responses: Record<string, HttpResult> = {
        'GET /api/tasks 200': await api.request('GET', '/api/tasks', { token: user.accessToken }),
        'GET /api/tasks 401': await api.request('GET', '/api/tasks'),
        'GET /nowhere 404': await api.request('GET', '/nowhere'),
        'POST /graphql': await api.gql('{ health }'),
        'GET /api/auth/jwks': await api.request('GET', '/api/auth/jwks'),
        'POST /api/auth/login 401': await api.request('POST', '/api/auth/login', { body: { email: user.email, password: 'nope-nope' } }),
        'GET /healthz': await api.request('GET', '/healthz'),
      };
      for (const [label, res] of Object.entries(responses)) {
        expect(res.headers.get('content-type'), label).toMatch(/^application\/(graphql-response\+)?json/);
        expectSecurityHeaders(res, label);
        expect(res.headers.get('strict-transport-security'), label).toBeNull();
      }
    });

    it('Cache-Control: no-store on every auth answer, success or failure, ours or better-auth\'s', async () => {
      const u = await api.registerUser();
      const login = await api.request('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
      const signIn = await api.request('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: u.password }, headers: { origin: OWN_ORIGIN } });
      const cookie = sessionCookie(signIn).pair;
      const responses: Record<string, HttpResult> = {
        'register 201': await api.request('POST', '/api/auth/register', { body: { email: `ns-${randomBytes(4).toString('hex')}@example.com`, password: 'a fine passphrase', name: 'N' } }),
        'register 400': await api.request('POST', '/api/auth/register', { body: {} }),
        'login 200': login,
        'login 401': await api.request('POST', '/api/auth/login', { body: { email: u.email, password: 'wrong-passphrase' } }),
        'refresh 200': await api.request('POST', '/api/auth/refresh', { body: { refreshToken: login.body.refreshToken } }),
        'refresh 401': await api.request('POST', '/api/auth/refresh', { body: { refreshToken: 'nope' } }),
        'me 200': await api.request('GET', '/api/auth/me', { token: u.accessToken }),
        'me 401': await api.request('GET', '/api/auth/me'),
        'sign-in 200': signIn,
        'get-session 200': await api.request('GET', '/api/auth/get-session', { headers: { cookie } }),
        'token 200': await api.request('GET', '/api/auth/token', { headers: { cookie } }),
        'jwks 200': await api.request('GET', '/api/auth/jwks'),
        'logout 204': await api.request('POST', '/api/auth/logout', { token: u.accessToken }),
      };
      // Each label ends with the status that answer must have.
      for (const [label, res] of Object.entries(responses)) {
        const status = Number(label.split(' ').at(-1));
        expect({ label, status: res.status, cacheControl: res.headers.get('cache-control') }).toEqual({ label, status, cacheControl: 'no-store' });
      }
    });

    it('TRACE is 405 METHOD_NOT_ALLOWED with an Allow header on every path, echoing nothing (TRACK never parses)', async () => {
      for (const path of ['/', '/api/tasks', '/graphql', '/api/auth/login', '/api/auth/get-session', '/healthz']) {
        const res = await rawRequest(api.url, { method: 'TRACE', path, headers: { cookie: 'secret=1', authorization: `Bearer ${user.accessToken}` } });
        expect({ path, status: res.status }).toEqual({ path, status: 405 });
        expect(res.body).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: 'TRACE is not allowed.', requestId: expect.any(String) } });
        expect(res.headers.get('allow')).toBe('GET, POST, PUT, PATCH, DELETE, OPTIONS');
        expect(res.text).not.toContain(user.accessToken);
        expect(res.text).not.toContain('secret=1');
      }
      // Node's HTTP parser does not know TRACK: the connection is refused with a bare 400.
      const track = await rawRequest(api.url, { method: 'TRACK', path: '/api/tasks', headers: { cookie: 'secret=1' } });
      expect(track.status).toBe(400);
      expect(track.text).not.toContain('secret=1');
    });
  });

  describe('CORS', () => {
    it('an allowlisted origin is echoed with credentials, on requests and preflights of /api/tasks and /graphql', async () => {
      const get = await api.request('GET', '/api/tasks', { token: user.accessToken, headers: { origin: APP_ORIGIN } });
      expect(get.status).toBe(200);
      expect(get.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(get.headers.get('access-control-allow-credentials')).toBe('true');
      expect(get.headers.get('vary')).toMatch(/Origin/i);
      for (const path of ['/api/tasks', '/graphql', '/api/auth/login']) {
        const pre = await api.request('OPTIONS', path, {
          headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
        });
        expect({ path, status: pre.status }).toEqual({ path, status: 204 });
        expect(pre.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
        expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
        expect(pre.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, PATCH, DELETE');
        expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
      }
    });

    it('a foreign origin, Origin: null or a look-alike gets no CORS headers at all; never *', async () => {
      for (const origin of [EVIL, 'null', `${APP_ORIGIN}.evil.example`, 'http://app.example', 'https://APP.example', `${APP_ORIGIN}:443`]) {
        const get = await api.request('GET', '/api/tasks', { token: user.accessToken, headers: { origin } });
        const gql = await api.request('POST', '/graphql', { body: { query: '{ health }' }, headers: { origin } });
        const ba = await api.request('GET', '/api/auth/jwks', { headers: { origin } });
        const pre = await api.request('OPTIONS', '/api/tasks', { headers: { origin, 'access-control-request-method': 'DELETE' } });
        const preGql = await api.request('OPTIONS', '/graphql', { headers: { origin, 'access-control-request-method': 'POST' } });
        for (const [label, res] of Object.entries({ get, gql, ba, pre, preGql })) {
          expect({ origin, label, acao: res.headers.get('access-control-allow-origin'), acac: res.headers.get('access-control-allow-credentials') }).toEqual({
            origin,
            label,
            acao: null,
            acac: null,
          });
        }
      }
    });
  });

  describe('cookie-authenticated writes from a foreign Origin (CSRF)', () => {
    let victim: TestUser;
    let cookie: string;
    let task: Record<string, unknown>;

    beforeAll(async () => {
      victim = await api.registerUser('Victim');
      const signIn = await api.request('POST', '/api/auth/sign-in/email', { body: { email: victim.email, password: victim.password }, headers: { origin: OWN_ORIGIN } });
      expect(signIn.status).toBe(200);
      cookie = sessionCookie(signIn).pair;
      const created = await api.request('POST', '/api/tasks', { token: victim.accessToken, body: { title: 'victim task', description: 'keep me' } });
      expect(created.status).toBe(201);
      task = created.body;
    });

    async function sessionAlive() {
      const res = await api.request('GET', '/api/auth/get-session', { headers: { cookie } });
      return res.status === 200 && res.body?.user?.id === victim.id;
    }

    it('403 FORBIDDEN on /api/tasks, /graphql, /api/auth/sign-out and every other write route; nothing changes', async () => {
      expect(await sessionAlive()).toBe(true);
      const tasksBefore = await allTasks();
      const id = String(task.id);
      const attempts: [string, string, unknown][] = [
        ['POST', '/api/tasks', { title: 'csrf' }],
        ['PUT', `/api/tasks/${id}`, { title: 'csrf', description: null, completed: true }],
        ['PATCH', `/api/tasks/${id}`, { title: 'csrf' }],
        ['PATCH', `/api/tasks/${id}/complete`, undefined],
        ['DELETE', `/api/tasks/${id}`, undefined],
        ['POST', `/api/${victim.id}/tasks`, { title: 'csrf' }],
        ['POST', '/graphql', { query: 'mutation { createTask(input: { title: "csrf" }) { id } }' }],
        ['POST', '/graphql', { query: `mutation { deleteTask(id: "${id}") }` }],
        ['POST', '/api/auth/sign-out', {}],
        ['POST', '/api/auth/logout', undefined],
        ['DELETE', '/api/auth/me', { password: victim.password }],
        ['POST', '/api/auth/refresh', { refreshToken: victim.refreshToken }],
        ['POST', '/api/auth/sign-in/email', { email: victim.email, password: victim.password }],
        ['POST', '/api/auth/sign-up/email', { email: `csrf-${randomBytes(3).toString('hex')}@example.com`, password: 'a fine passphrase', name: 'csrf' }],
      ];
      for (const origin of [EVIL, 'null']) {
        for (const [method, path, body] of attempts) {
          // Bearer too: the only thing wrong with these requests is where they come from.
          const res = await api.request(method, path, { body, token: victim.accessToken, headers: { cookie, origin } });
          expect({ origin, method, path, status: res.status, body: res.body }).toEqual({ origin, method, path, status: 403, body: CROSS_ORIGIN_REFUSED });
          expect(res.headers.get('access-control-allow-origin')).toBeNull();
        }
      }
      expect(await allTasks()).toBe(tasksBefore);
      expect((await api.request('GET', `/api/tasks/${id}`, { token: victim.accessToken })).body).toEqual(task);
      expect(await sessionAlive()).toBe(true);
      expect((await api.request('GET', '/api/auth/me', { token: victim.accessToken })).status).toBe(200);
    });

    it('controls: the same cookie-bearing write from the API\'s own or an allowlisted origin goes through; a bearer-only write needs no Origin check', async () => {
      const own = await api.request('POST', '/api/tasks', { body: { title: 'from own origin' }, token: victim.accessToken, headers: { cookie, origin: OWN_ORIGIN } });
      expect(own.status, own.text).toBe(201);
      const app = await api.request('POST', '/api/tasks', { body: { title: 'from the web app' }, token: victim.accessToken, headers: { cookie, origin: APP_ORIGIN } });
      expect(app.status, app.text).toBe(201);
      // Without a cookie a browser cannot be made to send the bearer token: no CSRF to stop.
      const bearerOnly = await api.request('POST', '/api/tasks', { body: { title: 'bearer only' }, token: victim.accessToken, headers: { origin: EVIL } });
      expect(bearerOnly.status, bearerOnly.text).toBe(201);
      expect(bearerOnly.headers.get('access-control-allow-origin')).toBeNull();
      for (const created of [own, app, bearerOnly]) {
        expect((await api.request('DELETE', `/api/tasks/${created.body.id}`, { token: victim.accessToken })).status).toBe(204);
      }
    });
  });

  describe('input no route should see', () => {
    it('NUL and lone surrogates in a REST body or query are 400 VALIDATION_FAILED naming the field; nothing is stored', async () => {
      const before = await allTasks();
      const created = await api.request('POST', '/api/tasks', { token: user.accessToken, body: { title: 'clean' } });
      const id = created.body.id as string;
      const cases: [string, string, string, string][] = [
        ['POST', '/api/tasks', '{"title":"a\\u0000b"}', 'title'],
        ['POST', '/api/tasks', '{"title":"ok","description":"x\\ud800y"}', 'description'],
        ['POST', '/api/tasks', '{"title":"\\udc00"}', 'title'],
        ['PATCH', `/api/tasks/${id}`, '{"description":"nul \\u0000 here"}', 'description'],
        ['PUT', `/api/tasks/${id}`, '{"title":"x\\ud83d","description":null,"completed":false}', 'title'],
        ['POST', '/api/auth/login', '{"email":"a\\u0000@example.com","password":"whatever-pass"}', 'email'],
        ['POST', '/api/auth/register', '{"email":"nul@example.com","password":"pass\\u0000word-long","name":"N"}', 'password'],
      ];
      for (const [method, path, raw, field] of cases) {
        const res = await api.request(method, path, { token: user.accessToken, rawBody: raw, headers: { 'content-type': 'application/json' } });
        expect({ method, path, raw, status: res.status }).toEqual({ method, path, raw, status: 400 });
        expect(res.body).toEqual({ error: { code: 'VALIDATION_FAILED', message: `${field}: ${UNSTORABLE}`, details: [{ field, message: UNSTORABLE }], requestId: expect.any(String) } });
      }
      for (const query of ['cursor=%00', 'status=all%00', 'cursor=abc%00def']) {
        const res = await api.request('GET', `/api/tasks?${query}`, { token: user.accessToken });
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.details[0].message).toBe(UNSTORABLE);
      }
      // invalid UTF-8 in the query (would decode to a lone surrogate or replacement) never reaches SQL as-is
      const badUtf8 = await api.request('GET', '/api/tasks?cursor=%ED%A0%80', { token: user.accessToken });
      expect(badUtf8.status).toBe(400);
      expect(badUtf8.body.error.code).toBe('VALIDATION_FAILED');
      expect(await allTasks()).toBe(before + 1);
      expect((await api.request('GET', `/api/tasks/${id}`, { token: user.accessToken })).body).toEqual(created.body);
      expect(await count(api, 'select count(*)::int as n from "user" where email = $1', ['nul@example.com'])).toBe(0);
    });

    it('non-JSON content types on JSON routes are 415 UNSUPPORTED_MEDIA_TYPE (better-auth routes included); nothing runs', async () => {
      const tasksBefore = await allTasks();
      const usersBefore = await allUsers();
      const created = await api.request('POST', '/api/tasks', { token: user.accessToken, body: { title: 'typed' } });
      const id = created.body.id as string;
      const email = `ct-${randomBytes(4).toString('hex')}@example.com`;
      const bodyFor: Record<string, string> = {
        '/api/tasks': JSON.stringify({ title: 'wrong type' }),
        [`/api/tasks/${id}`]: JSON.stringify({ title: 'wrong type', description: null, completed: true }),
        '/api/auth/register': JSON.stringify({ email, password: 'a fine passphrase', name: 'CT' }),
        '/api/auth/login': JSON.stringify({ email: user.email, password: user.password }),
        '/api/auth/refresh': JSON.stringify({ refreshToken: user.refreshToken }),
        '/api/auth/sign-in/email': JSON.stringify({ email: user.email, password: user.password }),
        '/api/auth/sign-up/email': JSON.stringify({ email, password: 'a fine passphrase', name: 'CT' }),
      };
      const routes: [string, string][] = [
        ['POST', '/api/tasks'],
        ['PUT', `/api/tasks/${id}`],
        ['PATCH', `/api/tasks/${id}`],
        ['POST', '/api/auth/register'],
        ['POST', '/api/auth/login'],
        ['POST', '/api/auth/refresh'],
        ['POST', '/api/auth/sign-in/email'],
        ['POST', '/api/auth/sign-up/email'],
      ];
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx', 'text/json']) {
        for (const [method, path] of routes) {
          const res = await api.request(method, path, {
            token: user.accessToken,
            rawBody: bodyFor[path] ?? bodyFor[`/api/tasks/${id}`]!,
            headers: { 'content-type': contentType, origin: OWN_ORIGIN },
          });
          expect({ contentType, method, path, status: res.status }).toEqual({ contentType, method, path, status: 415 });
          expect(res.body).toEqual({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send JSON with Content-Type: application/json.', requestId: expect.any(String) } });
          expect(res.headers.getSetCookie()).toEqual([]);
        }
      }
      expect(await allTasks()).toBe(tasksBefore + 1);
      expect(await allUsers()).toBe(usersBefore);
      expect((await api.request('GET', `/api/tasks/${id}`, { token: user.accessToken })).body).toEqual(created.body);
      // and the refresh token was not consumed
      expect((await api.request('GET', '/api/auth/me', { token: user.accessToken })).status).toBe(200);
    });

    it('duplicate query parameters are 400 VALIDATION_FAILED naming the parameter, on REST, GraphQL GET and better-auth', async () => {
      const cases: [string, string][] = [
        ['/api/tasks?limit=1&limit=100', 'limit'],
        ['/api/tasks?status=completed&status=all', 'status'],
        ['/api/tasks?cursor=a&limit=5&cursor=b', 'cursor'],
        [`/graphql?query=${encodeURIComponent('{ health }')}&query=${encodeURIComponent('{ me { id } }')}`, 'query'],
        ['/api/auth/jwks?x=1&x=2', 'x'],
      ];
      for (const [path, field] of cases) {
        const res = await api.request('GET', path, { token: user.accessToken, headers: { 'apollo-require-preflight': 'true' } });
        expect({ path, status: res.status, body: res.body }).toEqual({
          path,
          status: 400,
          body: { error: { code: 'VALIDATION_FAILED', message: `${field}: must not be repeated`, details: [{ field, message: 'must not be repeated' }], requestId: expect.any(String) } },
        });
      }
    });
  });

  describe('mass assignment at sign-up', () => {
    const polluted = () => (Object.prototype as Record<string, unknown>).role;

    const EXTRA: [string, string, (email: string) => string][] = [
      ['role', 'role', (e) => JSON.stringify({ email: e, password: 'a fine passphrase', name: 'M', role: 'ADMIN' })],
      ['emailVerified', 'emailVerified', (e) => JSON.stringify({ email: e, password: 'a fine passphrase', name: 'M', emailVerified: true })],
      ['id', 'id', (e) => JSON.stringify({ email: e, password: 'a fine passphrase', name: 'M', id: 'chosen-id' })],
      ['createdAt', 'createdAt', (e) => JSON.stringify({ email: e, password: 'a fine passphrase', name: 'M', createdAt: '2000-01-01T00:00:00.000Z' })],
      ['updatedAt', 'updatedAt', (e) => JSON.stringify({ email: e, password: 'a fine passphrase', name: 'M', updatedAt: '2000-01-01T00:00:00.000Z' })],
      ['image', 'image', (e) => JSON.stringify({ email: e, password: 'a fine passphrase', name: 'M', image: 'https://evil.example/x.png' })],
      ['__proto__', '__proto__', (e) => `{"email":${JSON.stringify(e)},"password":"a fine passphrase","name":"M","__proto__":{"role":"ADMIN"}}`],
      ['constructor.prototype', 'constructor', (e) => `{"email":${JSON.stringify(e)},"password":"a fine passphrase","name":"M","constructor":{"prototype":{"role":"ADMIN"}}}`],
    ];

    it.each(EXTRA)('POST /api/auth/register with %s → 400 naming it; no user is created', async (_case, field, build) => {
      const email = `mass-${randomBytes(4).toString('hex')}@example.com`;
      const before = await allUsers();
      const res = await api.request('POST', '/api/auth/register', { rawBody: build(email), headers: { 'content-type': 'application/json' } });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details).toEqual([{ field, message: expect.any(String) }]);
      expect(await allUsers()).toBe(before);
      expect(await count(api, 'select count(*)::int as n from "user" where email = $1', [email])).toBe(0);
      expect(polluted()).toBeUndefined();
    });

    it("better-auth's /sign-up/email never applies role, emailVerified, id or timestamps; prototype keys are 400", async () => {
      const email = `mass-ba-${randomBytes(4).toString('hex')}@example.com`;
      const res = await api.request('POST', '/api/auth/sign-up/email', {
        body: { email, password: 'a fine passphrase', name: 'M', role: 'ADMIN', emailVerified: true, id: 'chosen-id', createdAt: '2000-01-01T00:00:00.000Z', updatedAt: '2000-01-01T00:00:00.000Z' },
        headers: { origin: OWN_ORIGIN },
      });
      // better-auth drops the fields it does not accept as input (it answers 200), so what
      // matters is what was stored:
      if (res.status === 200) {
        const { rows } = await api.built.db.query<{ id: string; role: string; email_verified: boolean; created_at: Date }>(
          'select id, role, email_verified, created_at from "user" where email = $1',
          [email],
        );
        expect(rows).toHaveLength(1);
        const stored = rows[0]!;
        expect(stored.role).toBe('USER');
        expect(stored.email_verified).toBe(false);
        expect(stored.id).not.toBe('chosen-id');
        expect(Date.now() - new Date(stored.created_at).getTime()).toBeLessThan(10 * 60_000);
        expect(res.body.user).toMatchObject({ role: 'USER', emailVerified: false });
        // and the token it leads to carries no privilege
        const token = await api.request('GET', '/api/auth/token', { headers: { cookie: sessionCookie(res).pair } });
        expect(Object.keys(JSON.parse(Buffer.from(token.body.token.split('.')[1], 'base64url').toString())).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'sid', 'sub']);
      } else {
        expect(res.status).toBe(400);
        expect(await count(api, 'select count(*)::int as n from "user" where email = $1', [email])).toBe(0);
      }
      for (const [, field, build] of EXTRA.filter(([c]) => c === '__proto__' || c === 'constructor.prototype')) {
        const e = `mass-ba-${randomBytes(4).toString('hex')}@example.com`;
        const poisoned = await api.request('POST', '/api/auth/sign-up/email', { rawBody: build(e), headers: { 'content-type': 'application/json', origin: OWN_ORIGIN } });
        expectError(poisoned, 400, 'VALIDATION_FAILED');
        expect(poisoned.body.error.details).toEqual([{ field, message: expect.any(String) }]);
        expect(await count(api, 'select count(*)::int as n from "user" where email = $1', [e])).toBe(0);
      }
      expect(polluted()).toBeUndefined();
    });
  });

  describe('better-auth routes the product does not use', () => {
    it('are 404 even with a valid session, and change nothing', async () => {
      const u = await api.registerUser('Disabled');
      const hashBefore = (await api.built.db.query<{ password: string }>(`select password from account where user_id = $1`, [u.id])).rows[0]!.password;
      const sessionsBefore = await count(api, 'select count(*)::int as n from "session" where user_id = $1', [u.id]);
      const routes: [string, string, unknown][] = [
        ['GET', '/api/auth/list-sessions', undefined],
        ['POST', '/api/auth/update-user', { name: 'Renamed', image: 'https://evil.example/x.png' }],
        ['POST', '/api/auth/change-password', { currentPassword: u.password, newPassword: 'a brand new passphrase', revokeOtherSessions: true }],
        ['POST', '/api/auth/change-email', { newEmail: 'taken-over@evil.example' }],
        ['POST', '/api/auth/delete-user', { password: u.password }],
        ['POST', '/api/auth/revoke-sessions', {}],
        ['POST', '/api/auth/revoke-other-sessions', {}],
        ['POST', '/api/auth/revoke-session', { token: u.refreshToken }],
        ['GET', '/api/auth/list-accounts', undefined],
        ['POST', '/api/auth/request-password-reset', { email: u.email, redirectTo: 'https://evil.example/' }],
        ['POST', '/api/auth/reset-password', { newPassword: 'a brand new passphrase', token: 'x' }],
        ['POST', '/api/auth/send-verification-email', { email: u.email }],
        ['GET', '/api/auth/verify-email?token=x', undefined],
        ['POST', '/api/auth/sign-in/social', { provider: 'github' }],
        ['POST', '/api/auth/link-social', { provider: 'github' }],
        ['POST', '/api/auth/unlink-account', { providerId: 'credential' }],
        ['POST', '/api/auth/update-session', {}],
        ['POST', '/api/auth/verify-password', { password: u.password }],
        ['GET', '/api/auth/account-info', undefined],
        ['POST', '/api/auth/get-access-token', { providerId: 'credential' }],
        ['POST', '/api/auth/refresh-token', { providerId: 'credential' }],
      ];
      // Signed in as the web app is: with the session cookie.
      const signIn = await api.request('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: u.password }, headers: { origin: OWN_ORIGIN } });
      const cookie = sessionCookie(signIn).pair;
      const sessionsSignedIn = sessionsBefore + 1;
      for (const [method, path, body] of routes) {
        const res = await api.request(method, path, { body, headers: { cookie, origin: OWN_ORIGIN } });
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
        expect(res.headers.getSetCookie()).toEqual([]);
      }
      const after = await api.request('GET', '/api/auth/me', { token: u.accessToken });
      expect(after.status).toBe(200);
      expect(after.body.user).toMatchObject({ id: u.id, email: u.email, name: 'Disabled' });
      expect((await api.built.db.query<{ password: string }>(`select password from account where user_id = $1`, [u.id])).rows[0]!.password).toBe(hashBefore);
      expect(await count(api, 'select count(*)::int as n from "session" where user_id = $1', [u.id])).toBe(sessionsSignedIn);
      // the exposed ones still answer
      for (const path of ['/api/auth/get-session', '/api/auth/token', '/api/auth/jwks', '/api/auth/ok']) {
        const res = await api.request('GET', path, { headers: { cookie } });
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
      }
    });
  });
});

describe('HTTP surface over https (PUBLIC_URL=https://…)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi('pglite', { PUBLIC_URL: 'https://api.taskgate.example' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('HSTS (one year, includeSubDomains) on every answer, with the other headers unchanged', async () => {
    const responses: Record<string, HttpResult> = {
      healthz: await api.request('GET', '/healthz'),
      'tasks 401': await api.request('GET', '/api/tasks'),
      graphql: await api.gql('{ health }'),
      jwks: await api.request('GET', '/api/auth/jwks'),
      '404': await api.request('GET', '/nowhere'),
    };
    for (const [label, res] of Object.entries(responses)) {
      expect({ label, hsts: res.headers.get('strict-transport-security') }).toEqual({ label, hsts: 'max-age=31536000; includeSubDomains' });
      expectSecurityHeaders(res, label);
    }
  });
});
