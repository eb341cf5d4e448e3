// The API as a real child process (`node --import tsx src/server.ts`, cwd api/), the way it is
// deployed: for scale-out, crash and shutdown tests. Its own process group, so killing it kills
// everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_VARIABLES } from '../../src/config/env.js';
import { mailSink, httpRequest, TEST_ISSUER, TEST_SECRET, type HttpResult, type RequestOptions, type TestUser } from './harness.js';

export const API_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Config variables a developer's shell may carry: the child gets only what the test sets. */

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ApiProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  request<T = any>(method: string, path: string, options?: RequestOptions & { timeoutMs?: number }): Promise<HttpResult<T>>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<HttpResult<T>>;
  registerUser(name?: string): Promise<TestUser>;
  /** Sends `signal` to the process group. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILLs the process group (if still running) and waits for the exit. */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  env: Record<string, string>;
  /** How long to wait for GET /readyz → 200. */
  readyTimeoutMs?: number;
}

/** Starts the API on a free port and resolves once GET /readyz answers 200. */
export async function spawnApi(options: SpawnOptions): Promise<ApiProcess> {
  const port = Number(options.env.PORT ?? (await freePort()));
  const sink = await mailSink(options.env);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete env[name];
  Object.assign(env, {
    NODE_ENV: 'test',
    BETTER_AUTH_SECRET: TEST_SECRET,
    PUBLIC_URL: TEST_ISSUER,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    // As in the harness: a replayed refresh token is reuse at once (suites that test the interval set it).
    REFRESH_REUSE_INTERVAL: '0',
    ...sink.env,
    ...options.env,
    PORT: String(port),
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: API_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      void sink.close().finally(() => resolve({ code, signal }));
    });
  });
  const url = `http://127.0.0.1:${port}`;

  const request = <T>(method: string, p: string, opts: RequestOptions & { timeoutMs?: number } = {}) => httpRequest<T>(url, method, p, opts);

  const signal = (sig: NodeJS.Signals) => {
    if (!running || child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };

  const api: ApiProcess = {
    url,
    port,
    child,
    output: () => output,
    exited,
    alive: () => running,
    request,
    gql: (query, variables, token) => request('POST', '/graphql', { token, body: { query, variables } }),
    async registerUser(name = 'Test User') {
      const email = `user-${randomBytes(6).toString('hex')}@example.com`;
      const password = `pw-${randomBytes(8).toString('hex')}`;
      const res = await request<any>('POST', '/api/auth/register', { body: { email, password, name } });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
      return { id: res.body.user.id, email, password, name, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
    },
    signal,
    async kill() {
      signal('SIGKILL');
      await exited;
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (!running) throw new Error(`API process exited before it was ready:\n${output}`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return api;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await api.kill();
      throw new Error(`API process not ready after ${options.readyTimeoutMs ?? 60_000} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `probe` until it returns true (or throws after `ms`). */
export async function eventually(probe: () => Promise<boolean>, ms: number, what: string): Promise<number> {
  const started = Date.now();
  let last: unknown;
  while (Date.now() - started < ms) {
    try {
      if (await probe()) return Date.now() - started;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not true after ${ms} ms${last ? ` (last error: ${String(last)})` : ''}`);
}
