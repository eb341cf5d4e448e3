// The account lifecycle through real HTTP, with mail received by a real SMTP server in this process:
// the same rules on every door, password change, forgot/reset (single use, expiry, superseded,
// dead after a change, every session ended), links from PUBLIC_URL only, the profile name.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, TEST_ISSUER, type HttpResult, type TestApi, type TestUser, withoutRequestId } from './support/harness.js';
import { linkIn, startApiWithMailbox, startMailbox, type Mailbox } from './support/mailbox.js';
import { OWN_ORIGIN, count, median, rawRequest } from './security/helpers.js';
import { spawnApi, type ApiProcess } from './support/api-process.js';
import { freshDatabaseUrl, type FreshDatabase } from './support/database.js';

const FORGOT_BODY = { message: 'If an account exists for that address, a link to reset its password is on its way.' };
const STRONG = 'a brand new passphrase for this';
const STRONGER = 'yet another lengthy passphrase here';
const RESET = /^Reset your Taskgate password$/;
const CHANGED = /^Your Taskgate password was changed$/;
const VERIFY = /^Confirm your e-mail address/;

function expectError(res: HttpResult, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code, text: res.text }).toMatchObject({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
}

/** GraphQL's refusal: one error, its extensions.code. */
function gqlCode(res: HttpResult): string | undefined {
  return res.body?.errors?.[0]?.extensions?.code;
}

const CHANGE_PASSWORD = 'mutation ($c: String!, $n: String!, $r: Boolean) { changePassword(currentPassword: $c, newPassword: $n, revokeOtherSessions: $r) }';
const UPDATE_PROFILE = 'mutation ($name: String!) { updateProfile(name: $name) { id name email emailVerified } }';

describe.each(DATABASES)('accounts on %s', (kind) => {
  let api: TestApi;
  let mailbox: Mailbox;

  let close = async () => {};
  beforeAll(async () => ({ api, mailbox, close } = await startApiWithMailbox(kind)));
  afterAll(() => close());

  const login = (user: { email: string; password: string }) => api.request('POST', '/api/auth/login', { body: { email: user.email, password: user.password } });
  const refresh = (refreshToken: string) => api.request('POST', '/api/auth/refresh', { body: { refreshToken } });
  const me = (token: string) => api.request('GET', '/api/auth/me', { token });
  const forgot = (email: string, headers: Record<string, string> = {}) => api.request('POST', '/api/auth/password/forgot', { body: { email }, headers });
  const reset = (token: string, newPassword: string) => api.request('POST', '/api/auth/password/reset', { body: { token, newPassword } });

  /** Asks for a reset and returns the token from the link of the mail that arrives. */
  async function resetToken(email: string): Promise<string> {
    expect(await forgot(email)).toMatchObject({ status: 202, body: FORGOT_BODY });
    const mail = await mailbox.nextMail(email, RESET);
    return linkIn(mail, `${TEST_ISSUER}/reset-password?`).searchParams.get('token')!;
  }

  describe('every door applies the same sign-up and profile rules', () => {
    const fresh = () => `doors-${randomBytes(5).toString('hex')}@example.com`;
    const ok = { password: 'correct horse battery', name: 'Door Tester' };
    it.each([
      ['a blank name', { email: fresh(), ...ok, name: '   ' }, 'name'],
      ['a 101-character name', { email: fresh(), ...ok, name: 'n'.repeat(101) }, 'name'],
      ['a 500-character name', { email: fresh(), ...ok, name: 'n'.repeat(500) }, 'name'],
      ['a malformed e-mail', { email: 'not-an-email', ...ok }, 'email'],
      ['a weak password', { email: fresh(), name: ok.name, password: 'password1' }, 'password'],
      ['a missing name', { email: fresh(), password: ok.password }, 'name'],
      ['a missing password', { email: fresh(), name: ok.name }, 'password'],
      ['a missing e-mail', { ...ok }, 'email'],
    ])('%s: 400 VALIDATION_FAILED naming the field on /api/auth/register and /api/auth/sign-up/email; nothing created', async (_label, body, field) => {
      const before = await count(api, 'select count(*) as n from "user"');
      const rest = await api.request('POST', '/api/auth/register', { body });
      const cookie = await api.request('POST', '/api/auth/sign-up/email', { body, headers: { origin: OWN_ORIGIN } });
      for (const res of [rest, cookie]) {
        expectError(res, 400, 'VALIDATION_FAILED');
        expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      expect(cookie.headers.getSetCookie()).toEqual([]);
      expect(await count(api, 'select count(*) as n from "user"')).toBe(before);
    });

    it('a 100-character name (after trimming) is accepted on both doors', async () => {
      const name = `  ${'n'.repeat(100)}  `;
      const rest = await api.request('POST', '/api/auth/register', { body: { email: fresh(), ...ok, name } });
      const cookie = await api.request('POST', '/api/auth/sign-up/email', { body: { email: fresh(), ...ok, name }, headers: { origin: OWN_ORIGIN } });
      expect([rest.status, cookie.status]).toEqual([201, 200]);
      // Both store it trimmed.
      expect([rest.body.user.name, cookie.body.user.name]).toEqual(['n'.repeat(100), 'n'.repeat(100)]);
    });

    it.each([
      ['a blank name', '  \t '],
      ['a 101-character name', 'x'.repeat(101)],
      ['an empty name', ''],
    ])('%s: PATCH /api/auth/me 400 VALIDATION_FAILED on name, GraphQL updateProfile BAD_USER_INPUT on name; unchanged', async (_label, name) => {
      const user = await api.registerUser('Unchanged Name');
      const rest = await api.request('PATCH', '/api/auth/me', { token: user.accessToken, body: { name } });
      expectError(rest, 400, 'VALIDATION_FAILED');
      expect(rest.body.error.details).toEqual([{ field: 'name', message: expect.any(String) }]);
      const gql = await api.gql(UPDATE_PROFILE, { name }, user.accessToken);
      expect(gqlCode(gql)).toBe('BAD_USER_INPUT');
      expect(gql.body.errors[0].extensions.details).toEqual(rest.body.error.details);
      expect((await me(user.accessToken)).body.user.name).toBe('Unchanged Name');
    });

    it.each([
      ['a weak new password', (u: TestUser) => ({ currentPassword: u.password, newPassword: 'password1' }), 400, 'WEAK_PASSWORD'],
      ['a 7-character new password', (u: TestUser) => ({ currentPassword: u.password, newPassword: 'Xy7!q2w' }), 400, 'WEAK_PASSWORD'],
      ['a new password containing the e-mail', (u: TestUser) => ({ currentPassword: u.password, newPassword: u.email }), 400, 'WEAK_PASSWORD'],
      ['a wrong current password', (_u: TestUser) => ({ currentPassword: 'not the password at all', newPassword: STRONG }), 401, 'INVALID_CREDENTIALS'],
    ])('%s: POST /api/auth/password and GraphQL changePassword give the same code; the password is unchanged', async (_label, input, status, code) => {
      const user = await api.registerUser();
      const body = input(user);
      expectError(await api.request('POST', '/api/auth/password', { token: user.accessToken, body }), status, code);
      expect(gqlCode(await api.gql(CHANGE_PASSWORD, { c: body.currentPassword, n: body.newPassword }, user.accessToken))).toBe(code);
      expect((await login(user)).status).toBe(200);
    });
  });

  describe('profile', () => {
    it('PATCH /api/auth/me and GraphQL updateProfile change the name (trimmed); me shows it', async () => {
      const user = await api.registerUser('Old Name');
      const rest = await api.request('PATCH', '/api/auth/me', { token: user.accessToken, body: { name: '  New Name ' } });
      expect(rest.status).toBe(200);
      expect(rest.body).toEqual({ user: { id: user.id, email: user.email, name: 'New Name', createdAt: expect.any(String), emailVerified: false, twoFactorEnabled: false } });
      const gql = await api.gql(UPDATE_PROFILE, { name: 'Newer Name' }, user.accessToken);
      expect(gql.body).toEqual({ data: { updateProfile: { id: user.id, name: 'Newer Name', email: user.email, emailVerified: false } } });
      expect((await me(user.accessToken)).body.user.name).toBe('Newer Name');
    });

    it('without a token: 401 on PATCH /api/auth/me and POST /api/auth/password', async () => {
      expectError(await api.request('PATCH', '/api/auth/me', { body: { name: 'x' } }), 401, 'UNAUTHENTICATED');
      expectError(await api.request('POST', '/api/auth/password', { body: { currentPassword: 'x', newPassword: STRONG } }), 401, 'UNAUTHENTICATED');
    });
  });

  describe('password change', () => {
    it('204; the new password signs in, the old one does not; the other session stays unless asked', async () => {
      const user = await api.registerUser();
      const other = (await login(user)).body;
      const res = await api.request('POST', '/api/auth/password', { token: user.accessToken, body: { currentPassword: user.password, newPassword: STRONG } });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectError(await login(user), 401, 'INVALID_CREDENTIALS');
      expect((await login({ ...user, password: STRONG })).status).toBe(200);
      // Without revokeOtherSessions the other session goes on.
      expect((await me(other.accessToken)).status).toBe(200);
      // The account is told by mail.
      const notice = await mailbox.nextMail(user.email, CHANGED);
      expect(notice.subject).toMatch(/password was changed/i);
    });

    it('revokeOtherSessions: the other session’s access and refresh tokens are refused at once; this one goes on', async () => {
      const user = await api.registerUser();
      const other = (await login(user)).body;
      expect((await me(other.accessToken)).status).toBe(200);
      const res = await api.request('POST', '/api/auth/password', {
        token: user.accessToken,
        body: { currentPassword: user.password, newPassword: STRONG, revokeOtherSessions: true },
      });
      expect(res.status).toBe(204);
      expectError(await me(other.accessToken), 401, 'UNAUTHENTICATED');
      expectError(await refresh(other.refreshToken), 401, 'UNAUTHENTICATED');
      expect((await me(user.accessToken)).status).toBe(200);
      expect((await refresh(user.refreshToken)).status).toBe(200);
      await mailbox.nextMail(user.email, CHANGED);
    });

    it('GraphQL changePassword(revokeOtherSessions: true) → true, and the other session dies', async () => {
      const user = await api.registerUser();
      const other = (await login(user)).body;
      const res = await api.gql(CHANGE_PASSWORD, { c: user.password, n: STRONG, r: true }, user.accessToken);
      expect(res.body).toEqual({ data: { changePassword: true } });
      expectError(await me(other.accessToken), 401, 'UNAUTHENTICATED');
      expect((await login({ ...user, password: STRONG })).status).toBe(200);
      await mailbox.nextMail(user.email, CHANGED);
    });

    it('unknown and extra fields are 400 VALIDATION_FAILED', async () => {
      const user = await api.registerUser();
      expectError(await api.request('POST', '/api/auth/password', { token: user.accessToken, body: { newPassword: STRONG } }), 400, 'VALIDATION_FAILED');
      expectError(
        await api.request('POST', '/api/auth/password', { token: user.accessToken, body: { currentPassword: user.password, newPassword: STRONG, userId: 'x' } }),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('e-mail verification', () => {
    const confirm = (token: string) => api.request('POST', '/api/auth/verification/confirm', { body: { token } });
    const resend = (email: string) => api.request('POST', '/api/auth/verification/resend', { body: { email } });
    const verifyToken = async (email: string) => linkIn(await mailbox.nextMail(email, VERIFY), `${TEST_ISSUER}/verify-email?`).searchParams.get('token')!;

    it('sign-up (both doors) mails a link to PUBLIC_URL/verify-email; confirming it sets emailVerified on me (REST and GraphQL)', async () => {
      const user = await api.registerUser();
      expect((await me(user.accessToken)).body.user.emailVerified).toBe(false);
      const mail = await mailbox.nextMail(user.email, VERIFY);
      expect(mail.parsed.html).toBeTruthy();
      const token = linkIn(mail, `${TEST_ISSUER}/verify-email?`).searchParams.get('token')!;
      const res = await confirm(token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ emailVerified: true });
      expect((await me(user.accessToken)).body.user.emailVerified).toBe(true);
      expect((await api.gql('{ me { emailVerified } }', {}, user.accessToken)).body).toEqual({ data: { me: { emailVerified: true } } });
      // Using the link again changes nothing and is not an error.
      expect((await confirm(token)).status).toBe(200);

      const email = `cookie-${randomBytes(4).toString('hex')}@example.com`;
      const signUp = await api.request('POST', '/api/auth/sign-up/email', { body: { email, password: 'correct horse battery', name: 'Cookie' }, headers: { origin: OWN_ORIGIN } });
      expect(signUp.status).toBe(200);
      expect((await confirm(await verifyToken(email))).status).toBe(200);
    });

    it('a forged, truncated or foreign-secret token is 400 INVALID_TOKEN', async () => {
      const user = await api.registerUser();
      const token = await verifyToken(user.email);
      const [h, p] = token.split('.');
      for (const bad of [`${h}.${p}.${'A'.repeat(43)}`, token.slice(0, -2), 'not-a-token']) {
        const res = await confirm(bad);
        expectError(res, 400, 'INVALID_TOKEN');
        expect(res.body.error.message).toBe('This link is invalid or has expired. Ask for a new one.');
      }
      expect((await me(user.accessToken)).body.user.emailVerified).toBe(false);
    });

    it('resend: 202 with the same body for an unverified, a verified and an unknown address; only the unverified one gets a mail', async () => {
      const unverified = await api.registerUser();
      const verified = await api.registerUser();
      await mailbox.nextMail(unverified.email, VERIFY);
      expect((await confirm(await verifyToken(verified.email))).status).toBe(200);
      const unknown = `nobody-${randomBytes(4).toString('hex')}@example.com`;
      const answers = await Promise.all([resend(unverified.email), resend(verified.email), resend(unknown)]);
      for (const res of answers) expect(res).toMatchObject({ status: 202, body: { message: 'If that address needs verifying, a new link is on its way.' } });
      expect(new Set(answers.map((a) => withoutRequestId(a.text))).size).toBe(1);
      expect((await confirm(await verifyToken(unverified.email))).status).toBe(200);
      await api.built.accounts.settled();
      expect([...mailbox.waiting(verified.email), ...mailbox.waiting(unknown)]).toEqual([]);
    });
  });

  describe('forgot and reset', () => {
    it('202 with the same body for a known and an unknown address; only the known one gets a mail', async () => {
      const user = await api.registerUser();
      const unknown = `nobody-${randomBytes(4).toString('hex')}@example.com`;
      const known = await forgot(user.email);
      const stranger = await forgot(unknown);
      expect(known.status).toBe(202);
      expect(withoutRequestId(known.text)).toBe(withoutRequestId(stranger.text));
      expect(known.body).toEqual(FORGOT_BODY);
      await mailbox.nextMail(user.email, RESET);
      await api.built.accounts.settled();
      expect(mailbox.waiting(unknown)).toEqual([]);
    });

    it('the mail: plain text and HTML, the link from PUBLIC_URL whatever Host / X-Forwarded-Host say, the name HTML-escaped', async () => {
      const user = await api.registerUser('<b>Eve</b> & "co"');
      const res = await rawRequest(api.url, {
        method: 'POST',
        path: '/api/auth/password/forgot',
        headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', origin: 'https://evil.example' },
        body: { email: user.email },
      });
      expect(res.status).toBe(202);
      const mail = await mailbox.nextMail(user.email, RESET);
      expect(mail.parsed.from?.value).toEqual([{ name: 'Taskgate', address: 'no-reply@taskgate.test' }]);
      expect(mail.parsed.text).toBeTruthy();
      expect(mail.parsed.html).toBeTruthy();
      const link = linkIn(mail, 'http');
      expect(link.origin).toBe(TEST_ISSUER);
      expect(link.pathname).toBe('/reset-password');
      expect(link.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(mail.raw).not.toContain('evil.example');
      expect(mail.html).toContain(`href="${link.toString()}"`);
      expect(mail.html).toContain('&lt;b&gt;Eve&lt;/b&gt; &amp; &quot;co&quot;');
      expect(mail.html).not.toContain('<b>Eve</b>');
      expect(mail.text).toContain('<b>Eve</b> & "co"');
    });

    it('reset: 204, every session ends (old refresh and access tokens 401), the new password signs in, the token is single-use', async () => {
      const user = await api.registerUser();
      const second = (await login(user)).body;
      const token = await resetToken(user.email);
      // The token is stored only hashed.
      expect(await count(api, 'select count(*) as n from verification where identifier like $1 or value = $2', [`%${token}%`, token])).toBe(0);
      expect(await count(api, "select count(*) as n from verification where value = $1 and identifier like 'reset-password:%'", [user.id])).toBe(1);

      const res = await reset(token, STRONG);
      expect(res.status).toBe(204);
      for (const session of [user, second]) {
        expectError(await me(session.accessToken), 401, 'UNAUTHENTICATED');
        expectError(await refresh(session.refreshToken), 401, 'UNAUTHENTICATED');
      }
      expectError(await login(user), 401, 'INVALID_CREDENTIALS');
      expect((await login({ ...user, password: STRONG })).status).toBe(200);
      const again = await reset(token, STRONGER);
      expectError(again, 400, 'INVALID_TOKEN');
      expect(again.body.error.message).toBe('This link is invalid or has expired. Ask for a new one.');
      expect((await login({ ...user, password: STRONG })).status).toBe(200);
      await mailbox.nextMail(user.email, CHANGED);
    });

    it('an expired token (past its 30 minutes) is 400 INVALID_TOKEN; the password is unchanged', async () => {
      const user = await api.registerUser();
      const token = await resetToken(user.email);
      const { rows } = await api.built.db.query<{ minutes: number }>(
        "select round(extract(epoch from (expires_at - now())) / 60)::int as minutes from verification where value = $1 and identifier like 'reset-password:%'",
        [user.id],
      );
      expect(rows.map((r) => Number(r.minutes))).toEqual([30]);
      await api.built.db.query("update verification set expires_at = now() - interval '1 second' where value = $1 and identifier like 'reset-password:%'", [user.id]);
      expectError(await reset(token, STRONG), 400, 'INVALID_TOKEN');
      expect((await login(user)).status).toBe(200);
    });

    it('a newer token supersedes the older one', async () => {
      const user = await api.registerUser();
      const first = await resetToken(user.email);
      const second = await resetToken(user.email);
      expect(second).not.toBe(first);
      expectError(await reset(first, STRONG), 400, 'INVALID_TOKEN');
      expect((await reset(second, STRONG)).status).toBe(204);
    });

    it('a password change kills an outstanding token', async () => {
      const user = await api.registerUser();
      const token = await resetToken(user.email);
      expect((await api.request('POST', '/api/auth/password', { token: user.accessToken, body: { currentPassword: user.password, newPassword: STRONG } })).status).toBe(204);
      await mailbox.nextMail(user.email, CHANGED);
      expectError(await reset(token, STRONGER), 400, 'INVALID_TOKEN');
      expect((await login({ ...user, password: STRONG })).status).toBe(200);
    });

    it('a weak new password is 400 WEAK_PASSWORD and spends nothing; a made-up token is 400 INVALID_TOKEN', async () => {
      const user = await api.registerUser();
      const token = await resetToken(user.email);
      const weak = await reset(token, 'password1');
      expectError(weak, 400, 'WEAK_PASSWORD');
      expect(weak.body.error.details).toEqual([{ field: 'newPassword', message: expect.any(String) }]);
      expectError(await reset('A'.repeat(43), STRONG), 400, 'INVALID_TOKEN');
      expect((await reset(token, STRONG)).status).toBe(204);
    });

    it('malformed requests are 400 VALIDATION_FAILED, never a 500', async () => {
      expectError(await forgot('not-an-email'), 400, 'VALIDATION_FAILED');
      expectError(await api.request('POST', '/api/auth/password/forgot', { body: {} }), 400, 'VALIDATION_FAILED');
      expectError(await api.request('POST', '/api/auth/password/reset', { body: { token: 'x' } }), 400, 'VALIDATION_FAILED');
      expectError(await api.request('POST', '/api/auth/password/reset', { body: { token: '', newPassword: STRONG } }), 400, 'VALIDATION_FAILED');
    });
  });
});

describe.each(DATABASES)('forgot-password limits on %s', (kind) => {
  let api: TestApi;
  let close = async () => {};
  beforeAll(async () => {
    ({ api, close } = await startApiWithMailbox(kind, {
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_FORGOT_EMAIL: '2/3600',
      RATE_LIMIT_FORGOT_IP: '5/3600',
      RATE_LIMIT_LOGIN_ACCOUNT_IP: '2/900',
    }));
  });
  afterAll(() => close());

  it('per e-mail (known or not): the third request in the window is 429 RATE_LIMITED with Retry-After', async () => {
    const email = `limited-${randomBytes(4).toString('hex')}@example.com`;
    for (let i = 0; i < 2; i++) expect((await api.request('POST', '/api/auth/password/forgot', { body: { email } })).status).toBe(202);
    const refused = await api.request('POST', '/api/auth/password/forgot', { body: { email } });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('per address: past RATE_LIMIT_FORGOT_IP every address is refused from that client', async () => {
    let last: HttpResult | undefined;
    for (let i = 0; i < 6; i++) {
      last = await rawRequest(api.url, {
        method: 'POST',
        path: '/api/auth/password/forgot',
        body: { email: `ip-${i}-${randomBytes(3).toString('hex')}@example.com` },
        localAddress: '127.0.0.7',
      });
    }
    expect(last!.status).toBe(429);
  });

  it('wrong current passwords on a change do not lock the owner out of signing in', async () => {
    const user = await api.registerUser();
    for (let i = 0; i < 5; i++) {
      const res = await api.request('POST', '/api/auth/password', { token: user.accessToken, body: { currentPassword: `wrong guess ${i}`, newPassword: STRONG } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    expect((await api.request('POST', '/api/auth/login', { body: { email: user.email, password: user.password } })).status).toBe(200);
  });
});

// Measured against a server in its own process (an in-process server would share this event loop
// with the client): docs/security.md reports these numbers.
describe.each(DATABASES)('forgot-password timing on %s', (kind) => {
  let api: ApiProcess;
  let mailbox: Mailbox;
  let dataDir: string;
  let database: FreshDatabase | undefined;
  beforeAll(async () => {
    mailbox = await startMailbox();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'taskgate-timing-'));
    database = kind === 'postgres' ? await freshDatabaseUrl() : undefined;
    api = await spawnApi({
      env: { SMTP_URL: mailbox.url, MAIL_FROM: 'no-reply@taskgate.test', DATA_DIR: dataDir, ...(database ? { DATABASE_URL: database.url } : {}) },
    });
  });
  afterAll(async () => {
    await api?.kill();
    await mailbox?.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('the median answer to 20 known and 20 unknown addresses differs by less than the noise', async () => {
    const user = await api.registerUser();
    const times = { known: [] as number[], unknown: [] as number[] };
    const timed = async (email: string) => {
      const start = performance.now();
      const res = await api.request('POST', '/api/auth/password/forgot', { body: { email } });
      const elapsed = performance.now() - start;
      expect(res.status).toBe(202);
      return elapsed;
    };
    for (let i = 0; i < 20; i++) {
      times.known.push(await timed(user.email));
      // The mail of this request has gone before the next one is timed.
      await mailbox.nextMail(user.email, RESET);
      times.unknown.push(await timed(`nobody-${i}-${randomBytes(3).toString('hex')}@example.com`));
    }
    const known = median(times.known);
    const unknown = median(times.unknown);
    const spread = (xs: number[]) => median(xs.map((x) => Math.abs(x - median(xs))));
    console.info(
      `forgot-password on ${kind}: median known ${known.toFixed(2)} ms (MAD ${spread(times.known).toFixed(2)}), unknown ${unknown.toFixed(2)} ms (MAD ${spread(times.unknown).toFixed(2)})`,
    );
    expect(Math.abs(known - unknown)).toBeLessThan(Math.max(3, 3 * Math.max(spread(times.known), spread(times.unknown))));
  });
});
