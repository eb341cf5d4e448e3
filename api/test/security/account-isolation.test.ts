// Owner isolation of sessions, security activity and passkeys: user B, with a valid token of their
// own, can neither list, end nor detect A's sessions, nor read or page into A's security events,
// nor list, rename, remove or detect A's passkeys.
// "Cannot detect" is literal: B's answer for A's session id is byte-identical (status, headers,
// body) to the answer for an id no session has, on REST and on GraphQL.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, TEST_ISSUER, observable, startApi, type DbKind, type TestApi, type TestUser } from '../support/harness.js';
import { SoftAuthenticator } from '../support/webauthn.js';
import { decodeJwt } from './helpers.js';

const NOT_FOUND = { error: { code: 'NOT_FOUND', message: 'Session not found.', requestId: expect.any(String) } };

describe.each(DATABASES)('account isolation: sessions and activity (%s)', (kind: DbKind) => {
  let api: TestApi;
  let A: TestUser;
  let B: TestUser;
  let aSid: string;

  beforeAll(async () => {
    api = await startApi(kind);
    [A, B] = await Promise.all([api.registerUser('Alice'), api.registerUser('Bob')]);
    aSid = String(decodeJwt(A.accessToken).payload.sid);
    // Some activity on both accounts.
    for (const user of [A, B]) {
      expect((await api.request('POST', '/api/auth/login', { body: { email: user.email, password: 'wrong-password-1' } })).status).toBe(401);
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  async function expectAAlive() {
    const res = await api.request('GET', '/api/auth/me', { token: A.accessToken });
    expect([res.status, res.body.user?.id]).toEqual([200, A.id]);
    const sessions = await api.request('GET', '/api/auth/sessions', { token: A.accessToken });
    expect(sessions.body.sessions.map((s: { id: string }) => s.id)).toContain(aSid);
  }

  const unknownIds = () => [randomBytes(16).toString('base64url'), 'x', aSid.toUpperCase(), `${aSid}x`];

  it("REST DELETE /api/auth/sessions/{A's session} by B → 404, byte-identical to an unknown id; A's session lives", async () => {
    const forA = await api.request('DELETE', `/api/auth/sessions/${aSid}`, { token: B.accessToken });
    expect([forA.status, forA.body]).toEqual([404, NOT_FOUND]);
    for (const id of unknownIds()) {
      const forUnknown = await api.request('DELETE', `/api/auth/sessions/${encodeURIComponent(id)}`, { token: B.accessToken });
      expect(observable(forUnknown)).toEqual(observable(forA));
    }
    await expectAAlive();
  });

  it("GraphQL revokeSession(A's session) by B → NOT_FOUND, identical to an unknown id; A's session lives", async () => {
    const mutation = 'mutation ($id: ID!) { revokeSession(id: $id) }';
    const forA = await api.gql(mutation, { id: aSid }, B.accessToken);
    expect(forA.body).toEqual({
      data: null,
      errors: [{ message: 'Session not found.', locations: expect.any(Array), path: ['revokeSession'], extensions: { code: 'NOT_FOUND', requestId: expect.any(String) } }],
    });
    for (const id of [...unknownIds(), 'a'.repeat(5000), 'nul\u0000byte']) {
      expect(observable(await api.gql(mutation, { id }, B.accessToken))).toEqual(observable(forA));
    }
    await expectAAlive();
  });

  it("B's session list and 'end all others' never include or touch A's sessions", async () => {
    const list = await api.request('GET', '/api/auth/sessions', { token: B.accessToken });
    expect(list.body.sessions.map((s: { id: string }) => s.id)).not.toContain(aSid);
    const gql = await api.gql('{ sessions { id } }', {}, B.accessToken);
    expect(gql.body.data.sessions.map((s: { id: string }) => s.id)).not.toContain(aSid);
    expect((await api.request('DELETE', '/api/auth/sessions?scope=others', { token: B.accessToken })).body).toEqual({ revoked: 0 });
    expect((await api.gql('mutation { revokeOtherSessions }', {}, B.accessToken)).body).toEqual({ data: { revokeOtherSessions: 0 } });
    await expectAAlive();
  });

  it("B's activity holds only B's events, on both transports, even with a cursor made from A's event", async () => {
    const aEvents = (await api.request('GET', '/api/auth/activity', { token: A.accessToken })).body.nodes as { id: string; createdAt: string }[];
    const bEvents = (await api.request('GET', '/api/auth/activity', { token: B.accessToken })).body.nodes as { id: string }[];
    expect(aEvents.length).toBeGreaterThan(0);
    expect(bEvents.map((e) => e.id)).toEqual(
      (await api.built.db.query<{ id: string }>('select id from security_event where user_id = $1 order by created_at desc, id desc', [B.id])).rows.map((r) => r.id),
    );
    const aIds = new Set(aEvents.map((e) => e.id));
    expect(bEvents.some((e) => aIds.has(e.id))).toBe(false);
    const gql = await api.gql('{ securityEvents(first: 100) { nodes { id } } }', {}, B.accessToken);
    expect(gql.body.data.securityEvents.nodes).toEqual(bEvents.map((e) => ({ id: e.id })));
    // A cursor built from A's oldest event pages through B's older events only; one far in the
    // future carrying A's event id, through all of B's.
    const oldestA = aEvents.at(-1)!;
    const at = (ms: number, id: string) => Buffer.from(`${ms}.${id}`).toString('base64url');
    const bFull = (await api.request('GET', '/api/auth/activity?first=100', { token: B.accessToken })).body.nodes as { id: string; createdAt: string }[];
    const older = bFull.filter((e) => Date.parse(e.createdAt) < Date.parse(oldestA.createdAt) || (e.createdAt === oldestA.createdAt && e.id < oldestA.id));
    for (const [cursor, expected] of [
      [at(Date.parse(oldestA.createdAt), oldestA.id), older],
      [at(Date.parse('2999-01-01T00:00:00Z'), oldestA.id), bFull],
    ] as const) {
      const res = await api.request('GET', `/api/auth/activity?first=100&after=${cursor}`, { token: B.accessToken });
      expect(res.body.nodes.map((e: { id: string }) => e.id)).toEqual(expected.map((e) => e.id));
    }
    expect(older.length).toBeLessThan(bFull.length);
  });
});

describe.each(DATABASES)('account isolation: passkeys (%s)', (kind: DbKind) => {
  let api: TestApi;
  let A: TestUser;
  let B: TestUser;
  let aPasskey: string;

  beforeAll(async () => {
    api = await startApi(kind);
    [A, B] = await Promise.all([api.registerUser('Alice'), api.registerUser('Bob')]);
    const options = await api.request('POST', '/api/auth/passkeys/options', { token: A.accessToken, body: { password: A.password } });
    const { response } = new SoftAuthenticator(TEST_ISSUER).register(options.body);
    const added = await api.request('POST', '/api/auth/passkeys', { token: A.accessToken, body: { name: "Alice's key", response } });
    expect(added.status, added.text).toBe(201);
    aPasskey = added.body.passkey.id;
  });
  afterAll(async () => {
    await api?.close();
  });

  const unknownIds = () => [randomUUID(), 'x', aPasskey.toUpperCase(), `${aPasskey}x`];

  async function expectAKept() {
    const list = await api.request('GET', '/api/auth/passkeys', { token: A.accessToken });
    expect(list.body.passkeys).toEqual([expect.objectContaining({ id: aPasskey, name: "Alice's key" })]);
  }

  it("B's passkey list never shows A's", async () => {
    const list = await api.request('GET', '/api/auth/passkeys', { token: B.accessToken });
    expect(list.body).toEqual({ passkeys: [] });
  });

  it("DELETE /api/auth/passkeys/{A's passkey} by B (with B's own password) → 404, byte-identical to an unknown id; A keeps it", async () => {
    const remove = (id: string) => api.request('DELETE', `/api/auth/passkeys/${id}`, { token: B.accessToken, body: { password: B.password } });
    const forA = await remove(aPasskey);
    expect([forA.status, forA.body]).toEqual([404, { error: { code: 'NOT_FOUND', message: 'Passkey not found.', requestId: expect.any(String) } }]);
    for (const id of unknownIds()) expect(observable(await remove(id))).toEqual(observable(forA));
    await expectAKept();
  });

  it("PATCH /api/auth/passkeys/{A's passkey} by B → 404, byte-identical to an unknown id; A's name stays", async () => {
    const rename = (id: string) => api.request('PATCH', `/api/auth/passkeys/${id}`, { token: B.accessToken, body: { name: 'Mine now' } });
    const forA = await rename(aPasskey);
    expect([forA.status, forA.body.error?.code]).toEqual([404, 'NOT_FOUND']);
    for (const id of unknownIds()) expect(observable(await rename(id))).toEqual(observable(forA));
    await expectAKept();
  });
});
