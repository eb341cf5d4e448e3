// REQUIRE_EMAIL_VERIFICATION=true, through real HTTP with mail received by a real SMTP server:
// sign-up on both doors creates the account without a session and answers a taken address alike;
// sign-in with the right password is 403 EMAIL_NOT_VERIFIED on both doors until the link is used,
// a wrong password the usual 401; after verification both doors sign in.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, TEST_ISSUER, withoutRequestId, type HttpResult, type TestApi } from './support/harness.js';
import { linkIn, startApiWithMailbox, type Mailbox } from './support/mailbox.js';
import { OWN_ORIGIN, count } from './security/helpers.js';

const VERIFY = /^Confirm your e-mail address/;
const PENDING = { message: 'Check your inbox: follow the link we sent to confirm your address, then sign in.' };
const NOT_VERIFIED = 'Verify your e-mail address first: follow the link we sent you, or ask for a new one.';

function expectError(res: HttpResult, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code, text: res.text }).toMatchObject({ status, code });
}

describe.each(DATABASES)('REQUIRE_EMAIL_VERIFICATION on %s', (kind) => {
  let api: TestApi;
  let mailbox: Mailbox;

  let close = async () => {};
  beforeAll(async () => ({ api, mailbox, close } = await startApiWithMailbox(kind, { REQUIRE_EMAIL_VERIFICATION: 'true' })));
  afterAll(() => close());

  const account = () => ({ email: `verify-${randomBytes(5).toString('hex')}@example.com`, password: 'correct horse battery', name: 'Vera' });
  const register = (body: object) => api.request('POST', '/api/auth/register', { body });
  const cookieSignUp = (body: object) => api.request('POST', '/api/auth/sign-up/email', { body, headers: { origin: OWN_ORIGIN } });
  const login = (email: string, password: string) => api.request('POST', '/api/auth/login', { body: { email, password } });
  const cookieSignIn = (email: string, password: string) => api.request('POST', '/api/auth/sign-in/email', { body: { email, password }, headers: { origin: OWN_ORIGIN } });
  const sessions = (email: string) => count(api, 'select count(*) as n from "session" s join "user" u on u.id = s.user_id where u.email = $1', [email]);
  const verify = async (email: string) => {
    const token = linkIn(await mailbox.nextMail(email, VERIFY), `${TEST_ISSUER}/verify-email?`).searchParams.get('token')!;
    expect((await api.request('POST', '/api/auth/verification/confirm', { body: { token } })).status).toBe(200);
  };

  it('POST /api/auth/register: 202 {message}, no tokens, no session; the verification mail arrives', async () => {
    const body = account();
    const res = await register(body);
    expect(res.status, res.text).toBe(202);
    expect(res.body).toEqual(PENDING);
    expect(await count(api, 'select count(*) as n from "user" where email = $1', [body.email])).toBe(1);
    expect(await sessions(body.email)).toBe(0);
    await mailbox.nextMail(body.email, VERIFY);
  });

  it('POST /api/auth/sign-up/email: 200 with token null and no session cookie', async () => {
    const body = account();
    const res = await cookieSignUp(body);
    expect(res.status, res.text).toBe(200);
    expect(res.body.token).toBeNull();
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await sessions(body.email)).toBe(0);
    await mailbox.nextMail(body.email, VERIFY);
  });

  it('a taken address: the same answer as a new one on both doors, and nothing created', async () => {
    const taken = account();
    expect((await register(taken)).status).toBe(202);
    const fresh = account();
    const [newRest, takenRest] = [await register(fresh), await register({ ...taken, name: fresh.name })];
    expect(takenRest.status).toBe(202);
    expect(withoutRequestId(takenRest.text)).toBe(withoutRequestId(newRest.text));

    const freshCookie = account();
    const newCookie = await cookieSignUp({ ...freshCookie, name: 'Same' });
    const takenCookie = await cookieSignUp({ ...taken, name: 'Same' });
    expect(takenCookie.status).toBe(newCookie.status);
    expect(Object.keys(takenCookie.body).sort()).toEqual(Object.keys(newCookie.body).sort());
    expect(takenCookie.body.token).toBeNull();
    expect(await count(api, 'select count(*) as n from "user" where email = $1', [taken.email])).toBe(1);
    await api.built.accounts.settled();
    // Only the new accounts got a verification mail; the taken address only its first one.
    expect(mailbox.waiting(taken.email).filter((m) => VERIFY.test(m.subject))).toHaveLength(1);
  });

  it('sign-in with the right password: 403 EMAIL_NOT_VERIFIED on both doors, no session; a wrong password: 401 INVALID_CREDENTIALS like an unknown address', async () => {
    const body = account();
    expect((await register(body)).status).toBe(202);

    const rest = await login(body.email, body.password);
    expectError(rest, 403, 'EMAIL_NOT_VERIFIED');
    expect(rest.body.error.message).toBe(NOT_VERIFIED);
    const cookie = await cookieSignIn(body.email, body.password);
    expectError(cookie, 403, 'EMAIL_NOT_VERIFIED');
    // The body the web app's sign-in form reads (SignInForm.test.tsx fakes exactly this).
    expect(cookie.body).toEqual({
      code: 'EMAIL_NOT_VERIFIED',
      message: 'Email not verified',
      error: { code: 'EMAIL_NOT_VERIFIED', message: 'Email not verified', requestId: expect.any(String) },
    });
    expect(cookie.headers.getSetCookie()).toEqual([]);
    expect(await sessions(body.email)).toBe(0);

    const wrong = await login(body.email, 'not the password at all');
    const unknown = await login(`nobody-${randomBytes(4).toString('hex')}@example.com`, 'not the password at all');
    expectError(wrong, 401, 'INVALID_CREDENTIALS');
    expect(withoutRequestId(wrong.text)).toBe(withoutRequestId(unknown.text));
    expectError(await cookieSignIn(body.email, 'not the password at all'), 401, 'INVALID_CREDENTIALS');
  });

  it('after the link: both doors sign in', async () => {
    const body = account();
    expect((await register(body)).status).toBe(202);
    await verify(body.email);
    const rest = await login(body.email, body.password);
    expect(rest.status, rest.text).toBe(200);
    expect(rest.body.accessToken).toEqual(expect.any(String));
    const cookie = await cookieSignIn(body.email, body.password);
    expect(cookie.status, cookie.text).toBe(200);
    expect(cookie.headers.getSetCookie().length).toBeGreaterThan(0);
  });
});
