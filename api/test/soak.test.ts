// The short soak in CI: `npm run soak` (bench/soak.ts) for 10 s against a real API child process
// in production mode (embedded PGlite, and PostgreSQL when TEST_DATABASE_URL is set) must see zero
// 5xx, zero failed requests, every kind of operation succeeding, and a clean exit of the server on
// SIGTERM.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SoakSummary } from '../../bench/soak.js';
import { REPO_ROOT } from '../src/config/env.js';
import { runScript } from './support/cli.js';
import { freshDatabaseUrl } from './support/database.js';
import { DATABASES } from './support/harness.js';

/** The script `npm run soak` runs (`tsx <script>` in the root package.json). */
const SOAK_SCRIPT = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts.soak as string).replace(/^tsx /, '');

async function runSoak(env: Record<string, string>): Promise<{ code: number | null; output: string; summary: SoakSummary }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'soak-test-'));
  const json = path.join(dir, 'summary.json');
  try {
    const settings = { SOAK_SECONDS: '10', SOAK_SAMPLE_SECONDS: '5', SOAK_USERS: '3', SOAK_CONCURRENCY: '6', SOAK_JSON: json };
    const { code, output } = await runScript(SOAK_SCRIPT, { ...settings, ...env }, { cwd: REPO_ROOT });
    try {
      return { code, output, summary: JSON.parse(readFileSync(json, 'utf8')) as SoakSummary };
    } catch (error) {
      throw new Error(`soak wrote no summary (exit ${code}):\n${output}\n${String(error)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it('`npm run soak` runs bench/soak.ts', () => {
  expect(SOAK_SCRIPT).toBe('bench/soak.ts');
});

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
