// The load generator: a separate process (forked by run.ts) that runs autocannon's programmatic
// API on request, and measures the raw password-hash throughput. It talks to the driver over IPC only.
import { scrypt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon, { type Request, type Result } from 'autocannon';
import { makeRequest, type BenchData } from './scenarios.js';

export interface LoadSpec {
  scenario: string;
  url: string;
  connections: number;
  duration: number;
  timeoutSeconds?: number;
  overallRate?: number;
  sampleIntMs?: number;
}

export interface LoadResult {
  scenario: string;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 200 responses carrying GraphQL `errors`. */
  gqlErrors: number;
  statusCodes: Record<string, number>;
  duration: number;
}

export type ToWorker =
  | { t: 'data'; data: BenchData }
  | { t: 'run'; id: number; specs: LoadSpec[] }
  | { t: 'hash'; id: number; seconds: number; concurrency: number; apiRoot: string }
  | { t: 'exit' };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'result'; id: number; results: LoadResult[] }
  | { t: 'hash'; id: number; algorithm: string; hashesPerSecond: number; hashes: number }
  | { t: 'error'; id: number; message: string };

let data: BenchData | null = null;

function send(message: FromWorker) {
  process.send?.(message);
}

async function runOne(spec: LoadSpec): Promise<LoadResult> {
  if (!data) throw new Error('no bench data');
  const d = data;
  let gqlErrors = 0;
  const request: Request = {
    setupRequest: () => {
      const r = makeRequest(spec.scenario, d);
      return { method: r.method, path: r.path, headers: r.headers, ...(r.body === undefined ? {} : { body: r.body }) };
    },
    onResponse: (status, body) => {
      if (status === 200 && typeof body === 'string' && body.includes('"errors":[')) gqlErrors++;
    },
  };
  const result: Result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    timeout: spec.timeoutSeconds ?? 10,
    sampleInt: spec.sampleIntMs ?? 1000,
    ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
    requests: [request],
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count;
  const ok = result['2xx'] - gqlErrors;
  return {
    scenario: spec.scenario,
    rps: result.duration > 0 ? ok / result.duration : 0,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    gqlErrors,
    statusCodes,
    duration: result.duration,
  };
}

type HashOnce = () => Promise<unknown>;

/**
 * The API's password hash with its own parameters: argon2id through @node-rs/argon2 when the API
 * exports ARGON2_PARAMS (api/src/auth/passwords.ts), else better-auth's default scrypt
 * (node:crypto, N=16384 r=16 p=1, 64 bytes).
 */
async function apiHash(apiRoot: string): Promise<{ algorithm: string; once: HashOnce }> {
  const password = 'correct horse battery staple';
  const passwords = path.join(apiRoot, 'api/src/auth/passwords.ts');
  if (existsSync(passwords)) {
    const mod = (await import(pathToFileURL(passwords).href)) as { ARGON2_PARAMS?: Record<string, number> };
    if (mod.ARGON2_PARAMS) {
      const params = mod.ARGON2_PARAMS;
      const argon2 = createRequire(path.join(apiRoot, 'api/package.json'))('@node-rs/argon2') as {
        hash(password: string, options: Record<string, number>): Promise<string>;
      };
      return {
        algorithm: `argon2id m=${params.memoryCost} KiB t=${params.timeCost} p=${params.parallelism}`,
        once: () => argon2.hash(password, params),
      };
    }
  }
  const params = { N: 16384, r: 16, p: 1, maxmem: 128 * 16384 * 16 * 2 };
  return {
    algorithm: 'scrypt N=16384 r=16 p=1',
    once: () =>
      new Promise<void>((resolve, reject) =>
        scrypt(password.normalize('NFKC'), 'a1b2c3d4e5f60718293a4b5c6d7e8f90', 64, params, (err) => (err ? reject(err) : resolve())),
      ),
  };
}

/** Raw hashes/s with `concurrency` in flight: the ceiling for logins/s. */
async function hashRate(apiRoot: string, seconds: number, concurrency: number) {
  const { algorithm, once } = await apiHash(apiRoot);
  await once(); // load and warm
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let hashes = 0;
  const lane = async () => {
    while (performance.now() < deadline) {
      await once();
      hashes++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { algorithm, hashesPerSecond: hashes / ((performance.now() - started) / 1000), hashes };
}

process.on('message', (message: ToWorker) => {
  switch (message.t) {
    case 'data':
      data = message.data;
      return;
    case 'run':
      Promise.all(message.specs.map(runOne)).then(
        (results) => send({ t: 'result', id: message.id, results }),
        (error: unknown) => send({ t: 'error', id: message.id, message: String(error) }),
      );
      return;
    case 'hash':
      hashRate(message.apiRoot, message.seconds, message.concurrency).then(
        (r) => send({ t: 'hash', id: message.id, ...r }),
        (error: unknown) => send({ t: 'error', id: message.id, message: String(error) }),
      );
      return;
    case 'exit':
      process.exit(0);
  }
});

// The driver going away (even by SIGKILL) closes the IPC channel: never outlive it.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
