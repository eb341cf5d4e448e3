// Refresh-token rotation meets real clients: two tabs refreshing at once, or a retry after a
// response that never arrived, present the same token twice within a moment. Within
// REFRESH_REUSE_INTERVAL of its rotation such a token gets the same successor; after it, the
// replay is reuse (theft) and the whole family dies, as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startApi, type DbKind, type TestApi } from '../support/harness.js';

describe.each(DATABASES)('refresh races (%s)', (kind: DbKind) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi(kind, { REFRESH_REUSE_INTERVAL: '10' });
  });
  afterAll(async () => {
    await api?.close();
  });

  const refresh = (refreshToken: string) => api.request('POST', '/api/auth/refresh', { body: { refreshToken } });
  /** Moves the recorded rotation of `refreshToken`'s family out of the reuse interval. */
  const ageRotations = (userId: string) => api.built.db.query(`update refresh_rotation set created_at = now() - interval '1 minute' where user_id = $1`, [userId]);
  const sessionsOf = async (userId: string) =>
    (await api.built.db.query<{ n: number }>('select count(*)::int as n from "session" where user_id = $1', [userId])).rows[0]!.n;

  it('N parallel refreshes with one token: every answer is 200 with one successor; exactly one session remains', async () => {
    const user = await api.registerUser();
    const answers = await Promise.all(Array.from({ length: 6 }, () => refresh(user.refreshToken)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(new Set(answers.map((a) => a.body.refreshToken)).size).toBe(1);
    expect(await sessionsOf(user.id)).toBe(1);
    for (const a of answers) expect((await api.request('GET', '/api/auth/me', { token: a.body.accessToken })).status).toBe(200);
  });

  it('a retry with the previous token soon after its rotation gets the current session, even after a further rotation', async () => {
    const user = await api.registerUser();
    const first = await refresh(user.refreshToken);
    const second = await refresh(first.body.refreshToken);
    expect([first.status, second.status]).toEqual([200, 200]);
    // The very first token, retried: its family now leads to the newest session (a sibling).
    const retry = await refresh(user.refreshToken);
    expect(retry.status, retry.text).toBe(200);
    expect(retry.body.refreshToken).toBe(second.body.refreshToken);
    expect(await sessionsOf(user.id)).toBe(1);
  });

  it('after the interval, replaying a retired token revokes the family: every token of it is 401', async () => {
    const user = await api.registerUser();
    const rotated = await refresh(user.refreshToken);
    expect(rotated.status).toBe(200);
    await ageRotations(user.id);
    const replay = await refresh(user.refreshToken);
    expect([replay.status, replay.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
    expect((await api.request('GET', '/api/auth/me', { token: rotated.body.accessToken })).status).toBe(401);
    expect(await sessionsOf(user.id)).toBe(0);
  });

  it('a token of another user never leads into this family', async () => {
    const [alice, bob] = [await api.registerUser('Alice'), await api.registerUser('Bob')];
    const a = await refresh(alice.refreshToken);
    const b = await refresh(bob.refreshToken);
    const [retryA, retryB] = [await refresh(alice.refreshToken), await refresh(bob.refreshToken)];
    expect(retryA.body.user.id).toBe(alice.id);
    expect(retryB.body.user.id).toBe(bob.id);
    expect(retryA.body.refreshToken).toBe(a.body.refreshToken);
    expect(retryB.body.refreshToken).toBe(b.body.refreshToken);
  });
});
