// Sessions and devices (REST and GraphQL): the list marks the caller's own session and shows only
// coarse origins; ending a session kills its refresh token and its access tokens at once; "sign
// out everywhere else" keeps the current one; lastUsedAt moves at refresh, not per request.
// (Another user's session id: security/account-isolation.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, ISO, startApi, type DbKind, type TestApi, type TestUser } from './support/harness.js';
import { expectError } from './support/expect.js';
import { decodeJwt, sessionCookie } from './security/helpers.js';

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

const TOKEN_REJECTED = { error: { code: 'UNAUTHENTICATED', message: 'Access token is invalid or expired.', requestId: expect.any(String) } };
const GQL_TOKEN_REJECTED = { errors: [{ message: 'Access token is invalid or expired.', extensions: { code: 'UNAUTHENTICATED', requestId: expect.any(String) } }] };
const REFRESH_REJECTED = { error: { code: 'UNAUTHENTICATED', message: 'Refresh token is invalid, expired or revoked.', requestId: expect.any(String) } };

interface Device {
  accessToken: string;
  refreshToken: string;
  sid: string;
}

interface SessionJson {
  id: string;
  current: boolean;
  createdAt: string;
  lastUsedAt: string;
  ip: string | null;
  device: string;
}

const SESSIONS_QUERY = '{ sessions { id current createdAt lastUsedAt ip device } }';

describe.each(DATABASES)('sessions and devices (%s)', (kind: DbKind) => {
  let api: TestApi;

  beforeAll(async () => {
    // X-Forwarded-For is the client address (as behind a proxy): each "device" below has its own.
    api = await startApi(kind, { TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await api?.close();
  });

  async function signIn(user: TestUser, userAgent: string, ip: string): Promise<Device> {
    const res = await api.request('POST', '/api/auth/login', {
      body: { email: user.email, password: user.password },
      headers: { 'user-agent': userAgent, 'x-forwarded-for': ip },
    });
    expect(res.status, res.text).toBe(200);
    return { accessToken: res.body.accessToken, refreshToken: res.body.refreshToken, sid: String(decodeJwt(res.body.accessToken).payload.sid) };
  }

  const list = (token: string) => api.request<{ sessions: SessionJson[] }>('GET', '/api/auth/sessions', { token });
  const refresh = (refreshToken: string, headers: Record<string, string> = {}) => api.request('POST', '/api/auth/refresh', { body: { refreshToken }, headers });

  async function expectDead(device: Device, label: string) {
    const rest = await api.request('GET', '/api/auth/me', { token: device.accessToken });
    expect({ label, status: rest.status, body: rest.body }).toEqual({ label, status: 401, body: TOKEN_REJECTED });
    const gql = await api.gql('{ me { id } }', {}, device.accessToken);
    expect({ label, status: gql.status, body: gql.body }).toEqual({ label, status: 401, body: GQL_TOKEN_REJECTED });
    const r = await refresh(device.refreshToken);
    expect({ label, status: r.status, body: r.body }).toEqual({ label, status: 401, body: REFRESH_REJECTED });
  }

  async function expectAlive(device: Device, user: TestUser) {
    const res = await api.request('GET', '/api/auth/me', { token: device.accessToken });
    expect([res.status, res.body.user?.id]).toEqual([200, user.id]);
  }

  it('lists every live session newest first, marks the current one, shows device names and networks, never a full address', async () => {
    const user = await api.registerUser();
    const laptop = await signIn(user, CHROME_LINUX, '203.0.113.77');
    const desktop = await signIn(user, FIREFOX_WINDOWS, '2001:db8:1:2::5');
    const res = await list(desktop.accessToken);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.sessions).toEqual([
      { id: desktop.sid, current: true, createdAt: expect.stringMatching(ISO), lastUsedAt: expect.stringMatching(ISO), ip: '2001:db8:1::/48', device: 'Firefox on Windows' },
      { id: laptop.sid, current: false, createdAt: expect.stringMatching(ISO), lastUsedAt: expect.stringMatching(ISO), ip: '203.0.113.0/24', device: 'Chrome on Linux' },
      { id: String(decodeJwt(user.accessToken).payload.sid), current: false, createdAt: expect.stringMatching(ISO), lastUsedAt: expect.stringMatching(ISO), ip: '127.0.0.0/24', device: 'Unknown device' },
    ]);
    expect(res.text).not.toMatch(/203\.0\.113\.77|2001:db8:1:2|"token"|refresh/i);
    // The same list from another of the user's devices marks that one instead.
    const fromLaptop = await list(laptop.accessToken);
    expect(fromLaptop.body.sessions.filter((s) => s.current).map((s) => s.id)).toEqual([laptop.sid]);
    // GraphQL: the same sessions, the same marks.
    const gql = await api.gql(SESSIONS_QUERY, {}, desktop.accessToken);
    expect(gql.body).toEqual({ data: { sessions: res.body.sessions } });
  });

  it("the web app's cookie session is one of them, current for the access token made from its cookie", async () => {
    const user = await api.registerUser();
    const web = await api.request('POST', '/api/auth/sign-in/email', {
      body: { email: user.email, password: user.password },
      headers: { 'user-agent': SAFARI_IPHONE, 'x-forwarded-for': '198.51.100.23' },
    });
    expect(web.status, web.text).toBe(200);
    const token = await api.request('GET', '/api/auth/token', { headers: { cookie: sessionCookie(web).pair } });
    expect(token.status, token.text).toBe(200);
    const res = await list(token.body.token);
    const current = res.body.sessions.find((s) => s.current);
    expect(current).toMatchObject({ ip: '198.51.100.0/24', device: 'Mobile Safari on iOS', id: decodeJwt(token.body.token).payload.sid });
    expect(res.body.sessions).toHaveLength(2);
  });

  describe.each(['REST', 'GraphQL'] as const)('ending one session (%s)', (transport) => {
    const revoke = (token: string, id: string) =>
      transport === 'REST'
        ? api.request('DELETE', `/api/auth/sessions/${encodeURIComponent(id)}`, { token })
        : api.gql('mutation ($id: ID!) { revokeSession(id: $id) }', { id }, token);

    it("kills that session's refresh token and its access tokens at once; the caller's session lives on", async () => {
      const user = await api.registerUser();
      const lost = await signIn(user, CHROME_LINUX, '203.0.113.9');
      const here = await signIn(user, FIREFOX_WINDOWS, '198.51.100.1');
      await expectAlive(lost, user); // cached by the verifier: revocation has to beat the cache
      const res = await revoke(here.accessToken, lost.sid);
      if (transport === 'REST') {
        expect([res.status, res.text]).toEqual([204, '']);
        expect(res.headers.get('cache-control')).toBe('no-store');
      } else {
        expect(res.body).toEqual({ data: { revokeSession: lost.sid } });
      }
      await expectDead(lost, 'revoked session');
      await expectAlive(here, user);
      expect((await list(here.accessToken)).body.sessions.map((s) => s.id)).not.toContain(lost.sid);
      // The untouched sessions still refresh.
      expect((await refresh(here.refreshToken)).status).toBe(200);
      expect((await refresh(user.refreshToken)).status).toBe(200);
    });

    it('the current session itself can be ended: that is a sign-out', async () => {
      const user = await api.registerUser();
      const here = await signIn(user, CHROME_LINUX, '203.0.113.10');
      const res = await revoke(here.accessToken, here.sid);
      expect(res.status).toBe(transport === 'REST' ? 204 : 200);
      await expectDead(here, 'own session');
      await expectAlive({ ...here, accessToken: user.accessToken }, user);
    });
  });

  describe.each(['REST', 'GraphQL'] as const)('ending every other session (%s)', (transport) => {
    const revokeOthers = async (token: string) => {
      if (transport === 'REST') {
        const res = await api.request('DELETE', '/api/auth/sessions?scope=others', { token });
        expect(res.status, res.text).toBe(200);
        return res.body.revoked as number;
      }
      const res = await api.gql('mutation { revokeOtherSessions }', {}, token);
      expect(res.body.errors, res.text).toBeUndefined();
      return res.body.data.revokeOtherSessions as number;
    };

    it('ends all the others at once and keeps the current one', async () => {
      const user = await api.registerUser();
      const a = await signIn(user, CHROME_LINUX, '203.0.113.20');
      const b = await signIn(user, SAFARI_IPHONE, '203.0.113.21');
      const here = await signIn(user, FIREFOX_WINDOWS, '198.51.100.2');
      await expectAlive(a, user);
      await expectAlive(b, user);
      const other = await api.registerUser(); // another account is untouched
      expect(await revokeOthers(here.accessToken)).toBe(3); // a, b and the sign-up session
      await expectDead(a, 'other device a');
      await expectDead(b, 'other device b');
      await expectDead({ ...user, sid: '' }, 'sign-up session');
      const left = await list(here.accessToken);
      expect(left.body.sessions.map((s) => [s.id, s.current])).toEqual([[here.sid, true]]);
      await expectAlive(here, user);
      expect((await refresh(here.refreshToken)).status).toBe(200);
      expect((await api.request('GET', '/api/auth/me', { token: other.accessToken })).status).toBe(200);
      // Nothing left to end.
      const again = await signIn(user, CHROME_LINUX, '203.0.113.20');
      expect(await revokeOthers(again.accessToken)).toBe(1); // `here` — rotated by the refresh above
      expect(await revokeOthers(again.accessToken)).toBe(0);
    });
  });

  it('DELETE /api/auth/sessions without scope=others is refused (400) and ends nothing; without a token 401', async () => {
    const user = await api.registerUser();
    const other = await signIn(user, CHROME_LINUX, '203.0.113.30');
    for (const path of ['/api/auth/sessions', '/api/auth/sessions?scope=all']) {
      const res = await api.request('DELETE', path, { token: user.accessToken });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details).toEqual([{ field: 'scope', message: expect.any(String) }]);
    }
    await expectAlive(other, user);
    for (const [method, path] of [
      ['GET', '/api/auth/sessions'],
      ['DELETE', `/api/auth/sessions/${other.sid}`],
      ['DELETE', '/api/auth/sessions?scope=others'],
      ['GET', '/api/auth/activity'],
    ] as const) {
      expectError(await api.request(method, path), 401, 'UNAUTHENTICATED');
    }
    const gql = await api.gql(SESSIONS_QUERY);
    expect(gql.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    await expectAlive(other, user);
  });

  it('lastUsedAt moves at refresh (the sign-in time stays); API requests write nothing', async () => {
    const user = await api.registerUser();
    const device = await signIn(user, CHROME_LINUX, '203.0.113.40');
    const [before] = (await list(device.accessToken)).body.sessions.filter((s) => s.current);
    // Requests with the access token do not touch the session row.
    for (let i = 0; i < 3; i += 1) expect((await api.request('GET', '/api/tasks', { token: device.accessToken })).status).toBe(200);
    const [unchanged] = (await list(device.accessToken)).body.sessions.filter((s) => s.current);
    expect(unchanged).toEqual(before);

    const r = await refresh(device.refreshToken, { 'user-agent': FIREFOX_WINDOWS, 'x-forwarded-for': '198.51.100.77' });
    expect(r.status, r.text).toBe(200);
    const [after] = (await list(r.body.accessToken)).body.sessions.filter((s) => s.current);
    expect(after!.createdAt).toBe(before!.createdAt);
    expect(Date.parse(after!.lastUsedAt)).toBeGreaterThan(Date.parse(before!.lastUsedAt));
    // The device and network shown are those of the last refresh.
    expect([after!.device, after!.ip]).toEqual(['Firefox on Windows', '198.51.100.0/24']);
  });
});
