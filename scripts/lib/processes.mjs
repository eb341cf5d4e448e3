/* global AbortSignal */
// Child processes for the start / dev / e2e orchestrators. Every service runs in its own process
// group (detached), because npm, tsx and `next start` each fork children of their own
// (`next start` forks next-server): stopping only the direct child would leave them running.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Starts `command args` in a new process group. Output goes to `log` (a file path) or, without
 * one, to this process's stdout/stderr with each line prefixed by `[name]`.
 */
export function startService({ name, command, args, cwd, env, log }) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (log) {
    const file = createWriteStream(log, { flags: 'a' });
    child.stdout.pipe(file);
    child.stderr.pipe(file);
  } else {
    prefixLines(child.stdout, process.stdout, `[${name}] `);
    prefixLines(child.stderr, process.stderr, `[${name}] `);
  }
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  return { name, child, pid: child.pid, exited };
}

function prefixLines(input, output, prefix) {
  let pending = '';
  input.setEncoding('utf8');
  input.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) output.write(`${prefix}${line}\n`);
  });
  input.on('end', () => {
    if (pending) output.write(`${prefix}${pending}\n`);
  });
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole group; SIGKILL whatever is left after `graceMs`. */
export async function stopService(service, graceMs = 10_000) {
  if (!service?.pid || !groupAlive(service.pid)) return;
  try {
    process.kill(-service.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groupAlive(service.pid)) await sleep(100);
  if (groupAlive(service.pid)) {
    try {
      process.kill(-service.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Resolves when `url` answers (any HTTP status below 500); rejects on timeout or if `service` exits. */
export async function waitForUrl(url, { timeoutMs = 120_000, service } = {}) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  service?.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${service.name} exited before ${url} answered`);
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${Math.round(timeoutMs / 1000)} s`);
}

/** True when something already listens on host:port. */
export async function portInUse(port, host = '127.0.0.1') {
  const { createConnection } = await import('node:net');
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs a command to completion in the foreground (inherits stdio); resolves to its exit code. */
export async function run(command, args, { cwd, env } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: 'inherit' });
  const [code, signal] = await once(child, 'exit');
  return code ?? (signal ? 1 : 0);
}
