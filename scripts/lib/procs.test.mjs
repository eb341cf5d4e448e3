// `npm run test:scripts`: the child-process toolkit on real processes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { describe, it } from 'node:test';
import {
  apiConfigVariables,
  childEnv,
  cpuSeconds,
  freePort,
  killProcess,
  rssBytes,
  runToCompletion,
  startProcess,
  stopProcess,
  waitForHttp,
} from './procs.mjs';

const PROCS = JSON.stringify(new URL('./procs.mjs', import.meta.url).href);

const node = (script, options = {}) =>
  startProcess({ name: 'child', command: process.execPath, args: ['-e', script], output: 'capture', ...options });

/** True while a process with this pid exists. */
function running(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the first line `proc` prints. */
function firstLine(proc) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const line = proc.stdout().split('\n').find((_, i, lines) => i < lines.length - 1);
      if (line !== undefined) resolve(line);
    };
    proc.child.stdout.on('data', check);
    proc.exited.then(() => reject(new Error(`exited before printing a line: ${proc.output()}`)));
  });
}

describe('startProcess / stopProcess', () => {
  it('stops the whole process group: a grandchild goes too, and the exit is reported', async () => {
    // The child starts a grandchild (in its group) and prints its pid.
    const proc = node(`
      const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log(g.pid);
      setInterval(() => {}, 1000);
    `);
    const grandchild = Number(await firstLine(proc));
    assert.ok(running(grandchild));
    const exit = await stopProcess(proc, 5_000);
    assert.deepEqual(exit, { code: null, signal: 'SIGTERM' });
    assert.equal(proc.alive(), false);
    assert.equal(running(grandchild), false);
  });

  it('escalates to SIGKILL when SIGTERM is ignored for longer than the grace period', async () => {
    const proc = node(`process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('up'); setInterval(() => {}, 1000);`);
    await firstLine(proc);
    const started = Date.now();
    const exit = await stopProcess(proc, 500);
    assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
    assert.match(proc.output(), /ignoring SIGTERM/);
    assert.ok(Date.now() - started < 5_000);
  });

  it('killProcess is a crash: SIGKILL at once', async () => {
    const proc = node(`process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);`);
    await firstLine(proc);
    assert.deepEqual(await killProcess(proc), { code: null, signal: 'SIGKILL' });
  });

  it('captures stdout and stderr apart and together', async () => {
    const { code, output } = await runToCompletion(process.execPath, ['-e', `console.log('out'); console.error('err'); process.exit(3)`], {
      output: 'capture',
    });
    assert.equal(code, 3);
    assert.match(output, /out/);
    assert.match(output, /err/);
  });
});

describe('waitForHttp', () => {
  it('resolves once the server answers 200, with the time waited', async () => {
    const port = await freePort();
    // Listens only after 300 ms: the first polls find nothing.
    const proc = node(
      `setTimeout(() => require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1'), 300);`,
    );
    try {
      const waited = await waitForHttp(`http://127.0.0.1:${port}/`, { proc, timeoutMs: 10_000, intervalMs: 25 });
      assert.ok(waited >= 250, `waited ${waited} ms`);
    } finally {
      await stopProcess(proc);
    }
  });

  it('rejects, with what the process printed, when it exits before answering', async () => {
    const proc = node(`console.error('Invalid configuration: PORT'); process.exit(1);`);
    await assert.rejects(waitForHttp('http://127.0.0.1:9/', { proc, timeoutMs: 10_000 }), /child exited before .*\n.*Invalid configuration: PORT/s);
  });

  it('keeps polling while the answer is not accepted, then times out', async () => {
    const server = http.createServer((req, res) => {
      res.statusCode = 503;
      res.end();
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${server.address().port}/readyz`;
      await assert.rejects(waitForHttp(url, { timeoutMs: 400, intervalMs: 50 }), /did not answer within/);
    } finally {
      server.close();
    }
  });
});

describe('the environment of a child server', () => {
  it("CONFIG_VARIABLES of the API's config schema, including the newest variables", async () => {
    const names = await apiConfigVariables();
    for (const name of ['DATABASE_URL', 'GRAPHQL_JIT_AFTER', 'HASH_CONCURRENCY', 'HEAP_GROWING_PERCENT', 'SHUTDOWN_DRAIN_SECONDS']) {
      assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
    }
  });

  it('childEnv drops the scrubbed variables and sets the given ones', () => {
    const env = childEnv({ PORT: '1234' }, { base: { PATH: '/bin', HASH_CONCURRENCY: '9', PORT: '80' }, scrub: ['HASH_CONCURRENCY', 'PORT'] });
    assert.deepEqual(env, { PATH: '/bin', PORT: '1234' });
  });
});

describe('ports and /proc', () => {
  it('exitIfPortsBusy exits 1 naming the busy port and the advice', async () => {
    const server = http.createServer();
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    const script = `import(${PROCS}).then((p) => p.exitIfPortsBusy([{ name: 'API', port: ${port}, advice: 'Set API_PORT.' }], { label: 'start' }))`;
    try {
      execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', stdio: 'pipe' });
      assert.fail('must exit 1');
    } catch (error) {
      assert.equal(error.status, 1);
      assert.equal(error.stderr.trim(), `start: port ${port} (API) is already in use. Set API_PORT.`);
    } finally {
      server.close();
    }
  });

  it('exitIfPortsBusy returns when the ports are free', async () => {
    const port = await freePort();
    const script = `import(${PROCS}).then((p) => p.exitIfPortsBusy([{ name: 'API', port: ${port}, advice: '' }], { label: 'x' })).then(() => console.log('free'))`;
    assert.equal(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim(), 'free');
  });

  it('reads the RSS and CPU time of a live process, null once it is gone', async () => {
    assert.ok(rssBytes(process.pid) > 10 * 2 ** 20);
    assert.ok(cpuSeconds(process.pid) > 0);
    const proc = node('');
    await proc.exited;
    assert.equal(rssBytes(proc.pid), null);
    assert.equal(cpuSeconds(proc.pid), null);
  });
});
