// The audit trail (ASVS 16.x, OWASP API9/API10): security events leave as structured pino lines
// with an `event` field — sign-up, login success/failure, logout, refresh, refresh reuse, token
// rejected (with its reason), rate limited, cross-owner access — whichever route (ours or
// better-auth's) produced them, and no log line ever carries a token, a password or a full email.
// The API runs as a real child process (LOG_LEVEL=info) so its stdout can be read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnApi, type ApiProcess } from '../support/api-process.js';
import { freshDatabaseUrl, type FreshDatabase } from '../support/database.js';
import { DATABASES, TEST_ISSUER, type DbKind, type TestUser } from '../support/harness.js';
import { rawRequest, sessionCookie, sleep } from './helpers.js';

interface LogLine {
  level: number;
  time: number;
  msg: string;
  reqId?: string;
  event?: string;
  [key: string]: unknown;
}

/** Every stdout line that is a pino JSON object. */
function parseLines(output: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // a partial line still being written
    }
  }
  return lines;
}

describe.each(DATABASES)('audit log (%s)', (kind: DbKind) => {
  let api: ApiProcess;
  let dataDir: string | undefined;
  let database: FreshDatabase | undefined;
  /** Every secret the suite handles: none may appear in any line of output. */
  const secrets = new Set<string>();
  const emails = new Set<string>();

  const remember = (user: TestUser) => {
    secrets.add(user.accessToken);
    secrets.add(user.refreshToken);
    secrets.add(user.password);
    emails.add(user.email);
    return user;
  };

  beforeAll(async () => {
    const env: Record<string, string> = {
      LOG_LEVEL: 'info',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_LOGIN_IP: '5/60',
      RATE_LIMIT_LOGIN_ACCOUNT: '100/900',
      RATE_LIMIT_REGISTER_IP: '1000/60',
      RATE_LIMIT_API: '10000/60',
    };
    if (kind === 'postgres') {
      database = await freshDatabaseUrl();
      env.DATABASE_URL = database.url;
    } else {
      dataDir = mkdtempSync(path.join(tmpdir(), 'taskgate-audit-'));
      env.DATA_DIR = dataDir;
    }
    api = await spawnApi({ env, readyTimeoutMs: 120_000 });
  }, 180_000);

  afterAll(async () => {
    await api?.kill();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Waits until a line matching `match` has been written (pino writes asynchronously). */
  async function lineWhere(match: (l: LogLine) => boolean, what: string): Promise<LogLine> {
    for (let waited = 0; waited < 5_000; waited += 50) {
      const hit = parseLines(api.output()).find(match);
      if (hit) return hit;
      await sleep(50);
    }
    throw new Error(`no log line for ${what}; events seen: ${JSON.stringify(parseLines(api.output()).filter((l) => l.event).map((l) => l.event))}`);
  }
  const eventLine = (event: string, extra: (l: LogLine) => boolean = () => true) => lineWhere((l) => l.event === event && extra(l), event);

  /** The masked form the log uses for an email: first letter, ***, the domain. */
  const masked = (email: string) => `${email[0]}***@${email.split('@')[1]}`;

  function expectStructured(line: LogLine) {
    expect(typeof line.level).toBe('number');
    expect(typeof line.time).toBe('number');
    expect(typeof line.msg).toBe('string');
    expect(line.reqId).toMatch(/^[0-9a-f-]{36}$/);
  }

  describe('events from our REST routes and the verifier', () => {
    let alice: TestUser;
    let bob: TestUser;

    beforeAll(async () => {
      alice = remember(await api.registerUser('Alice'));
      bob = remember(await api.registerUser('Bob'));
    });

    it('sign_up, login_success and login_failure (wrong password and unknown email, masked account)', async () => {
      const signUp = await eventLine('sign_up', (l) => l.userId === alice.id);
      expectStructured(signUp);
      const ok = await api.request('POST', '/api/auth/login', { body: { email: alice.email, password: alice.password } });
      expect(ok.status).toBe(200);
      secrets.add(ok.body.accessToken);
      secrets.add(ok.body.refreshToken);
      expectStructured(await eventLine('login_success', (l) => l.userId === alice.id));

      const wrong = await api.request('POST', '/api/auth/login', { body: { email: alice.email, password: 'not-alices-password' } });
      expect(wrong.status).toBe(401);
      secrets.add('not-alices-password');
      const failure = await eventLine('login_failure', (l) => l.account === masked(alice.email));
      expectStructured(failure);
      const ghost = 'ghost-account-7f3a@example.com';
      emails.add(ghost);
      expect((await api.request('POST', '/api/auth/login', { body: { email: ghost, password: 'whatever-password' } })).status).toBe(401);
      await eventLine('login_failure', (l) => l.account === masked(ghost));
    });

    it('refresh, then refresh_reuse (with the user) when a retired refresh token is replayed', async () => {
      const login = await api.request('POST', '/api/auth/login', { body: { email: bob.email, password: bob.password } });
      secrets.add(login.body.accessToken);
      secrets.add(login.body.refreshToken);
      const rotated = await api.request('POST', '/api/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
      expect(rotated.status).toBe(200);
      secrets.add(rotated.body.accessToken);
      secrets.add(rotated.body.refreshToken);
      expectStructured(await eventLine('refresh', (l) => l.userId === bob.id));
      const replay = await api.request('POST', '/api/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
      expect(replay.status).toBe(401);
      const reuse = await eventLine('refresh_reuse', (l) => l.userId === bob.id);
      expectStructured(reuse);
      expect(reuse.reason).toBe('reused');
      expect(reuse.level).toBeGreaterThanOrEqual(40); // warn
    });

    it('logout, then token_rejected with reason "revoked" for the dead token; other reasons are named too', async () => {
      const login = await api.request('POST', '/api/auth/login', { body: { email: alice.email, password: alice.password } });
      secrets.add(login.body.accessToken);
      secrets.add(login.body.refreshToken);
      expect((await api.request('POST', '/api/auth/logout', { token: login.body.accessToken })).status).toBe(204);
      expectStructured(await eventLine('logout', (l) => l.userId === alice.id));

      const from = parseLines(api.output()).length;
      const after = () => parseLines(api.output()).slice(from);
      expect((await api.request('GET', '/api/tasks', { token: login.body.accessToken })).status).toBe(401);
      const [h, p, s] = (alice.accessToken as string).split('.');
      const tampered = `${h}.${p}.${s![0] === 'A' ? 'B' : 'A'}${s!.slice(1)}`;
      expect((await api.request('GET', '/api/tasks', { token: tampered })).status).toBe(401);
      expect((await api.request('GET', '/api/tasks', { token: 'not-a-jwt' })).status).toBe(401);
      expect((await api.gql('{ me { id } }', {}, 'x.y.z')).status).toBe(401);
      for (let waited = 0; waited < 5_000 && after().filter((l) => l.event === 'token_rejected').length < 4; waited += 50) await sleep(50);
      const reasons = after()
        .filter((l) => l.event === 'token_rejected')
        .map((l) => {
          expectStructured(l);
          return l.reason;
        });
      expect(reasons).toEqual(['revoked', expect.stringMatching(/signature/), 'malformed', expect.any(String)]);
      secrets.add(tampered);
    });

    it('rate_limited, with the route', async () => {
      const ip = '127.0.0.77';
      for (let i = 0; i < 6; i++) {
        await rawRequest(api.url, { method: 'POST', path: '/api/auth/login', body: { email: `rl-${i}@example.com`, password: 'whatever-password' }, localAddress: ip });
        emails.add(`rl-${i}@example.com`);
      }
      const line = await eventLine('rate_limited');
      expectStructured(line);
      expect(line.path).toBe('/api/auth/login');
      expect(line.level).toBeGreaterThanOrEqual(40);
    });

    it("cross_owner_access when a user names another owner's task (who, which task), while the answer stays 404", async () => {
      const task = await api.request('POST', '/api/tasks', { token: alice.accessToken, body: { title: 'alice only' } });
      expect(task.status).toBe(201);
      const res = await api.request('GET', `/api/tasks/${task.body.id}`, { token: bob.accessToken });
      expect(res.status).toBe(404);
      const line = await eventLine('cross_owner_access', (l) => l.taskId === task.body.id);
      expect(line.userId).toBe(bob.id);
      expect(line.level).toBeGreaterThanOrEqual(40);
      // GraphQL too
      const gql = await api.gql(`mutation { deleteTask(id: "${task.body.id}") }`, {}, bob.accessToken);
      expect(gql.body.errors[0].extensions.code).toBe('NOT_FOUND');
      await lineWhere(
        () => parseLines(api.output()).filter((l) => l.event === 'cross_owner_access' && l.taskId === task.body.id).length >= 2,
        'cross_owner_access via GraphQL',
      );
      // An investigator must be able to tie the event to the request that caused it.
      expect({ reqId: line.reqId }).toEqual({ reqId: res.headers.get('x-request-id') });
    });
  });

  describe("events from better-auth's own routes (the web app's sign-up, sign-in and sign-out)", () => {
    it('sign_up, login_success, login_failure and logout are logged for them as well', async () => {
      const email = `web-${Date.now()}@example.com`;
      const password = 'the web app passphrase';
      emails.add(email);
      secrets.add(password);
      // its own client address: the REST tests above spent 127.0.0.1's login budget
      const send = (p: string, body: unknown, cookie?: string) =>
        rawRequest(api.url, { method: 'POST', path: p, body, localAddress: '127.0.0.78', headers: { origin: TEST_ISSUER, ...(cookie ? { cookie } : {}) } });
      const up = await send('/api/auth/sign-up/email', { email, password, name: 'Web' });
      expect(up.status, up.text).toBe(200);
      const userId = up.body.user.id as string;
      secrets.add(up.body.token);
      const failed = await send('/api/auth/sign-in/email', { email, password: 'wrong web passphrase' });
      expect(failed.status, failed.text).toBe(401);
      secrets.add('wrong web passphrase');
      const ok = await send('/api/auth/sign-in/email', { email, password });
      expect(ok.status, ok.text).toBe(200);
      secrets.add(ok.body.token);
      const out = await send('/api/auth/sign-out', {}, sessionCookie(ok).pair);
      expect(out.status, out.text).toBe(200);

      const missing: string[] = [];
      const wanted: [string, (l: LogLine) => boolean][] = [
        ['sign_up', (l) => l.userId === userId],
        ['login_failure', (l) => l.account === masked(email)],
        ['login_success', (l) => l.userId === userId],
        ['logout', (l) => l.userId === userId],
      ];
      for (const [event, match] of wanted) await eventLine(event, match).catch(() => missing.push(event));
      expect(missing).toEqual([]);
    });
  });

  it.runIf(kind === 'postgres')('a masked GraphQL/REST 500 is logged with the request id the client was given', async () => {
    // Production mode on the same database, so errors are masked; break a table under it.
    const prod = await spawnApi({ env: { NODE_ENV: 'production', LOG_LEVEL: 'info', DATABASE_URL: database!.url }, readyTimeoutMs: 120_000 });
    const admin = new pg.Client({ connectionString: database!.url });
    await admin.connect();
    try {
      const user = remember(await prod.registerUser('Prod'));
      await admin.query('alter table task rename to task_gone_audit');
      let gql, rest;
      try {
        gql = await prod.gql('{ tasks { totalCount } }', {}, user.accessToken);
        rest = await prod.request('GET', '/api/tasks', { token: user.accessToken });
      } finally {
        await admin.query('alter table task_gone_audit rename to task');
      }
      const gqlId = gql.body.errors[0].extensions.requestId as string;
      expect(gql.body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(gql.text).not.toMatch(/task_gone_audit|relation/);
      const restId = rest.headers.get('x-request-id')!;
      expect(rest.status).toBe(500);
      for (const id of [gqlId, restId]) {
        let line: LogLine | undefined;
        for (let waited = 0; waited < 5_000 && !line; waited += 50) {
          line = parseLines(prod.output()).find((l) => l.reqId === id && l.level >= 50);
          if (!line) await sleep(50);
        }
        expect(line, `no error line with reqId ${id}`).toBeDefined();
        expect(JSON.stringify(line)).toMatch(/task/); // the server log has the detail the client did not get
      }
      for (const secret of [user.accessToken, user.refreshToken, user.password, user.email]) expect(prod.output()).not.toContain(secret);
    } finally {
      await admin.end();
      await prod.kill();
    }
  });

  it('no line of output carries a token, a password or a full email address', async () => {
    // The log is written in order: once the line of a last rejected request is out, so is every
    // line before it.
    const last = await api.request('GET', '/api/tasks', { token: 'not-a-jwt' });
    expect(last.status).toBe(401);
    await eventLine('token_rejected', (l) => l.reqId === last.headers.get('x-request-id'));
    const output = api.output();
    expect(parseLines(output).length).toBeGreaterThan(20);
    const leaks: string[] = [];
    for (const secret of secrets) if (secret && output.includes(secret)) leaks.push(`secret ${secret.slice(0, 12)}…`);
    for (const email of emails) {
      if (output.toLowerCase().includes(email.toLowerCase())) leaks.push(`email ${email}`);
      // nor its local part in full (the mask keeps only the first letter)
      const local = email.split('@')[0]!;
      if (local.length > 3 && output.includes(`"${local}`)) leaks.push(`local part ${local}`);
    }
    // no Authorization header or cookie value in request logs
    expect(output).not.toMatch(/"authorization"\s*:\s*"Bearer/i);
    expect(output).not.toMatch(/better-auth\.session_token=/);
    expect(leaks).toEqual([]);
  });
});
