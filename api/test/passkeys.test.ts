// Passkeys (WebAuthn), through real HTTP, with a software authenticator (support/webauthn.ts):
// adding one (password, then options, then the authenticator's response), listing, renaming and
// removing it; signing in with it through the REST door (tokens) and the web app's door (the
// session cookie); and the refusals: a response made for another origin, a replayed or expired or
// misdirected challenge, a forged signature, an unknown passkey, too many ceremonies from one address.
// (Another user's passkey id: security/account-isolation.test.ts.)
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, ISO, TEST_ISSUER, UUID, startApi, type DbKind, type TestApi, type TestUser } from './support/harness.js';
import { detailFields, expectError } from './support/expect.js';
import { SoftAuthenticator } from './support/webauthn.js';
import { count, sessionCookie } from './security/helpers.js';

const ORIGIN = TEST_ISSUER;
const RP_ID = new URL(TEST_ISSUER).hostname;

describe.each(DATABASES)('passkeys (%s)', (kind: DbKind) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(async () => {
    await api?.close();
  });

  const creationOptions = (user: TestUser, password = user.password) =>
    api.request('POST', '/api/auth/passkeys/options', { token: user.accessToken, body: { password } });
  const add = (user: TestUser, name: string, response: unknown) => api.request('POST', '/api/auth/passkeys', { token: user.accessToken, body: { name, response } });
  const list = (user: TestUser) => api.request('GET', '/api/auth/passkeys', { token: user.accessToken });
  const signInOptions = () => api.request('POST', '/api/auth/passkey/options');
  const login = (response: unknown, headers: Record<string, string> = {}) => api.request('POST', '/api/auth/passkey/login', { body: { response }, headers });
  /** The newest sign-in in the user's activity list: how it was made. */
  const lastSignInMethod = async (token: string) =>
    ((await api.request('GET', '/api/auth/activity', { token })).body.nodes as { type: string; method: string | null }[]).find((n) => n.type === 'SIGN_IN')?.method;
  const activityTypes = async (user: TestUser) =>
    ((await api.request('GET', '/api/auth/activity', { token: user.accessToken })).body.nodes as { type: string }[]).map((n) => n.type);

  /** A user with one passkey on a fresh authenticator. */
  async function withPasskey(name = 'My laptop') {
    const user = await api.registerUser('Passkey Owner');
    const authenticator = new SoftAuthenticator(ORIGIN);
    const options = await creationOptions(user);
    expect(options.status, options.text).toBe(200);
    const added = await add(user, name, authenticator.register(options.body).response);
    expect(added.status, added.text).toBe(201);
    return { user, authenticator, passkey: added.body.passkey };
  }

  describe('adding one', () => {
    it('asks for the password first: a wrong one is 401 INVALID_CREDENTIALS and issues no challenge', async () => {
      const user = await api.registerUser();
      const before = await count(api, "select count(*) as n from verification where identifier like 'passkey-challenge:%'");
      expectError(await creationOptions(user, 'not-my-password'), 401, 'INVALID_CREDENTIALS', 'Password is incorrect.');
      expect(await count(api, "select count(*) as n from verification where identifier like 'passkey-challenge:%'")).toBe(before);
    });

    it('creation options name this relying party (PUBLIC_URL’s host) and the user, and require user verification', async () => {
      const user = await api.registerUser('Olga Options');
      const res = await creationOptions(user);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({
        rp: { id: RP_ID, name: 'Taskgate' },
        user: { name: user.email, displayName: 'Olga Options' },
        attestation: 'none',
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        excludeCredentials: [],
      });
      expect(res.body.challenge).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    });

    it('201 with the passkey; listed with its name and dates; PASSKEY_ADDED in the activity; the next options exclude it', async () => {
      const { user, passkey } = await withPasskey('  Work laptop  ');
      expect(passkey).toEqual({ id: expect.stringMatching(UUID), name: 'Work laptop', createdAt: expect.stringMatching(ISO), lastUsedAt: null, deviceType: 'singleDevice', backedUp: false });
      expect((await list(user)).body).toEqual({ passkeys: [passkey] });
      expect(await activityTypes(user)).toContain('PASSKEY_ADDED');
      const again = await creationOptions(user);
      expect(again.body.excludeCredentials).toHaveLength(1);
    });

    it('the GraphQL activity shows PASSKEY_ADDED too', async () => {
      const { user } = await withPasskey();
      const res = await api.gql('{ securityEvents(first: 5) { nodes { type } } }', {}, user.accessToken);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.securityEvents.nodes.map((n: { type: string }) => n.type)).toContain('PASSKEY_ADDED');
    });

    it('a blank or over-long name is 400 VALIDATION_FAILED on name, and the challenge is still unspent', async () => {
      const user = await api.registerUser();
      const authenticator = new SoftAuthenticator(ORIGIN);
      const { response } = authenticator.register((await creationOptions(user)).body);
      expect(detailFields(await add(user, '   ', response))).toEqual(['name']);
      expect(detailFields(await add(user, 'x'.repeat(65), response))).toEqual(['name']);
      expect((await add(user, 'Fine', response)).status).toBe(201);
    });

    it('a response made on another origin is 400 PASSKEY_REJECTED; nothing is stored', async () => {
      const user = await api.registerUser();
      const authenticator = new SoftAuthenticator(ORIGIN);
      const { response } = authenticator.register((await creationOptions(user)).body, { origin: 'https://evil.example' });
      expectError(await add(user, 'Phished', response), 400, 'PASSKEY_REJECTED', /another site/);
      expect((await list(user)).body.passkeys).toEqual([]);
    });

    it('a response for another relying party id, or without user verification, is 400 PASSKEY_REJECTED', async () => {
      const user = await api.registerUser();
      const authenticator = new SoftAuthenticator(ORIGIN);
      expectError(await add(user, 'x', authenticator.register((await creationOptions(user)).body, { rpId: 'evil.example' }).response), 400, 'PASSKEY_REJECTED');
      expectError(await add(user, 'x', authenticator.register((await creationOptions(user)).body, { flags: 0x41 }).response), 400, 'PASSKEY_REJECTED');
      expect((await list(user)).body.passkeys).toEqual([]);
    });

    it('a replayed response (its challenge spent) is 400 PASSKEY_CHALLENGE_INVALID', async () => {
      const user = await api.registerUser();
      const authenticator = new SoftAuthenticator(ORIGIN);
      const options = (await creationOptions(user)).body;
      expect((await add(user, 'First', authenticator.register(options).response)).status).toBe(201);
      expectError(await add(user, 'Second', authenticator.register(options).response), 400, 'PASSKEY_CHALLENGE_INVALID');
      expect((await list(user)).body.passkeys).toHaveLength(1);
    });

    it("another user's challenge, a sign-in challenge, an invented one or an expired one is 400 PASSKEY_CHALLENGE_INVALID", async () => {
      const [user, other] = await Promise.all([api.registerUser(), api.registerUser()]);
      const authenticator = new SoftAuthenticator(ORIGIN);
      const theirs = (await creationOptions(other)).body;
      expectError(await add(user, 'x', authenticator.register(theirs).response), 400, 'PASSKEY_CHALLENGE_INVALID');
      const signIn = (await signInOptions()).body;
      expectError(await add(user, 'x', authenticator.register({ ...theirs, challenge: signIn.challenge }).response), 400, 'PASSKEY_CHALLENGE_INVALID');
      expectError(await add(user, 'x', authenticator.register({ ...theirs, challenge: 'bm90LWlzc3VlZA' }).response), 400, 'PASSKEY_CHALLENGE_INVALID');
      const mine = (await creationOptions(user)).body;
      await api.built.db.query("update verification set expires_at = now() - interval '1 second' where identifier = $1", [`passkey-challenge:${mine.challenge}`]);
      expectError(await add(user, 'x', authenticator.register(mine).response), 400, 'PASSKEY_CHALLENGE_INVALID');
      expect((await list(user)).body.passkeys).toEqual([]);
    });

    it('the same credential registered twice is 409 CONFLICT', async () => {
      const { user, authenticator } = await withPasskey();
      const again = authenticator.register((await creationOptions(user)).body, { credentialId: authenticator.credentials[0]!.id });
      expectError(await add(user, 'Again', again.response), 409, 'CONFLICT');
      expect((await list(user)).body.passkeys).toHaveLength(1);
    });

    it('needs an access token', async () => {
      expectError(await api.request('GET', '/api/auth/passkeys'), 401, 'UNAUTHENTICATED');
      expectError(await api.request('POST', '/api/auth/passkeys/options', { body: { password: 'x' } }), 401, 'UNAUTHENTICATED');
    });
  });

  describe('signing in with one', () => {
    it('REST: 200 with the usual token body; the access token works; SIGN_IN recorded; lastUsedAt set', async () => {
      const { user, authenticator, passkey } = await withPasskey();
      const options = await signInOptions();
      expect(options.status, options.text).toBe(200);
      expect(options.body).toMatchObject({ rpId: RP_ID, userVerification: 'required' });
      expect(options.body.allowCredentials ?? []).toEqual([]);
      const res = await login(authenticator.assert(options.body));
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        user: { id: user.id, email: user.email, name: user.name, createdAt: expect.stringMatching(ISO) },
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: expect.any(Number),
        refreshToken: expect.any(String),
      });
      const me = await api.request('GET', '/api/auth/me', { token: res.body.accessToken });
      expect([me.status, me.body.user.id]).toEqual([200, user.id]);
      // The refresh token rotates like any other.
      const refreshed = await api.request('POST', '/api/auth/refresh', { body: { refreshToken: res.body.refreshToken } });
      expect(refreshed.status).toBe(200);
      const [listed] = (await list(user)).body.passkeys;
      expect(listed).toMatchObject({ id: passkey.id, lastUsedAt: expect.stringMatching(ISO) });
      expect(await activityTypes(user)).toEqual(expect.arrayContaining(['SIGN_IN', 'PASSKEY_ADDED']));
      // The activity list says how: with a passkey (the sign-up before it: the password).
      expect(await lastSignInMethod(refreshed.body.accessToken)).toBe('passkey');
    });

    it('the web app’s door sets better-auth’s session cookie, which then gives an access token like a password sign-in', async () => {
      const { user, authenticator } = await withPasskey();
      const res = await api.request('POST', '/api/auth/sign-in/passkey', { body: { response: authenticator.assert((await signInOptions()).body) }, headers: { origin: ORIGIN } });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ user: { id: user.id, email: user.email, name: user.name, createdAt: expect.stringMatching(ISO) } });
      const cookie = sessionCookie(res);
      expect(cookie.attributes.map((a) => a.toLowerCase())).toEqual(expect.arrayContaining(['httponly', 'samesite=lax']));
      const token = await api.request('GET', '/api/auth/token', { headers: { cookie: cookie.pair } });
      expect(token.status, token.text).toBe(200);
      const me = await api.request('GET', '/api/auth/me', { token: token.body.token });
      expect([me.status, me.body.user.id]).toEqual([200, user.id]);
    });

    it('a replayed assertion (its challenge spent) is 400 PASSKEY_CHALLENGE_INVALID', async () => {
      const { authenticator } = await withPasskey();
      const assertion = authenticator.assert((await signInOptions()).body);
      expect((await login(assertion)).status).toBe(200);
      expectError(await login(assertion), 400, 'PASSKEY_CHALLENGE_INVALID');
    });

    it('an assertion made on another origin is 400 PASSKEY_REJECTED and signs nobody in', async () => {
      const { authenticator } = await withPasskey();
      const before = await count(api, 'select count(*) as n from "session"');
      const res = await login(authenticator.assert((await signInOptions()).body, undefined, { origin: 'https://evil.example' }));
      expectError(res, 400, 'PASSKEY_REJECTED', /another site/);
      expect(await count(api, 'select count(*) as n from "session"')).toBe(before);
    });

    it('a forged signature, a registration challenge, or no user verification is refused', async () => {
      const { user, authenticator } = await withPasskey();
      const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      expectError(await login(authenticator.assert((await signInOptions()).body, undefined, { signWith: stranger })), 400, 'PASSKEY_REJECTED');
      expectError(await login(authenticator.assert((await signInOptions()).body, undefined, { flags: 0x01 })), 400, 'PASSKEY_REJECTED');
      expectError(await login(authenticator.assert((await creationOptions(user)).body)), 400, 'PASSKEY_CHALLENGE_INVALID');
    });

    it('a signature counter that goes backwards (a cloned authenticator) is 400 PASSKEY_REJECTED', async () => {
      const { authenticator } = await withPasskey();
      expect((await login(authenticator.assert((await signInOptions()).body, undefined, { counter: 10 }))).status).toBe(200);
      expectError(await login(authenticator.assert((await signInOptions()).body, undefined, { counter: 5 })), 400, 'PASSKEY_REJECTED');
    });

    it('a passkey no account has is 401 INVALID_CREDENTIALS', async () => {
      const authenticator = new SoftAuthenticator(ORIGIN);
      authenticator.register({ challenge: 'unused', user: { id: 'dW5rbm93bg' } });
      expectError(await login(authenticator.assert((await signInOptions()).body)), 401, 'INVALID_CREDENTIALS');
    });

    it('a malformed response is 400 (schema) or PASSKEY_REJECTED, never 500', async () => {
      expect(detailFields(await login({ id: 'x' })).length).toBeGreaterThan(0);
      const junk = { id: 'eA', rawId: 'eA', type: 'public-key', response: { clientDataJSON: 'bm90IGpzb24' } };
      expectError(await login(junk), 400, 'PASSKEY_REJECTED');
    });
  });

  describe('renaming and removing one', () => {
    it('rename: 200 with the new name; blank is 400', async () => {
      const { user, passkey } = await withPasskey();
      const res = await api.request('PATCH', `/api/auth/passkeys/${passkey.id}`, { token: user.accessToken, body: { name: 'Phone' } });
      expect([res.status, res.body.passkey?.name]).toEqual([200, 'Phone']);
      expect(detailFields(await api.request('PATCH', `/api/auth/passkeys/${passkey.id}`, { token: user.accessToken, body: { name: '' } }))).toEqual(['name']);
    });

    it('remove: the password first (a wrong one is 401 and keeps it); then 204, PASSKEY_REMOVED, and it signs nobody in', async () => {
      const { user, authenticator, passkey } = await withPasskey();
      const remove = (password: string) => api.request('DELETE', `/api/auth/passkeys/${passkey.id}`, { token: user.accessToken, body: { password } });
      expectError(await remove('not-my-password'), 401, 'INVALID_CREDENTIALS');
      expect((await list(user)).body.passkeys).toHaveLength(1);
      expect((await remove(user.password)).status).toBe(204);
      expect((await list(user)).body.passkeys).toEqual([]);
      expect(await activityTypes(user)).toContain('PASSKEY_REMOVED');
      expectError(await login(authenticator.assert((await signInOptions()).body)), 401, 'INVALID_CREDENTIALS');
      expectError(await remove(user.password), 404, 'NOT_FOUND', 'Passkey not found.');
    });

    it('deleting the account deletes its passkeys', async () => {
      const { user } = await withPasskey();
      expect((await api.request('DELETE', '/api/auth/me', { token: user.accessToken, body: { password: user.password } })).status).toBe(204);
      expect(await count(api, 'select count(*) as n from passkey where user_id = $1', [user.id])).toBe(0);
    });
  });
});

describe.each(DATABASES)('passkey rate limits (%s)', (kind: DbKind) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi(kind, { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_LOGIN_IP: '3/60' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('ceremonies from one address beyond RATE_LIMIT_LOGIN_IP are 429 RATE_LIMITED with Retry-After', async () => {
    for (let i = 0; i < 3; i++) expect((await api.request('POST', '/api/auth/passkey/options')).status).toBe(200);
    const refused = await api.request('POST', '/api/auth/passkey/options');
    expectError(refused, 429, 'RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expectError(await api.request('POST', '/api/auth/passkey/login', { body: { response: { id: 'eA', rawId: 'eA', type: 'public-key', response: { clientDataJSON: 'e30' } } } }), 429, 'RATE_LIMITED');
  });
});
