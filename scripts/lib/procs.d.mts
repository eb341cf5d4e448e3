// Types of procs.mjs (servers and tools as child processes).
import type { ChildProcess } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type Output = 'prefix' | 'capture' | 'inherit' | { file: string };

export interface StartOptions {
  name: string;
  /** The executable, or with `ipc: true` the Node module to fork. */
  command: string;
  args?: string[];
  cwd?: string;
  /** The whole environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
  output?: Output;
  ipc?: boolean;
  /** With `ipc: true`: Node flags for the forked module (e.g. ['--import', 'tsx']). */
  execArgv?: string[];
  /** false: stay in this process's group (a foreground tool); default true (its own group). */
  group?: boolean;
}

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Whether it leads its own process group (signals then reach the whole group). */
  group: boolean;
  /** With `output: { file }`: that file. */
  logFile: string | undefined;
  /** Resolves once the leader of the group has exited. */
  exited: Promise<Exit>;
  alive(): boolean;
  /** With `output: 'capture'`: stdout and stderr as printed so far, interleaved; '' otherwise. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Sends `signal` to the process group (or the process alone, without `group`); false when it is gone. */
  signal(signal: NodeJS.Signals): boolean;
}

export function apiConfigVariables(): Promise<string[]>;
export function childEnv(
  env?: Record<string, string | undefined>,
  options?: { base?: NodeJS.ProcessEnv; scrub?: readonly string[] },
): NodeJS.ProcessEnv;
export function startProcess(options: StartOptions): Proc;
export function stopProcess(proc: Proc, graceMs?: number): Promise<Exit>;
export function killProcess(proc: Proc): Promise<Exit>;
export function stopAll(graceMs?: number): Promise<void>;
export function killAllNow(): void;
export function waitForHttp(
  url: string,
  options?: { proc?: Proc; timeoutMs?: number; intervalMs?: number; ready?: (status: number) => boolean },
): Promise<number>;
export function runToCompletion(
  command: string,
  args: string[],
  options?: { cwd?: string; env?: NodeJS.ProcessEnv; output?: 'inherit' | 'capture' },
): Promise<Exit & { output: string }>;
export function rssBytes(pid: number): number | null;
export function cpuSeconds(pid: number): number | null;
export function freePort(host?: string): Promise<number>;
export function portInUse(port: number, host?: string): Promise<boolean>;
export function exitIfPortsBusy(
  ports: { name: string; port: number; advice: string }[],
  options: { label: string; host?: string },
): Promise<void>;
