// Child processes of the benchmark: each in its own process group, all killed on the way out
// (normal exit, failure, Ctrl-C). Plus the bits of /proc the report reads.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  done: boolean;
  logFile?: string;
}

const live = new Set<Proc>();

function track(name: string, child: ChildProcess, logFile?: string): Proc {
  if (child.pid === undefined) throw new Error(`${name}: failed to start`);
  const proc: Proc = { name, child, pid: child.pid, done: false, exited: Promise.resolve(0), logFile };
  proc.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      proc.done = true;
      live.delete(proc);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  live.add(proc);
  return proc;
}

/** Starts `command args` as the leader of a new process group, output appended to `logFile`. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string },
): Proc {
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    return track(name, child, options.logFile);
  } finally {
    closeSync(fd);
  }
}

/** Forks a TypeScript module (through tsx) with an IPC channel, in its own process group. */
export function forkTs(name: string, modulePath: string, options: { cwd: string; env?: NodeJS.ProcessEnv }): Proc {
  const child = fork(modulePath, [], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    execArgv: ['--import', 'tsx'],
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return track(name, child);
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the process group, then SIGKILL after `graceMs`. */
export async function stopProcess(proc: Proc, graceMs = 10_000): Promise<void> {
  if (proc.done) {
    killGroup(proc.pid, 'SIGKILL'); // stragglers in the group, if any
    return;
  }
  killGroup(proc.pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  const outcome = await Promise.race([proc.exited, timer]);
  if (outcome === 'timeout') {
    killGroup(proc.pid, 'SIGKILL');
    await Promise.race([proc.exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }
  killGroup(proc.pid, 'SIGKILL');
}

/** Synchronous last resort (process 'exit' handler): SIGKILL every group still alive. */
export function killAllNow(): void {
  for (const proc of live) killGroup(proc.pid, 'SIGKILL');
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => stopProcess(p, 5000)));
}

/** Resident set size of a process in bytes (VmRSS of /proc/<pid>/status), or null if gone. */
export function rssOf(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system, all threads) a process has used so far, or null if gone. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3; utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Polls `url` until it answers 200, the process exits, or `timeoutMs` passes. Returns ms waited. */
export async function waitForHttp(url: string, proc: Proc, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  const deadline = started + timeoutMs;
  while (performance.now() < deadline) {
    if (proc.done) throw new Error(`${proc.name} exited before it was ready (see ${proc.logFile ?? 'its output'})`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${proc.name} not ready after ${timeoutMs} ms (see ${proc.logFile ?? 'its output'})`);
}
