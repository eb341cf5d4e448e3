// The API's scripts as a user runs them: `node --import tsx <script>` in a child process, run to
// completion, its output captured. The shell's own configuration (CONFIG_VARIABLES) is not passed
// on: each test sets what its run needs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, runToCompletion, type Exit } from '../../../scripts/lib/procs.mjs';
import { CONFIG_VARIABLES } from '../../src/config/env.js';

/** The api/ workspace: the working directory of the API's scripts and server. */
export const API_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs the TypeScript `script` (relative to `cwd`, default api/) with `env` on top of a scrubbed environment. */
export async function runScript(script: string, env: Record<string, string>, { cwd = API_DIR } = {}): Promise<Exit & { output: string }> {
  return runToCompletion(process.execPath, ['--import', 'tsx', script], {
    cwd,
    env: childEnv(env, { scrub: CONFIG_VARIABLES }),
    output: 'capture',
  });
}
