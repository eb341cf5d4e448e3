// The findings of an outside review (graphql-cop, jwt_tool, a manual attacker's checklist), each
// replayed against the API as it runs in production (a child process, NODE_ENV=production) on
// each database, with the exact answer it must now get:
// 1. a refresh token (the session token) sent as a Bearer credential to better-auth's routes mints
//    nothing and changes nothing: only POST /api/auth/refresh (which rotates) turns it into an
//    access token;
// 2. deeply nested JSON is 400 VALIDATION_FAILED everywhere (bodies, GraphQL variables over POST
//    and GET), never a 500 or an error-level log line;
// 3. every better-auth route that is not on the allow-list is 404 in the API's error shape;
// 4. guessable passwords are refused by both sign-up doors, saying why and what to do;
// 6. parallel refreshes with one token all succeed and the session survives.
// Finding 5 (a stranger locking the owner out) is proven in rate-limits.test.ts, where the
// client addresses can be chosen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnApi, type ApiProcess } from '../support/api-process.js';
import { expectError } from '../support/expect.js';
import { freshDatabaseUrl, type FreshDatabase } from '../support/database.js';
import { DATABASES, TEST_ISSUER, type DbKind, type HttpResult, type TestUser } from '../support/harness.js';
import { OWN_ORIGIN, rawRequest, sessionCookie } from './helpers.js';

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const TOO_DEEP = /nests too deeply: at most 32 levels/;

describe.each(DATABASES)('outside review, production mode (%s)', (kind: DbKind) => {
  let api: ApiProcess;
  let database: FreshDatabase | undefined;
  let dataDir: string;
  let user: TestUser;

  beforeAll(async () => {
    database = kind === 'postgres' ? await freshDatabaseUrl() : undefined;
    dataDir = mkdtempSync(path.join(tmpdir(), 'taskgate-review-'));
    api = await spawnApi({
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        DATA_DIR: dataDir,
        PUBLIC_URL: TEST_ISSUER,
        // Many sign-ups and sign-ins from one address: the limits have their own suite.
        RATE_LIMIT_ENABLED: 'false',
        // Empty = unset: the production default (10 s) applies.
        REFRESH_REUSE_INTERVAL: '',
        ...(database ? { DATABASE_URL: database.url } : {}),
      },
      readyTimeoutMs: 120_000,
    });
    user = await api.registerUser('Reviewer');
  });
  afterAll(async () => {
    await api?.kill();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const signIn = () =>
    api.request('POST', '/api/auth/sign-in/email', { body: { email: user.email, password: user.password }, headers: { origin: OWN_ORIGIN } });
  const login = async () => {
    const res = await api.request('POST', '/api/auth/login', { body: { email: user.email, password: user.password } });
    expect(res.status, res.text).toBe(200);
    return res.body as { accessToken: string; refreshToken: string };
  };

  describe('1. a refresh token as a Bearer credential on better-auth routes', () => {
    it('is refused (401) by every route that involves a session, and POST /api/auth/refresh still rotates it', async () => {
      const { refreshToken } = await login();
      const attempts: [string, string, unknown?][] = [
        ['GET', '/api/auth/token'],
        ['GET', '/api/auth/get-session'],
        ['POST', '/api/auth/sign-out', {}],
        ['POST', '/api/auth/sign-in/email', { email: user.email, password: 'not the password' }],
        ['POST', '/api/auth/sign-up/email', { email: 'bearer-probe@example.com', password: 'a fine passphrase', name: 'Probe' }],
      ];
      for (const [method, route, body] of attempts) {
        const res = await api.request(method, route, { token: refreshToken, body, headers: { origin: OWN_ORIGIN } });
        expectError(res, 401, 'UNAUTHENTICATED', /takes the session cookie, not an Authorization header; exchange a refresh token at POST \/api\/auth\/refresh/);
        expect(res.headers.getSetCookie()).toEqual([]);
        expect(res.text).not.toMatch(/"token"/);
      }
      // The refresh token was neither used up nor signed out: it rotates once, as documented...
      const rotated = await api.request('POST', '/api/auth/refresh', { body: { refreshToken } });
      expect(rotated.status, rotated.text).toBe(200);
      expect(rotated.body.refreshToken).not.toBe(refreshToken);
      // ...and the retired one is no more use on better-auth's routes than the live one was.
      expect((await api.request('GET', '/api/auth/token', { token: refreshToken })).status).toBe(401);
      expect((await api.request('GET', '/api/auth/token', { token: rotated.body.refreshToken })).status).toBe(401);
    });

    it('the web app flow (session cookie → GET /api/auth/token) keeps working; public routes ignore the header', async () => {
      const web = await signIn();
      expect(web.status, web.text).toBe(200);
      const token = await api.request('GET', '/api/auth/token', { headers: { cookie: sessionCookie(web).pair } });
      expect(token.status, token.text).toBe(200);
      expect(token.body.token.split('.')).toHaveLength(3);
      const me = await api.request('GET', '/api/auth/me', { token: token.body.token });
      expect(me.body.user.id).toBe(user.id);
      const { refreshToken } = await login();
      expect((await api.request('GET', '/api/auth/jwks', { token: refreshToken })).status).toBe(200);
      expect((await api.request('GET', '/api/auth/ok', { token: refreshToken })).status).toBe(200);
    });
  });

  describe('2. deeply nested JSON', () => {
    const REPRO = `{"email":"a@b.c","password":"x","x":${nested(4000)}}`;

    it('is 400 VALIDATION_FAILED on every JSON route, and nothing is logged at error level', async () => {
      const { accessToken } = await login();
      const outputBefore = api.output().length;
      for (const route of ['/api/auth/login', '/api/auth/register', '/api/auth/refresh', '/api/auth/sign-in/email', '/api/auth/sign-up/email', '/api/tasks']) {
        const res = await rawRequest(api.url, { method: 'POST', path: route, rawBody: REPRO, token: route === '/api/tasks' ? accessToken : undefined, headers: { 'content-type': 'application/json', origin: OWN_ORIGIN } });
        expectError(res, 400, 'VALIDATION_FAILED', TOO_DEEP);
        expect(res.body.error.details).toEqual([{ field: 'body', message: expect.stringMatching(TOO_DEEP) }]);
      }
      // GraphQL variables, over POST and over GET (the query string carries them there).
      const query = 'query T($x: String) { me { id } }';
      const post = await rawRequest(api.url, { method: 'POST', path: '/graphql', rawBody: `{"query":${JSON.stringify(query)},"variables":{"x":${nested(30000)}}}`, token: accessToken, headers: { 'content-type': 'application/json' } });
      expectError(post, 400, 'VALIDATION_FAILED', TOO_DEEP);
      const get = await rawRequest(api.url, {
        method: 'GET',
        path: `/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(`{"x":${nested(2000)}}`)}`,
        token: accessToken,
        headers: { 'apollo-require-preflight': 'true' },
      });
      expectError(get, 400, 'VALIDATION_FAILED', /variables: nests too deeply/);
      // Nothing at error level (pino: 50 and above) since the first request.
      const lines = api.output().slice(outputBefore).split('\n').filter(Boolean);
      expect(lines.filter((l) => /"level":(5|6)\d/.test(l))).toEqual([]);
    });

    it('32 levels are fine: the body reaches validation as usual', async () => {
      const res = await rawRequest(api.url, { method: 'POST', path: '/api/auth/login', rawBody: `{"email":"a@b.c","password":"x","x":${nested(31)}}`, headers: { 'content-type': 'application/json' } });
      expectError(res, 400, 'VALIDATION_FAILED', 'x: is not an allowed field');
      expect(res.body.error.details).toEqual([{ field: 'x', message: expect.stringMatching(/not (an )?allowed|unknown/i) }]);
    });
  });

  describe('3. better-auth routes that are not on the allow-list', () => {
    it('answer 404 in the API error shape before better-auth runs', async () => {
      const probes: [string, string][] = [
        ['GET', '/api/auth/callback/github'],
        ['GET', '/api/auth/reset-password/abc?callbackURL=/'],
        ['POST', '/api/auth/reset-password'],
        ['POST', '/api/auth/request-password-reset'],
        ['POST', '/api/auth/sign-in/social'],
        ['GET', '/api/auth/list-sessions'],
        ['POST', '/api/auth/revoke-sessions'],
        ['POST', '/api/auth/change-password'],
        ['POST', '/api/auth/update-user'],
        ['GET', '/api/auth/verify-email?token=x'],
        ['GET', '/api/auth/error'],
        ['POST', '/api/auth/sign-up/email/extra'],
        ['GET', '/api/auth/sign-in/email'],
      ];
      for (const [method, route] of probes) {
        const res = await api.request(method, route, { body: method === 'POST' ? {} : undefined, headers: { origin: OWN_ORIGIN } });
        expectError(res, 404, 'NOT_FOUND', `No route for ${method} ${route.split('?')[0]}.`);
        expect(res.headers.get('location')).toBeNull();
      }
    });
  });

  describe('4. guessable passwords', () => {
    it('are refused by /api/auth/register and better-auth /sign-up/email with the reason and the fix; nothing is created, nothing logged as an error', async () => {
      const email = 'weak.passwords@example.com';
      const outputBefore = api.output().length;
      for (const password of ['aaaaaaaa', '        ', 'Password123!', 'taskgate-demo-password', email]) {
        const rest: HttpResult = await api.request('POST', '/api/auth/register', { body: { email, password, name: 'Weak' } });
        expectError(rest, 400, 'VALIDATION_FAILED', /^password: /);
        const [problem] = rest.body.error.details;
        expect(problem.field).toBe('password');
        expect(rest.body.error.message).toBe(`password: ${problem.message}`);
        expect(problem.message).toMatch(/^(is too easy to guess.*: add another word or two, or make it longer|is published with this product; choose one of your own)$/);
        const web = await api.request('POST', '/api/auth/sign-up/email', { body: { email, password, name: 'Weak' }, headers: { origin: OWN_ORIGIN } });
        expect([web.status, web.body.code, web.body.message, web.body.error.code]).toEqual([400, 'PASSWORD_REJECTED', `Password ${problem.message}.`, 'VALIDATION_FAILED']);
      }
      const probe = await api.request('POST', '/api/auth/login', { body: { email, password: 'aaaaaaaa' } });
      expect(probe.status).toBe(401);
      // A user's mistake is not a server error: better-auth's logger goes through ours, below error.
      const output = api.output().slice(outputBefore);
      expect(output).not.toContain('[Better Auth]');
      expect(output.split('\n').filter((l) => /"level":(5|6)\d/.test(l))).toEqual([]);
    });
  });

  describe('6. refreshes racing with one token', () => {
    it('five at once all answer 200 with the same successor, and the session lives on', async () => {
      const { refreshToken } = await login();
      const answers = await Promise.all(Array.from({ length: 5 }, () => api.request('POST', '/api/auth/refresh', { body: { refreshToken } })));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      const successors = new Set(answers.map((a) => a.body.refreshToken));
      expect(successors.size).toBe(1);
      const [successor] = successors as Set<string>;
      for (const a of answers) expect((await api.request('GET', '/api/auth/me', { token: a.body.accessToken })).status).toBe(200);
      const next = await api.request('POST', '/api/auth/refresh', { body: { refreshToken: successor } });
      expect(next.status, next.text).toBe(200);
    });
  });
});
