// Changing the e-mail address through real HTTP, with mail received by a real SMTP server in this
// process: the request (password, address, the same answer for a taken address), the link to the
// new address (single use, stored hashed, 24 hours, superseded, killed by a password change), the
// notices to the old address, the change itself (verified, signs in), and the limits.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, TEST_ISSUER, withoutRequestId, type HttpResult, type TestApi, type TestUser } from './support/harness.js';
import { linkIn, startApiWithMailbox, type Mailbox } from './support/mailbox.js';
import { count } from './security/helpers.js';

const CONFIRM_SUBJECT = /^Confirm your new e-mail address for Taskgate$/;
const BEING_CHANGED = /^Your Taskgate e-mail address is being changed$/;
const WAS_CHANGED = /^Your Taskgate e-mail address was changed$/;
const IN_USE = /^Your address is already used on Taskgate$/;
const ACCEPTED = { message: 'Check your new address for a link to confirm the change.' };
const INVALID_TOKEN = 'This link is invalid or has expired. Ask for a new one.';
const CHANGE_EMAIL = 'mutation ($input: ChangeEmailInput!) { changeEmail(input: $input) }';

function expectError(res: HttpResult, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code, text: res.text }).toMatchObject({ status, code });
}

const freshEmail = (label: string) => `${label}-${randomBytes(5).toString('hex')}@example.com`;

describe.each(DATABASES)('changing the e-mail address on %s', (kind) => {
  let api: TestApi;
  let mailbox: Mailbox;

  let close = async () => {};
  beforeAll(async () => ({ api, mailbox, close } = await startApiWithMailbox(kind)));
  afterAll(() => close());

  const change = (user: TestUser, newEmail: unknown, password = user.password) =>
    api.request('POST', '/api/auth/email', { token: user.accessToken, body: { newEmail, password } });
  const confirm = (token: string) => api.request('POST', '/api/auth/email/confirm', { body: { token } });
  const me = (token: string) => api.request('GET', '/api/auth/me', { token });
  const login = (email: string, password: string) => api.request('POST', '/api/auth/login', { body: { email, password } });
  const tokenIn = async (to: string) => linkIn(await mailbox.nextMail(to, CONFIRM_SUBJECT), `${TEST_ISSUER}/confirm-email?`).searchParams.get('token')!;

  it('202; the new address gets the link, the old one a notice; the change happens only at the link; then the new address signs in, verified', async () => {
    const user = await api.registerUser('Moving Mo');
    const newEmail = freshEmail('moved');
    const res = await change(user, `  ${newEmail.toUpperCase()} `);
    expect(res.status, res.text).toBe(202);
    expect(res.body).toEqual(ACCEPTED);

    const mail = await mailbox.nextMail(newEmail, CONFIRM_SUBJECT);
    const link = linkIn(mail, `${TEST_ISSUER}/confirm-email?`);
    const token = link.searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail.html).toContain(`href="${link.toString()}"`);
    const notice = await mailbox.nextMail(user.email, BEING_CHANGED);
    expect(notice.text).toContain(`${newEmail[0]}***@example.com`);
    expect(notice.text).not.toContain(token);

    // The token is stored only hashed.
    expect(await count(api, 'select count(*) as n from verification where identifier like $1 or value like $1', [`%${token}%`])).toBe(0);
    // Nothing changes before the link is used.
    expect((await me(user.accessToken)).body.user).toMatchObject({ email: user.email, emailVerified: false });

    const done = await confirm(token);
    expect(done.status, done.text).toBe(200);
    expect(done.body).toEqual({ email: newEmail, emailVerified: true });
    expect((await me(user.accessToken)).body.user).toMatchObject({ email: newEmail, emailVerified: true });
    expect((await login(newEmail, user.password)).status).toBe(200);
    expectError(await login(user.email, user.password), 401, 'INVALID_CREDENTIALS');
    const changed = await mailbox.nextMail(user.email, WAS_CHANGED);
    expect(changed.text).toContain(`${newEmail[0]}***@example.com`);

    // Single use.
    const again = await confirm(token);
    expectError(again, 400, 'INVALID_TOKEN');
    expect(again.body.error.message).toBe(INVALID_TOKEN);

    // The activity shows both steps.
    const activity = await api.request('GET', '/api/auth/activity?first=100', { token: user.accessToken });
    expect(activity.body.nodes.map((n: { type: string }) => n.type)).toEqual(expect.arrayContaining(['EMAIL_CHANGE_REQUESTED', 'EMAIL_CHANGED']));
  });

  it('GraphQL changeEmail(input) → true, and the same link arrives', async () => {
    const user = await api.registerUser();
    const newEmail = freshEmail('gql');
    const res = await api.gql(CHANGE_EMAIL, { input: { newEmail, password: user.password } }, user.accessToken);
    expect(res.body).toEqual({ data: { changeEmail: true } });
    expect((await confirm(await tokenIn(newEmail))).body).toEqual({ email: newEmail, emailVerified: true });
    await mailbox.nextMail(user.email, BEING_CHANGED);
  });

  it('a wrong password: 401 INVALID_CREDENTIALS on REST and GraphQL; no mail, nothing changes', async () => {
    const user = await api.registerUser();
    const newEmail = freshEmail('never');
    const rest = await change(user, newEmail, 'not the password at all');
    expectError(rest, 401, 'INVALID_CREDENTIALS');
    expect(rest.body.error.message).toBe('Password is incorrect.');
    const gql = await api.gql(CHANGE_EMAIL, { input: { newEmail, password: 'not the password at all' } }, user.accessToken);
    expect(gql.body.errors[0]).toMatchObject({ message: 'Password is incorrect.', extensions: { code: 'INVALID_CREDENTIALS' } });
    await api.built.accounts.settled();
    expect([...mailbox.waiting(newEmail), ...mailbox.waiting(user.email).filter((m) => BEING_CHANGED.test(m.subject))]).toEqual([]);
    expect((await me(user.accessToken)).body.user.email).toBe(user.email);
  });

  it.each([
    ['not an address', 'not-an-email', 'must be a valid email address'],
    ['an empty string', '', 'must be a valid email address'],
    ['a 255-character address', `${'a'.repeat(243)}@example.com`, 'must be a valid email address'],
  ])('%s: 400 VALIDATION_FAILED on newEmail', async (_label, newEmail, message) => {
    const user = await api.registerUser();
    const res = await change(user, newEmail);
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([{ field: 'newEmail', message }]);
  });

  it('the current address again: 400 VALIDATION_FAILED on newEmail', async () => {
    const user = await api.registerUser();
    const res = await change(user, user.email.toUpperCase());
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([{ field: 'newEmail', message: 'is already your address' }]);
  });

  it('an address another account uses: the same 202 as a free one; its owner is told nothing changed; no link exists', async () => {
    const owner = await api.registerUser('Owner');
    const user = await api.registerUser('Mover');
    const free = await change(user, freshEmail('free'));
    const taken = await change(user, owner.email);
    expect(taken.status).toBe(202);
    expect(withoutRequestId(taken.text)).toBe(withoutRequestId(free.text));
    expect(taken.headers.get('content-length')).toBe(free.headers.get('content-length'));

    const notice = await mailbox.nextMail(owner.email, IN_USE);
    expect(notice.text).not.toMatch(/confirm-email/);
    // The mover's own inbox gets the same notice as for a free address.
    await mailbox.nextMail(user.email, BEING_CHANGED);
    await mailbox.nextMail(user.email, BEING_CHANGED);
    await api.built.accounts.settled();
    // No usable change is pending: the earlier (free) one died with the later request.
    expect(await count(api, "select count(*) as n from verification where identifier like 'change-email:%' and split_part(value, ' ', 1) = $1", [user.id])).toBe(0);
    expect((await me(owner.accessToken)).body.user.email).toBe(owner.email);
    expect((await me(user.accessToken)).body.user.email).toBe(user.email);
  });

  it('a newer request supersedes the older link; an expired (24 h) or made-up token is 400 INVALID_TOKEN', async () => {
    const user = await api.registerUser();
    const first = freshEmail('first');
    const second = freshEmail('second');
    expect((await change(user, first)).status).toBe(202);
    const firstToken = await tokenIn(first);
    expect((await change(user, second)).status).toBe(202);
    const secondToken = await tokenIn(second);
    expectError(await confirm(firstToken), 400, 'INVALID_TOKEN');

    const { rows } = await api.built.db.query<{ hours: number }>(
      "select round(extract(epoch from (expires_at - now())) / 3600)::int as hours from verification where identifier like 'change-email:%' and split_part(value, ' ', 1) = $1",
      [user.id],
    );
    expect(rows.map((r) => Number(r.hours))).toEqual([24]);
    await api.built.db.query("update verification set expires_at = now() - interval '1 second' where identifier like 'change-email:%' and split_part(value, ' ', 1) = $1", [user.id]);
    expectError(await confirm(secondToken), 400, 'INVALID_TOKEN');
    expectError(await confirm('A'.repeat(43)), 400, 'INVALID_TOKEN');
    expect((await me(user.accessToken)).body.user.email).toBe(user.email);
  });

  it('a password change kills a pending change', async () => {
    const user = await api.registerUser();
    const newEmail = freshEmail('killed');
    expect((await change(user, newEmail)).status).toBe(202);
    const token = await tokenIn(newEmail);
    const res = await api.request('POST', '/api/auth/password', { token: user.accessToken, body: { currentPassword: user.password, newPassword: 'a brand new passphrase for this' } });
    expect(res.status).toBe(204);
    expectError(await confirm(token), 400, 'INVALID_TOKEN');
    expect((await me(user.accessToken)).body.user.email).toBe(user.email);
  });

  it('an address another account took after the link was sent: 409 EMAIL_TAKEN at the link; nothing changes', async () => {
    const user = await api.registerUser();
    const newEmail = freshEmail('raced');
    expect((await change(user, newEmail)).status).toBe(202);
    const token = await tokenIn(newEmail);
    const other = await api.request('POST', '/api/auth/register', { body: { email: newEmail, password: 'correct horse battery', name: 'Racer' } });
    expect(other.status).toBe(201);
    expectError(await confirm(token), 409, 'EMAIL_TAKEN');
    expect((await me(user.accessToken)).body.user.email).toBe(user.email);
  });

  it('without a token 401; malformed bodies 400 VALIDATION_FAILED', async () => {
    expectError(await api.request('POST', '/api/auth/email', { body: { newEmail: freshEmail('x'), password: 'x' } }), 401, 'UNAUTHENTICATED');
    const user = await api.registerUser();
    expectError(await api.request('POST', '/api/auth/email', { token: user.accessToken, body: { newEmail: freshEmail('x') } }), 400, 'VALIDATION_FAILED');
    expectError(await api.request('POST', '/api/auth/email', { token: user.accessToken, body: { newEmail: freshEmail('x'), password: user.password, userId: 'x' } }), 400, 'VALIDATION_FAILED');
    expectError(await api.request('POST', '/api/auth/email/confirm', { body: { token: '' } }), 400, 'VALIDATION_FAILED');
  });
});

describe.each(DATABASES)('e-mail change limits on %s', (kind) => {
  let api: TestApi;
  let close = async () => {};
  beforeAll(async () => {
    ({ api, close } = await startApiWithMailbox(kind, {
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_FORGOT_EMAIL: '3/3600',
      RATE_LIMIT_LOGIN_ACCOUNT_IP: '2/900',
    }));
  });
  afterAll(() => close());

  it('wrong passwords do not lock the owner out of signing in (past the login lockout of 2)', async () => {
    const user = await api.registerUser();
    for (let i = 0; i < 3; i++) {
      const res = await api.request('POST', '/api/auth/email', { token: user.accessToken, body: { newEmail: freshEmail('lock'), password: `wrong guess ${i}` } });
      expectError(res, 401, 'INVALID_CREDENTIALS');
    }
    expect((await api.request('POST', '/api/auth/login', { body: { email: user.email, password: user.password } })).status).toBe(200);
  });

  it('per account: the fourth request in the window is 429 RATE_LIMITED with Retry-After, right password or not', async () => {
    const user = await api.registerUser();
    for (let i = 0; i < 3; i++) {
      const res = await api.request('POST', '/api/auth/email', { token: user.accessToken, body: { newEmail: freshEmail('limit'), password: i === 0 ? 'wrong' : user.password } });
      expect(res.status).toBe(i === 0 ? 401 : 202);
    }
    const refused = await api.request('POST', '/api/auth/email', { token: user.accessToken, body: { newEmail: freshEmail('limit'), password: user.password } });
    expectError(refused, 429, 'RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
