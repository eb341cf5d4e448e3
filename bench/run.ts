// Taskgate's benchmark driver: `npm run bench [-- options]`.
//
// For each database (PostgreSQL, embedded PGlite) it starts the API in production mode as its own
// process, seeds users through the real register/login routes and tasks by bulk SQL, starts the
// floor server (bench/floor-server.ts) on the same data, and drives both with autocannon from a
// separate load process (bench/load-worker.ts): warm-up, then N rounds in which every scenario
// runs once, floor and API interleaved, so drift hits both alike. Medians over rounds; ratios are
// taken per round and then the median. Results: bench/results/<out>.json and .md.
//
// Options (defaults for the full run; --smoke picks small ones):
//   --smoke               a few seconds, tiny seed, one short round, PGlite only; asserts no speed
//   --db=pg|pglite|both   (default both; smoke: pglite)
//   --duration=10 --rounds=3 --warmup=2 --connections=50
//   --users=1000 --tasks-per-user=50 --big-tasks=100000 --login-users=200 --login-rate=5
//   --only=gql.list,rest.list   run only these scenarios (their floors are added)
//   --live-connections=1000 --live-users=200 --live-rate=25   the live-update scenarios (live.idle,
//                         live.fanout, gql.create+live): WebSocket subscribers, spread evenly over
//                         that many users of their own (registered beyond --login-users), and
//                         createTask/s in live.fanout (smoke: 10 sockets over 2 users)
//   --api-root=/path      run the API from another checkout (lever experiments in a scratch copy)
//   --api-env=KEY=VALUE   extra environment for the API process (repeatable)
//   --variant-root=DIR, --variant-env=KEY=VALUE   A/B mode (PostgreSQL only): a second API "B"
//                         (another checkout and/or environment) on the same database; every API
//                         scenario X also runs as X@B right after X, and B is reported ÷ A per round.
//                         B logs one user in before measuring, like A did, so both processes have
//                         the same history (a login used to leave promise hooks on for good —
//                         docs/decisions/010; priming keeps trees from before that comparable);
//                         --variant-prime=none skips that.
//   --out=latest          results file name under bench/results/ (experiments: --out=levers/NAME,
//                         a git-ignored folder)
//   --api-entry=FILE, --variant-entry=FILE   the server module under its root (default: the
//                         production build api/dist/src/server.mjs on plain node, built first with
//                         `node api/build.mjs --if-stale`; a root without api/build.mjs runs
//                         api/src/server.ts through tsx; a .ts file runs through tsx)
//   --api-node-arg=ARG    extra node flag for the API process (repeatable), e.g. --api-node-arg=--cpu-prof
//   --keep-logs           keep the temporary directory (server logs) even on success
import { startMailSink, type MailSink } from './mail-sink.js';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';
import type { FromLive, FanoutResult, LiveUser, OpenResult, ToLive } from './live-worker.js';
import type { FromWorker, LoadResult, LoadSpec, ToWorker } from './load-worker.js';
import { cpuSeconds, freePort, killAllNow, rssBytes, startProcess, stopAll, stopProcess, waitForHttp, type Proc } from '../scripts/lib/procs.mjs';
import { describeLive, median, percentile, renderMarkdown, renderTable, summarize, type DbRun, type LiveSample, type Report, type RoundSample } from './report.js';
import { SCENARIOS, baseName, type Target, checkResponse, makeRequest, scenario, type BenchData, type BenchUser } from './scenarios.js';
import { BIG_EMAIL, PASSWORD, loginUsers, openSql, registerUsers, seedTasks } from './seed.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, '..');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');

// ---------------------------------------------------------------- options
/** No --api-entry/--variant-entry: what production runs (`npm start`, the Docker image). */
const DEFAULT_ENTRY = 'build';
const BUILT_ENTRY = 'api/dist/src/server.mjs';

/** Resolve the default entry under `root`: build (if stale) and use the bundle; tsx for trees without a build step. */
function resolveEntry(root: string, entry: string): string {
  if (entry !== DEFAULT_ENTRY) return entry;
  if (!existsSync(path.join(root, 'api', 'build.mjs'))) {
    log(`  ${root}: no api/build.mjs, running api/src/server.ts through tsx`);
    return 'api/src/server.ts';
  }
  execFileSync(process.execPath, ['api/build.mjs', '--if-stale'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  return BUILT_ENTRY;
}

/**
 * The node flags production starts the bundle with: those of `npm start --workspace api`
 * (api/package.json, e.g. `node --max-semi-space-size=16 dist/src/server.mjs`; the Docker image's
 * CMD is kept identical by api/test/compose.test.ts). None for other entries or older trees.
 */
function productionNodeFlags(root: string, entry: string): string[] {
  if (entry !== BUILT_ENTRY) return [];
  try {
    const start = (JSON.parse(readFileSync(path.join(root, 'api', 'package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start;
    const m = /^node((?:\s+--[^\s]+)*)\s+dist\/src\/server\.mjs$/.exec(start?.trim() ?? '');
    return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
  } catch {
    return [];
  }
}

type DbKind = 'pg' | 'pglite';

interface Options {
  smoke: boolean;
  dbs: DbKind[];
  duration: number;
  rounds: number;
  warmup: number;
  connections: number;
  users: number;
  tasksPerUser: number;
  bigTasks: number;
  loginUsers: number;
  loginRate: number;
  liveConnections: number;
  liveUsers: number;
  liveRate: number;
  only: string[] | null;
  apiRoot: string;
  apiEnv: Record<string, string>;
  variant: { root: string; env: Record<string, string>; prime: boolean; entry: string } | null;
  apiEntry: string;
  out: string;
  keepLogs: boolean;
  apiNodeArgs: string[];
  adminUrl: string;
}

function parseArgs(argv: string[]): Options {
  const flags = new Map<string, string[]>();
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}`);
    flags.set(m[1]!, [...(flags.get(m[1]!) ?? []), m[2] ?? 'true']);
  }
  const known = ['smoke', 'db', 'duration', 'rounds', 'warmup', 'connections', 'users', 'tasks-per-user', 'big-tasks', 'login-users', 'login-rate', 'live-connections', 'live-users', 'live-rate', 'only', 'api-root', 'api-env', 'variant-root', 'variant-env', 'variant-prime', 'variant-entry', 'api-entry', 'out', 'keep-logs', 'api-node-arg'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.join(', ')})`);
  const one = (k: string) => flags.get(k)?.at(-1);
  const num = (k: string, def: number) => {
    const v = one(k);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${k} must be a number`);
    return n;
  };
  const smoke = one('smoke') === 'true';
  const db = one('db') ?? (smoke ? 'pglite' : 'both');
  if (!['pg', 'pglite', 'both'].includes(db)) throw new Error('--db must be pg, pglite or both');
  const envPairs = (flag: string) => {
    const env: Record<string, string> = {};
    for (const kv of flags.get(flag) ?? []) {
      const i = kv.indexOf('=');
      if (i < 1) throw new Error(`--${flag} takes KEY=VALUE`);
      env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    return env;
  };
  const apiEnv = envPairs('api-env');
  const apiRoot = path.resolve(one('api-root') ?? REPO_ROOT);
  const variant =
    flags.has('variant-root') || flags.has('variant-env') || flags.has('variant-entry')
      ? {
          root: path.resolve(one('variant-root') ?? apiRoot),
          env: envPairs('variant-env'),
          prime: one('variant-prime') !== 'none',
          entry: one('variant-entry') ?? one('api-entry') ?? DEFAULT_ENTRY,
        }
      : null;
  if (variant && db !== 'pg') throw new Error('A/B mode (--variant-*) needs --db=pg: PGlite has one owner at a time');
  const only = one('only')?.split(',').filter(Boolean) ?? null;
  if (only) for (const name of only) scenario(name);
  const loginUsers = Math.max(1, Math.floor(num('login-users', smoke ? 4 : 200)));
  const liveUsers = Math.max(1, Math.floor(num('live-users', smoke ? 2 : 200)));
  const liveConnections = Math.max(liveUsers, Math.floor(num('live-connections', smoke ? 10 : 1000)));
  const live = !only || only.some((name) => scenario(name).live);
  return {
    smoke,
    dbs: db === 'both' ? ['pg', 'pglite'] : [db as DbKind],
    duration: num('duration', smoke ? 0.5 : 10),
    rounds: Math.max(1, Math.floor(num('rounds', smoke ? 1 : 3))),
    warmup: num('warmup', smoke ? 0 : 2),
    connections: Math.max(1, Math.floor(num('connections', smoke ? 8 : 50))),
    // The live scenarios' users are their own, after the logged-in ones: register enough.
    users: Math.max(1, Math.floor(num('users', smoke ? 4 : 1000)), live ? loginUsers + liveUsers : 1),
    tasksPerUser: Math.max(1, Math.floor(num('tasks-per-user', smoke ? 25 : 50))),
    bigTasks: Math.max(50, Math.floor(num('big-tasks', smoke ? 2000 : 100_000))),
    loginUsers,
    loginRate: num('login-rate', 5),
    liveConnections,
    liveUsers,
    liveRate: Math.max(1, num('live-rate', 25)),
    only,
    apiRoot,
    apiEnv,
    variant,
    apiEntry: one('api-entry') ?? DEFAULT_ENTRY,
    out: one('out') ?? (smoke ? 'smoke' : 'latest'),
    keepLogs: one('keep-logs') === 'true',
    apiNodeArgs: flags.get('api-node-arg') ?? [],
    adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  };
}

// ---------------------------------------------------------------- helpers
const log = (msg: string) => process.stdout.write(`${msg}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // keep availableParallelism
  }
  return {
    nproc,
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    node: process.version,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
  };
}

/** Which code was measured: the commit and the API files that differ from it. */
function source(apiRoot: string) {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  return {
    commit: git(['rev-parse', '--short', 'HEAD']),
    uncommittedApiFiles: git(['status', '--porcelain', '--', 'api/src']).split('\n').filter(Boolean).length,
    apiRoot: apiRoot === REPO_ROOT ? '.' : apiRoot,
  };
}

const loadavg = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

// ---------------------------------------------------------------- the load worker
class LoadWorker {
  private nextId = 1;
  private pending = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
  private constructor(readonly proc: Proc) {
    proc.child.on('message', (m: FromWorker) => {
      if (m.t === 'ready') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.t === 'error') p.reject(new Error(`load worker: ${m.message}`));
      else p.resolve(m);
    });
    void proc.exited.then(({ code, signal }) => {
      for (const p of this.pending.values()) p.reject(new Error(`load worker exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  static async start(): Promise<LoadWorker> {
    const proc = startProcess({
      name: 'load-worker',
      command: path.join(BENCH_DIR, 'load-worker.ts'),
      ipc: true,
      execArgv: ['--import', 'tsx'],
      cwd: REPO_ROOT,
      output: 'inherit',
    });
    const worker = new LoadWorker(proc);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('load worker did not start in 30 s')), 30_000);
      proc.child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      void proc.exited.then(() => reject(new Error('load worker exited at start')));
    });
    return worker;
  }

  private call(message: ToWorker & { id: number }, timeoutMs: number): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(message.id);
        reject(new Error(`load worker: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(message.id, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.proc.child.send(message);
    });
  }

  setData(data: BenchData) {
    this.proc.child.send({ t: 'data', data } satisfies ToWorker);
  }

  async run(specs: LoadSpec[]): Promise<LoadResult[]> {
    const longest = Math.max(...specs.map((s) => s.duration + (s.timeoutSeconds ?? 10)));
    const m = await this.call({ t: 'run', id: this.nextId++, specs }, (longest + 30) * 1000);
    if (m.t !== 'result') throw new Error('load worker: unexpected answer');
    return m.results;
  }

  async hashRate(apiRoot: string, seconds: number, concurrency: number): Promise<{ algorithm: string; hashesPerSecond: number }> {
    const m = await this.call({ t: 'hash', id: this.nextId++, seconds, concurrency, apiRoot }, (seconds + 60) * 1000);
    if (m.t !== 'hash') throw new Error('load worker: unexpected answer');
    return { algorithm: m.algorithm, hashesPerSecond: m.hashesPerSecond };
  }
}

/** The WebSocket subscribers of the live scenarios, in a process of their own (bench/live-worker.ts). */
class LiveWorker {
  private nextId = 1;
  private pending = new Map<number, { resolve: (m: FromLive) => void; reject: (e: Error) => void }>();
  /** Subscribers currently open (what they were opened with). */
  open: { url: string; connections: number; users: number } | null = null;
  private constructor(readonly proc: Proc) {
    proc.child.on('message', (m: FromLive) => {
      if (m.t === 'ready') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.t === 'error') p.reject(new Error(`live worker: ${m.message}`));
      else p.resolve(m);
    });
    void proc.exited.then(({ code, signal }) => {
      for (const p of this.pending.values()) p.reject(new Error(`live worker exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  static async start(): Promise<LiveWorker> {
    const proc = startProcess({
      name: 'live-worker',
      command: path.join(BENCH_DIR, 'live-worker.ts'),
      ipc: true,
      execArgv: ['--import', 'tsx'],
      cwd: REPO_ROOT,
      output: 'inherit',
    });
    const worker = new LiveWorker(proc);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('live worker did not start in 30 s')), 30_000);
      proc.child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      void proc.exited.then(() => reject(new Error('live worker exited at start')));
    });
    return worker;
  }

  private call<T extends FromLive['t']>(message: ToLive, want: T, timeoutMs: number): Promise<Extract<FromLive, { t: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(message.id);
        reject(new Error(`live worker: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(message.id, {
        resolve: (m) => {
          clearTimeout(timer);
          if (m.t === want) resolve(m as Extract<FromLive, { t: T }>);
          else reject(new Error(`live worker: expected ${want}, got ${m.t}`));
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.proc.child.send(message);
    });
  }

  /** Opens `connections` sockets spread evenly over `users`, each subscribed and confirmed by an event. */
  async openSubscribers(httpBase: string, users: LiveUser[], connections: number): Promise<OpenResult> {
    if (this.open) throw new Error('live subscribers are already open');
    const perUser = Math.ceil(connections / users.length);
    const url = `${httpBase.replace(/^http/, 'ws')}/graphql`;
    const m = await this.call({ t: 'open', id: this.nextId++, url, users, perUser }, 'opened', 180_000);
    this.open = { url, connections: users.length * perUser, users: users.length };
    return m.result;
  }

  async fanout(seconds: number, rate: number): Promise<FanoutResult> {
    if (!this.open) throw new Error('no live subscribers open');
    const m = await this.call({ t: 'fanout', id: this.nextId++, url: this.open.url, seconds, rate, maxInFlight: 16 }, 'fanned', (seconds + 60) * 1000);
    return m.result;
  }

  /** Task events the subscribers received since the last call. */
  async eventsReceived(): Promise<number> {
    return (await this.call({ t: 'events', id: this.nextId++ }, 'events', 10_000)).count;
  }

  async closeSubscribers(): Promise<void> {
    if (!this.open) return;
    await this.call({ t: 'close', id: this.nextId++ }, 'closed', 60_000);
    this.open = null;
  }
}

/**
 * Full garbage collections in the API process through the V8 inspector, so that an RSS reading
 * holds what is live and not whatever garbage the last burst of work left. The API is started with
 * `--inspect-port=127.0.0.1:0` when live.idle runs: that flag alone opens nothing; the inspector
 * listens (on loopback, a random port, printed to the API's log) only once SIGUSR1 is sent, here,
 * right before the first reading. Nothing in the API itself changes.
 */
async function collectGarbage(proc: Proc, logFile: string): Promise<void> {
  const find = () => /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(readFileSync(logFile, 'utf8'))?.[1];
  let url = find();
  if (!url) {
    process.kill(proc.pid, 'SIGUSR1');
    const deadline = performance.now() + 10_000;
    while (!(url = find())) {
      if (performance.now() > deadline) throw new Error('the API\'s inspector did not start after SIGUSR1');
      await sleep(50);
    }
  }
  const socket = new WebSocket(url);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    let id = 0;
    const call = (method: string) =>
      new Promise<void>((resolve, reject) => {
        const mine = ++id;
        const timer = setTimeout(() => reject(new Error(`inspector: no answer to ${method}`)), 30_000);
        const onMessage = (data: WebSocket.RawData) => {
          const m = JSON.parse(String(data)) as { id?: number; error?: { message: string } };
          if (m.id !== mine) return;
          clearTimeout(timer);
          socket.off('message', onMessage);
          if (m.error) reject(new Error(`inspector: ${method}: ${m.error.message}`));
          else resolve();
        };
        socket.on('message', onMessage);
        socket.send(JSON.stringify({ id: mine, method }));
      });
    await call('HeapProfiler.collectGarbage');
  } finally {
    socket.close();
  }
}

/**
 * The process's RSS once it has settled: samples every 200 ms until the last 2 s of samples lie
 * within 1 % of each other (or `maxMs` passed), then their median.
 */
async function settledRss(pid: number, maxMs: number): Promise<{ bytes: number; settled: boolean; waitedMs: number }> {
  const started = performance.now();
  const window: number[] = [];
  const size = 10;
  for (;;) {
    const rss = rssBytes(pid);
    if (rss === null) throw new Error(`no RSS for process ${pid}`);
    window.push(rss);
    if (window.length > size) window.shift();
    const waitedMs = performance.now() - started;
    if (window.length === size && Math.max(...window) - Math.min(...window) <= 0.01 * Math.min(...window)) {
      return { bytes: median(window), settled: true, waitedMs };
    }
    if (waitedMs >= maxMs) return { bytes: median(window), settled: false, waitedMs };
    await sleep(200);
  }
}

// ---------------------------------------------------------------- servers
/** Database cleanups still owed (run on Ctrl-C too). */
const pendingCleanups = new Set<() => Promise<void>>();

interface DbTarget {
  kind: DbKind;
  databaseUrl?: string;
  dataDir?: string; // PGlite: the API's DATA_DIR (database in DATA_DIR/db)
  floorPgliteDir?: string;
  cleanup: () => Promise<void>;
}

async function prepareDb(kind: DbKind, opts: Options, tmp: string): Promise<DbTarget> {
  if (kind === 'pglite') {
    const dataDir = path.join(tmp, 'pglite-api');
    mkdirSync(dataDir, { recursive: true });
    return { kind, dataDir, floorPgliteDir: path.join(tmp, 'pglite-floor', 'db'), cleanup: async () => {} };
  }
  const name = `tgbench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: opts.adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(opts.adminUrl);
  url.pathname = `/${name}`;
  log(`  created database ${name}`);
  const cleanup = async () => {
    pendingCleanups.delete(cleanup);
    if (!/^tgbench_[0-9a-f]{8}$/.test(name)) return; // only ever our own
    const c = new pg.Client({ connectionString: opts.adminUrl });
    await c.connect();
    try {
      await c.query(`drop database if exists ${name} with (force)`);
      log(`  dropped database ${name}`);
    } finally {
      await c.end();
    }
  };
  pendingCleanups.add(cleanup);
  return { kind, databaseUrl: url.toString(), cleanup };
}

/**
 * The environment every server the bench starts begins with: what Node needs, in production mode,
 * and nothing else from this shell (no API configuration leaks into a measurement).
 */
function childBaseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, NODE_ENV: 'production', ...mailSink?.env };
}

/** Where the API servers deliver their mail (bench/mail-sink.ts); started by main(). */
let mailSink: MailSink | undefined;

interface ApiHandle {
  proc: Proc;
  base: string;
  logFile: string;
  startMs: number;
  /** The API's own "ready in N ms" log figure (excludes Node/tsx boot). */
  selfReportedMs: number | null;
}

async function startApi(
  target: DbTarget,
  opts: Options,
  tmp: string,
  secret: string,
  label: string,
  as: { root: string; env: Record<string, string>; entry: string } = { root: opts.apiRoot, env: opts.apiEnv, entry: opts.apiEntry },
): Promise<ApiHandle> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...childBaseEnv(),
    HOST: '127.0.0.1',
    PORT: String(port),
    BETTER_AUTH_SECRET: secret,
    // Tokens minted at the start must outlive the run; the LRU honours exp either way.
    ACCESS_TOKEN_TTL: '7200',
    // All load comes from one IP and a few hundred users: keep the limiters in the path (their
    // cost is measured) but with budgets the benchmark never exhausts. Unknown variables are
    // ignored by older versions of the API.
    RATE_LIMIT_API: '9999999/60',
    RATE_LIMIT_LOGIN_IP: '9999999/60',
    RATE_LIMIT_LOGIN_ACCOUNT: '9999999/900',
    // The login scenario signs the same few accounts in from one IP over 8 connections at once.
    RATE_LIMIT_LOGIN_ACCOUNT_IP: '9999999/900',
    RATE_LIMIT_REGISTER_IP: '9999999/3600',
    RATE_LIMIT_REGISTER_REFUSED_IP: '9999999/3600',
    // The live scenarios open all their WebSockets from this one address, several per user.
    WS_MAX_CONNECTIONS_PER_IP: String(Math.max(100, opts.liveConnections)),
    WS_MAX_CONNECTIONS_PER_USER: String(Math.max(20, Math.ceil(opts.liveConnections / opts.liveUsers))),
    ...(target.databaseUrl ? { DATABASE_URL: target.databaseUrl } : { DATA_DIR: target.dataDir }),
    // A/B mode: both APIs must accept the same tokens, so the same issuer/audience (not the port).
    ...(opts.variant ? { PUBLIC_URL: 'http://127.0.0.1:4000' } : {}),
    ...as.env,
  };
  const logFile = path.join(tmp, `api-${target.kind}-${label}.log`);
  const started = performance.now();
  const proc = startProcess({
    name: `api(${target.kind}, ${label})`,
    command: process.execPath,
    args: [
      ...productionNodeFlags(as.root, as.entry),
      ...opts.apiNodeArgs,
      // live.idle collects garbage through the inspector before its RSS readings (collectGarbage).
      ...(label === 'warm' && selectedScenarios(opts).includes('live.idle') ? ['--inspect-port=127.0.0.1:0'] : []),
      ...(/\.[cm]?js$/.test(as.entry) ? [] : ['--import', 'tsx']),
      as.entry,
    ],
    cwd: as.root,
    env,
    output: { file: logFile },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`, { proc, timeoutMs: 120_000, intervalMs: 25 });
  const startMs = performance.now() - started;
  let selfReportedMs: number | null = null;
  const m = /ready in (\d+) ms/.exec(readFileSync(logFile, 'utf8'));
  if (m) selfReportedMs = Number(m[1]);
  log(`  API (${target.kind}, ${label}) ready in ${Math.round(startMs)} ms${selfReportedMs !== null ? ` (self-reported ${selfReportedMs} ms)` : ''}`);
  return { proc, base, logFile, startMs, selfReportedMs };
}

async function startFloor(target: DbTarget, tmp: string): Promise<{ proc: Proc; base: string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...childBaseEnv(),
    FLOOR_PORT: String(port),
    ...(target.databaseUrl ? { FLOOR_DATABASE_URL: target.databaseUrl } : { FLOOR_PGLITE_DIR: target.floorPgliteDir }),
  };
  const proc = startProcess({
    name: `floor(${target.kind})`,
    command: process.execPath,
    args: ['--import', 'tsx', path.join(BENCH_DIR, 'floor-server.ts')],
    cwd: REPO_ROOT,
    env,
    output: { file: path.join(tmp, `floor-${target.kind}.log`) },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`, { proc, timeoutMs: 60_000, intervalMs: 25 });
  return { proc, base };
}

// ---------------------------------------------------------------- one database
/** Scenario order within a round: each floor right before the API scenarios compared with it. */
const ORDER = [
  'floor.list', 'gql.list', 'rest.list',
  'floor.create', 'gql.create',
  // Subscribers open from live.idle to the end of gql.create+live, next to gql.create (its "without").
  'live.idle', 'live.fanout', 'gql.create+live',
  'rest.create',
  'floor.toggle', 'gql.toggle',
  'floor.me', 'rest.me',
  'floor.mix', 'gql.mix',
  'big.first', 'big.deep',
  'auth.login', 'rest.list+login',
];

function selectedScenarios(opts: Options): string[] {
  let names = ORDER;
  if (opts.only) {
    const want = new Set(opts.only);
    for (const name of opts.only) {
      const floor = scenario(name).floor;
      if (floor) want.add(floor);
      if (name.startsWith('big.') || name === 'rest.list+login') want.add('rest.list');
      const live = scenario(name).live;
      if (typeof live === 'object') want.add(live.load);
    }
    names = ORDER.filter((n) => want.has(n));
  }
  if (!opts.variant) return names;
  // The live scenarios run against A only (one set of subscribers).
  return names.flatMap((n) => (scenario(n).target === 'api' && !scenario(n).live ? [n, `${n}@B`] : [n]));
}

async function preflight(names: string[], data: BenchData, bases: Record<RunTarget, string>): Promise<void> {
  for (const label of names) {
    const name = baseName(label);
    const live = scenario(name).live;
    if (live === 'idle' || live === 'fanout') continue; // checked as they run (every subscription must deliver)
    const req = makeRequest(name === 'rest.list+login' ? 'rest.list' : name, data);
    const res = await fetch(`${bases[targetOf(label)]}${req.path}`, {
      method: req.method,
      headers: req.headers,
      ...(req.body === undefined ? {} : { body: req.body }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    const problem = checkResponse(name === 'rest.list+login' ? 'rest.list' : name, res.status, body);
    if (problem) throw new Error(`preflight failed${label !== name ? ' (variant B)' : ''}: ${problem}`);
  }
}

type RunTarget = Target;
const targetOf = (label: string): RunTarget => (label.endsWith('@B') ? 'variant' : scenario(label).target);

async function runDb(kind: DbKind, opts: Options, worker: LoadWorker, liveWorker: LiveWorker | null, tmp: string): Promise<DbRun> {
  log(`\n== ${kind === 'pg' ? 'PostgreSQL' : 'PGlite (embedded)'} ==`);
  const target = await prepareDb(kind, opts, tmp);
  const secret = randomBytes(36).toString('base64url');
  const run: DbRun = { db: kind, starts: [], seed: {}, hash: null, rounds: [], rssAfterRound: [], floorRssAfterRound: [], notes: [] };
  let api: ApiHandle | null = null;
  let floor: { proc: Proc; base: string } | null = null;
  let variant: ApiHandle | null = null;
  try {
    // 1. cold start (empty database: migrations applied), users through the real register route.
    api = await startApi(target, opts, tmp, secret, 'cold');
    run.starts.push({ label: 'first start (empty database, migrations applied)', ms: api.startMs, selfReportedMs: api.selfReportedMs });
    let t = performance.now();
    const { users, big } = await registerUsers(api.base, opts.users, 4);
    run.seed.registerSeconds = (performance.now() - t) / 1000;
    run.seed.users = users.length + 1;
    await stopProcess(api.proc);
    api = null;

    // 2. tasks by bulk SQL, with the API stopped (PGlite has one owner at a time).
    t = performance.now();
    const sql = await openSql(target.databaseUrl ? { databaseUrl: target.databaseUrl } : { pgliteDir: path.join(target.dataDir!, 'db') });
    let seeded;
    try {
      seeded = await seedTasks(sql, opts.tasksPerUser, opts.bigTasks, big.id);
    } finally {
      await sql.close();
    }
    run.seed.taskRows = seeded.rows;
    run.seed.taskSeconds = (performance.now() - t) / 1000;
    if (target.floorPgliteDir) cpSync(path.join(target.dataDir!, 'db'), target.floorPgliteDir, { recursive: true });

    // 3. warm start (database exists), then tokens through the real login route.
    api = await startApi(target, opts, tmp, secret, 'warm');
    run.starts.push({ label: 'restart (database migrated and seeded)', ms: api.startMs, selfReportedMs: api.selfReportedMs });
    t = performance.now();
    const loginSet = users.slice(0, Math.min(opts.loginUsers, users.length));
    // The live scenarios' subscribers belong to users of their own: the load's writes never reach them.
    const liveSet = liveWorker ? users.slice(loginSet.length, loginSet.length + opts.liveUsers) : [];
    const tokens = await loginUsers(api.base, [...loginSet.map((u) => u.email), ...liveSet.map((u) => u.email), BIG_EMAIL], 4);
    run.seed.loginSeconds = (performance.now() - t) / 1000;
    run.seed.tokens = tokens.size;
    const toBench = (u: { id: string; email: string }): BenchUser => ({
      id: u.id,
      email: u.email,
      token: tokens.get(u.email)!,
      taskIds: seeded.taskIds.get(u.id) ?? [],
    });
    const data: BenchData = { password: PASSWORD, users: loginSet.map(toBench), big: toBench(big), deepCursor: seeded.deepCursor };
    if (data.users.some((u) => u.taskIds.length === 0)) throw new Error('a bench user has no tasks');
    const liveUsers: LiveUser[] = liveSet.map((u) => ({ id: u.id, token: tokens.get(u.email)! }));
    if (liveWorker && liveUsers.length < opts.liveUsers) throw new Error(`live scenarios need ${opts.liveUsers} users beyond the logged-in ones`);

    floor = await startFloor(target, tmp);
    if (opts.variant) {
      variant = await startApi(target, opts, tmp, secret, 'variant B', opts.variant);
      if (opts.variant.prime) await loginUsers(variant.base, [BIG_EMAIL], 1);
      run.notes.push(
        `A/B: B = ${opts.variant.root === REPO_ROOT ? 'this checkout' : opts.variant.root} with env ${JSON.stringify(opts.variant.env)}` +
          (opts.variant.prime ? ' (primed with one login)' : ' (not primed: no login before measuring)'),
      );
    }
    worker.setData(data);
    const names = selectedScenarios(opts);
    const bases: Record<RunTarget, string> = { api: api.base, floor: floor.base, variant: variant?.base ?? api.base };
    const pids: Record<RunTarget, number> = { api: api.proc.pid, floor: floor.proc.pid, variant: variant?.proc.pid ?? api.proc.pid };
    await preflight(names, data, bases);
    log(`  preflight ok (${names.length} scenarios)`);

    // Raw password-hash throughput with both servers idle: the ceiling for logins/s.
    if (names.includes('auth.login')) {
      const concurrency = 4; // libuv's default pool: enough to fill every core here
      const rate = await worker.hashRate(opts.apiRoot, opts.smoke ? 1 : 5, concurrency);
      run.hash = { ...rate, concurrency };
      log(`  raw password hash (${rate.algorithm}, ${concurrency} in flight): ${rate.hashesPerSecond.toFixed(1)} hashes/s`);
    }

    const specsFor = (label: string, requested: number): LoadSpec[] => {
      const name = baseName(label);
      const s = scenario(name);
      const url = bases[targetOf(label)];
      // A login takes a whole password hash: short smoke windows would see none complete.
      const duration = opts.smoke && name.includes('login') ? Math.max(requested, 3) : requested;
      const spec: LoadSpec = {
        scenario: name,
        url,
        connections: s.connections ? Math.min(s.connections, opts.connections) : opts.connections,
        duration,
        ...(s.timeoutSeconds ? { timeoutSeconds: s.timeoutSeconds } : {}),
        ...(opts.smoke ? { sampleIntMs: 250 } : {}),
      };
      const specs = [spec];
      if (s.background) {
        specs.push({
          scenario: s.background.scenario,
          url,
          connections: Math.min(s.background.connections, opts.connections),
          duration,
          overallRate: opts.loginRate,
          timeoutSeconds: 30,
          ...(opts.smoke ? { sampleIntMs: 250 } : {}),
        });
      }
      return specs;
    };
    const settle = async (name: string) => {
      // Logins leave hashes queued on the server's thread pool: let them drain.
      await sleep(name.includes('login') ? (opts.smoke ? 300 : 2500) : opts.smoke ? 50 : 500);
    };

    /**
     * One scenario: autocannon in the load worker, or a live scenario (subscribers in the live
     * worker, opened by whichever live scenario comes first and closed after the last one in a row).
     * `measure`: the RSS per subscriber is only measured in rounds (not in the warm-up).
     */
    const runScenario = async (
      label: string,
      seconds: number,
      measure: boolean,
    ): Promise<{ results: LoadResult[]; live?: LiveSample; served?: number; cpuSeconds?: number | null }> => {
      const name = baseName(label);
      const live = scenario(name).live;
      if (!live) return { results: await worker.run(specsFor(label, seconds)) };
      if (!liveWorker || !api) throw new Error('live scenarios need the live worker and the API');
      const apiBase = api.base;
      const pid = api.proc.pid;
      const open = () => liveWorker.openSubscribers(apiBase, liveUsers, opts.liveConnections);
      const fromOpen = (o: OpenResult) => ({ confirmed: o.confirmed, failed: o.failed, openMs: o.openMs, confirmMs: o.confirmMs, confirmWrites: o.confirmWrites });
      const noLoad = (extra: Partial<LoadResult>): LoadResult => ({
        scenario: name, rps: 0, p50: 0, p90: 0, p99: 0, max: 0, ok: 0, non2xx: 0, errors: 0, timeouts: 0, gqlErrors: 0, statusCodes: {}, duration: seconds, ...extra,
      });
      let opened: OpenResult | null = null;
      if (live === 'idle') {
        // Both readings: full collections, then the settled RSS of the idle API.
        const wait = opts.smoke ? 1_000 : 10_000;
        const reading = async () => {
          await collectGarbage(api!.proc, api!.logFile);
          return settledRss(pid, wait);
        };
        const before = measure ? await reading() : null;
        opened = await open();
        const after = measure ? await reading() : null;
        const connections = liveWorker.open!.connections;
        if (opened.firstError) log(`    live.idle: ${opened.failed} of ${connections} sockets failed; first: ${opened.firstError}`);
        return {
          results: [noLoad({ ok: opened.confirmed, errors: opened.failed, duration: (opened.openMs + opened.confirmMs) / 1000 })],
          live: {
            connections,
            users: liveUsers.length,
            open: fromOpen(opened),
            ...(before && after
              ? { rss: { before: before.bytes, after: after.bytes, perConnection: (after.bytes - before.bytes) / connections, settled: before.settled && after.settled } }
              : {}),
          },
        };
      }
      if (!liveWorker.open) opened = await open();
      const base: LiveSample = { connections: liveWorker.open!.connections, users: liveUsers.length, ...(opened ? { open: fromOpen(opened) } : {}) };
      const openFailures = opened?.failed ?? 0;
      if (live === 'fanout') {
        const f = await liveWorker.fanout(seconds, opts.liveRate);
        const round1 = (x: number) => Math.round(x * 10) / 10;
        const lat = (p: number) => round1(percentile(f.afterResponse, p));
        if (f.firstError) log(`    live.fanout: ${f.failedMutations} mutations failed; first: ${f.firstError}`);
        return {
          served: f.mutations,
          results: [
            noLoad({
              rps: f.mutations / f.seconds,
              p50: lat(50),
              p90: lat(90),
              p99: lat(99),
              max: round1(Math.max(...f.afterResponse)),
              ok: f.afterResponse.length,
              errors: f.lost + f.failedMutations + openFailures,
              duration: f.seconds,
            }),
          ],
          live: {
            ...base,
            fanout: {
              rate: opts.liveRate,
              mutations: f.mutations,
              expected: f.expected,
              received: f.afterResponse.length,
              lost: f.lost,
              failedMutations: f.failedMutations,
              beforeResponse: f.afterResponse.filter((x) => x < 0).length,
              afterRequest: { p50: round1(percentile(f.afterRequest, 50)), p99: round1(percentile(f.afterRequest, 99)) },
            },
          },
        };
      }
      // live.idle's full collections leave the API shrunk and cold (V8's memory-reducing collection
      // presumably drops compiled code too): measured, a createTask costs ≈ 3 × its CPU in the 2 s
      // after them and still ≈ 1.1 × over the 8 s after that, with or without subscribers. Run this
      // load unmeasured for a whole run's length first, so it is measured warm, like its "without".
      if (measure && opts.warmup > 0) await worker.run(specsFor(label, Math.max(opts.warmup, seconds)));
      await liveWorker.eventsReceived(); // from zero
      // The API's CPU over the counted requests only (not the re-growing load above, nor the open).
      const cpuBefore = cpuSeconds(pid);
      const results = await worker.run(specsFor(label, seconds));
      const cpuAfter = cpuSeconds(pid);
      const events = await liveWorker.eventsReceived();
      if (openFailures) results[0] = { ...results[0]!, errors: results[0]!.errors + openFailures };
      return { results, live: { ...base, eventsDuringLoad: events }, cpuSeconds: cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null };
    };
    /** Closes the subscribers unless the scenario after `index` uses them too. */
    const afterScenario = async (list: string[], index: number) => {
      const next = list[index + 1];
      if (liveWorker?.open && !(next && scenario(baseName(next)).live)) await liveWorker.closeSubscribers();
    };

    if (opts.warmup > 0) {
      log(`  warm-up: ${opts.warmup} s per scenario`);
      for (const [i, name] of names.entries()) {
        await runScenario(name, opts.warmup, false);
        await afterScenario(names, i);
        await settle(name);
      }
    }

    /**
     * A/B runs: B goes first in even rounds, so neither side always follows the floor. Likewise
     * gql.create runs after the live block (subscribers closed) in even rounds, before it in odd ones.
     */
    const orderFor = (round: number) => {
      let list = names;
      if (round % 2 === 0 && names.includes('gql.create+live') && names.includes('gql.create')) {
        list = names.filter((n) => n !== 'gql.create');
        list.splice(list.indexOf('gql.create+live') + 1, 0, 'gql.create');
      }
      if (!opts.variant || round % 2 === 1) return list;
      const out = [...list];
      for (let i = 0; i + 1 < out.length; i++) {
        if (out[i + 1] === `${out[i]}@B`) {
          [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
          i++;
        }
      }
      return out;
    };

    for (let round = 1; round <= opts.rounds; round++) {
      log(`  round ${round}/${opts.rounds}`);
      const list = orderFor(round);
      for (const [index, name] of list.entries()) {
        const pid = pids[targetOf(name)];
        let peak = rssBytes(pid) ?? 0;
        const sampler = setInterval(() => {
          const r = rssBytes(pid);
          if (r !== null && r > peak) peak = r;
        }, 200);
        let ran: Awaited<ReturnType<typeof runScenario>>;
        const cpuBefore = cpuSeconds(pid);
        try {
          ran = await runScenario(name, opts.duration, true);
        } finally {
          clearInterval(sampler);
        }
        const cpuAfter = cpuSeconds(pid);
        const [main, background] = ran.results as [LoadResult, LoadResult | undefined];
        // live.idle serves no requests; live.fanout's CPU is per mutation (with its events).
        const served = scenario(baseName(name)).live === 'idle' ? 0 : (ran.served ?? main.ok + main.non2xx + (background ? background.ok + background.non2xx : 0));
        // A scenario that does unmeasured work before its requests reports the CPU of its requests itself.
        const cpu = ran.cpuSeconds !== undefined ? ran.cpuSeconds : cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
        const cpuUsPerRequest = cpu !== null && served > 0 ? (cpu * 1e6) / served : null;
        const sample: RoundSample = {
          round,
          scenario: name,
          target: targetOf(name),
          result: main,
          rssPeak: peak,
          cpuUsPerRequest,
          background: background ?? null,
          ...(ran.live ? { live: ran.live } : {}),
        };
        run.rounds.push(sample);
        log(
          `    ${name.padEnd(16)} ${main.rps.toFixed(0).padStart(6)} req/s  p50 ${String(main.p50).padStart(4)} ms  p99 ${String(main.p99).padStart(5)} ms  rss ${(peak / 2 ** 20).toFixed(0)} MB  cpu ${cpuUsPerRequest === null ? '?' : cpuUsPerRequest.toFixed(0)} µs/req` +
            (main.non2xx + main.errors + main.timeouts + main.gqlErrors > 0
              ? `  !! non2xx ${main.non2xx} errors ${main.errors} timeouts ${main.timeouts} gqlErrors ${main.gqlErrors}`
              : '') +
            (background ? `  | background logins ${background.rps.toFixed(1)}/s` : ''),
        );
        if (ran.live) log(`      ${describeLive(ran.live)}`);
        await afterScenario(list, index);
        await settle(name);
      }
      run.rssAfterRound.push(rssBytes(pids.api) ?? 0);
      run.floorRssAfterRound.push(rssBytes(pids.floor) ?? 0);
    }
    run.loadavgAfter = loadavg();
    return run;
  } finally {
    if (liveWorker?.open) await liveWorker.closeSubscribers().catch((error: unknown) => log(`  closing the subscribers failed: ${String(error)}`));
    if (floor) await stopProcess(floor.proc);
    if (variant) await stopProcess(variant.proc);
    if (api) await stopProcess(api.proc);
    await target.cleanup().catch((error: unknown) => log(`  cleanup failed: ${String(error)}`));
  }
}

// ---------------------------------------------------------------- main
async function main() {
  const opts = parseArgs(process.argv.slice(2));
  mailSink = await startMailSink();
  opts.apiEntry = resolveEntry(opts.apiRoot, opts.apiEntry);
  if (opts.variant) opts.variant.entry = resolveEntry(opts.variant.root, opts.variant.entry);
  if (!existsSync(path.join(opts.apiRoot, opts.apiEntry))) throw new Error(`no ${opts.apiEntry} under ${opts.apiRoot}`);
  if (opts.variant && !existsSync(path.join(opts.variant.root, opts.variant.entry))) {
    throw new Error(`no ${opts.variant.entry} under ${opts.variant.root}`);
  }
  const info = machine();
  log(`Taskgate benchmark${opts.smoke ? ' (smoke)' : ''}: ${opts.dbs.join(' + ')}; ${info.nproc} cores (${info.cpu}), node ${info.node}; load ${loadavg().join(' ')}`);
  log(
    `  ${opts.users} users × ${opts.tasksPerUser} tasks + 1 × ${opts.bigTasks}; ${opts.loginUsers} logged in; ` +
      `${opts.connections} connections; warm-up ${opts.warmup} s; ${opts.rounds} × ${opts.duration} s`,
  );
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tgbench-'));
  const started = new Date();
  const loadBefore = loadavg();
  const measured = source(opts.apiRoot); // at the start: the repository may move on during the run
  let worker: LoadWorker | null = null;
  let liveWorker: LiveWorker | null = null;
  let ok = false;
  try {
    worker = await LoadWorker.start();
    if (selectedScenarios(opts).some((n) => scenario(baseName(n)).live)) liveWorker = await LiveWorker.start();
    const runs: DbRun[] = [];
    for (const kind of opts.dbs) runs.push(await runDb(kind, opts, worker, liveWorker, tmp));

    const report: Report = {
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      smoke: opts.smoke,
      machine: { ...info, loadavgBefore: loadBefore, loadavgAfter: loadavg() },
      source: measured,
      settings: {
        duration: opts.duration,
        rounds: opts.rounds,
        warmup: opts.warmup,
        connections: opts.connections,
        users: opts.users,
        tasksPerUser: opts.tasksPerUser,
        bigTasks: opts.bigTasks,
        loginUsers: opts.loginUsers,
        loginRate: opts.loginRate,
        ...(liveWorker ? { liveConnections: opts.liveConnections, liveUsers: opts.liveUsers, liveRate: opts.liveRate } : {}),
        apiRoot: opts.apiRoot === REPO_ROOT ? '.' : opts.apiRoot,
        apiEntry: opts.apiEntry,
        apiEnv: opts.apiEnv,
        variant: opts.variant,
        only: opts.only,
      },
      scenarios: SCENARIOS.map((s) => ({ name: s.name, target: s.target, floor: s.floor ?? null, description: s.description })),
      runs: runs.map((r) => ({ ...r, summary: summarize(r) })),
    };
    mkdirSync(path.dirname(path.join(RESULTS_DIR, opts.out)), { recursive: true });
    writeFileSync(path.join(RESULTS_DIR, `${opts.out}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(RESULTS_DIR, `${opts.out}.md`), renderMarkdown(report));
    log(`\n${renderTable(report)}`);
    log(`wrote bench/results/${opts.out}.json and .md`);

    if (opts.smoke) {
      // The harness works: every scenario ran and got successful answers. Speed is not judged.
      const dead = report.runs.flatMap((r) =>
        r.rounds
          .filter((s) => s.result.ok === 0 || s.result.non2xx + s.result.errors + s.result.gqlErrors > 0)
          .map((s) => `${r.db}/${s.scenario}`),
      );
      if (dead.length > 0) throw new Error(`smoke: failed or no successful responses in ${dead.join(', ')}`);
    }
    ok = true;
  } finally {
    if (worker) await stopProcess(worker.proc, 3000);
    if (liveWorker) await stopProcess(liveWorker.proc, 3000);
    await stopAll();
    if (ok && !opts.keepLogs) rmSync(tmp, { recursive: true, force: true });
    else log(`logs kept in ${tmp}`);
  }
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: stopping children`);
    killAllNow();
    const cleanups = Promise.allSettled([...pendingCleanups].map((c) => c()));
    void Promise.race([cleanups, sleep(5000)]).finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
    void stopAll().finally(() => process.exit(1));
  },
);
