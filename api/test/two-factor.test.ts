// The second factor (authenticator app + backup codes) through real HTTP: enrolment, the REST
// sign-in challenge, replay, expiry, strikes, backup codes, isolation between accounts, better-auth's
// cookie door under the same rules, and a password reset that still asks for the second factor.
// Codes are computed from the enrolled secret with otpauth; the clock (Date only) is pinned so each
// test knows which time step the server is in.
import { TOTP, URI } from 'otpauth';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DATABASES, TEST_ISSUER, startApi, withoutRequestId, type HttpResult, type TestApi, type TestUser } from './support/harness.js';
import { linkIn, startApiWithMailbox, type Mailbox } from './support/mailbox.js';
import { OWN_ORIGIN, count, sessionCookie } from './security/helpers.js';

const STEP_MS = 30_000;

function expectError(res: HttpResult, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code, text: res.text }).toMatchObject({ status, code });
}

describe.each(DATABASES)('two-factor sign-in on %s', (kind) => {
  let api: TestApi;
  let mailbox: Mailbox;

  let close = async () => {};
  beforeAll(async () => ({ api, mailbox, close } = await startApiWithMailbox(kind)));
  afterAll(() => close());

  // Date only: the server (in this process) and the codes see the same clock; timers run normally.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // 5 s into a time step, so "the next step" is a known 30 s away.
    vi.setSystemTime(Math.floor(Date.now() / STEP_MS) * STEP_MS + 5_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const nextStep = () => vi.setSystemTime(Date.now() + STEP_MS);

  const post = (path: string, body: unknown, token?: string) => api.request('POST', path, { body, token });
  const login = (user: { email: string; password: string }) => post('/api/auth/login', { email: user.email, password: user.password });
  const me = (token: string) => api.request('GET', '/api/auth/me', { token });

  interface Enrolled extends TestUser {
    totp: TOTP;
    backupCodes: string[];
  }

  /** A new account with the second factor on; its enrolment code was the previous step's, so now and the next step are free. */
  async function enrolled(): Promise<Enrolled> {
    const user = await api.registerUser('Two Factor');
    const setup = await post('/api/auth/2fa/enable', { password: user.password }, user.accessToken);
    expect(setup.status).toBe(200);
    const totp = URI.parse(setup.body.otpauthUri) as TOTP;
    const on = await post('/api/auth/2fa/verify', { code: totp.generate({ timestamp: Date.now() - STEP_MS }) }, user.accessToken);
    expect(on.status).toBe(200);
    return { ...user, totp, backupCodes: on.body.backupCodes };
  }

  /** The code of the current step (the server's clock is this process's). */
  const codeNow = (user: Enrolled) => user.totp.generate({ timestamp: Date.now() });
  /** A code that is not the user's now, nor in the accepted skew. */
  const wrongCode = (user: Enrolled) => {
    const bad = user.totp.generate({ timestamp: Date.now() + 10 * STEP_MS });
    const near = [-1, 0, 1].map((d) => user.totp.generate({ timestamp: Date.now() + d * STEP_MS }));
    return near.includes(bad) ? String((Number(bad) + 1) % 1_000_000).padStart(6, '0') : bad;
  };

  async function challengeFor(user: { email: string; password: string }): Promise<string> {
    const res = await login(user);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ twoFactorRequired: true, challenge: expect.any(String) });
    return res.body.challenge;
  }

  const lastSignInMethod = async (token: string) =>
    ((await api.request('GET', '/api/auth/activity?first=100', { token })).body.nodes as Array<{ type: string; method: string | null }>).find((n) => n.type === 'SIGN_IN')?.method;
  const activityTypes = async (token: string) =>
    ((await api.request('GET', '/api/auth/activity?first=100', { token })).body.nodes as Array<{ type: string }>).map((n) => n.type);

  describe('enrolment', () => {
    it('password, secret, first code: on, with ten backup codes stored only hashed; REST and GraphQL say so', async () => {
      const user = await api.registerUser('Enrol');
      expect((await me(user.accessToken)).body.user.twoFactorEnabled).toBe(false);

      expectError(await post('/api/auth/2fa/enable', { password: 'not my password' }, user.accessToken), 401, 'INVALID_CREDENTIALS');
      const setup = await post('/api/auth/2fa/enable', { password: user.password }, user.accessToken);
      expect(setup.status).toBe(200);
      expect(setup.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Taskgate:/);
      const totp = URI.parse(setup.body.otpauthUri) as TOTP;
      expect(totp.secret.base32).toBe(setup.body.secret);
      expect(totp).toMatchObject({ digits: 6, period: 30, algorithm: 'SHA1', issuer: 'Taskgate', label: user.email });
      // Not on until a code proves the app has the secret.
      expect((await me(user.accessToken)).body.user.twoFactorEnabled).toBe(false);
      expect((await login(user)).body.accessToken).toEqual(expect.any(String));

      expectError(await post('/api/auth/2fa/verify', { code: wrongCode({ totp } as Enrolled) }, user.accessToken), 400, 'INVALID_CODE');
      const on = await post('/api/auth/2fa/verify', { code: totp.generate() }, user.accessToken);
      expect(on.status).toBe(200);
      expect(on.body.backupCodes).toHaveLength(10);
      expect(new Set(on.body.backupCodes).size).toBe(10);
      for (const code of on.body.backupCodes) expect(code).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);

      expect((await me(user.accessToken)).body.user.twoFactorEnabled).toBe(true);
      const gql = await api.gql('{ me { twoFactorEnabled } }', {}, user.accessToken);
      expect(gql.body).toEqual({ data: { me: { twoFactorEnabled: true } } });

      const { rows } = await api.built.db.query<{ secret: string; backupCodes: string }>('select secret, backup_codes as "backupCodes" from two_factor where user_id = $1', [user.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.secret).not.toContain(setup.body.secret);
      for (const code of on.body.backupCodes) expect(rows[0]!.backupCodes).not.toContain(code);
      expect(JSON.parse(rows[0]!.backupCodes)).toHaveLength(10);

      expect(await activityTypes(user.accessToken)).toContain('TWO_FACTOR_ENABLED');
      // Already on: a second app is not set up over it.
      expectError(await post('/api/auth/2fa/enable', { password: user.password }, user.accessToken), 409, 'CONFLICT');
      expectError(await post('/api/auth/2fa/verify', { code: totp.generate() }, user.accessToken), 409, 'CONFLICT');
    });

    it('the enrolment code cannot be used again to sign in', async () => {
      const user = await api.registerUser('Enrol replay');
      const setup = await post('/api/auth/2fa/enable', { password: user.password }, user.accessToken);
      const totp = URI.parse(setup.body.otpauthUri) as TOTP;
      const code = totp.generate();
      expect((await post('/api/auth/2fa/verify', { code }, user.accessToken)).status).toBe(200);
      expectError(await post('/api/auth/login/2fa', { challenge: await challengeFor(user), code }), 400, 'INVALID_CODE');
    });

    it('verify without enable first: 409; routes need a bearer token; bad bodies: 400', async () => {
      const user = await api.registerUser('No enable');
      expectError(await post('/api/auth/2fa/verify', { code: '123456' }, user.accessToken), 409, 'CONFLICT');
      for (const path of ['/api/auth/2fa/enable', '/api/auth/2fa/disable', '/api/auth/2fa/backup-codes']) {
        expectError(await post(path, { password: user.password }), 401, 'UNAUTHENTICATED');
        expectError(await post(path, { password: user.password, extra: 1 }, user.accessToken), 400, 'VALIDATION_FAILED');
      }
      expectError(await post('/api/auth/2fa/verify', { code: '123456' }), 401, 'UNAUTHENTICATED');
      expectError(await post('/api/auth/2fa/verify', {}, user.accessToken), 400, 'VALIDATION_FAILED');
    });
  });

  describe('REST sign-in with the second factor on', () => {
    it('the right password answers a challenge and no tokens; the code answers the usual tokens', async () => {
      const user = await enrolled();
      const res = await login(user);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['challenge', 'twoFactorRequired']);
      const done = await post('/api/auth/login/2fa', { challenge: res.body.challenge, code: codeNow(user) });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ user: { id: user.id, email: user.email }, tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) });
      expect((await me(done.body.accessToken)).body.user).toMatchObject({ id: user.id, twoFactorEnabled: true });
      // The refresh token rotates like any other.
      expect((await post('/api/auth/refresh', { refreshToken: done.body.refreshToken })).status).toBe(200);
      // The challenge is single use.
      expectError(await post('/api/auth/login/2fa', { challenge: res.body.challenge, code: user.totp.generate({ timestamp: Date.now() + STEP_MS }) }), 400, 'INVALID_CHALLENGE');
    });

    it('a wrong password answers exactly as for an account without the second factor', async () => {
      const withTwoFactor = await enrolled();
      const without = await api.registerUser('Plain');
      const a = await login({ email: withTwoFactor.email, password: 'wrong password here' });
      const b = await login({ email: without.email, password: 'wrong password here' });
      expectError(a, 401, 'INVALID_CREDENTIALS');
      expect(withoutRequestId(a.text)).toBe(withoutRequestId(b.text));
    });

    it('a code is accepted once: the same code on a new challenge is refused (replay); the next step is accepted (skew)', async () => {
      const user = await enrolled();
      const code = codeNow(user);
      expect((await post('/api/auth/login/2fa', { challenge: await challengeFor(user), code })).status).toBe(200);
      const challenge = await challengeFor(user);
      expectError(await post('/api/auth/login/2fa', { challenge, code }), 400, 'INVALID_CODE');
      // An older step than the last one used is refused too.
      expectError(await post('/api/auth/login/2fa', { challenge, code: user.totp.generate({ timestamp: Date.now() - STEP_MS }) }), 400, 'INVALID_CODE');
      // The app's clock one step ahead: accepted on the same challenge (it took two wrong codes).
      expect((await post('/api/auth/login/2fa', { challenge, code: user.totp.generate({ timestamp: Date.now() + STEP_MS }) })).status).toBe(200);
      // Two steps off: refused.
      nextStep();
      nextStep();
      expectError(await post('/api/auth/login/2fa', { challenge: await challengeFor(user), code: user.totp.generate({ timestamp: Date.now() + 2 * STEP_MS }) }), 400, 'INVALID_CODE');
    });

    it('an expired challenge (older than 5 minutes) is refused', async () => {
      const user = await enrolled();
      const challenge = await challengeFor(user);
      await api.built.db.query(`update verification set expires_at = expires_at - interval '6 minutes' where value = $1 and identifier like '2fa-%'`, [user.id]);
      expectError(await post('/api/auth/login/2fa', { challenge, code: codeNow(user) }), 400, 'INVALID_CHALLENGE');
    });

    it('the challenge is stored hashed, for 5 minutes', async () => {
      const user = await enrolled();
      const challenge = await challengeFor(user);
      const { rows } = await api.built.db.query<{ identifier: string; expiresAt: Date }>(
        'select identifier, expires_at as "expiresAt" from verification where value = $1 and identifier like \'2fa-%\'',
        [user.id],
      );
      expect(rows).toHaveLength(1);
      const identifier = decodeURIComponent(challenge).split('.')[0]!;
      expect(rows[0]!.identifier).not.toBe(identifier);
      expect(new Date(rows[0]!.expiresAt).getTime() - Date.now()).toBeGreaterThan(4 * 60_000);
      expect(new Date(rows[0]!.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000 + 1_000);
    });

    it('five wrong codes kill the challenge: the right code after them is refused', async () => {
      const user = await enrolled();
      const challenge = await challengeFor(user);
      for (let i = 0; i < 5; i++) expectError(await post('/api/auth/login/2fa', { challenge, code: wrongCode(user) }), 400, 'INVALID_CODE');
      expectError(await post('/api/auth/login/2fa', { challenge, code: codeNow(user) }), 400, 'INVALID_CHALLENGE');
      // A new sign-in works.
      expect((await post('/api/auth/login/2fa', { challenge: await challengeFor(user), code: codeNow(user) })).status).toBe(200);
    });

    it('a backup code signs in once; it is then used up (and recorded)', async () => {
      const user = await enrolled();
      const [code] = user.backupCodes;
      const done = await post('/api/auth/login/2fa', { challenge: await challengeFor(user), backupCode: code });
      expect(done.status).toBe(200);
      expectError(await post('/api/auth/login/2fa', { challenge: await challengeFor(user), backupCode: code }), 400, 'INVALID_CODE');
      const { rows } = await api.built.db.query<{ backupCodes: string }>('select backup_codes as "backupCodes" from two_factor where user_id = $1', [user.id]);
      expect(JSON.parse(rows[0]!.backupCodes)).toHaveLength(9);
      expect(await activityTypes(done.body.accessToken)).toContain('BACKUP_CODE_USED');
      expect(await lastSignInMethod(done.body.accessToken)).toBe('backup_code');
    });

    it("one account's challenge does not take another account's code or backup code", async () => {
      const a = await enrolled();
      const b = await enrolled();
      const challenge = await challengeFor(a);
      expectError(await post('/api/auth/login/2fa', { challenge, code: codeNow(b) }), 400, 'INVALID_CODE');
      expectError(await post('/api/auth/login/2fa', { challenge, backupCode: b.backupCodes[0] }), 400, 'INVALID_CODE');
      const done = await post('/api/auth/login/2fa', { challenge, code: codeNow(a) });
      expect(done.body.user.id).toBe(a.id);
      expect(await lastSignInMethod(done.body.accessToken)).toBe('totp');
    });

    it('a forged or malformed challenge, and a body with both or neither proof, are refused with 400', async () => {
      const user = await enrolled();
      const challenge = await challengeFor(user);
      expectError(await post('/api/auth/login/2fa', { challenge: 'forged', code: codeNow(user) }), 400, 'INVALID_CHALLENGE');
      expectError(await post('/api/auth/login/2fa', { challenge: '2fa-abc.def', code: codeNow(user) }), 400, 'INVALID_CHALLENGE');
      expectError(await post('/api/auth/login/2fa', { challenge: '%E0%A4%A', code: codeNow(user) }), 400, 'INVALID_CHALLENGE');
      expectError(await post('/api/auth/login/2fa', { challenge, code: codeNow(user), backupCode: user.backupCodes[0] }), 400, 'VALIDATION_FAILED');
      expectError(await post('/api/auth/login/2fa', { challenge }), 400, 'VALIDATION_FAILED');
      expect((await post('/api/auth/login/2fa', { challenge, code: codeNow(user) })).status).toBe(200);
    });
  });

  describe('managing the second factor', () => {
    it('disable: password required; afterwards the password alone signs in', async () => {
      const user = await enrolled();
      expectError(await post('/api/auth/2fa/disable', { password: 'wrong password!' }, user.accessToken), 401, 'INVALID_CREDENTIALS');
      expect((await me(user.accessToken)).body.user.twoFactorEnabled).toBe(true);
      expect((await post('/api/auth/2fa/disable', { password: user.password }, user.accessToken)).status).toBe(204);
      expect((await me(user.accessToken)).body.user.twoFactorEnabled).toBe(false);
      expect(await count(api, 'select count(*) as n from two_factor where user_id = $1', [user.id])).toBe(0);
      expect((await login(user)).body.accessToken).toEqual(expect.any(String));
      expect(await activityTypes(user.accessToken)).toContain('TWO_FACTOR_DISABLED');
      expectError(await post('/api/auth/2fa/disable', { password: user.password }, user.accessToken), 409, 'CONFLICT');
    });

    it("B cannot turn off, or replace the backup codes of, A's second factor", async () => {
      const a = await enrolled();
      const b = await api.registerUser('B');
      // B's own token with A's password: B's password is what is checked, and B has nothing on.
      expectError(await post('/api/auth/2fa/disable', { password: a.password }, b.accessToken), 401, 'INVALID_CREDENTIALS');
      expectError(await post('/api/auth/2fa/backup-codes', { password: a.password }, b.accessToken), 401, 'INVALID_CREDENTIALS');
      expectError(await post('/api/auth/2fa/disable', { password: b.password }, b.accessToken), 409, 'CONFLICT');
      expect((await me(a.accessToken)).body.user.twoFactorEnabled).toBe(true);
      expect((await me(b.accessToken)).body.user.twoFactorEnabled).toBe(false);
      expect((await post('/api/auth/login/2fa', { challenge: await challengeFor(a), backupCode: a.backupCodes[0] })).status).toBe(200);
    });

    it('new backup codes: the old ones stop working, the new ones work', async () => {
      const user = await enrolled();
      expectError(await post('/api/auth/2fa/backup-codes', { password: 'wrong password!' }, user.accessToken), 401, 'INVALID_CREDENTIALS');
      const res = await post('/api/auth/2fa/backup-codes', { password: user.password }, user.accessToken);
      expect(res.status).toBe(200);
      expect(res.body.backupCodes).toHaveLength(10);
      expect(res.body.backupCodes).not.toContain(user.backupCodes[0]);
      expectError(await post('/api/auth/login/2fa', { challenge: await challengeFor(user), backupCode: user.backupCodes[0] }), 400, 'INVALID_CODE');
      expect((await post('/api/auth/login/2fa', { challenge: await challengeFor(user), backupCode: res.body.backupCodes[0] })).status).toBe(200);
      expect(await activityTypes(user.accessToken)).toContain('BACKUP_CODES_REGENERATED');
    });

    it("better-auth's own routes for enrolment and disabling are not reachable", async () => {
      const user = await enrolled();
      for (const path of ['/two-factor/enable', '/two-factor/disable', '/two-factor/generate-backup-codes', '/two-factor/get-totp-uri', '/two-factor/send-otp', '/two-factor/verify-otp']) {
        const res = await api.request('POST', `/api/auth${path}`, { body: { password: user.password }, headers: { origin: OWN_ORIGIN } });
        expectError(res, 404, 'NOT_FOUND');
      }
    });
  });

  describe("better-auth's cookie sign-in follows the same rules", () => {
    const cookieSignIn = (user: { email: string; password: string }) =>
      api.request('POST', '/api/auth/sign-in/email', { body: { email: user.email, password: user.password }, headers: { origin: OWN_ORIGIN } });
    const challengeCookieOf = (res: HttpResult) => {
      const line = res.headers.getSetCookie().find((c) => c.startsWith('better-auth.two_factor='));
      if (!line) throw new Error(`no challenge cookie: ${res.status} ${res.text}`);
      return line.split(';')[0]!;
    };
    const verify = (kind: 'totp' | 'backup-code', cookie: string | undefined, code: string) =>
      api.request('POST', `/api/auth/two-factor/verify-${kind}`, { body: { code, trustDevice: true }, headers: { origin: OWN_ORIGIN, ...(cookie ? { cookie } : {}) } });

    it('sign-in/email answers twoFactorRedirect and no session; verify-totp with the code gives the session cookie', async () => {
      const user = await enrolled();
      const res = await cookieSignIn(user);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ twoFactorRedirect: true });
      expect(res.headers.getSetCookie().filter((c) => /session_token=[^;]+/.test(c))).toEqual([]);
      const cookie = challengeCookieOf(res);
      expectError(await verify('totp', cookie, wrongCode(user)), 401, 'INVALID_CODE');
      const done = await verify('totp', cookie, codeNow(user));
      expect(done.status).toBe(200);
      expect(sessionCookie(done).pair).toMatch(/session_token=.+/);
      // trustDevice is ignored: no device is remembered.
      expect(done.headers.getSetCookie().some((c) => c.startsWith('better-auth.trust_device=') && !/max-age=0/i.test(c))).toBe(false);
      expect(await activityTypes((await login({ email: user.email, password: user.password })).body.accessToken ?? user.accessToken)).toContain('SIGN_IN');
    });

    it('a code used on the REST door is refused on the cookie door (replay), and vice versa', async () => {
      const user = await enrolled();
      const code = codeNow(user);
      expect((await post('/api/auth/login/2fa', { challenge: await challengeFor(user), code })).status).toBe(200);
      expectError(await verify('totp', challengeCookieOf(await cookieSignIn(user)), code), 401, 'INVALID_CODE');
      nextStep();
      const next = codeNow(user);
      expect((await verify('totp', challengeCookieOf(await cookieSignIn(user)), next)).status).toBe(200);
      expectError(await post('/api/auth/login/2fa', { challenge: await challengeFor(user), code: next }), 400, 'INVALID_CODE');
    });

    it('five wrong codes kill the cookie challenge too; no challenge cookie: refused', async () => {
      const user = await enrolled();
      const cookie = challengeCookieOf(await cookieSignIn(user));
      for (let i = 0; i < 5; i++) expectError(await verify('totp', cookie, wrongCode(user)), 401, 'INVALID_CODE');
      const after = await verify('totp', cookie, codeNow(user));
      expect(after.status).toBeGreaterThanOrEqual(400);
      expect(after.body.error.code).toBe('INVALID_CHALLENGE');
      expectError(await verify('totp', undefined, codeNow(user)), 401, 'INVALID_CHALLENGE');
    });

    it('a backup code works once on the cookie door', async () => {
      const user = await enrolled();
      const code = user.backupCodes[3]!;
      const done = await verify('backup-code', challengeCookieOf(await cookieSignIn(user)), code);
      expect(done.status).toBe(200);
      expect(sessionCookie(done).pair).toMatch(/session_token=.+/);
      expectError(await verify('backup-code', challengeCookieOf(await cookieSignIn(user)), code), 401, 'INVALID_CODE');
      expectError(await post('/api/auth/login/2fa', { challenge: await challengeFor(user), backupCode: code }), 400, 'INVALID_CODE');
    });
  });

  describe('rate limits (on, RATE_LIMIT_TWO_FACTOR_ACCOUNT=3/900)', () => {
    let limited: TestApi;
    beforeAll(async () => {
      limited = await startApi(kind, { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_TWO_FACTOR_ACCOUNT: '3/900' });
    });
    afterAll(async () => {
      await limited?.close();
    });

    it('wrong codes count per account across challenges: past the budget even the right code is 429; another account is unaffected', async () => {
      const enrol = async () => {
        const user = await limited.registerUser('Limited');
        const setup = await limited.request('POST', '/api/auth/2fa/enable', { token: user.accessToken, body: { password: user.password } });
        const totp = URI.parse(setup.body.otpauthUri) as TOTP;
        await limited.request('POST', '/api/auth/2fa/verify', { token: user.accessToken, body: { code: totp.generate({ timestamp: Date.now() - STEP_MS }) } });
        return { ...user, totp, backupCodes: [] as string[] };
      };
      const challenge = async (user: { email: string; password: string }) =>
        (await limited.request('POST', '/api/auth/login', { body: { email: user.email, password: user.password } })).body.challenge as string;
      const second = (body: unknown) => limited.request('POST', '/api/auth/login/2fa', { body });
      const victim = await enrol();
      const bystander = await enrol();
      for (let i = 0; i < 3; i++) expectError(await second({ challenge: await challenge(victim), code: wrongCode(victim) }), 400, 'INVALID_CODE');
      const refused = await second({ challenge: await challenge(victim), code: codeNow(victim) });
      expectError(refused, 429, 'RATE_LIMITED');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await second({ challenge: await challenge(bystander), code: codeNow(bystander) })).status).toBe(200);
    });
  });

  describe('password reset with the second factor on', () => {
    async function resetToken(email: string): Promise<string> {
      expect((await post('/api/auth/password/forgot', { email })).status).toBe(202);
      const mail = await mailbox.nextMail(email, /^Reset your Taskgate password$/);
      return linkIn(mail, `${TEST_ISSUER}/reset-password?`).searchParams.get('token')!;
    }
    const NEW = 'a brand new passphrase for this';

    it('the link alone is not enough: a code is required, a wrong one refused, and the token survives both', async () => {
      const user = await enrolled();
      const token = await resetToken(user.email);
      expectError(await post('/api/auth/password/reset', { token, newPassword: NEW }), 400, 'TWO_FACTOR_REQUIRED');
      expectError(await post('/api/auth/password/reset', { token, newPassword: NEW, code: wrongCode(user) }), 400, 'INVALID_CODE');
      expect((await login(user)).status).toBe(200);
      expect((await post('/api/auth/password/reset', { token, newPassword: NEW, code: codeNow(user) })).status).toBe(204);
      // Still two-factor: the new password gives a challenge, not tokens.
      await challengeFor({ email: user.email, password: NEW });
      expect((await me(user.accessToken)).status).toBe(401);
    });

    it('a backup code does it too, once', async () => {
      const user = await enrolled();
      const code = user.backupCodes[0]!;
      expect((await post('/api/auth/password/reset', { token: await resetToken(user.email), newPassword: NEW, backupCode: code })).status).toBe(204);
      expectError(await post('/api/auth/password/reset', { token: await resetToken(user.email), newPassword: 'another long passphrase', backupCode: code }), 400, 'INVALID_CODE');
    });
  });
});
