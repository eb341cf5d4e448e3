// Configuration behaviour through the real entrypoint: `npx tsx src/server.ts` in a child process.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, freePort, killProcess, startProcess, type Proc } from '../../scripts/lib/procs.mjs';
import { CONFIG_VARIABLES } from '../src/config/env.js';
import { API_DIR } from './support/cli.js';
/**
 * What `npx tsx` resolves to. Run directly rather than through npx: `npm exec` dies on SIGTERM without
 * passing it on (orphaning the server), while tsx relays it and exits with the server's own code.
 */
const TSX = path.resolve(API_DIR, '..', 'node_modules', '.bin', 'tsx');

/**
 * Removed from the inherited environment so each case sets its own: every variable the server
 * reads, and the test runner's markers.
 */
const SCRUB = [...CONFIG_VARIABLES, 'TEST_DATABASE_URL', 'VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID', 'TEST'];

type Run = Proc;

const children: Run[] = [];
const tempDirs: string[] = [];

function startServer(env: Record<string, string>): Run {
  // Its own process group, so cleanup can reach the server under tsx too.
  const run = startProcess({ name: 'server', command: TSX, args: ['src/server.ts'], cwd: API_DIR, env: childEnv(env, { scrub: SCRUB }), output: 'capture' });
  children.push(run);
  return run;
}

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'taskgate-config-'));
  tempDirs.push(dir);
  return dir;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string, run: Run): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`)), ms),
    ),
  ]);
}

async function waitForLine(run: Run, pattern: RegExp, ms: number): Promise<string> {
  const found = new Promise<string>((resolve, reject) => {
    const check = () => {
      const line = run.stdout().split('\n').find((l) => pattern.test(l));
      if (line) resolve(line);
    };
    run.child.stdout!.on('data', check);
    run.exited.then(({ code }) => reject(new Error(`server exited (${code}) before printing ${pattern}\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`)));
    check();
  });
  return withTimeout(found, ms, `waiting for ${pattern}`, run);
}

afterAll(async () => {
  await Promise.all(children.splice(0).map(killProcess));
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Production also needs a mail server (nothing listens on port 9; these runs send no mail). */
const MAIL = { SMTP_URL: 'smtp://127.0.0.1:9', MAIL_FROM: 'no-reply@taskgate.test' };

describe.concurrent('configuration through the real entrypoint', () => {
  it('refuses to start in production without SMTP_URL and MAIL_FROM, naming both; the password in SMTP_URL is never echoed', async () => {
    const run = startServer({ NODE_ENV: 'production', DATA_DIR: await tempDataDir(), PORT: String(await freePort()), BETTER_AUTH_SECRET: 'p'.repeat(48) });
    const { code } = await withTimeout(run.exited, 30_000, 'server exit', run);
    expect(code).toBe(1);
    expect(run.stderr()).toMatch(/SMTP_URL and MAIL_FROM: both are required in production/);
    const bad = startServer({
      NODE_ENV: 'production', DATA_DIR: await tempDataDir(), PORT: String(await freePort()), BETTER_AUTH_SECRET: 'p'.repeat(48),
      SMTP_URL: 'http://user:hunter2-secret@mail.example', MAIL_FROM: 'no-reply@taskgate.test',
    });
    expect((await withTimeout(bad.exited, 30_000, 'server exit', bad)).code).toBe(1);
    expect(bad.stderr()).toMatch(/SMTP_URL/);
    expect(bad.stderr() + bad.stdout()).not.toContain('hunter2');
  });

  it('refuses to start with NODE_ENV=production and no BETTER_AUTH_SECRET, naming the variable', async () => {
    const dataDir = await tempDataDir();
    const run = startServer({ NODE_ENV: 'production', DATA_DIR: dataDir, PORT: String(await freePort()), ...MAIL });
    const { code } = await withTimeout(run.exited, 30_000, 'server exit', run);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(run.stderr()).toMatch(/^\s*- BETTER_AUTH_SECRET: required when NODE_ENV=production/m);
    expect(run.stdout()).not.toMatch(/Taskgate API:/);
    // nothing was generated in its place
    await expect(stat(path.join(dataDir, 'auth-secret'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('lists the missing production secret with every other invalid variable', async () => {
    const run = startServer({ NODE_ENV: 'production', PORT: 'abc', DATA_DIR: await tempDataDir() });
    const { code } = await withTimeout(run.exited, 30_000, 'server exit', run);
    expect(code).toBe(1);
    expect(run.stderr()).toMatch(/^Invalid configuration:$/m);
    expect(run.stderr()).toMatch(/^\s*- PORT: .*"abc"/m);
    expect(run.stderr()).toMatch(/^\s*- BETTER_AUTH_SECRET: required when NODE_ENV=production/m);
  });

  it('exits 1 listing every invalid variable (PORT=abc, DATABASE_URL=mysql://x, GRAPHQL_JIT_AFTER=-1, HEAP_GROWING_PERCENT=1000, HASH_CONCURRENCY=0)', async () => {
    const dataDir = await tempDataDir();
    const run = startServer({ PORT: 'abc', DATABASE_URL: 'mysql://x', GRAPHQL_JIT_AFTER: '-1', HEAP_GROWING_PERCENT: '1000', HASH_CONCURRENCY: '0', DATA_DIR: dataDir });
    const { code } = await withTimeout(run.exited, 30_000, 'server exit', run);
    expect(code).toBe(1);
    const stderr = run.stderr();
    // one line per bad variable, each showing what it got
    expect(stderr).toMatch(/^\s*- PORT: .*"abc"/m);
    expect(stderr).toMatch(/^\s*- DATABASE_URL: .*"mysql:\/\/x"/m);
    expect(stderr).toMatch(/^\s*- GRAPHQL_JIT_AFTER: .*"-1"/m);
    expect(stderr).toMatch(/^\s*- HEAP_GROWING_PERCENT: .*"1000"/m);
    expect(stderr).toMatch(/^\s*- HASH_CONCURRENCY: .*"0"/m);
    // not a stack trace: a readable message
    expect(stderr).toMatch(/Invalid configuration/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout()).not.toMatch(/Taskgate API:/);
  });

  it('in development without BETTER_AUTH_SECRET generates a 0600 secret in DATA_DIR, serves, and exits 0 on SIGTERM', async () => {
    const dataDir = await tempDataDir();
    const port = await freePort();
    const run = startServer({ NODE_ENV: 'development', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    const line = await waitForLine(run, /Taskgate API:/, 75_000);
    expect(line).toContain(`http://127.0.0.1:${port}`);

    const secretFile = path.join(dataDir, 'auth-secret');
    const info = await stat(secretFile);
    expect(info.isFile()).toBe(true);
    expect(info.mode & 0o777).toBe(0o600);
    expect(info.size).toBeGreaterThanOrEqual(32);
    // the generation is announced (a warning), without printing the secret
    const secret = (await readFile(secretFile, 'utf8')).trim();
    expect(run.stdout() + run.stderr()).toMatch(/BETTER_AUTH_SECRET is not set/);
    expect(run.stdout() + run.stderr()).not.toContain(secret);

    // it really serves, on the embedded database in DATA_DIR
    const health = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ health }' }),
    });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ data: { health: 'ok' } });

    const email = `restart-${port}@example.com`;
    const registered = await fetch(`http://127.0.0.1:${port}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'persisted password', name: 'Restart' }),
    });
    expect(registered.status).toBe(201);
    const { accessToken } = (await registered.json()) as { accessToken: string };

    run.child.kill('SIGTERM');
    const { code } = await withTimeout(run.exited, 20_000, 'graceful shutdown', run);
    expect(code).toBe(0);

    // A restart on the same DATA_DIR reuses the secret (no new warning), the database and the keys.
    const again = startServer({ NODE_ENV: 'development', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    await waitForLine(again, /Taskgate API:/, 75_000);
    expect((await readFile(secretFile, 'utf8')).trim()).toBe(secret);
    expect(again.stdout() + again.stderr()).not.toMatch(/BETTER_AUTH_SECRET is not set/);
    const me = await fetch(`http://127.0.0.1:${port}/api/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(200);
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'persisted password' }),
    });
    expect(login.status).toBe(200);
    again.child.kill('SIGTERM');
    expect((await withTimeout(again.exited, 20_000, 'graceful shutdown', again)).code).toBe(0);
  }, 180_000); // two cold starts of the embedded database on disk

  it('the console: readable lines in development, one per request and without credentials; JSON lines in production', async () => {
    const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
    const credentials = { authorization: 'Bearer header-credential-1234' };
    const hit = (port: number) =>
      Promise.all([
        fetch(`http://127.0.0.1:${port}/healthz`),
        fetch(`http://127.0.0.1:${port}/api/tasks?status=done`, { headers: credentials }),
        fetch(`http://127.0.0.1:${port}/api/auth/reset-password/x?token=query-credential-5678&callbackURL=/ok`),
      ]);
    const devPort = await freePort();
    const prodPort = await freePort();
    const dev = startServer({ NODE_ENV: 'development', DATA_DIR: await tempDataDir(), PORT: String(devPort), HOST: '127.0.0.1' });
    const prod = startServer({
      NODE_ENV: 'production', DATA_DIR: await tempDataDir(), PORT: String(prodPort), HOST: '127.0.0.1', BETTER_AUTH_SECRET: 'p'.repeat(48), ...MAIL,
    });
    await Promise.all([waitForLine(dev, /Taskgate API:/, 90_000), waitForLine(prod, /Taskgate API:/, 90_000)]);
    await Promise.all([hit(devPort), hit(prodPort)]);
    await Promise.all([waitForLine(dev, /GET \/api\/auth\/reset-password/, 10_000), waitForLine(prod, /"responseTime"/, 10_000), waitForLine(prod, /"url":"\/api\/auth\/reset-password\//, 10_000)]);

    const devOut = plain(dev.stdout());
    expect(devOut.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
    expect(devOut).toMatch(/^\[\d\d:\d\d:\d\d(\.\d+)?\] INFO: GET \/api\/tasks\?status=done 401 \d+ ms$/m);
    expect(devOut).not.toMatch(/\/healthz/); // health probes (npm start polls it) stay out of the console
    expect(devOut).toMatch(/GET \/api\/auth\/reset-password\/x\?token=\[redacted\]&callbackURL=\/ok \d{3} \d+ ms$/m);
    expect(devOut.match(/status=done/g)).toHaveLength(1); // one line per request, not "incoming" + "completed"
    expect(devOut).not.toMatch(/header-credential-1234|query-credential-5678/);

    const prodLines = prod.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
    const tasks = prodLines.filter((l) => l.req?.url === '/api/tasks?status=done');
    expect(tasks).toHaveLength(1); // Fastify's "incoming request" line, with the request's headers...
    expect(tasks[0]!.req.headers?.authorization ?? '[redacted]').toBe('[redacted]'); // ...never the credential
    expect(prodLines.some((l) => l.msg === 'request completed' && typeof l.responseTime === 'number')).toBe(true);
    expect(prod.stdout()).not.toContain('header-credential-1234');
    const reset = prodLines.find((l) => l.msg === 'incoming request' && String(l.req?.url).startsWith('/api/auth/reset-password/'));
    expect(reset?.req.url).toBe('/api/auth/reset-password/x?token=[redacted]&callbackURL=/ok'); // a link's token never reaches the log
    expect(prod.stdout()).not.toContain('query-credential-5678');

    dev.child.kill('SIGTERM');
    prod.child.kill('SIGTERM');
    await Promise.all([withTimeout(dev.exited, 20_000, 'shutdown', dev), withTimeout(prod.exited, 20_000, 'shutdown', prod)]);
  }, 150_000);
});
