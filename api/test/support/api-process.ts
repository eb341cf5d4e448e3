// The API as a real child process (`node --import tsx src/server.ts`, cwd api/), the way it is
// deployed: for scale-out, crash and shutdown tests. Its own process group, so killing it kills
// everything it started. The process handling is scripts/lib/procs.mjs, shared with the scripts,
// the benchmark and the soak.
import type { ChildProcess } from 'node:child_process';
import { childEnv, freePort, killProcess, startProcess, waitForHttp, type Exit } from '../../../scripts/lib/procs.mjs';
import { CONFIG_VARIABLES } from '../../src/config/env.js';
import { API_DIR } from './cli.js';
import { apiClient, TEST_ISSUER, TEST_SECRET, type ApiClient } from './harness.js';

export interface ApiProcess extends ApiClient {
  port: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<Exit>;
  alive(): boolean;
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

/**
 * Starts the API on a free port and resolves once GET /readyz answers 200. The child gets none of
 * the configuration of the shell that runs the tests (CONFIG_VARIABLES), only what is set here.
 */
export async function spawnApi(options: SpawnOptions): Promise<ApiProcess> {
  const port = Number(options.env.PORT ?? (await freePort()));
  const env = childEnv(
    {
      NODE_ENV: 'test',
      BETTER_AUTH_SECRET: TEST_SECRET,
      PUBLIC_URL: TEST_ISSUER,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'false',
      // As in the harness: a replayed refresh token is reuse at once (suites that test the interval set it).
      REFRESH_REUSE_INTERVAL: '0',
      ...options.env,
      PORT: String(port),
    },
    { scrub: CONFIG_VARIABLES },
  );
  const proc = startProcess({
    name: 'API process',
    command: process.execPath,
    args: ['--import', 'tsx', 'src/server.ts'],
    cwd: API_DIR,
    env,
    output: 'capture',
  });
  const api: ApiProcess = {
    ...apiClient(`http://127.0.0.1:${port}`),
    port,
    child: proc.child,
    output: proc.output,
    exited: proc.exited,
    alive: proc.alive,
    signal: (signal) => void proc.signal(signal),
    async kill() {
      await killProcess(proc);
    },
  };
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  try {
    await waitForHttp(`${api.url}/readyz`, { proc, timeoutMs, ready: (status) => status === 200 });
  } catch (error) {
    await api.kill();
    throw error;
  }
  return api;
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
