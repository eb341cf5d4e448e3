// `npm run soak`: starts the API as a child process in production mode (embedded PGlite in a
// temporary DATA_DIR, or PostgreSQL via SOAK_DATABASE_URL), registers a few users and drives mixed
// traffic (REST list/create/get/toggle/patch/delete and GraphQL) for SOAK_SECONDS. Every
// SOAK_SAMPLE_SECONDS it prints a row: requests, status classes, latency, the server's RSS.
// Exits 1 on any 5xx, any failed request (connection error/timeout) or a server crash.
//
//   SOAK_SECONDS=300           how long to drive traffic (default 300)
//   SOAK_DATABASE_URL=…        PostgreSQL to run against (default: embedded PGlite in a temp dir)
//   SOAK_REDIS_URL=…           pass REDIS_URL to the server (default: in-process stores)
//   SOAK_USERS=4               accounts to spread the traffic over
//   SOAK_CONCURRENCY=8         requests in flight
//   SOAK_SAMPLE_SECONDS=5      sampling interval
//   SOAK_RATE_LIMITS=1         keep the API's rate limits on (default off: one client IP would hit them)
//   SOAK_JSON=path             also write the samples and the summary as JSON
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_VARIABLES } from '../api/src/config/env.js';
import { startMailSink } from './mail-sink.js';
import { childEnv, freePort, rssBytes, startProcess, stopProcess, waitForHttp, type Proc } from '../scripts/lib/procs.mjs';

const API_DIR = fileURLToPath(new URL('../api/', import.meta.url));

function intEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min} (got ${JSON.stringify(raw)})`);
  return n;
}

const SECONDS = intEnv('SOAK_SECONDS', 300);
const USERS = intEnv('SOAK_USERS', 4);
const CONCURRENCY = intEnv('SOAK_CONCURRENCY', 8);
const SAMPLE_SECONDS = intEnv('SOAK_SAMPLE_SECONDS', 5);
const REQUEST_TIMEOUT_MS = 30_000;


type Op = 'list' | 'create' | 'get' | 'toggle' | 'patch' | 'delete' | 'graphql-list' | 'graphql-create' | 'graphql-toggle';
/** Weights of the traffic mix (sum 100). */
const MIX: [Op, number][] = [
  ['list', 25],
  ['create', 15],
  ['get', 10],
  ['toggle', 10],
  ['patch', 5],
  ['delete', 8],
  ['graphql-list', 15],
  ['graphql-create', 7],
  ['graphql-toggle', 5],
];

interface User {
  email: string;
  accessToken: string;
  refreshToken: string;
  taskIds: string[];
  refreshing?: Promise<void>;
}

interface Window {
  requests: number;
  ok: number;
  clientErrors: number;
  serverErrors: number;
  failures: number;
  latencies: number[];
}

export interface Sample {
  t: number;
  requests: number;
  rps: number;
  ok: number;
  clientErrors: number;
  serverErrors: number;
  failures: number;
  errorRate: number;
  p50: number;
  p99: number;
  rssMiB: number;
}

export interface SoakSummary {
  seconds: number;
  database: 'pglite' | 'postgres';
  requests: number;
  ok: number;
  clientErrors: number;
  serverErrors: number;
  failures: number;
  errorRate: number;
  rssStartMiB: number;
  rssEndMiB: number;
  rssMaxMiB: number;
  serverExit: number | string | null;
  byOp: Record<string, Record<string, number>>;
  samples: Sample[];
  passed: boolean;
}

const newWindow = (): Window => ({ requests: 0, ok: 0, clientErrors: 0, serverErrors: 0, failures: 0, latencies: [] });

/** Resident set size of a process in MiB; NaN when it is gone (or not on Linux). */
function rssMiB(pid: number): number {
  return (rssBytes(pid) ?? NaN) / 2 ** 20;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function pick<T>(items: T[]): T | undefined {
  return items[Math.floor(Math.random() * items.length)];
}

function pickOp(): Op {
  let r = Math.random() * 100;
  for (const [op, weight] of MIX) {
    r -= weight;
    if (r < 0) return op;
  }
  return 'list';
}

class Soak {
  private window = newWindow();
  private readonly byOp: Record<string, Record<string, number>> = {};
  private readonly totals = newWindow();
  readonly samples: Sample[] = [];
  private readonly logTail: string[] = [];

  constructor(
    private readonly base: string,
    private readonly server: Proc,
  ) {}

  /** A failed request, kept for the report of a failed run (the last 40). */
  remember(line: string) {
    this.logTail.push(line);
    if (this.logTail.length > 40) this.logTail.shift();
  }

  /** The last failed requests and the last lines the API printed. */
  get tail() {
    const api = this.server.output().split('\n').filter(Boolean).slice(-40).map((line) => `[api] ${line}`);
    return [...this.logTail, ...api].join('\n');
  }

  /** One HTTP request, counted by status class and by operation. */
  async call(op: string, method: string, url: string, init: { token?: string; body?: unknown } = {}) {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    let status = 0;
    let body: any = null;
    try {
      const res = await fetch(this.base + url, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      status = res.status;
      const text = await res.text();
      body = text ? JSON.parse(text) : null;
    } catch (error) {
      if (status === 0) this.remember(`${op} ${method} ${url}: ${(error as Error).message}`);
    }
    const ms = performance.now() - started;
    for (const w of [this.window, this.totals]) {
      w.requests++;
      w.latencies.push(ms);
      if (status === 0) w.failures++;
      else if (status >= 500) w.serverErrors++;
      else if (status >= 400) w.clientErrors++;
      else w.ok++;
    }
    const counts = (this.byOp[op] ??= {});
    const key = status === 0 ? 'failed' : String(status);
    counts[key] = (counts[key] ?? 0) + 1;
    if (status >= 500) this.remember(`${op} ${method} ${url} → ${status} ${JSON.stringify(body)}`);
    // GraphQL reports errors in a 200 body: an INTERNAL_SERVER_ERROR there is a 5xx in disguise.
    if (status === 200 && Array.isArray(body?.errors)) {
      const internal = body.errors.some((e: any) => !e?.extensions?.code || e.extensions.code === 'INTERNAL_SERVER_ERROR');
      if (internal) {
        for (const w of [this.window, this.totals]) {
          w.ok--;
          w.serverErrors++;
        }
        this.remember(`${op} GraphQL internal error: ${JSON.stringify(body.errors)}`);
      }
    }
    return { status, body };
  }

  async register(i: number): Promise<User> {
    const email = `soak-${i}-${randomBytes(4).toString('hex')}@example.com`;
    const password = `soak-${randomBytes(12).toString('hex')}`;
    for (let attempt = 0; attempt < 20; attempt++) {
      const res = await this.call('register', 'POST', '/api/auth/register', { body: { email, password, name: `Soak ${i}` } });
      if (res.status === 201) return { email, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken, taskIds: [] };
      if (res.status !== 429) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error('register: rate limited 20 times in a row');
  }

  /** New access token from the refresh token (one refresh per user at a time). */
  async refresh(user: User) {
    user.refreshing ??= (async () => {
      const res = await this.call('refresh', 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } });
      if (res.status === 200) {
        user.accessToken = res.body.accessToken;
        user.refreshToken = res.body.refreshToken;
      }
    })().finally(() => {
      user.refreshing = undefined;
    });
    await user.refreshing;
  }

  async step(user: User) {
    const op = pickOp();
    const id = pick(user.taskIds);
    const token = user.accessToken;
    let res: { status: number; body: any };
    switch (op) {
      case 'list':
        res = await this.call(op, 'GET', `/api/tasks?limit=${1 + Math.floor(Math.random() * 50)}&status=${pick(['all', 'pending', 'completed'])}`, { token });
        break;
      case 'create':
        res = await this.call(op, 'POST', '/api/tasks', { token, body: { title: `soak ${Date.now()}`, description: 'x'.repeat(Math.floor(Math.random() * 200)) } });
        if (res.status === 201) user.taskIds.push(res.body.id);
        break;
      case 'get':
        res = await this.call(op, 'GET', `/api/tasks/${id ?? '00000000-0000-4000-8000-000000000000'}`, { token });
        break;
      case 'toggle':
        res = await this.call(op, 'PATCH', `/api/tasks/${id ?? '00000000-0000-4000-8000-000000000000'}/complete`, { token });
        break;
      case 'patch':
        res = await this.call(op, 'PATCH', `/api/tasks/${id ?? '00000000-0000-4000-8000-000000000000'}`, { token, body: { title: `renamed ${Date.now()}` } });
        break;
      case 'delete':
        if (!id) return;
        res = await this.call(op, 'DELETE', `/api/tasks/${id}`, { token });
        if (res.status === 204 || res.status === 404) user.taskIds = user.taskIds.filter((t) => t !== id);
        break;
      case 'graphql-list':
        res = await this.call(op, 'POST', '/graphql', {
          token,
          body: { query: 'query($first:Int){ me { id } tasks(first:$first, status: ALL) { totalCount nodes { id title completed } pageInfo { endCursor hasNextPage } } }', variables: { first: 20 } },
        });
        break;
      case 'graphql-create':
        res = await this.call(op, 'POST', '/graphql', {
          token,
          body: { query: 'mutation($input: CreateTaskInput!){ createTask(input:$input){ id version } }', variables: { input: { title: `gql ${Date.now()}` } } },
        });
        if (res.body?.data?.createTask?.id) user.taskIds.push(res.body.data.createTask.id);
        break;
      case 'graphql-toggle':
        if (!id) return;
        res = await this.call(op, 'POST', '/graphql', { token, body: { query: 'mutation($id: ID!){ toggleTask(id:$id){ id completed } }', variables: { id } } });
        break;
    }
    // Keep each user's working set bounded so the list sizes stay comparable over time.
    if (user.taskIds.length > 200) user.taskIds.splice(0, 100);
    // Access tokens live 15 minutes: refresh once per expiry (not for a token already replaced).
    if (res.status === 401 && token === user.accessToken) await this.refresh(user);
  }

  /** Forget the current window (the set-up traffic). */
  reset() {
    this.window = newWindow();
  }

  sample(t: number, seconds: number) {
    const w = this.window;
    this.window = newWindow();
    const sorted = w.latencies.sort((a, b) => a - b);
    const errors = w.serverErrors + w.failures;
    const sample: Sample = {
      t,
      requests: w.requests,
      rps: w.requests / seconds,
      ok: w.ok,
      clientErrors: w.clientErrors,
      serverErrors: w.serverErrors,
      failures: w.failures,
      errorRate: w.requests ? errors / w.requests : 0,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      rssMiB: rssMiB(this.server.pid),
    };
    this.samples.push(sample);
    return sample;
  }

  totalsSummary() {
    const t = this.totals;
    return {
      requests: t.requests,
      ok: t.ok,
      clientErrors: t.clientErrors,
      serverErrors: t.serverErrors,
      failures: t.failures,
      errorRate: t.requests ? (t.serverErrors + t.failures) / t.requests : 0,
      byOp: this.byOp,
    };
  }
}

const HEADER = `${'t(s)'.padStart(6)} ${'req'.padStart(7)} ${'req/s'.padStart(7)} ${'2xx/3xx'.padStart(8)} ${'4xx'.padStart(6)} ${'5xx'.padStart(5)} ${'fail'.padStart(5)} ${'err%'.padStart(6)} ${'p50ms'.padStart(7)} ${'p99ms'.padStart(7)} ${'RSS MiB'.padStart(8)}`;
const row = (s: Sample) =>
  `${String(s.t).padStart(6)} ${String(s.requests).padStart(7)} ${s.rps.toFixed(1).padStart(7)} ${String(s.ok).padStart(8)} ${String(s.clientErrors).padStart(6)} ${String(s.serverErrors).padStart(5)} ${String(s.failures).padStart(5)} ${(s.errorRate * 100).toFixed(2).padStart(6)} ${s.p50.toFixed(1).padStart(7)} ${s.p99.toFixed(1).padStart(7)} ${s.rssMiB.toFixed(1).padStart(8)}`;

export async function runSoak(): Promise<SoakSummary> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = process.env.SOAK_DATABASE_URL ? undefined : mkdtempSync(path.join(tmpdir(), 'taskgate-soak-'));
  const mail = await startMailSink();
  // The API sees only the configuration set here, none from this shell.
  const env = childEnv(
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: base,
      BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: process.env.SOAK_LOG_LEVEL ?? 'warn',
      ...(dataDir ? { DATA_DIR: dataDir } : { DATABASE_URL: process.env.SOAK_DATABASE_URL }),
      ...(process.env.SOAK_REDIS_URL ? { REDIS_URL: process.env.SOAK_REDIS_URL } : {}),
      ...(process.env.SOAK_RATE_LIMITS === '1' ? {} : { RATE_LIMIT_ENABLED: 'false' }),
      ...mail.env,
    },
    { scrub: CONFIG_VARIABLES },
  );

  const server = startProcess({ name: 'the API', command: process.execPath, args: ['--import', 'tsx', 'src/server.ts'], cwd: API_DIR, env, output: 'capture' });
  const soak = new Soak(base, server);
  let crashed: string | undefined;
  let stopping = false;
  void server.exited.then(({ code, signal }) => {
    if (!stopping) crashed = `the API exited during the soak (${code ?? signal})`;
  });

  const database = dataDir ? 'pglite' : 'postgres';
  let rssStart = NaN;
  let serverExit: number | string | null = null;
  try {
    await waitForHttp(`${base}/readyz`, { proc: server, timeoutMs: 120_000, ready: (status) => status === 200 });
    const users: User[] = [];
    for (let i = 0; i < USERS; i++) users.push(await soak.register(i));
    soak.reset();
    rssStart = rssMiB(server.pid);

    console.log(`Soak: ${SECONDS} s, ${USERS} users, ${CONCURRENCY} in flight, ${database}, API pid ${server.pid} on ${base}`);
    console.log(HEADER);
    const started = Date.now();
    const end = started + SECONDS * 1000;
    let lastSample = started;
    const takeSample = () => {
      const now = Date.now();
      console.log(row(soak.sample(Math.round((now - started) / 1000), Math.max(0.001, (now - lastSample) / 1000))));
      lastSample = now;
    };
    const sampler = setInterval(takeSample, SAMPLE_SECONDS * 1000);
    const workers = Array.from({ length: CONCURRENCY }, async (_, w) => {
      let n = w;
      while (Date.now() < end && !crashed) {
        await soak.step(users[n++ % users.length]!);
      }
    });
    await Promise.all(workers);
    clearInterval(sampler);
    if (Date.now() - lastSample >= 500) takeSample();
  } finally {
    stopping = true;
    const exit = await stopProcess(server, 15_000);
    serverExit = exit.code ?? exit.signal;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await mail.close();
  }

  const totals = soak.totalsSummary();
  const rss = soak.samples.map((s) => s.rssMiB).filter(Number.isFinite);
  const summary: SoakSummary = {
    seconds: SECONDS,
    database,
    ...totals,
    rssStartMiB: rssStart,
    rssEndMiB: rss.at(-1) ?? NaN,
    rssMaxMiB: rss.length ? Math.max(...rss) : NaN,
    serverExit,
    samples: soak.samples,
    passed: !crashed && totals.serverErrors === 0 && totals.failures === 0 && serverExit === 0,
  };
  if (crashed) console.error(crashed);
  if (!summary.passed) console.error(`Last lines (requests that failed, API output):\n${soak.tail}`);
  return summary;
}

async function main() {
  let summary: SoakSummary;
  try {
    summary = await runSoak();
  } catch (error) {
    console.error('Soak could not run:', error instanceof Error ? error.message : error);
    process.exit(1);
  }
  console.log('');
  console.log(
    `Total ${summary.requests} requests: ${summary.ok} ok, ${summary.clientErrors} 4xx, ${summary.serverErrors} 5xx, ${summary.failures} failed ` +
      `(error rate ${(summary.errorRate * 100).toFixed(3)} %). RSS ${summary.rssStartMiB.toFixed(1)} → ${summary.rssEndMiB.toFixed(1)} MiB ` +
      `(max ${summary.rssMaxMiB.toFixed(1)}). API exit: ${summary.serverExit}.`,
  );
  console.log('By operation:', JSON.stringify(summary.byOp));
  if (process.env.SOAK_JSON) writeFileSync(process.env.SOAK_JSON, JSON.stringify(summary, null, 2));
  console.log(`SOAK ${summary.passed ? 'PASSED' : 'FAILED'}`);
  process.exit(summary.passed ? 0 : 1);
}

await main();
