// Brute force and flooding (OWASP API2/API4, ASVS 6.3.x): login throttled per client IP, per
// (account, IP) and per account with a ceiling that a stranger cannot turn into the owner's
// lockout; registration per IP (successes and refusals counted apart), the task API and GraphQL
// per user and per IP; 429 RATE_LIMITED with Retry-After. The client IP is the socket address unless TRUST_PROXY
// names the proxy, so a rotating X-Forwarded-For resets nothing; every spelling of a login path
// (duplicate slashes, odd casing, dot segments, better-auth's own route) draws on the same budget.
//
// Distinct client IPs without a proxy: each test connects from its own 127.0.0.x source address,
// so the per-IP counters of one test never leak into another.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, PRODUCTION_MAIL, startApi, type DbKind, type TestApi, type TestUser } from '../support/harness.js';
import { OWN_ORIGIN, count, expectRateLimited, rawRequest } from './helpers.js';
import { loadConfig } from '../../src/config/env.js';

const BUDGET = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_LOGIN_IP: '4/60',
  RATE_LIMIT_LOGIN_ACCOUNT: '3/900',
  RATE_LIMIT_LOGIN_ACCOUNT_IP: '2/900',
  RATE_LIMIT_REGISTER_IP: '2/3600',
  RATE_LIMIT_REGISTER_REFUSED_IP: '3/3600',
  RATE_LIMIT_API: '5/60',
};
const LOGIN_IP = 4;
const LOGIN_ACCOUNT = 3;
const LOGIN_ACCOUNT_IP = 2;
const REGISTER_IP = 2;
const REGISTER_REFUSED_IP = 3;
const API = 5;

const INVALID_CREDENTIALS = { error: { code: 'INVALID_CREDENTIALS', message: 'Invalid email or password.', requestId: expect.any(String) } };
const BA_INVALID = {
  code: 'INVALID_EMAIL_OR_PASSWORD',
  message: 'Invalid email or password',
  error: { code: 'INVALID_CREDENTIALS', message: 'Invalid email or password', requestId: expect.any(String) },
};

const unknownEmail = () => `nobody-${randomBytes(5).toString('hex')}@example.com`;

describe.each(DATABASES)('rate limits (%s)', (kind: DbKind) => {
  /** No TRUST_PROXY: the socket address is the client IP. */
  let direct: TestApi;
  /** TRUST_PROXY=127.0.0.1: X-Forwarded-For from the (local) proxy names the client. */
  let proxied: TestApi;
  let nextHost = 10;
  /** A fresh client address for each use: 127.0.0.<n>. */
  const freshIp = () => `127.0.0.${nextHost++}`;

  async function registerFrom(api: TestApi, via: { localAddress?: string; xff?: string }, name = 'Limited'): Promise<TestUser> {
    const email = `rl-${randomBytes(5).toString('hex')}@example.com`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const res = await rawRequest(api.url, {
      method: 'POST',
      path: '/api/auth/register',
      body: { email, password, name },
      localAddress: via.localAddress,
      headers: via.xff ? { 'x-forwarded-for': via.xff } : {},
    });
    expect(res.status, res.text).toBe(201);
    return { id: res.body.user.id, email, password, name, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
  }

  const login = (api: TestApi, from: string, email: string, password: string, path = '/api/auth/login', headers: Record<string, string> = {}) =>
    rawRequest(api.url, {
      method: 'POST',
      path,
      body: { email, password },
      localAddress: from,
      // better-auth's own handler insists on a trusted Origin for POSTs; our REST routes ignore it.
      headers: { origin: OWN_ORIGIN, ...headers },
    });

  const sessionsOf = (api: TestApi, userId: string) => count(api, 'select count(*)::int as n from "session" where user_id = $1', [userId]);

  beforeAll(async () => {
    [direct, proxied] = await Promise.all([startApi(kind, BUDGET), startApi(kind, { ...BUDGET, TRUST_PROXY: '127.0.0.1', RATE_LIMIT_LOGIN_IP: '10/60' })]);
  });
  afterAll(async () => {
    await Promise.all([direct?.close(), proxied?.close()]);
  });

  describe('login per client IP', () => {
    it(`attempt #${LOGIN_IP + 1} from one IP is 429 RATE_LIMITED with Retry-After; even the right password then gets no token`, async () => {
      const victim = await registerFrom(direct, { localAddress: freshIp() });
      const attacker = freshIp();
      // Each attempt names a different (unknown) account, so only the per-IP budget is in play.
      for (let i = 0; i < LOGIN_IP; i++) {
        const res = await login(direct, attacker, unknownEmail(), 'wrong-password-1');
        expect([res.status, res.body]).toEqual([401, INVALID_CREDENTIALS]);
      }
      expectRateLimited(await login(direct, attacker, unknownEmail(), 'wrong-password-1'), 60);
      const right = await login(direct, attacker, victim.email, victim.password);
      expectRateLimited(right, 60);
      expect(right.text).not.toContain('accessToken');
      // better-auth's own sign-in from that IP is throttled by the same counter
      const viaBetterAuth = await login(direct, attacker, victim.email, victim.password, '/api/auth/sign-in/email');
      expectRateLimited(viaBetterAuth, 60);
      expect(viaBetterAuth.headers.getSetCookie()).toEqual([]);
      // The budget is per IP: the victim, elsewhere, signs in normally.
      const elsewhere = await login(direct, freshIp(), victim.email, victim.password);
      expect(elsewhere.status, elsewhere.text).toBe(200);
    });

    it('without TRUST_PROXY a rotating X-Forwarded-For does not reset the per-IP budget', async () => {
      const attacker = freshIp();
      const outcomes: number[] = [];
      for (let i = 0; i < LOGIN_IP + 4; i++) {
        const res = await login(direct, attacker, unknownEmail(), 'wrong-password-1', '/api/auth/login', {
          'x-forwarded-for': `198.51.100.${i + 1}`,
          'x-real-ip': `198.51.100.${i + 1}`,
          forwarded: `for=198.51.100.${i + 1}`,
        });
        outcomes.push(res.status);
        if (i >= LOGIN_IP) expectRateLimited(res, 60);
      }
      expect(outcomes).toEqual([...Array(LOGIN_IP).fill(401), ...Array(4).fill(429)]);
    });

    it('/api/auth/login, //api/auth/login, better-auth /api/auth/sign-in/email and /api/auth/Sign-In/email share one budget', async () => {
      const victim = await registerFrom(direct, { localAddress: freshIp() });
      const attacker = freshIp();
      const first = [
        await login(direct, attacker, unknownEmail(), 'wrong-password-1', '/api/auth/login'),
        await login(direct, attacker, unknownEmail(), 'wrong-password-1', '//api/auth/login'),
        await login(direct, attacker, unknownEmail(), 'wrong-password-1', '/api/auth/sign-in/email'),
        // better-auth's router is case-sensitive: odd casing never reaches sign-in, yet it is counted.
        await login(direct, attacker, victim.email, victim.password, '/api/auth/Sign-In/email'),
      ];
      expect(first.map((r) => r.status)).toEqual([401, 401, 401, 404]);
      expect(first[0]!.body).toEqual(INVALID_CREDENTIALS);
      expect(first[1]!.body).toEqual(INVALID_CREDENTIALS);
      expect(first[2]!.body).toEqual(BA_INVALID);
      expect(first[3]!.headers.getSetCookie()).toEqual([]);
      // Budget spent: every spelling is now 429, even with the right password.
      for (const path of ['/api/auth/login', '//api/auth/login', '///api//auth//login', '/api/auth/sign-in/email', '//api/auth/sign-in/email', '/api//auth/sign-in/email', '/api/auth/Sign-In/email', '/api/auth/SIGN-IN/EMAIL', '/api/auth/sign-in/email?x=1']) {
        const res = await login(direct, attacker, victim.email, victim.password, path);
        expect({ path, status: res.status }).toEqual({ path, status: 429 });
        expectRateLimited(res, 60);
        expect(res.headers.getSetCookie()).toEqual([]);
      }
      expect(await sessionsOf(direct, victim.id)).toBe(1); // only the one from registration
    });

    // fetch() would normalise these; a raw client sends them as written and better-auth (via
    // new URL()) resolves them to /api/auth/sign-in/email.
    const DOT_PATHS = ['/api/auth/./sign-in/email', '/api/auth/x/../sign-in/email', '/api/auth/sign-in/./email', '/api/auth/sign-in/email#frag'];

    it('dot-segment and fragment spellings of sign-in reach the same per-IP budget (never an unthrottled guess)', async () => {
      const victim = await registerFrom(direct, { localAddress: freshIp() });
      const attacker = freshIp();
      for (let i = 0; i < LOGIN_IP; i++) {
        const res = await login(direct, attacker, unknownEmail(), 'wrong-password-1');
        expect(res.status).toBe(401);
      }
      const outcomes: Record<string, number> = {};
      for (const path of DOT_PATHS) outcomes[path] = (await login(direct, attacker, victim.email, victim.password, path)).status;
      expect(outcomes).toEqual(Object.fromEntries(DOT_PATHS.map((p) => [p, 429])));
      expect(await sessionsOf(direct, victim.id)).toBe(1);
    });

    it('dot-segment spellings of sign-in count against the per-IP budget too', async () => {
      const attacker = freshIp();
      const statuses: number[] = [];
      for (let i = 0; i < LOGIN_IP + 2; i++) {
        statuses.push((await login(direct, attacker, unknownEmail(), 'wrong-password-1', DOT_PATHS[i % DOT_PATHS.length])).status);
      }
      expect(statuses).toEqual([...Array(LOGIN_IP).fill(401), 429, 429]);
    });
  });

  describe('login per account, across IPs (TRUST_PROXY=127.0.0.1, X-Forwarded-For names the client)', () => {
    // Here each address may make 10 attempts a minute, so every 429 below is the account's doing.
    const loginVia = (n: number, email: string, password: string, path = '/api/auth/login') =>
      login(proxied, '127.0.0.1', email, password, path, { 'x-forwarded-for': `203.0.${Math.floor(n / 250)}.${(n % 250) + 1}` });
    let nextAddress = 0;
    /** A block of fresh client addresses (numbers for loginVia). */
    const addresses = (k: number) => Array.from({ length: k }, () => nextAddress++);

    it(`${LOGIN_ACCOUNT_IP} failures from one address lock that address out of that account only, on every path; the owner elsewhere signs in`, async () => {
      const victim = await registerFrom(proxied, { xff: '192.0.2.200' }, 'Victim');
      const bystander = await registerFrom(proxied, { xff: '192.0.2.201' }, 'Bystander');
      const [attacker, owner] = addresses(2) as [number, number];
      for (let i = 1; i <= LOGIN_ACCOUNT_IP; i++) {
        const res = await loginVia(attacker, victim.email, `wrong-password-${i}`);
        expect([res.status, res.body]).toEqual([401, INVALID_CREDENTIALS]);
      }
      // Casing and whitespace of the email do not make a new account key; every door is closed.
      const sessionsBefore = await sessionsOf(proxied, victim.id);
      for (const [path, email] of [
        ['/api/auth/login', victim.email],
        ['/api/auth/login', victim.email.toUpperCase()],
        ['/api/auth/sign-in/email', victim.email],
        ['//api/auth/sign-in/email', victim.email],
        ['/api/auth/./sign-in/email', victim.email],
      ] as const) {
        const res = await loginVia(attacker, email, victim.password, path);
        expect({ path, status: res.status }).toEqual({ path, status: 429 });
        expectRateLimited(res, 900);
        expect(res.headers.getSetCookie()).toEqual([]);
      }
      expect(await sessionsOf(proxied, victim.id)).toBe(sessionsBefore);
      // DELETE /api/auth/me (a password check) from that address is under the same lock.
      const del = await rawRequest(proxied.url, {
        method: 'DELETE',
        path: '/api/auth/me',
        token: victim.accessToken,
        body: { password: victim.password },
        headers: { 'x-forwarded-for': `203.0.${Math.floor(attacker / 250)}.${(attacker % 250) + 1}` },
      });
      expectRateLimited(del, 900);
      expect(await count(proxied, 'select count(*)::int as n from "user" where id = $1', [victim.id])).toBe(1);
      // The lock is the pair's: another account signs in from the attacker's address, and the
      // owner signs in from their own.
      expect((await loginVia(attacker, bystander.email, bystander.password)).status).toBe(200);
      const own = await loginVia(owner, victim.email, victim.password);
      expect(own.status, own.text).toBe(200);
    });

    it('an attacker spreading guesses over 50 addresses gets at most ceiling + 50 of them; the owner from a fresh address signs in meanwhile', async () => {
      const victim = await registerFrom(proxied, { xff: '192.0.2.202' }, 'Target');
      const guesses: number[] = [];
      // Every address sends its whole per-IP budget, half through each sign-in door.
      for (const address of addresses(50)) {
        for (let i = 0; i < LOGIN_IP; i++) {
          const path = i % 2 === 0 ? '/api/auth/login' : '/api/auth/sign-in/email';
          const res = await loginVia(address, victim.email, `guess-${address}-${i}`, path);
          expect([401, 429]).toContain(res.status);
          if (res.status === 429) expectRateLimited(res, 900);
          guesses.push(res.status);
        }
      }
      const checked = guesses.filter((s) => s === 401).length;
      // The documented budget (docs/decisions/006): at most ceiling + (number of addresses).
      expect(checked).toBeLessThanOrEqual(LOGIN_ACCOUNT + 50);
      // ...far below what the per-IP limit alone would allow (LOGIN_IP per address).
      expect(checked).toBeLessThan(50 * LOGIN_IP);
      // During the attack the owner, from an address with no failures, gets in at once.
      const [fresh] = addresses(1) as [number];
      const own = await loginVia(fresh, victim.email, victim.password, '/api/auth/sign-in/email');
      expect(own.status, own.text).toBe(200);
      expect(own.headers.getSetCookie().some((c) => c.includes('session_token'))).toBe(true);
      // A wrong password from a fresh address during the attack: one answer, then locked.
      const [probe] = addresses(1) as [number];
      expect((await loginVia(probe, victim.email, 'another-guess')).status).toBe(401);
      expectRateLimited(await loginVia(probe, victim.email, victim.password), 900);
    });

    it('parallel guesses from one address cannot all slip past the check before their failures are counted', async () => {
      const victim = await registerFrom(proxied, { xff: '192.0.2.203' });
      const [attacker] = addresses(1) as [number];
      const answers = await Promise.all(Array.from({ length: LOGIN_IP }, (_, i) => loginVia(attacker, victim.email, `parallel-${i}`)));
      expect(answers.filter((r) => r.status === 401)).toHaveLength(LOGIN_ACCOUNT_IP);
      expect(answers.filter((r) => r.status === 429)).toHaveLength(LOGIN_IP - LOGIN_ACCOUNT_IP);
    });
  });

  describe('registration per client IP', () => {
    it(`sign-up #${REGISTER_IP + 1} from one IP is 429 on /api/auth/register and better-auth's /sign-up/email; nothing is created`, async () => {
      const ip = freshIp();
      for (let i = 0; i < REGISTER_IP; i++) await registerFrom(direct, { localAddress: ip });
      const users = await count(direct, 'select count(*)::int as n from "user"');
      const email = `blocked-${randomBytes(4).toString('hex')}@example.com`;
      const body = { email, password: 'a fine passphrase', name: 'Blocked' };
      const rest = await rawRequest(direct.url, { method: 'POST', path: '/api/auth/register', body, localAddress: ip, headers: { 'x-forwarded-for': '198.51.100.77' } });
      expectRateLimited(rest, 3600);
      for (const path of ['/api/auth/sign-up/email', '//api/auth/sign-up/email', '/api/auth/Sign-Up/email']) {
        const res = await rawRequest(direct.url, { method: 'POST', path, body, localAddress: ip, headers: { origin: OWN_ORIGIN } });
        expect({ path, status: res.status }).toEqual({ path, status: 429 });
        expectRateLimited(res, 3600);
      }
      expect(await count(direct, 'select count(*)::int as n from "user"')).toBe(users);
      expect(await count(direct, 'select count(*)::int as n from "user" where email = $1', [email])).toBe(0);
      // another IP may still register
      await registerFrom(direct, { localAddress: freshIp() });
    });

    it(`refused sign-ups have their own budget: ${REGISTER_REFUSED_IP} refusals neither use up nor are used up by successful sign-ups`, async () => {
      const ip = freshIp();
      const taken = await registerFrom(direct, { localAddress: freshIp() });
      const refuse = (path: string) =>
        rawRequest(direct.url, { method: 'POST', path, body: { email: taken.email, password: 'a fine passphrase', name: 'Again' }, localAddress: ip, headers: { origin: OWN_ORIGIN } });
      // Refusals (e-mail taken) through both doors; the next attempt of any kind is then 429.
      const refusals = [await refuse('/api/auth/register'), await refuse('/api/auth/sign-up/email'), await refuse('/api/auth/register')];
      expect(refusals.map((r) => r.status)).toEqual([409, 422, 409]);
      expectRateLimited(await refuse('/api/auth/register'), 3600);
      // A new address: successes do not touch the refusal budget.
      const other = freshIp();
      for (let i = 0; i < REGISTER_IP; i++) await registerFrom(direct, { localAddress: other });
      expectRateLimited(
        await rawRequest(direct.url, { method: 'POST', path: '/api/auth/register', body: { email: unknownEmail(), password: 'a fine passphrase', name: 'Third' }, localAddress: other }),
        3600,
      );
    });

    it('a dot-segment spelling of sign-up is under the same per-IP budget', async () => {
      const ip = freshIp();
      for (let i = 0; i < REGISTER_IP; i++) await registerFrom(direct, { localAddress: ip });
      const email = `dot-${randomBytes(4).toString('hex')}@example.com`;
      const res = await rawRequest(direct.url, {
        method: 'POST',
        path: '/api/auth/./sign-up/email',
        body: { email, password: 'a fine passphrase', name: 'Dot' },
        localAddress: ip,
        headers: { origin: OWN_ORIGIN },
      });
      expect(res.status, res.text).toBe(429);
      expect(await count(direct, 'select count(*)::int as n from "user" where email = $1', [email])).toBe(0);
    });
  });

  describe('task API and GraphQL', () => {
    const listTasks = (api: TestApi, user: TestUser, via: { localAddress?: string; xff?: string }) =>
      rawRequest(api.url, { method: 'GET', path: '/api/tasks', token: user.accessToken, localAddress: via.localAddress, headers: via.xff ? { 'x-forwarded-for': via.xff } : {} });
    const gqlTasks = (api: TestApi, token: string | undefined, via: { localAddress?: string; xff?: string }, query = '{ tasks { totalCount } }') =>
      rawRequest(api.url, {
        method: 'POST',
        path: '/graphql',
        token,
        body: { query },
        localAddress: via.localAddress,
        headers: via.xff ? { 'x-forwarded-for': via.xff } : {},
      });

    it(`per user: request ${API + 1} from a user is 429 on /api/tasks and /graphql whatever IP it comes from; nothing is created`, async () => {
      const user = await registerFrom(proxied, { xff: '192.0.2.210' });
      const other = await registerFrom(proxied, { xff: '192.0.2.211' });
      const statuses: number[] = [];
      for (let i = 0; i < API; i++) {
        const via = { xff: `100.64.0.${i + 1}` };
        statuses.push((i % 2 === 0 ? await listTasks(proxied, user, via) : await gqlTasks(proxied, user.accessToken, via)).status);
      }
      expect(statuses).toEqual(Array(API).fill(200));
      expectRateLimited(await listTasks(proxied, user, { xff: '100.64.0.50' }), 60);
      const gql = await gqlTasks(proxied, user.accessToken, { xff: '100.64.0.51' });
      expectRateLimited(gql, 60);
      expect(gql.text).not.toContain('"data"');
      const created = await rawRequest(proxied.url, { method: 'POST', path: '/api/tasks', token: user.accessToken, body: { title: 'over the limit' }, headers: { 'x-forwarded-for': '100.64.0.52' } });
      expectRateLimited(created, 60);
      const mutation = await gqlTasks(proxied, user.accessToken, { xff: '100.64.0.53' }, 'mutation { createTask(input: { title: "over the limit" }) { id } }');
      expectRateLimited(mutation, 60);
      expect(await count(proxied, 'select count(*)::int as n from task where owner_id = $1', [user.id])).toBe(0);
      // another user, from another IP, is not affected
      expect((await listTasks(proxied, other, { xff: '100.64.0.60' })).status).toBe(200);
    });

    it(`per IP: users sharing one IP share its budget; anonymous GraphQL from it is throttled too`, async () => {
      const ip = freshIp();
      const u1 = await registerFrom(direct, { localAddress: freshIp() });
      const u2 = await registerFrom(direct, { localAddress: freshIp() });
      const statuses: number[] = [];
      for (let i = 0; i < API; i++) statuses.push((await listTasks(direct, i < 3 ? u1 : u2, { localAddress: ip })).status);
      expect(statuses).toEqual(Array(API).fill(200));
      expectRateLimited(await listTasks(direct, u2, { localAddress: ip }), 60);
      expectRateLimited(await gqlTasks(direct, undefined, { localAddress: ip }, '{ health }'), 60);
      // the same user from a different IP is still served (its own per-user budget is not spent)
      expect((await listTasks(direct, u2, { localAddress: freshIp() })).status).toBe(200);
    });

    it('per IP: requests carrying invalid tokens are counted as well (a flood of forged tokens is throttled)', async () => {
      const ip = freshIp();
      const forged = `${Buffer.from('{"alg":"EdDSA","kid":"x"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.${'A'.repeat(86)}`;
      const rest: number[] = [];
      const gql: number[] = [];
      for (let i = 0; i < API + 3; i++) {
        rest.push((await rawRequest(direct.url, { method: 'GET', path: '/api/tasks', token: forged, localAddress: ip })).status);
      }
      const ip2 = freshIp();
      for (let i = 0; i < API + 3; i++) gql.push((await gqlTasks(direct, forged, { localAddress: ip2 })).status);
      expect({ rest, gql }).toEqual({
        rest: [...Array(API).fill(401), 429, 429, 429],
        gql: [...Array(API).fill(401), 429, 429, 429],
      });
    });
  });
});

describe('rate limits: configuration', () => {
  it('limits are on by default in every environment (no RATE_LIMIT_ENABLED), with the documented budgets', async () => {
    // The harness sets RATE_LIMIT_ENABLED=false explicitly; without it the default applies.
    const config = loadConfig({ NODE_ENV: 'production', BETTER_AUTH_SECRET: 'x'.repeat(40), ...PRODUCTION_MAIL });
    expect(config.rateLimits).toEqual({
      enabled: true,
      loginPerIp: { max: 20, windowSeconds: 60 },
      loginPerAccount: { max: 50, windowSeconds: 900 },
      loginPerAccountIp: { max: 5, windowSeconds: 900 },
      registerPerIp: { max: 10, windowSeconds: 3600 },
      registerRefusedPerIp: { max: 30, windowSeconds: 3600 },
      api: { max: 600, windowSeconds: 60 },
      forgotPerIp: { max: 10, windowSeconds: 3600 },
      forgotPerEmail: { max: 3, windowSeconds: 3600 },
      twoFactorPerAccount: { max: 10, windowSeconds: 900 },
    });
    // Development keeps every limit but lets a developer sign up often from one machine.
    expect(loadConfig({ NODE_ENV: 'development' }).rateLimits).toMatchObject({
      enabled: true,
      registerPerIp: { max: 100, windowSeconds: 3600 },
      registerRefusedPerIp: { max: 300, windowSeconds: 3600 },
      loginPerAccountIp: { max: 5, windowSeconds: 900 },
    });
    expect(loadConfig({ NODE_ENV: 'test' }).rateLimits.enabled).toBe(true);
  });
});
