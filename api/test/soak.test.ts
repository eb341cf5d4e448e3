// The short soak in CI: `npm run soak` for 10 s against a real API child process in production
// mode (embedded PGlite, and PostgreSQL when TEST_DATABASE_URL is set) must see zero 5xx, zero
// failed requests, every kind of operation succeeding, and a clean exit of the server on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SoakSummary } from '../src/cli/soak.js';
import { freshDatabaseUrl } from './support/database.js';
import { DATABASES } from './support/harness.js';

const API_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function runSoak(env: Record<string, string>): Promise<{ code: number | null; output: string; summary: SoakSummary }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'soak-test-'));
  const json = path.join(dir, 'summary.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/soak.ts'], {
      cwd: API_DIR,
      env: { ...process.env, SOAK_SECONDS: '10', SOAK_SAMPLE_SECONDS: '5', SOAK_USERS: '3', SOAK_CONCURRENCY: '6', SOAK_JSON: json, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        resolve({ code, output, summary: JSON.parse(readFileSync(json, 'utf8')) as SoakSummary });
      } catch (error) {
        reject(new Error(`soak wrote no summary (exit ${code}):\n${output}\n${String(error)}`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe.each(DATABASES)('soak (short) on %s', (kind) => {
  it('drives mixed traffic with zero 5xx and shuts the server down cleanly', { timeout: 300_000 }, async () => {
    const database = kind === 'postgres' ? await freshDatabaseUrl() : undefined;
    try {
      const { code, output, summary } = await runSoak(database ? { SOAK_DATABASE_URL: database.url } : {});
      expect(summary.serverErrors, output).toBe(0);
      expect(summary.failures, output).toBe(0);
      expect(summary.serverExit, output).toBe(0);
      expect(summary.passed, output).toBe(true);
      expect(code, output).toBe(0);
      expect(summary.database).toBe(kind);

      expect(summary.requests).toBeGreaterThan(50);
      for (const op of ['list', 'create', 'get', 'toggle', 'delete', 'graphql-list', 'graphql-create']) {
        const ok = Object.entries(summary.byOp[op] ?? {})
          .filter(([status]) => /^2/.test(status))
          .reduce((n, [, count]) => n + count, 0);
        expect(ok, `${op} succeeded at least once: ${JSON.stringify(summary.byOp[op])}`).toBeGreaterThan(0);
      }
      expect(summary.samples.length).toBeGreaterThanOrEqual(2);
      expect(summary.samples.every((s) => Number.isFinite(s.rssMiB) && s.rssMiB > 0)).toBe(true);
      expect(output).toMatch(/t\(s\)\s+req\s+req\/s/);
      expect(output).toContain('SOAK PASSED');
    } finally {
      await database?.drop();
    }
  });
});
