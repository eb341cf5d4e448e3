// The operator scripts: `npm run migrate:create` (an empty, listed migration) and `npm run seed`
// (a demo user with tasks through better-auth and the task service; idempotent).
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { appendToIndex, createMigration, nextStamp, slug } from '../src/cli/migrate-create.js';
import { loadConfig } from '../src/config/env.js';
import { API_DIR, runScript } from './support/cli.js';
import { freshDatabaseUrl } from './support/database.js';
import { DATABASES, TEST_SECRET } from './support/harness.js';

const MIGRATIONS = path.join(API_DIR, 'src/db/migrations');

describe('npm run migrate:create', () => {
  it('is wired in both package.json files', () => {
    const root = JSON.parse(readFileSync(path.join(API_DIR, '../package.json'), 'utf8'));
    const api = JSON.parse(readFileSync(path.join(API_DIR, 'package.json'), 'utf8'));
    expect(root.scripts['migrate:create']).toMatch(/npm run migrate:create --workspace api/);
    expect(api.scripts['migrate:create']).toBe('tsx src/cli/migrate-create.ts');
    expect(root.scripts.seed).toBe('npm run seed --workspace api');
    expect(existsSync(path.join(API_DIR, api.scripts.seed.replace(/^tsx /, '')))).toBe(true);
  });

  it('names migrations after the time, after the newest existing one', () => {
    expect(slug('  Add task TAGS! ')).toBe('add_task_tags');
    const now = new Date('2030-01-02T03:04:05Z');
    expect(nextStamp(['Migration20261125000000_initial.ts', 'index.ts'], now)).toBe('20300102030405');
    expect(nextStamp(['Migration20991231235959_future.ts'], now)).toBe('21000101000000');
  });

  it('appends the import and the list entry to migrations/index.ts', () => {
    const index = readFileSync(path.join(MIGRATIONS, 'index.ts'), 'utf8');
    const next = appendToIndex(index, 'Migration20300102030405_add_tags');
    expect(next).toContain("import { Migration20300102030405_add_tags } from './Migration20300102030405_add_tags.js';");
    expect(next.trimEnd()).toMatch(/\{ name: 'Migration20300102030405_add_tags', class: Migration20300102030405_add_tags \},\n\];$/);
    expect(next.startsWith(index.slice(0, index.indexOf('export')).trimEnd())).toBe(true);
    expect(() => appendToIndex('export const x = 1;', 'M')).toThrow(/expected shape/);
  });

  it('writes a migration that loads, listed last and in order', async () => {
    // Inside api/ so the copied files resolve @mikro-orm/* from node_modules.
    const dir = mkdtempSync(path.join(API_DIR, '.tmp-migrations-'));
    try {
      cpSync(MIGRATIONS, dir, { recursive: true });
      const { className, file } = await createMigration('add task tags', { dir });
      expect(path.basename(file)).toBe(`${className}.ts`);
      expect(className).toMatch(/^Migration\d{14}_add_task_tags$/);
      expect(readdirSync(dir)).toContain(`${className}.ts`);
      const { migrationsList } = (await import(pathToFileURL(path.join(dir, 'index.ts')).href)) as {
        migrationsList: { name: string; class: new (...args: never[]) => { up(): Promise<void> } }[];
      };
      const names = migrationsList.map((m) => m.name);
      expect(names.at(-1)).toBe(className);
      expect([...names].sort()).toEqual(names);
      expect(typeof migrationsList.at(-1)!.class.prototype.up).toBe('function');
      await expect(createMigration('', { dir })).rejects.toThrow(/name/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const runSeed = (env: Record<string, string>) =>
  runScript('src/cli/seed.ts', { NODE_ENV: 'development', LOG_LEVEL: 'silent', BETTER_AUTH_SECRET: TEST_SECRET, ...env });

describe.each(DATABASES)('npm run seed on %s', (kind) => {
  it('creates the demo user with 12 tasks once, and can sign in with the printed password', { timeout: 240_000 }, async () => {
    const database = kind === 'postgres' ? await freshDatabaseUrl() : undefined;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'seed-test-'));
    const env = { DATA_DIR: dataDir, ...(database ? { DATABASE_URL: database.url } : {}) };
    try {
      const first = await runSeed(env);
      expect(first.code, first.output).toBe(0);
      expect(first.output).toContain('Created the demo user with 12 tasks.');
      expect(first.output).toContain('demo@taskgate.local');
      const password = /password: (\S+)/.exec(first.output)![1]!;

      const second = await runSeed(env);
      expect(second.code, second.output).toBe(0);
      expect(second.output).toContain('already exists (12 tasks); nothing changed');
      // The generated password is kept (DATA_DIR/demo-password) and printed again.
      expect(/password: (\S+)/.exec(second.output)![1]).toBe(password);
      expect(password).toMatch(/^demo-[A-Za-z0-9_-]{16}$/);

      const built = await buildApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', BETTER_AUTH_SECRET: TEST_SECRET, ...env }));
      try {
        const login = await built.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'demo@taskgate.local', password } });
        expect(login.statusCode, login.body).toBe(200);
        const list = await built.app.inject({ method: 'GET', url: '/api/tasks?limit=100', headers: { authorization: `Bearer ${login.json().accessToken}` } });
        const tasks = list.json().tasks as { completed: boolean }[];
        expect(tasks).toHaveLength(12);
        expect(tasks.filter((t) => t.completed)).toHaveLength(4);
      } finally {
        await built.app.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await database?.drop();
    }
  });

  it.runIf(kind === 'pglite')('production needs SEED_PASSWORD, and a guessable one is refused by the password policy', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'seed-test-'));
    try {
      const run = await runSeed({ DATA_DIR: dataDir, NODE_ENV: 'production' });
      expect(run.code).toBe(1);
      expect(run.output).toContain('Set SEED_PASSWORD: production never makes up a password to print.');
      const weak = await runSeed({ DATA_DIR: dataDir, NODE_ENV: 'production', SEED_PASSWORD: 'taskgate-demo-password' });
      expect(weak.code).toBe(1);
      expect(weak.output).toContain('SEED_PASSWORD is published with this product; choose one of your own.');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
