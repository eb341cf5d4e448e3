// Security activity the user sees (REST GET /api/auth/activity, GraphQL securityEvents): what the
// sign-in doors record, coarse origins only, newest first, keyset paged alike on both transports.
// (User B never sees A's events: security/account-isolation.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, ISO, UUID, startApi, type DbKind, type TestApi, type TestUser } from './support/harness.js';
import { expectError } from './support/expect.js';
import { count, sessionCookie } from './security/helpers.js';

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

interface EventJson {
  id: string;
  type: string;
  createdAt: string;
  ip: string | null;
  device: string | null;
  method: string | null;
}

const EVENTS_QUERY = 'query ($first: Int, $after: String) { securityEvents(first: $first, after: $after) { nodes { id type createdAt ip device method } pageInfo { endCursor hasNextPage } } }';

describe.each(DATABASES)('security activity (%s)', (kind: DbKind) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi(kind, { TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await api?.close();
  });

  const from = (userAgent: string, ip: string) => ({ 'user-agent': userAgent, 'x-forwarded-for': ip });
  const login = (user: TestUser, password: string, headers: Record<string, string>) =>
    api.request('POST', '/api/auth/login', { body: { email: user.email, password }, headers });
  const activity = async (token: string, query = ''): Promise<{ nodes: EventJson[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } }> => {
    const res = await api.request('GET', `/api/auth/activity${query}`, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    return res.body;
  };

  it('records sign-up, sign-ins, a new device, a failed sign-in, sign-out and an ended session — newest first, coarse origin only', async () => {
    const user = await api.registerUser();
    const laptop = from(CHROME_LINUX, '203.0.113.77');
    // Same device and network as a sign-in before: no NEW_DEVICE.
    const first = await login(user, user.password, laptop);
    expect(first.status).toBe(200);
    const second = await login(user, user.password, laptop);
    expect(second.status).toBe(200);
    const wrong = await login(user, 'not-the-password-1', from(FIREFOX_WINDOWS, '198.51.100.8'));
    expect(wrong.status).toBe(401);
    const phone = await login(user, user.password, from(FIREFOX_WINDOWS, '2001:db8:5:6::7'));
    expect(phone.status).toBe(200);
    const revoked = await api.request('DELETE', '/api/auth/sessions?scope=others', { token: phone.body.accessToken, headers: from(FIREFOX_WINDOWS, '2001:db8:5:6::7') });
    expect(revoked.body).toEqual({ revoked: 3 });
    const out = await api.request('POST', '/api/auth/logout', { token: phone.body.accessToken, headers: from(FIREFOX_WINDOWS, '2001:db8:5:6::7') });
    expect(out.status).toBe(204);

    const again = await login(user, user.password, laptop);
    const page = await activity(again.body.accessToken, '?first=100');
    expect(page.pageInfo).toEqual({ endCursor: null, hasNextPage: false });
    const laptopOrigin = { ip: '203.0.113.0/24', device: 'Chrome on Linux' };
    const phoneOrigin = { ip: '2001:db8:5::/48', device: 'Firefox on Windows' };
    // Sign-ins say how they were made; other events have no method.
    const password = { method: 'password' };
    const none = { method: null };
    expect(page.nodes.map(({ type, ip, device, method }) => ({ type, ip, device, method }))).toEqual([
      { type: 'SIGN_IN', ...laptopOrigin, ...password },
      { type: 'SIGNED_OUT', ...phoneOrigin, ...none },
      { type: 'SESSION_REVOKED', ...phoneOrigin, ...none },
      { type: 'NEW_DEVICE', ...phoneOrigin, ...none },
      { type: 'SIGN_IN', ...phoneOrigin, ...password },
      { type: 'SIGN_IN_FAILED', ip: '198.51.100.0/24', device: 'Firefox on Windows', ...none },
      { type: 'SIGN_IN', ...laptopOrigin, ...password },
      { type: 'NEW_DEVICE', ...laptopOrigin, ...none },
      { type: 'SIGN_IN', ...laptopOrigin, ...password },
      { type: 'SIGN_IN', ip: '127.0.0.0/24', device: 'Unknown device', ...password }, // the sign-up
    ]);
    for (const node of page.nodes) {
      expect(node.id).toMatch(UUID);
      expect(node.createdAt).toMatch(ISO);
    }
    const times = page.nodes.map((n) => Date.parse(n.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // Nothing finer than the network, and no secret, is stored.
    const { rows } = await api.built.db.query<Record<string, unknown>>('select * from security_event where user_id = $1', [user.id]);
    const stored = JSON.stringify(rows);
    for (const secret of ['203.0.113.77', '2001:db8:5:6', '198.51.100.8', user.password, 'not-the-password-1', phone.body.refreshToken, phone.body.accessToken]) {
      expect(stored).not.toContain(secret);
    }
    // GraphQL answers the same list.
    const gql = await api.gql(EVENTS_QUERY, { first: 100 }, again.body.accessToken);
    expect(gql.body).toEqual({ data: { securityEvents: page } });
  });

  it('a failed sign-in for an address no account has is recorded nowhere', async () => {
    const before = await count(api, 'select count(*)::int as n from security_event');
    const res = await api.request('POST', '/api/auth/login', { body: { email: 'nobody-here@example.com', password: 'whatever-1234' } });
    expect(res.status).toBe(401);
    expect(await count(api, 'select count(*)::int as n from security_event')).toBe(before);
  });

  it("better-auth's cookie sign-in and sign-out (the web app's doors) are recorded too", async () => {
    const user = await api.registerUser();
    const headers = from(FIREFOX_WINDOWS, '198.51.100.50');
    const bad = await api.request('POST', '/api/auth/sign-in/email', { body: { email: user.email, password: 'wrong-password-1' }, headers });
    expect(bad.status).toBe(401);
    const web = await api.request('POST', '/api/auth/sign-in/email', { body: { email: user.email, password: user.password }, headers });
    expect(web.status, web.text).toBe(200);
    const cookie = sessionCookie(web).pair;
    const out = await api.request('POST', '/api/auth/sign-out', { body: {}, headers: { ...headers, cookie, origin: 'http://taskgate.test' } });
    expect(out.status, out.text).toBe(200);
    const page = await activity(user.accessToken);
    expect(page.nodes.map((n) => n.type)).toEqual(['SIGNED_OUT', 'NEW_DEVICE', 'SIGN_IN', 'SIGN_IN_FAILED', 'SIGN_IN']);
    expect(page.nodes[0]).toMatchObject({ ip: '198.51.100.0/24', device: 'Firefox on Windows' });
  });

  it('pages newest first with first/after; REST and GraphQL walk the same pages', async () => {
    const user = await api.registerUser();
    for (let i = 0; i < 6; i += 1) expect((await login(user, `wrong-password-${i}`, {})).status).toBe(401);
    const all = (await activity(user.accessToken, '?first=100')).nodes;
    expect(all).toHaveLength(7);

    const restSeen: EventJson[] = [];
    let after: string | null = null;
    for (let pageNo = 0; pageNo < 10; pageNo += 1) {
      const page = await activity(user.accessToken, `?first=3${after ? `&after=${after}` : ''}`);
      restSeen.push(...page.nodes);
      expect(page.pageInfo.hasNextPage).toBe(restSeen.length < all.length);
      if (!page.pageInfo.hasNextPage) {
        expect(page.pageInfo.endCursor).toBeNull();
        break;
      }
      after = page.pageInfo.endCursor;
    }
    expect(restSeen).toEqual(all);

    const gqlSeen: EventJson[] = [];
    let cursor: string | null = null;
    for (let pageNo = 0; pageNo < 10; pageNo += 1) {
      const res: { text: string; body: any } = await api.gql(EVENTS_QUERY, { first: 3, after: cursor }, user.accessToken);
      expect(res.body.errors, res.text).toBeUndefined();
      const page: { nodes: EventJson[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } = res.body.data.securityEvents;
      gqlSeen.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      cursor = page.pageInfo.endCursor;
    }
    expect(gqlSeen).toEqual(all);
    // The default page is 20.
    expect((await activity(user.accessToken)).nodes).toEqual(all);
  });

  it('a bad page size or cursor is a 400 naming the field (REST) and BAD_USER_INPUT (GraphQL), never a 500', async () => {
    const user = await api.registerUser();
    for (const query of ['?first=0', '?first=101', '?first=-1']) {
      const res = await api.request('GET', `/api/auth/activity${query}`, { token: user.accessToken });
      expectError(res, 400, 'VALIDATION_FAILED', 'first: must be an integer from 1 to 100');
    }
    expectError(await api.request('GET', '/api/auth/activity?first=abc', { token: user.accessToken }), 400, 'VALIDATION_FAILED');
    for (const after of ['not-a-cursor', Buffer.from('123.not-a-uuid').toString('base64url'), Buffer.from(`${Date.now()}.x'; drop table security_event; --`).toString('base64url')]) {
      const res = await api.request('GET', `/api/auth/activity?after=${encodeURIComponent(after)}`, { token: user.accessToken });
      expect([res.status, res.body.error?.code], res.text).toEqual([400, 'VALIDATION_FAILED']);
    }
    for (const [variables, field] of [
      [{ first: 0 }, 'first'],
      [{ first: 101 }, 'first'],
      [{ after: 'not-a-cursor' }, 'after'],
    ] as const) {
      const res = await api.gql(EVENTS_QUERY, variables, user.accessToken);
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: [{ field }] });
    }
    expect(await count(api, 'select count(*)::int as n from security_event where user_id = $1', [user.id])).toBe(1);
  });
});
