// The plan's auth endpoints through real HTTP: register, login, refresh, logout, me, jwks.
import { executionAsyncId } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, TEST_ISSUER, startApi, type HttpResult, type TestApi, withoutRequestId } from './support/harness.js';
import { detailFields, expectError } from './support/expect.js';
import { sessionCookie } from './security/helpers.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
  return { header: decode(header), payload: decode(payload) };
}

function uniqueEmail(prefix = 'auth'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.com`;
}

/**
 * Whether promise hooks are on in this process right now: with them on, every promise
 * continuation runs under its own async id; with them off, consecutive ones share one.
 */
async function promiseHooksEnabled(): Promise<boolean> {
  await null;
  const first = executionAsyncId();
  await null;
  return executionAsyncId() !== first;
}

/** The body every successful register/login/refresh returns. */
function expectTokenBody(res: HttpResult, user: { id?: string; email: string; name: string }) {
  expect(Object.keys(res.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType', 'user']);
  expect(res.body.tokenType).toBe('Bearer');
  expect(res.body.expiresIn).toBe(900);
  expect(typeof res.body.accessToken).toBe('string');
  expect(res.body.accessToken.split('.')).toHaveLength(3);
  expect(typeof res.body.refreshToken).toBe('string');
  expect(res.body.refreshToken.length).toBeGreaterThanOrEqual(16);
  expect(Object.keys(res.body.user).sort()).toEqual(['createdAt', 'email', 'id', 'name']);
  expect(res.body.user).toMatchObject({ email: user.email, name: user.name, ...(user.id ? { id: user.id } : {}) });
  expect(res.body.user.createdAt).toMatch(ISO);
  expect(res.headers.get('cache-control')).toBe('no-store');
}

describe.each(DATABASES)('auth REST on %s', (kind) => {
  let api: TestApi;
  const email = uniqueEmail('Main').replace('@example.com', '@Example.COM');
  const password = 'correct horse battery';
  const name = 'Ada Lovelace';
  let registered: HttpResult;

  beforeAll(async () => {
    api = await startApi(kind);
    registered = await api.request('POST', '/api/auth/register', { body: { email, password, name } });
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('register', () => {
    it('returns 201 with the user and a Bearer token pair', () => {
      expect(registered.status).toBe(201);
      expectTokenBody(registered, { email: email.toLowerCase(), name });
      expect(registered.body.user.id.length).toBeGreaterThan(0);
      // never the password or its hash
      expect(registered.text).not.toContain(password);
      expect(registered.text).not.toMatch(/password/i);
    });

    it('issues an EdDSA access token with a kid and only sub, sid, iss, aud, iat, exp', () => {
      const { header, payload } = decodeJwt(registered.body.accessToken);
      expect(header.alg).toBe('EdDSA');
      expect(typeof header.kid).toBe('string');
      expect((header.kid as string).length).toBeGreaterThan(0);
      expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'sid', 'sub']);
      expect(payload.sub).toBe(registered.body.user.id);
      expect(payload.iss).toBe(TEST_ISSUER);
      expect(payload.aud).toBe(TEST_ISSUER);
      expect(payload.exp).toBe((payload.iat as number) + 900);
      expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(120);
      expect(registered.body.accessToken).not.toContain(email.toLowerCase());
    });

    it('the access token works on a protected route', async () => {
      const me = await api.request('GET', '/api/auth/me', { token: registered.body.accessToken });
      expect(me.status).toBe(200);
      // …and names whether the address is verified (a new account's is not).
      expect(me.body).toEqual({ user: { ...registered.body.user, emailVerified: false, twoFactorEnabled: false } });
    });

    it('409 EMAIL_TAKEN for an existing email, whatever its casing', async () => {
      for (const again of [email, email.toLowerCase(), email.toUpperCase()]) {
        const res = await api.request('POST', '/api/auth/register', { body: { email: again, password: 'another password', name: 'Someone' } });
        expectError(res, 409, 'EMAIL_TAKEN');
        expect(res.body).toEqual({ error: { code: 'EMAIL_TAKEN', message: res.body.error.message, requestId: expect.any(String) } });
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
      // the original account still logs in with its own password
      const login = await api.request('POST', '/api/auth/login', { body: { email: email.toLowerCase(), password } });
      expect(login.status).toBe(200);
    });

    it.each([
      ['a malformed email', { email: 'not-an-email', password: 'long enough pw', name: 'N' }, ['email']],
      ['a 7-character password', { email: uniqueEmail(), password: '1234567', name: 'N' }, ['password']],
      ['a 129-character password', { email: uniqueEmail(), password: 'p'.repeat(129), name: 'N' }, ['password']],
      ['a missing name', { email: uniqueEmail(), password: 'long enough pw' }, ['name']],
      ['an empty name', { email: uniqueEmail(), password: 'long enough pw', name: '' }, ['name']],
      ['an unknown field role', { email: uniqueEmail(), password: 'long enough pw', name: 'N', role: 'ADMIN' }, ['role']],
      ['wrong types', { email: 42, password: true, name: ['x'] }, ['email', 'name', 'password']],
      ['several problems at once', { email: 'nope', password: 'short' }, ['email', 'name', 'password']],
    ])('400 VALIDATION_FAILED with per-field details for %s', async (_label, body, fields) => {
      const res = await api.request('POST', '/api/auth/register', { body });
      expect(detailFields(res)).toEqual(fields);
    });

    it('8 characters pass the length rule and meet the strength estimate; a strong 128-character password is accepted', async () => {
      // No 8-character password reaches zxcvbn's score 3 (10^8 guesses at most), so 8 is where the
      // length rule stops answering and the estimate starts: refused as guessable, not as short.
      const eight = await api.request('POST', '/api/auth/register', { body: { email: uniqueEmail('len'), password: 'Zq8!mK2p', name: 'Len' } });
      expectError(eight, 400, 'VALIDATION_FAILED');
      expect(eight.body.error.details).toEqual([{ field: 'password', message: expect.stringMatching(/^is too easy to guess/) }]);
      const long = await api.request('POST', '/api/auth/register', { body: { email: uniqueEmail('len'), password: 'Zq8!mK2p'.repeat(16), name: 'Len' } });
      expect(long.status, long.text).toBe(201);
    });

    it('a body that is not a JSON object is 400 VALIDATION_FAILED, never 500', async () => {
      for (const rawBody of ['null', '[]', '"x"', '{"email":']) {
        const res = await api.request('POST', '/api/auth/register', { rawBody, headers: { 'content-type': 'application/json' } });
        expectError(res, 400, 'VALIDATION_FAILED');
      }
    });

    it('a very common password is 400 on password', async () => {
      const res = await api.request('POST', '/api/auth/register', { body: { email: uniqueEmail('common'), password: 'password123', name: 'C' } });
      expect(detailFields(res)).toEqual(['password']);
    });

    it('a name PostgreSQL cannot store (NUL) is 400 VALIDATION_FAILED on name, not 422/500', async () => {
      const res = await api.request('POST', '/api/auth/register', {
        body: { email: uniqueEmail('nul'), password: 'long enough pw', name: 'a\u0000b' },
      });
      expect(detailFields(res)).toEqual(['name']);
    });

    it('a name with a lone surrogate is 400 VALIDATION_FAILED on name, not silently mangled', async () => {
      const res = await api.request('POST', '/api/auth/register', {
        rawBody: JSON.stringify({ email: uniqueEmail('sur'), password: 'long enough pw' }).replace('}', ',"name":"a\\ud800b"}'),
        headers: { 'content-type': 'application/json' },
      });
      expect(detailFields(res)).toEqual(['name']);
    });
  });

  describe('login', () => {
    it('200 with the same shape, for any casing of the email', async () => {
      for (const as of [email, email.toLowerCase()]) {
        const res = await api.request('POST', '/api/auth/login', { body: { email: as, password } });
        expect(res.status).toBe(200);
        expectTokenBody(res, { id: registered.body.user.id, email: email.toLowerCase(), name });
        expect(res.body.refreshToken).not.toBe(registered.body.refreshToken); // a new session
        const { payload } = decodeJwt(res.body.accessToken);
        expect(payload.sub).toBe(registered.body.user.id);
      }
    });

    it('401 INVALID_CREDENTIALS with an identical body for an unknown email and a wrong password', async () => {
      const wrongPassword = await api.request('POST', '/api/auth/login', { body: { email, password: 'wrong password!' } });
      const unknownEmail = await api.request('POST', '/api/auth/login', { body: { email: uniqueEmail('nobody'), password } });
      expectError(wrongPassword, 401, 'INVALID_CREDENTIALS');
      expectError(unknownEmail, 401, 'INVALID_CREDENTIALS');
      expect(withoutRequestId(unknownEmail.text)).toBe(withoutRequestId(wrongPassword.text));
      expect(unknownEmail.body).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: wrongPassword.body.error.message, requestId: expect.any(String) } });
      expect(wrongPassword.headers.get('cache-control')).toBe('no-store');
      expect(unknownEmail.headers.get('cache-control')).toBe('no-store');
    });

    it('400 VALIDATION_FAILED for a missing password or an unknown field', async () => {
      expect(detailFields(await api.request('POST', '/api/auth/login', { body: { email } }))).toEqual(['password']);
      expect(detailFields(await api.request('POST', '/api/auth/login', { body: { email, password, remember: true } }))).toEqual(['remember']);
    });
  });

  describe('refresh, logout, me', () => {
    const login = async () => {
      const res = await api.request('POST', '/api/auth/login', { body: { email, password } });
      expect(res.status, res.text).toBe(200);
      return res.body as { accessToken: string; refreshToken: string };
    };

    it('refresh returns a new, working token pair and retires the old refresh token', async () => {
      const session = await login();
      const res = await api.request('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expect(res.status, res.text).toBe(200);
      expectTokenBody(res, { id: registered.body.user.id, email: email.toLowerCase(), name });
      expect(res.body.accessToken).not.toBe(session.accessToken);
      expect(res.body.refreshToken).not.toBe(session.refreshToken); // rotated
      const before = decodeJwt(session.accessToken).payload;
      const after = decodeJwt(res.body.accessToken).payload;
      expect(after.sub).toBe(before.sub);
      expect(Object.keys(after).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'sid', 'sub']);
      const me = await api.request('GET', '/api/auth/me', { token: res.body.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.user.id).toBe(registered.body.user.id);

      // the rotated refresh token keeps working; the one it replaced does not
      const next = await api.request('POST', '/api/auth/refresh', { body: { refreshToken: res.body.refreshToken } });
      expect(next.status, next.text).toBe(200);
      expectTokenBody(next, { id: registered.body.user.id, email: email.toLowerCase(), name });
      const replayed = await api.request('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expectError(replayed, 401, 'UNAUTHENTICATED');
      // replaying a retired token is treated as theft: the chain it led to is revoked too
      const afterReplay = await api.request('POST', '/api/auth/refresh', { body: { refreshToken: next.body.refreshToken } });
      expectError(afterReplay, 401, 'UNAUTHENTICATED');
      expectError(await api.request('GET', '/api/auth/me', { token: next.body.accessToken }), 401, 'UNAUTHENTICATED');
    });

    it('refresh with a garbage token is 401 UNAUTHENTICATED', async () => {
      for (const refreshToken of ['garbage', 'x'.repeat(32), registered.body.accessToken.slice(0, 500), 'a\nb', 'tok€n']) {
        const res = await api.request('POST', '/api/auth/refresh', { body: { refreshToken } });
        expectError(res, 401, 'UNAUTHENTICATED');
        expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: res.body.error.message, requestId: expect.any(String) } });
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });

    it('refresh with a missing, empty or unstorable token is 400 on refreshToken, never 500', async () => {
      expect(detailFields(await api.request('POST', '/api/auth/refresh', { body: {} }))).toEqual(['refreshToken']);
      expect(detailFields(await api.request('POST', '/api/auth/refresh', { body: { refreshToken: '' } }))).toEqual(['refreshToken']);
      expect(detailFields(await api.request('POST', '/api/auth/refresh', { body: { refreshToken: 'a\u0000b' } }))).toEqual(['refreshToken']);
      expect(detailFields(await api.request('POST', '/api/auth/refresh', { body: { refreshToken: 7 } }))).toEqual(['refreshToken']);
    });

    it('GET /api/auth/me without a token is 401 with a Bearer challenge', async () => {
      const res = await api.request('GET', '/api/auth/me');
      expectError(res, 401, 'UNAUTHENTICATED');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('logout is 204; then the refresh token and the access token are rejected, other sessions live on', async () => {
      const session = await login();
      const other = await login();
      // warm the verification cache, so logout has to beat it
      expect((await api.request('GET', '/api/auth/me', { token: session.accessToken })).status).toBe(200);

      const out = await api.request('POST', '/api/auth/logout', { token: session.accessToken });
      expect(out.status).toBe(204);
      expect(out.text).toBe('');
      expect(out.headers.get('cache-control')).toBe('no-store');

      const refresh = await api.request('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expectError(refresh, 401, 'UNAUTHENTICATED');
      const me = await api.request('GET', '/api/auth/me', { token: session.accessToken });
      expectError(me, 401, 'UNAUTHENTICATED');
      expect(me.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expectError(await api.request('GET', '/api/tasks', { token: session.accessToken }), 401, 'UNAUTHENTICATED');
      expectError(await api.request('POST', '/api/auth/logout', { token: session.accessToken }), 401, 'UNAUTHENTICATED');

      // the other session is untouched
      expect((await api.request('GET', '/api/auth/me', { token: other.accessToken })).status).toBe(200);
      expect((await api.request('POST', '/api/auth/refresh', { body: { refreshToken: other.refreshToken } })).status).toBe(200);
    });

    it('logout without a token is 401', async () => {
      const res = await api.request('POST', '/api/auth/logout');
      expectError(res, 401, 'UNAUTHENTICATED');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    });
  });

  // better-auth's AsyncLocalStorage is enabled only while its calls run (auth/async-context.ts).
  describe('better-auth call context', () => {
    it('concurrent sign-ins of different users each get their own user\'s session and token', async () => {
      const users = await Promise.all(Array.from({ length: 6 }, (_, i) => api.registerUser(`Parallel ${i}`)));
      const attempts = users.flatMap((user) => [
        { user, path: '/api/auth/login' },
        { user, path: '/api/auth/sign-in/email' },
      ]);
      const answers = await Promise.all(
        attempts.map(({ user, path }) => api.request('POST', path, { body: { email: user.email, password: user.password } })),
      );
      for (const [i, res] of answers.entries()) {
        const { user, path } = attempts[i]!;
        expect(res.status, res.text).toBe(200);
        if (path === '/api/auth/login') {
          expect(decodeJwt(res.body.accessToken).payload.sub).toBe(user.id);
          const me = await api.request('GET', '/api/auth/me', { token: res.body.accessToken });
          expect(me.body.user).toMatchObject({ id: user.id, email: user.email });
        } else {
          expect(res.body.user).toMatchObject({ id: user.id, email: user.email });
          const session = await api.request('GET', '/api/auth/get-session', { headers: { cookie: sessionCookie(res).pair } });
          expect(session.body.user).toMatchObject({ id: user.id, email: user.email });
        }
      }
    });

    it('once sign-up, sign-in, refresh and logout have finished, no promise hooks stay on (Node 20)', async () => {
      const user = await api.registerUser('Hooks');
      const login = await api.request('POST', '/api/auth/login', { body: { email: user.email, password: user.password } });
      expect(login.status).toBe(200);
      const web = await api.request('POST', '/api/auth/sign-in/email', { body: { email: user.email, password: user.password } });
      expect(web.status).toBe(200);
      expect((await api.request('GET', '/api/auth/token', { headers: { cookie: sessionCookie(web).pair } })).status).toBe(200);
      const refreshed = await api.request('POST', '/api/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
      expect(refreshed.status).toBe(200);
      expect((await api.request('POST', '/api/auth/logout', { token: refreshed.body.accessToken })).status).toBe(204);
      // Left on, they would slow every later request in this process (bench/README.md).
      expect(await promiseHooksEnabled()).toBe(false);
    });
  });

  describe('jwks', () => {
    it('serves the Ed25519 public key that signed the access tokens, and no private part', async () => {
      const res = await api.request('GET', '/api/auth/jwks');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(Array.isArray(res.body.keys)).toBe(true);
      expect(res.body.keys.length).toBeGreaterThanOrEqual(1);
      const { header } = decodeJwt(registered.body.accessToken);
      const key = res.body.keys.find((k: { kid: string }) => k.kid === header.kid);
      expect(key).toBeDefined();
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
      expect(typeof key.x).toBe('string');
      for (const k of res.body.keys) expect(k).not.toHaveProperty('d');
    });
  });
});
