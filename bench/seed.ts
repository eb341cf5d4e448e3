// Seeding: users through the API's real register and login routes (bounded concurrency), tasks
// by bulk SQL (the API is stopped for PGlite, which one process owns at a time).
import pg from 'pg';

export const PASSWORD = 'bench-password-123';
export const userEmail = (i: number) => `bench-u${String(i).padStart(5, '0')}@example.com`;
export const BIG_EMAIL = 'bench-big@example.com';

export interface SeededUser {
  id: string;
  email: string;
}

interface Sql {
  query<R>(text: string, values?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** Runs `fn` over `items` with at most `limit` in flight; returns results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/** POST JSON to the API; retries 429 (honouring Retry-After) a bounded number of times. */
async function postJson(base: string, path: string, body: unknown, expected: number): Promise<any> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (res.status === expected) return JSON.parse(text);
    if (res.status === 429) {
      const wait = Math.min(Number(res.headers.get('retry-after') ?? 1) || 1, 30);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      continue;
    }
    throw new Error(`POST ${path} → ${res.status}: ${text.slice(0, 300)}`);
  }
  throw new Error(`POST ${path}: still rate-limited after 30 attempts`);
}

function progress(label: string, total: number) {
  let done = 0;
  const started = performance.now();
  const step = Math.max(1, Math.round(total / 10));
  return () => {
    done++;
    if (done % step === 0 || done === total) {
      const s = (performance.now() - started) / 1000;
      process.stdout.write(`    ${label}: ${done}/${total} (${(done / s).toFixed(1)}/s)\n`);
    }
  };
}

/** Registers `count` users plus the big user through POST /api/auth/register. */
export async function registerUsers(base: string, count: number, concurrency: number): Promise<{ users: SeededUser[]; big: SeededUser }> {
  const emails = [...Array.from({ length: count }, (_, i) => userEmail(i + 1)), BIG_EMAIL];
  const tick = progress('register', emails.length);
  const seeded = await mapLimit(emails, concurrency, async (email) => {
    const body = await postJson(base, '/api/auth/register', { email, password: PASSWORD, name: email.split('@')[0] }, 201);
    tick();
    return { id: String(body.user.id), email } satisfies SeededUser;
  });
  return { users: seeded.slice(0, count), big: seeded[count]! };
}

/** Logs users in through POST /api/auth/login; returns their access tokens. */
export async function loginUsers(base: string, emails: string[], concurrency: number): Promise<Map<string, string>> {
  const tick = progress('login', emails.length);
  const tokens = await mapLimit(emails, concurrency, async (email) => {
    const body = await postJson(base, '/api/auth/login', { email, password: PASSWORD }, 200);
    tick();
    return String(body.accessToken);
  });
  return new Map(emails.map((e, i) => [e, tokens[i]!]));
}

export async function openSql(target: { databaseUrl?: string; pgliteDir?: string }): Promise<Sql> {
  if (target.databaseUrl) {
    const client = new pg.Client({ connectionString: target.databaseUrl });
    await client.connect();
    return { query: async <R>(text: string, values?: unknown[]) => (await client.query(text, values)).rows as R[], close: () => client.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(target.pgliteDir);
  await db.waitReady;
  return { query: async <R>(text: string, values?: unknown[]) => (await db.query<R>(text, values)).rows, close: () => db.close() };
}

export interface TaskSeed {
  taskIds: Map<string, string[]>;
  deepCursor: string;
  rows: number;
}

/**
 * Inserts `perUser` tasks for every bench user and `bigTasks` for the big user, then VACUUM
 * ANALYZE; returns a few task ids per user and a cursor ~90 % deep into the big user's list.
 */
export async function seedTasks(sql: Sql, perUser: number, bigTasks: number, bigId: string): Promise<TaskSeed> {
  const started = performance.now();
  await sql.query(
    `insert into task (id, owner_id, title, description, completed, created_at, updated_at)
     select gen_random_uuid(), owner_id, 'Seed task ' || g, case when g % 4 = 0 then 'Notes for task ' || g end,
            g % 3 = 0, ts, ts
     from (select u.id as owner_id, g, now() - make_interval(mins => g) - make_interval(secs => u.n::int) as ts
           from (select id, row_number() over (order by id) as n from "user" where email like 'bench-u%') u
           cross join generate_series(1, $1::int) g) s`,
    [perUser],
  );
  await sql.query(
    `insert into task (id, owner_id, title, description, completed, created_at, updated_at)
     select gen_random_uuid(), $1, 'Big task ' || g, null, g % 2 = 0, ts, ts
     from (select g, now() - make_interval(secs => g) as ts from generate_series(1, $2::int) g) s`,
    [bigId, bigTasks],
  );
  await sql.query('vacuum analyze task');
  const [{ n }] = (await sql.query<{ n: number }>('select count(*)::int as n from task')) as [{ n: number }];

  const idRows = await sql.query<{ owner_id: string; id: string }>(
    `select owner_id, id from (
       select t.owner_id, t.id, row_number() over (partition by t.owner_id order by t.created_at desc, t.id desc) as k
       from task t join "user" u on u.id = t.owner_id where u.email like 'bench-u%') s
     where k <= 4`,
  );
  const taskIds = new Map<string, string[]>();
  for (const r of idRows) {
    const list = taskIds.get(r.owner_id) ?? [];
    list.push(r.id);
    taskIds.set(r.owner_id, list);
  }
  const deep = await sql.query<{ created_at: Date; id: string }>(
    `select created_at, id from task where owner_id = $1 order by created_at desc, id desc offset $2 limit 1`,
    [bigId, Math.floor(bigTasks * 0.9)],
  );
  if (!deep[0]) throw new Error('big user has no deep task');
  // The API's cursor format (api/src/domain/tasks/cursor.ts): base64url("<created_at ms>.<uuid>").
  const deepCursor = Buffer.from(`${new Date(deep[0].created_at).getTime()}.${deep[0].id}`).toString('base64url');
  process.stdout.write(`    tasks: ${n} rows in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return { taskIds, deepCursor, rows: n };
}
