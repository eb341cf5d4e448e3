// Passwords (ASVS 6.2.x, OWASP password storage, API2): 8–128 characters after NFKC, the most
// common passwords refused on both sign-up routes, argon2id at OWASP's minimum parameters,
// better-auth's legacy scrypt hashes still accepted and upgraded on the next login, and a login
// that answers an unknown email exactly like a wrong password: status, body and time.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { hashPassword as legacyScryptHash } from 'better-auth/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startApi, type DbKind, type HttpResult, type TestApi, observable } from '../support/harness.js';
import { OWN_ORIGIN, count, median } from './helpers.js';

const ARGON2ID = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const INVALID_CREDENTIALS = { error: { code: 'INVALID_CREDENTIALS', message: 'Invalid email or password.', requestId: expect.any(String) } };

const freshEmail = (prefix = 'pw') => `${prefix}-${randomBytes(5).toString('hex')}@example.com`;

describe.each(DATABASES)('passwords (%s)', (kind: DbKind) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(async () => {
    await api?.close();
  });

  const register = (email: string, password: string, name = 'Pw') => api.request('POST', '/api/auth/register', { body: { email, password, name } });
  const signUp = (email: string, password: string, name = 'Pw') =>
    api.request('POST', '/api/auth/sign-up/email', { body: { email, password, name }, headers: { origin: OWN_ORIGIN } });
  const login = (email: string, password: string) => api.request('POST', '/api/auth/login', { body: { email, password } });
  const signIn = (email: string, password: string) =>
    api.request('POST', '/api/auth/sign-in/email', { body: { email, password }, headers: { origin: OWN_ORIGIN } });
  const users = () => count(api, 'select count(*)::int as n from "user"');
  const storedHash = async (email: string) => {
    const { rows } = await api.built.db.query<{ password: string }>(
      `select a.password from account a join "user" u on u.id = a.user_id where u.email = $1 and a.provider_id = 'credential'`,
      [email],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!.password;
  };

  /** 400 VALIDATION_FAILED naming exactly `password` (REST), nothing stored. */
  function expectPasswordRejected(res: HttpResult, message: string | RegExp) {
    expect({ status: res.status, text: res.text }).toMatchObject({ status: 400 });
    expect(res.body).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.any(String), details: [{ field: 'password', message: expect.any(String) }], requestId: expect.any(String) } });
    expect(res.body.error.details[0].message).toMatch(message);
    // The message names the problem, as every validation error does: "password: <what is wrong>".
    expect(res.body.error.message).toBe(`password: ${res.body.error.details[0].message}`);
  }
  /** better-auth's door: 400 in the API's shape plus better-auth's own code and message, which its client reads. */
  function expectSignUpRejected(res: HttpResult, message: string | RegExp) {
    expect({ status: res.status, text: res.text }).toMatchObject({ status: 400 });
    expect(Object.keys(res.body).sort()).toEqual(['code', 'error', 'message']);
    expect(res.body.code).toBe('PASSWORD_REJECTED');
    expect(res.body.message).toMatch(message);
    expect(res.body.error).toEqual({ code: 'VALIDATION_FAILED', message: res.body.message, requestId: expect.any(String) });
    expect(res.headers.getSetCookie()).toEqual([]);
  }

  describe('policy', () => {
    it('7 and 129 characters are 400 on password, on /api/auth/register and on better-auth /sign-up/email; nothing is created', async () => {
      const before = await users();
      const short = 'a7chars';
      const long = 'L'.repeat(129);
      expect([short.length, long.length]).toEqual([7, 129]);
      expectPasswordRejected(await register(freshEmail(), short), /at least 8|fewer than 8/);
      expectPasswordRejected(await register(freshEmail(), long), /at most 128|more than 128/);
      expectSignUpRejected(await signUp(freshEmail(), short), /at least 8/);
      expectSignUpRejected(await signUp(freshEmail(), long), /at most 128/);
      // lengths count characters after NFKC, not UTF-16 units: 7 astral symbols are 14 units, still too short
      const astral = '😀'.repeat(7);
      expect(astral.length).toBe(14);
      expectPasswordRejected(await register(freshEmail(), astral), /8/);
      expectSignUpRejected(await signUp(freshEmail(), astral), /at least 8/);
      expect(await users()).toBe(before);
    });

    it('common passwords are 400 on both routes, whatever their casing or width; nothing is created', async () => {
      const before = await users();
      for (const password of ['password123', 'qwertyuiop', 'Password123', 'QWERTYUIOP', 'ｐａｓｓｗｏｒｄ１２３', 'ｑｗｅｒｔｙｕｉｏｐ']) {
        const email = freshEmail('common');
        expectPasswordRejected(await register(email, password), /^is too easy to guess \(this is a (commonly|frequently) used password\): add another word or two/);
        expectSignUpRejected(await signUp(email, password), /^Password is too easy to guess \(this is a (commonly|frequently) used password\): add another word or two/);
      }
      expect(await users()).toBe(before);
    });

    it('NFKC: a full-width password signs in with its NFKC form (and vice versa); a different casing does not', async () => {
      const wide = 'ｌａｎｔｅｒｎ-ｈａｒｂｏｒ-Ｘ９９';
      const nfkc = 'lantern-harbor-X99';
      expect(wide.normalize('NFKC')).toBe(nfkc);
      expect(wide).not.toBe(nfkc);

      const a = freshEmail('nfkc');
      expect((await register(a, wide)).status).toBe(201);
      for (const password of [nfkc, wide]) {
        const res = await login(a, password);
        expect({ password, status: res.status, text: res.text }).toMatchObject({ password, status: 200 });
      }
      expect((await signIn(a, nfkc)).status).toBe(200);
      expect([(await login(a, 'lantern-harbor-x99')).status, (await login(a, 'LANTERN-HARBOR-X99')).status]).toEqual([401, 401]);

      // registered through better-auth with the NFKC form, signs in with the full-width one
      const b = freshEmail('nfkc');
      expect((await signUp(b, nfkc)).status).toBe(200);
      expect((await login(b, wide)).status).toBe(200);
      // a ligature expands under NFKC: "ﬁ" is "fi"
      const c = freshEmail('nfkc');
      expect((await register(c, 'deﬁne-the-passphrase')).status).toBe(201);
      expect((await login(c, 'define-the-passphrase')).status).toBe(200);
    });
  });

  describe('storage', () => {
    it('stores argon2id v19 with m=19456, t=2, p=1 for both sign-up routes; the hash never contains the password', async () => {
      const a = freshEmail('hash');
      const b = freshEmail('hash');
      const password = 'a reasonably long passphrase';
      expect((await register(a, password)).status).toBe(201);
      expect((await signUp(b, password)).status).toBe(200);
      const [ha, hb] = [await storedHash(a), await storedHash(b)];
      for (const hash of [ha, hb]) {
        expect(hash).toMatch(ARGON2ID);
        expect(hash).not.toContain(password);
      }
      expect(ha).not.toBe(hb); // salted
    });

    it("a legacy better-auth scrypt hash still signs in, and that login rewrites it as argon2id; a wrong password changes nothing", async () => {
      for (const route of ['/api/auth/login', '/api/auth/sign-in/email'] as const) {
        const email = freshEmail('legacy');
        const password = `legacy ${randomBytes(4).toString('hex')} passphrase`;
        const created = await register(email, password);
        expect(created.status).toBe(201);
        const legacy = await legacyScryptHash(password);
        expect(legacy).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
        const updated = await api.built.db.query(`update account set password = $1 where user_id = $2 and provider_id = 'credential'`, [
          legacy,
          created.body.user.id,
        ]);
        expect(updated.rowCount).toBe(1);

        const send = (pw: string) => (route === '/api/auth/login' ? login(email, pw) : signIn(email, pw));
        const wrong = await send('not the passphrase');
        expect({ route, status: wrong.status }).toEqual({ route, status: 401 });
        expect(await storedHash(email)).toBe(legacy);

        const right = await send(password);
        expect({ route, status: right.status, text: right.text }).toMatchObject({ route, status: 200 });
        const upgraded = await storedHash(email);
        expect(upgraded).toMatch(ARGON2ID);
        // and the upgraded hash keeps working, through both routes
        expect((await login(email, password)).status).toBe(200);
        expect((await signIn(email, password)).status).toBe(200);
        expect(await storedHash(email)).toBe(upgraded);
      }
    });
  });

  describe('login does not reveal whether an account exists', () => {
    let known: string;
    const password = 'the right passphrase';

    beforeAll(async () => {
      known = freshEmail('known');
      expect((await register(known, password)).status).toBe(201);
    });

    it('unknown email and wrong password: identical status, headers and body (REST and better-auth)', async () => {
      const unknown = await login(freshEmail('ghost'), 'whatever-passphrase');
      const wrong = await login(known, 'whatever-passphrase');
      expect([unknown.status, unknown.body]).toEqual([401, INVALID_CREDENTIALS]);
      expect(observable(unknown)).toEqual(observable(wrong));

      const baUnknown = await signIn(freshEmail('ghost'), 'whatever-passphrase');
      const baWrong = await signIn(known, 'whatever-passphrase');
      expect(baUnknown.status).toBe(401);
      expect(observable(baUnknown)).toEqual(observable(baWrong));
    });

    it('and in time: medians of unknown-email and wrong-password logins are within 0.5–2× of each other', async () => {
      // Interleaved samples, so load spikes on this shared machine hit both series alike. A real
      // leak (no hash for unknown emails) is a 10–100× gap, far outside the band; noise is retried.
      const SAMPLES = 10;
      const timeOne = async (email: string) => {
        const started = performance.now();
        const res = await login(email, 'whatever-passphrase');
        const ms = performance.now() - started;
        expect(res.status).toBe(401);
        return ms;
      };
      let last = { unknown: 0, wrong: 0, ratio: 0 };
      for (let round = 0; round < 3; round++) {
        await timeOne(known);
        await timeOne(freshEmail('warm'));
        const unknown: number[] = [];
        const wrong: number[] = [];
        for (let i = 0; i < SAMPLES; i++) {
          if (i % 2 === 0) {
            unknown.push(await timeOne(freshEmail('ghost')));
            wrong.push(await timeOne(known));
          } else {
            wrong.push(await timeOne(known));
            unknown.push(await timeOne(freshEmail('ghost')));
          }
        }
        last = { unknown: median(unknown), wrong: median(wrong), ratio: median(unknown) / median(wrong) };
        if (last.ratio >= 0.5 && last.ratio <= 2) break;
      }
      expect(last.ratio, JSON.stringify(last)).toBeGreaterThanOrEqual(0.5);
      expect(last.ratio, JSON.stringify(last)).toBeLessThanOrEqual(2);
    });
  });
});
