// `npm run seed`: a demo account with a dozen tasks on the configured database (embedded PGlite in
// DATA_DIR, or DATABASE_URL), through the same code paths as the API: better-auth's sign-up (so
// the password is hashed and the account row is real) and the task service. Idempotent: when the
// demo user exists, nothing is changed. The password is SEED_PASSWORD, or (not in production) a
// random one kept in DATA_DIR/demo-password and printed.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildApp } from '../app.js';
import { passwordProblem } from '../auth/passwords.js';
import { ConfigError, loadConfig, type Config } from '../config/env.js';
import { TaskService } from '../domain/tasks/task.service.js';
import type { Viewer } from '../domain/users/user.types.js';

export const DEMO_EMAIL = 'demo@taskgate.local';
/**
 * Where a generated demo password is kept (mode 0600), so a second run prints the same one. A
 * password published in the README would be the first one an attacker tries, and the password
 * policy refuses it; production takes SEED_PASSWORD only.
 */
const DEMO_PASSWORD_FILE = 'demo-password';

async function demoPassword(config: Config): Promise<string> {
  if (process.env.SEED_PASSWORD) return process.env.SEED_PASSWORD;
  if (config.env === 'production') throw new Error('Set SEED_PASSWORD: production never makes up a password to print.');
  const file = path.join(config.dataDir, DEMO_PASSWORD_FILE);
  const kept = await readFile(file, 'utf8').catch(() => null);
  if (kept?.trim()) return kept.trim();
  const made = `demo-${randomBytes(12).toString('base64url')}`;
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, `${made}\n`, { mode: 0o600 });
  return made;
}
export const DEMO_NAME = 'Demo User';

export const DEMO_TASKS: { title: string; description?: string; completed?: boolean }[] = [
  { title: 'Read the Taskgate README', description: 'Run it, Configuration, API', completed: true },
  { title: 'Sign in with the demo account', completed: true },
  { title: 'Create a task from the web app' },
  { title: 'Try the GraphQL playground', description: 'http://127.0.0.1:4000/graphql' },
  { title: 'Browse the REST docs', description: 'http://127.0.0.1:4000/api/docs' },
  { title: 'Mark a task as completed', completed: true },
  { title: 'Filter by pending and completed' },
  { title: 'Page through tasks with a cursor', description: 'REST: ?limit=5&cursor=…, GraphQL: tasks(first: 5, after: …)' },
  { title: 'Update a task with If-Match', description: 'A stale ETag answers 412 Precondition Failed' },
  { title: 'Log out and watch the token stop working', completed: true },
  { title: 'Run the soak test', description: 'SOAK_SECONDS=30 npm run soak' },
  { title: 'Deploy with docker compose' },
];

export interface SeedResult {
  created: boolean;
  userId: string;
  tasks: number;
}

async function seed(): Promise<SeedResult & { password: string; url: string }> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const password = await demoPassword(config);
  const built = await buildApp(config);
  try {
    const existing = await built.db.query<{ id: string }>('select id from "user" where email = $1', [DEMO_EMAIL]);
    if (existing.rows[0]) {
      const { rows } = await built.db.query<{ n: number }>('select count(*)::int as n from task where owner_id = $1', [existing.rows[0].id]);
      return { created: false, userId: existing.rows[0].id, tasks: rows[0]?.n ?? 0, password, url: config.publicUrl };
    }

    const problem = await passwordProblem(password, { email: DEMO_EMAIL, name: DEMO_NAME });
    if (problem) throw new Error(`SEED_PASSWORD ${problem}.`);
    const result = await built.auth.api.signUpEmail({ body: { email: DEMO_EMAIL, password, name: DEMO_NAME } });
    const viewer: Viewer = { userId: result.user.id, sessionId: 'seed', role: 'USER' };
    const tasks = new TaskService(built.db);
    // Oldest first, so the list (newest first) shows them in the order above reversed.
    for (const task of DEMO_TASKS) {
      const created = await tasks.create(viewer, { title: task.title, description: task.description ?? null });
      if (task.completed) await tasks.toggle(viewer, created.id);
    }
    return { created: true, userId: result.user.id, tasks: DEMO_TASKS.length, password, url: config.publicUrl };
  } finally {
    await built.app.close();
  }
}

try {
  const result = await seed();
  console.log(
    result.created
      ? `Created the demo user with ${result.tasks} tasks.`
      : `The demo user already exists (${result.tasks} tasks); nothing changed.`,
  );
  console.log(`  email:    ${DEMO_EMAIL}`);
  console.log(`  password: ${result.password}${result.created ? '' : '  (as seeded; unchanged if it was changed since)'}`);
  console.log(`  sign in:  curl -s ${result.url}/api/auth/login -H 'content-type: application/json' \\`);
  console.log(`              -d '{"email":"${DEMO_EMAIL}","password":"<password>"}'`);
} catch (error) {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('Seeding failed:', error instanceof Error ? error.message : error);
  process.exit(1);
}
