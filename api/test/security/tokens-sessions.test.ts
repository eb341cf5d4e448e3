// Tokens and sessions (ASVS 7.x/9.x, OWASP API2): refresh-token rotation with reuse detection,
// account deletion that kills every token at once, signing-key rotation without logging anyone
// out, the session cookie's attributes, and a JWT payload that carries nothing but what the API
// needs. (Forged/tampered/expired JWTs: jwt-attacks.test.ts. Owner isolation: isolation.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateSigningKey } from '../../src/auth/better-auth.js';
import { expectError } from '../support/expect.js';
import { DATABASES, TEST_ISSUER, startApi, type DbKind, type HttpResult, type TestApi, type TestUser } from '../support/harness.js';
import { OWN_ORIGIN, count, decodeJwt, sessionCookie, sleep } from './helpers.js';

const REFRESH_REJECTED = { error: { code: 'UNAUTHENTICATED', message: 'Refresh token is invalid, expired or revoked.', requestId: expect.any(String) } };
const TOKEN_REJECTED = { error: { code: 'UNAUTHENTICATED', message: 'Access token is invalid or expired.', requestId: expect.any(String) } };
const GQL_TOKEN_REJECTED = { errors: [{ message: 'Access token is invalid or expired.', extensions: { code: 'UNAUTHENTICATED', requestId: expect.any(String) } }] };
const INVALID_CREDENTIALS = { error: { code: 'INVALID_CREDENTIALS', message: 'Invalid email or password.', requestId: expect.any(String) } };
const PAYLOAD_KEYS = ['aud', 'exp', 'iat', 'iss', 'sid', 'sub'];

interface Pair {
  accessToken: string;
  refreshToken: string;
}

describe.each(DATABASES)('tokens and sessions (%s)', (kind: DbKind) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(async () => {
    await api?.close();
  });

  const login = async (user: TestUser): Promise<Pair> => {
    const res = await api.request('POST', '/api/auth/login', { body: { email: user.email, password: user.password } });
    expect(res.status, res.text).toBe(200);
    return res.body as Pair;
  };
  const refresh = (refreshToken: string) => api.request('POST', '/api/auth/refresh', { body: { refreshToken } });
  const me = (accessToken: string) => api.request('GET', '/api/auth/me', { token: accessToken });

  /** The access token is rejected on REST and GraphQL, and the refresh token cannot be exchanged. */
  async function expectDead(pair: Pair, label: string) {
    const rest = await me(pair.accessToken);
    expect({ label, status: rest.status, body: rest.body }).toEqual({ label, status: 401, body: TOKEN_REJECTED });
    expect(rest.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const tasks = await api.request('GET', '/api/tasks', { token: pair.accessToken });
    expect({ label, status: tasks.status, body: tasks.body }).toEqual({ label, status: 401, body: TOKEN_REJECTED });
    const gql = await api.gql('{ me { id } }', {}, pair.accessToken);
    expect({ label, status: gql.status, body: gql.body }).toEqual({ label, status: 401, body: GQL_TOKEN_REJECTED });
    const r = await refresh(pair.refreshToken);
    expect({ label, status: r.status, body: r.body }).toEqual({ label, status: 401, body: REFRESH_REJECTED });
  }

  async function expectAlive(pair: Pair, user: TestUser) {
    const res = await me(pair.accessToken);
    expect(res.status, res.text).toBe(200);
    expect(res.body.user.id).toBe(user.id);
  }

  const sessionsOf = (userId: string) => count(api, 'select count(*)::int as n from "session" where user_id = $1', [userId]);

  describe('refresh-token rotation', () => {
    it('each refresh returns a new refresh token; the one it replaced is 401 and its session row is gone', async () => {
      const user = await api.registerUser();
      const s0 = await login(user);
      const before = await sessionsOf(user.id);
      const r1 = await refresh(s0.refreshToken);
      expect(r1.status, r1.text).toBe(200);
      expect(r1.headers.get('cache-control')).toBe('no-store');
      const s1 = r1.body as Pair;
      expect(s1.refreshToken).not.toBe(s0.refreshToken);
      expect(s1.accessToken).not.toBe(s0.accessToken);
      expect(decodeJwt(s1.accessToken).payload.sid).not.toBe(decodeJwt(s0.accessToken).payload.sid);
      await expectAlive(s1, user);
      expect((await api.request('GET', '/api/tasks', { token: s1.accessToken })).status).toBe(200);
      // one session replaced by another: no growth
      expect(await sessionsOf(user.id)).toBe(before);
      // The rotated-out session is revoked, so its access token stops working too.
      const oldAccess = await me(s0.accessToken);
      expect([oldAccess.status, oldAccess.body]).toEqual([401, TOKEN_REJECTED]);
      // the replaced refresh token is refused (and, being a replay, ends the chain: next test)
      const replay = await refresh(s0.refreshToken);
      expect([replay.status, replay.body]).toEqual([401, REFRESH_REJECTED]);
    });

    it('replaying a retired refresh token revokes the session that descended from it: its access and refresh tokens are 401', async () => {
      const user = await api.registerUser();
      const bystander = await login(user); // another device of the same user
      const s0 = await login(user);
      const s1 = (await refresh(s0.refreshToken)).body as Pair;
      const r2 = await refresh(s1.refreshToken);
      expect(r2.status).toBe(200);
      const s2 = r2.body as Pair;
      await expectAlive(s2, user); // warm the verifier cache: revocation has to beat it

      const replay = await refresh(s0.refreshToken); // the thief's copy of the first token
      expect([replay.status, replay.body]).toEqual([401, REFRESH_REJECTED]);
      expect(replay.headers.get('cache-control')).toBe('no-store');
      await expectDead(s2, 'newest descendant');
      await expectDead(s1, 'middle of the chain');
      // a session that did not descend from the stolen token lives on
      await expectAlive(bystander, user);
      expect((await refresh(bystander.refreshToken)).status).toBe(200);
    });

    it('whoever presents a stolen refresh token second ends the chain, even when the thief rotated first', async () => {
      const user = await api.registerUser();
      const victim = await login(user);
      const thief = await refresh(victim.refreshToken); // the thief rotates first
      expect(thief.status).toBe(200);
      const victimTry = await refresh(victim.refreshToken);
      expect([victimTry.status, victimTry.body]).toEqual([401, REFRESH_REJECTED]);
      await expectDead(thief.body as Pair, "thief's rotated session");
      // the victim signs in again and carries on
      await expectAlive(await login(user), user);
    });

    it('two concurrent refreshes with the same token never fork the session: no descendant survives both', async () => {
      const user = await api.registerUser();
      const s0 = await login(user);
      const results = await Promise.all([refresh(s0.refreshToken), refresh(s0.refreshToken)]);
      expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
      // every refusal is the contract's 401, whichever request lost the race
      for (const r of results) if (r.status !== 200) expect([r.status, r.body]).toEqual([401, REFRESH_REJECTED]);
      for (const r of results) if (r.status === 200) await expectDead(r.body as Pair, 'loser revoked the winner');
      await expectDead(s0, 'original');
    });
  });

  describe('DELETE /api/auth/me', () => {
    it('with the right password: 204; every token of every session is 401 at once, login fails, the data is gone', async () => {
      const user = await api.registerUser('Leaving');
      const other = await api.registerUser('Staying');
      const second = await login(user);
      const task = await api.request('POST', '/api/tasks', { token: user.accessToken, body: { title: 'mine' } });
      expect(task.status).toBe(201);
      const othersTask = await api.request('POST', '/api/tasks', { token: other.accessToken, body: { title: 'theirs' } });
      expect(othersTask.status).toBe(201);
      await expectAlive(user, user);
      await expectAlive(second, user);

      const res = await api.request('DELETE', '/api/auth/me', { token: user.accessToken, body: { password: user.password } });
      expect(res.status, res.text).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers.get('cache-control')).toBe('no-store');

      await expectDead(user, 'deleting session');
      await expectDead(second, 'other session of the deleted user');
      const again = await api.request('POST', '/api/auth/login', { body: { email: user.email, password: user.password } });
      expect([again.status, again.body]).toEqual([401, INVALID_CREDENTIALS]);
      for (const table of ['"user" where id = $1', '"session" where user_id = $1', 'account where user_id = $1', 'task where owner_id = $1']) {
        expect({ table, n: await count(api, `select count(*)::int as n from ${table}`, [user.id]) }).toEqual({ table, n: 0 });
      }
      // nobody else lost anything
      await expectAlive(other, other);
      const theirs = await api.request('GET', `/api/tasks/${othersTask.body.id}`, { token: other.accessToken });
      expect([theirs.status, theirs.body]).toEqual([200, othersTask.body]);
      // the email is free again, and a new account with it has none of the old data
      const reborn = await api.request('POST', '/api/auth/register', { body: { email: user.email, password: user.password, name: 'Reborn' } });
      expect(reborn.status, reborn.text).toBe(201);
      expect(reborn.body.user.id).not.toBe(user.id);
      expect((await api.request('GET', '/api/tasks', { token: reborn.body.accessToken })).body).toEqual({ tasks: [], nextCursor: null });
    });

    it('with a wrong password: 401 INVALID_CREDENTIALS and nothing is deleted; the tokens keep working', async () => {
      const user = await api.registerUser();
      const task = await api.request('POST', '/api/tasks', { token: user.accessToken, body: { title: 'still here' } });
      const sessions = await sessionsOf(user.id);
      for (const password of ['wrong-password-1', user.password.toUpperCase(), `${user.password} `]) {
        const res = await api.request('DELETE', '/api/auth/me', { token: user.accessToken, body: { password } });
        expect([res.status, res.body]).toEqual([401, { error: { code: 'INVALID_CREDENTIALS', message: 'Password is incorrect.', requestId: expect.any(String) } }]);
      }
      expect(await count(api, 'select count(*)::int as n from "user" where id = $1', [user.id])).toBe(1);
      expect(await sessionsOf(user.id)).toBe(sessions);
      expect((await api.request('GET', `/api/tasks/${task.body.id}`, { token: user.accessToken })).body).toEqual(task.body);
      await expectAlive(user, user);
      expect((await refresh(user.refreshToken)).status).toBe(200);
    });

    it('without a token 401, without a password 400: nothing is deleted', async () => {
      const user = await api.registerUser();
      const anon = await api.request('DELETE', '/api/auth/me', { body: { password: user.password } });
      expectError(anon, 401, 'UNAUTHENTICATED');
      const noPassword = await api.request('DELETE', '/api/auth/me', { token: user.accessToken, body: {} });
      expectError(noPassword, 400, 'VALIDATION_FAILED');
      expect(noPassword.body.error.details).toEqual([{ field: 'password', message: expect.any(String) }]);
      expect(await count(api, 'select count(*)::int as n from "user" where id = $1', [user.id])).toBe(1);
    });
  });

  describe('signing-key rotation', () => {
    it('a token minted before rotation keeps working; new tokens carry the new kid and work; the JWKS serves both', async () => {
      const user = await api.registerUser();
      const before = await login(user);
      const oldKid = String(decodeJwt(before.accessToken).header.kid);
      await expectAlive(before, user);
      const jwksBefore = await api.request<{ keys: { kid: string }[] }>('GET', '/api/auth/jwks');
      expect(jwksBefore.body.keys.map((k) => k.kid)).toContain(oldKid);

      const newKid = await rotateSigningKey(api.built.auth, { issuer: TEST_ISSUER, audience: TEST_ISSUER, accessTokenTtlSeconds: 900 });
      expect(newKid).not.toBe(oldKid);

      const jwks = await api.request<{ keys: Record<string, unknown>[] }>('GET', '/api/auth/jwks');
      expect(jwks.status).toBe(200);
      const kids = jwks.body.keys.map((k) => k.kid);
      expect(kids).toEqual(expect.arrayContaining([oldKid, newKid]));
      expect(kids).toHaveLength(jwksBefore.body.keys.length + 1);
      for (const key of jwks.body.keys) {
        expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
        expect(key).not.toHaveProperty('d');
      }

      // the old token, cached or not, still works
      await expectAlive(before, user);
      const after = await login(user);
      const { header } = decodeJwt(after.accessToken);
      expect(header).toMatchObject({ alg: 'EdDSA', kid: newKid });
      // The verifier re-reads the key set on an unknown kid at most once per 5 s (ADR 005): the
      // new token is accepted at the latest once that cooldown has passed.
      let waited = 0;
      let res: HttpResult = await me(after.accessToken);
      while (res.status !== 200 && waited < 7_000) {
        await sleep(250);
        waited += 250;
        res = await me(after.accessToken);
      }
      expect(res.status, res.text).toBe(200);
      expect(waited).toBeLessThanOrEqual(5_500);
      expect((await api.request('GET', '/api/tasks', { token: after.accessToken })).status).toBe(200);
      // refreshing an old-key session yields a new-key token
      const refreshed = await refresh(before.refreshToken);
      expect(refreshed.status).toBe(200);
      expect(decodeJwt(refreshed.body.accessToken).header.kid).toBe(newKid);
      await expectAlive(refreshed.body as Pair, user);
    });
  });

  describe('the JWT payload', () => {
    it('is exactly sub, sid, iss, aud, iat, exp whichever route minted it', async () => {
      const user = await api.registerUser();
      const loggedIn = await login(user);
      const refreshed = (await refresh((await login(user)).refreshToken)).body as Pair;
      const signIn = await api.request('POST', '/api/auth/sign-in/email', { body: { email: user.email, password: user.password }, headers: { origin: OWN_ORIGIN } });
      expect(signIn.status, signIn.text).toBe(200);
      const viaCookie = await api.request('GET', '/api/auth/token', { headers: { cookie: sessionCookie(signIn).pair } });
      expect(viaCookie.status, viaCookie.text).toBe(200);

      const tokens: Record<string, string> = {
        register: user.accessToken,
        login: loggedIn.accessToken,
        refresh: refreshed.accessToken,
        'better-auth /token (cookie)': viaCookie.body.token,
      };
      for (const [route, token] of Object.entries(tokens)) {
        const { header, payload } = decodeJwt(token);
        expect({ route, keys: Object.keys(payload).sort() }).toEqual({ route, keys: PAYLOAD_KEYS });
        expect({ route, header: Object.keys(header).sort() }).toEqual({ route, header: ['alg', 'kid'] });
        expect(header.alg).toBe('EdDSA');
        expect(payload).toMatchObject({ sub: user.id, iss: TEST_ISSUER, aud: TEST_ISSUER });
        expect(Number(payload.exp) - Number(payload.iat)).toBe(900);
        // sid names a live session of this user; no email, name, role or any other user field
        const sid = String(payload.sid);
        expect(await count(api, 'select count(*)::int as n from "session" where id = $1 and user_id = $2', [sid, user.id])).toBe(1);
        expect(Buffer.from(token.split('.')[1]!, 'base64url').toString()).not.toContain(user.email);
        expect((await me(token)).status).toBe(200);
      }
    });
  });

  describe('session cookie (better-auth, for the web app) over http', () => {
    it('is HttpOnly, SameSite=Lax, Path=/ and has no Secure flag or __Secure- prefix over plain http', async () => {
      const user = await api.registerUser();
      for (const [path, body] of [
        ['/api/auth/sign-in/email', { email: user.email, password: user.password }],
        ['/api/auth/sign-up/email', { email: `cookie-${Date.now()}@example.com`, password: 'a fine passphrase', name: 'Cookie' }],
      ] as const) {
        const res = await api.request('POST', path, { body, headers: { origin: OWN_ORIGIN } });
        expect(res.status, res.text).toBe(200);
        const cookie = sessionCookie(res);
        expect(cookie.name).toBe('better-auth.session_token');
        expect(cookie.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/']));
        expect(cookie.attributes).not.toContain('Secure');
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });
  });
});

describe('session cookie over https (PUBLIC_URL=https://…)', () => {
  const PUBLIC = 'https://api.taskgate.example';
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi('pglite', { PUBLIC_URL: PUBLIC });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('is __Secure-prefixed, Secure, HttpOnly and SameSite=Lax on sign-up and sign-in; and it works as a session', async () => {
    const email = `secure-${Date.now()}@example.com`;
    const password = 'a fine passphrase';
    const up = await api.request('POST', '/api/auth/sign-up/email', { body: { email, password, name: 'Secure' }, headers: { origin: PUBLIC } });
    expect(up.status, up.text).toBe(200);
    const signIn = await api.request('POST', '/api/auth/sign-in/email', { body: { email, password }, headers: { origin: PUBLIC } });
    expect(signIn.status, signIn.text).toBe(200);
    for (const res of [up, signIn]) {
      const cookie = sessionCookie(res);
      expect(cookie.name).toBe('__Secure-better-auth.session_token');
      expect(cookie.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/']));
      expect(cookie.attributes.some((a) => /^Domain=/i.test(a))).toBe(false);
    }
    const session = await api.request('GET', '/api/auth/get-session', { headers: { cookie: sessionCookie(signIn).pair } });
    expect(session.status).toBe(200);
    expect(session.body.user.email).toBe(email);
    // the unprefixed name is not honoured when the secure one is in use
    const unprefixed = sessionCookie(signIn).pair.replace('__Secure-', '');
    const spoof = await api.request('GET', '/api/auth/get-session', { headers: { cookie: unprefixed } });
    expect(spoof.status).toBe(200);
    expect(spoof.body).toBeNull();
  });
});
