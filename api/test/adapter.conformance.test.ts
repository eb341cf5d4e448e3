// better-auth's own adapter conformance suite, run against the database path the app uses:
// better-auth's built-in Kysely adapter (built by `getAdapter`, exactly as `betterAuth({ database })`
// builds it) over our SqlPool, i.e. over MikroORM's own connection pool — on embedded PGlite always,
// and on PostgreSQL when TEST_DATABASE_URL is set (in a throwaway database).
import {
  authFlowTestSuite,
  normalTestSuite,
  testAdapter,
  transactionsTestSuite,
} from '@better-auth/test-utils/adapter';
import type { BetterAuthOptions } from 'better-auth';
import { getAdapter } from 'better-auth/db/adapter';
import { getMigrations } from 'better-auth/db/migration';
import { afterAll } from 'vitest';
import { authTableOptions } from '../src/auth/better-auth.js';
import { createOrm, type Orm } from '../src/db/orm.js';
import { SqlPool } from '../src/db/sql.js';
import { freshDatabaseUrl, testDatabaseUrl } from './support/database.js';

type AuthModel = 'user' | 'session' | 'account' | 'verification';

/**
 * Our table options from authTableOptions() under whatever a test sets itself: a test that renames a
 * field or adds one keeps its own setting. Only plain objects are returned, so the suite's deepmerge
 * does not duplicate arrays such as `plugins`.
 *
 * `withRole: false` keeps the snake_case field mapping but leaves out our `role` additional field:
 * the CRUD suite compares created rows with the bare generated user, and `role` (default 'USER')
 * would add a property it does not expect ("create - should create a model").
 */
function withOurTables(options: BetterAuthOptions, withRole: boolean): BetterAuthOptions {
  const ours = authTableOptions();
  if (!withRole) delete ours.user?.additionalFields;
  const merged: BetterAuthOptions = {};
  for (const model of ['user', 'session', 'account', 'verification'] as const satisfies AuthModel[]) {
    const base = ours[model] as { fields?: Record<string, string>; additionalFields?: Record<string, unknown> };
    const theirs = options[model] as typeof base | undefined;
    merged[model] = {
      fields: { ...base.fields, ...theirs?.fields },
      ...((base.additionalFields || theirs?.additionalFields) && {
        additionalFields: { ...base.additionalFields, ...theirs?.additionalFields },
      }),
    } as never;
  }
  return merged;
}

async function resetSchema(pool: SqlPool): Promise<void> {
  await pool.query('drop schema if exists public cascade');
  await pool.query('create schema public');
}

async function conformance(name: string, orm: Orm): Promise<void> {
  const pool = new SqlPool(orm);
  // CRUD + transactions with our column names; then the auth flows with our exact table options.
  await run(pool, name, false, [normalTestSuite(), transactionsTestSuite()]);
  await run(pool, name, true, [authFlowTestSuite()]);
}

async function run(
  pool: SqlPool,
  name: string,
  withRole: boolean,
  tests: Parameters<typeof testAdapter>[0]['tests'],
): Promise<void> {
  const { execute } = await testAdapter({
    prefixTests: name,
    // The same call `betterAuth({ database: pool })` makes: `connect` → PostgresDialect, transactions on.
    adapter: async (options) => {
      const adapter = await getAdapter({ ...options, database: pool });
      return () => adapter;
    },
    overrideBetterAuthOptions: (options) => withOurTables(options, withRole),
    async runMigrations(options) {
      await resetSchema(pool);
      const { runMigrations } = await getMigrations({ ...options, database: pool });
      await runMigrations();
    },
    tests,
  });
  execute();
}

// Closed in a file-level afterAll, not in the suite's onFinish: the suite skips onFinish when its own
// final cleanup throws, which would leak the PostgreSQL database.
const pglite = await createOrm({ databaseUrl: undefined, pgliteDir: 'memory://', poolMax: 1 });
afterAll(() => pglite.close(true));
await conformance('pglite', pglite);

if (testDatabaseUrl()) {
  const database = await freshDatabaseUrl();
  let postgres: Orm | undefined;
  afterAll(async () => {
    try {
      await postgres?.close(true);
    } finally {
      await database.drop();
    }
  });
  try {
    postgres = await createOrm({ databaseUrl: database.url, pgliteDir: 'memory://', poolMax: 4 });
  } catch (error) {
    await database.drop(); // a failed collection runs no hooks
    throw error;
  }
  await conformance('postgres', postgres);
}
