/* global AbortSignal, performance */
// Servers and tools as child processes: the one toolkit behind `npm start` / `npm run dev`, the
// e2e runner, the benchmark, the soak and the API tests that need a real process. Plain ESM with
// types in procs.d.ts, so .mjs scripts and TypeScript (tsx, vitest) import the same code.
//
// Every process runs in its own process group (detached): npm, tsx and `next start` fork children
// of their own, and stopping only the direct child would leave them running.
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Processes started here and not yet gone: what stopAll() and killAllNow() reach. */
const live = new Set();

/**
 * The names of every variable the API's configuration reads: CONFIG_VARIABLES of
 * api/src/config/env.ts, loaded through tsx so a plain .mjs script uses the same list as the
 * TypeScript that imports it directly.
 */
export async function apiConfigVariables() {
  const { tsImport } = await import('tsx/esm/api');
  const env = await tsImport(path.join(REPO_ROOT, 'api/src/config/env.ts'), import.meta.url);
  return [...env.CONFIG_VARIABLES];
}

/** `base` without the variables in `scrub`, then `env` on top. */
export function childEnv(env = {}, { base = process.env, scrub = [] } = {}) {
  const result = { ...base };
  for (const name of scrub) delete result[name];
  return { ...result, ...env };
}

/**
 * Starts `command args` as the leader of a new process group. `env` is the whole environment
 * (build it with childEnv). `output`: 'prefix' (each line to this process's stdout/stderr after
 * `[name] `), 'capture' (kept; read with output()/stdout()/stderr()), 'inherit', or
 * `{ file }` (appended to that file). `ipc: true` forks a Node module (`command`) with a message
 * channel instead of spawning. `group: false` keeps it in this process's group (a foreground tool:
 * Ctrl-C reaches it directly); stopping then signals the process alone.
 */
export function startProcess({ name, command, args = [], cwd, env = process.env, output = 'prefix', ipc = false, execArgv, group = true }) {
  const file = typeof output === 'object' ? output.file : undefined;
  const fd = file ? openSync(file, 'a') : undefined;
  let child;
  try {
    const stdout = fd ?? (output === 'inherit' ? 'inherit' : 'pipe');
    const stdio = ['ignore', stdout, stdout];
    child = ipc
      ? fork(command, args, { cwd, env, detached: group, execArgv, stdio: [...stdio, 'ipc'] })
      : spawn(command, args, { cwd, env, detached: group, stdio });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (child.pid === undefined) {
    child.once('error', () => {}); // reported by the throw below
    throw new Error(`${name}: failed to start ${command}`);
  }

  const captured = { out: '', err: '', all: '' };
  if (output === 'prefix') {
    prefixLines(child.stdout, process.stdout, `[${name}] `);
    prefixLines(child.stderr, process.stderr, `[${name}] `);
  } else if (output === 'capture') {
    for (const [stream, key] of [
      [child.stdout, 'out'],
      [child.stderr, 'err'],
    ]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        captured[key] += chunk;
        captured.all += chunk;
      });
    }
  }

  let running = true;
  const proc = {
    name,
    child,
    pid: child.pid,
    group,
    logFile: file,
    exited: once(child, 'exit').then(([code, signal]) => {
      running = false;
      live.delete(proc);
      return { code, signal };
    }),
    alive: () => running,
    output: () => captured.all,
    stdout: () => captured.out,
    stderr: () => captured.err,
    signal: (signal) => signalGroup(proc, signal),
  };
  live.add(proc);
  return proc;
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

/** Sends `signal` to the process group `proc` leads (or to `proc` alone); false when it is gone. */
function signalGroup(proc, signal) {
  try {
    process.kill(proc.group ? -proc.pid : proc.pid, signal);
    return true;
  } catch {
    return false;
  }
}

const groupAlive = (proc) => signalGroup(proc, 0);

/** Where to look when a process misbehaved: its log file, or what it printed. */
function whereToLook(proc) {
  if (proc.logFile) return ` (see ${proc.logFile})`;
  const text = proc.output();
  return text ? `:\n${text.split('\n').slice(-40).join('\n')}` : '';
}

/**
 * SIGTERM to the whole group, wait up to `graceMs` for the leader to exit and the group to empty,
 * then SIGKILL whatever is left. Resolves with the leader's exit.
 */
export async function stopProcess(proc, graceMs = 10_000) {
  if (groupAlive(proc)) {
    signalGroup(proc, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    // The leader's exit is an event; the rest of the group can only be polled.
    while (Date.now() < deadline && (proc.alive() || groupAlive(proc))) {
      await (proc.alive() ? Promise.race([proc.exited, sleep(100)]) : sleep(100));
    }
    signalGroup(proc, 'SIGKILL');
  }
  return proc.exited;
}

/** SIGKILL to the whole group (a crash, as far as the process can tell); resolves on its exit. */
export async function killProcess(proc) {
  signalGroup(proc, 'SIGKILL');
  return proc.exited;
}

/** Stops every process started here that is still running. */
export async function stopAll(graceMs = 5_000) {
  await Promise.all([...live].map((proc) => stopProcess(proc, graceMs)));
}

/** Synchronous last resort (a process 'exit' handler): SIGKILL every group still running. */
export function killAllNow() {
  for (const proc of live) signalGroup(proc, 'SIGKILL');
}

/**
 * Polls `url` until it answers with a status `ready(status)` accepts (default 200–399; redirects
 * are not followed). Rejects when `proc` exits first or after `timeoutMs`. Resolves with the
 * milliseconds waited.
 */
export async function waitForHttp(url, { proc, timeoutMs = 60_000, intervalMs = 100, ready = (status) => status >= 200 && status < 400 } = {}) {
  const started = performance.now();
  const deadline = started + timeoutMs;
  const name = proc?.name ?? url;
  while (performance.now() < deadline) {
    if (proc && !proc.alive()) throw new Error(`${name} exited before ${url} answered${whereToLook(proc)}`);
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (ready(response.status)) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await (proc ? Promise.race([proc.exited, sleep(intervalMs)]) : sleep(intervalMs));
  }
  throw new Error(`${name}: ${url} did not answer within ${Math.round(timeoutMs / 1000)} s${proc ? whereToLook(proc) : ''}`);
}

/**
 * Runs a command to completion. `output: 'inherit'` (the default) runs it in the foreground,
 * sharing this terminal and its Ctrl-C; 'capture' runs it in its own process group and keeps what
 * it printed. Resolves with { code, signal, output }.
 */
export async function runToCompletion(command, args, { cwd, env = process.env, output = 'inherit' } = {}) {
  const proc = startProcess({ name: path.basename(command), command, args, cwd, env, output, group: output !== 'inherit' });
  // 'close', not 'exit': by then everything it printed has been read.
  const [code, signal] = await once(proc.child, 'close');
  return { code, signal, output: proc.output() };
}

/** Resident set size of a process in bytes (VmRSS of /proc/<pid>/status), or null if it is gone. */
export function rssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system, all threads) a process has used so far, or null if it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3; utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** A port nobody listens on right now (the kernel's pick). */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** True when something already listens on host:port. */
export function portInUse(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = net.createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Exits 1 with `${label}: port P (name) is already in use. ${advice}` for the first port of
 * `ports` ({ name, port, advice }) that something listens on.
 */
export async function exitIfPortsBusy(ports, { label, host = '127.0.0.1' }) {
  for (const { name, port, advice } of ports) {
    if (await portInUse(port, host)) {
      console.error(`${label}: port ${port} (${name}) is already in use. ${advice}`);
      process.exit(1);
    }
  }
}
