import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PGliteDriver } from 'mikro-orm-pglite';
import pg from 'pg';
import { entities } from './entities/index.js';
import { migrationsList } from './migrations/index.js';

export type Orm = MikroORM;

export interface DatabaseTarget {
  /** postgres://… → that server; undefined → embedded PGlite. */
  databaseUrl: string | undefined;
  /** Where PGlite keeps its files; `memory://` (tests) keeps nothing. */
  pgliteDir: string;
  poolMax: number;
}

/** Connect, pool-acquire and query timeout on PostgreSQL. */
export const DB_TIMEOUT_MS = 5_000;

function baseOptions(): Options {
  return {
    entities,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
    debug: false,
  };
}

/** Opens the database (embedded PGlite or a PostgreSQL server). Applies no migrations. */
export async function createOrm(target: DatabaseTarget): Promise<Orm> {
  if (target.databaseUrl) {
    return MikroORM.init({
      ...baseOptions(),
      driver: PostgreSqlDriver,
      clientUrl: target.databaseUrl,
      pool: { min: 0, max: target.poolMax, idleTimeoutMillis: 10_000 },
      // Every wait on the database is bounded, so an outage answers 503 in seconds, never hangs:
      // connecting (connectionTimeoutMillis), waiting for a free pooled connection (knex's
      // acquireConnectionTimeout, 60 s by default) and waiting for a query's answer (pg's
      // query_timeout: a connection that went silent, e.g. a network partition, is otherwise
      // waited on forever). A connection left waiting by a timed-out query is not ready for
      // another one: the pool's validate discards it instead of handing it out again.
      driverOptions: {
        acquireConnectionTimeout: DB_TIMEOUT_MS,
        connection: { connectionTimeoutMillis: DB_TIMEOUT_MS, query_timeout: DB_TIMEOUT_MS },
        pool: { validate: (conn: { readyForQuery?: boolean }) => conn.readyForQuery !== false },
      },
    });
  }
  const memory = target.pgliteDir.startsWith('memory://');
  if (!memory) await mkdir(path.dirname(target.pgliteDir), { recursive: true });
  const pglite = new PGlite(memory ? undefined : target.pgliteDir);
  await pglite.waitReady;
  const orm = await MikroORM.init({
    ...baseOptions(),
    driver: PGliteDriver,
    dbName: 'postgres',
    // One PGlite session: the pool holds one connection, so queries (and better-auth's
    // transactions) are serialized through it.
    pool: { min: 1, max: 1 },
    driverOptions: { connection: { pglite: () => pglite } },
  });
  // The PGlite instance is borrowed: close it after the ORM.
  const close = orm.close.bind(orm);
  orm.close = async (force?: boolean) => {
    await close(force);
    if (!pglite.closed) await pglite.close();
  };
  return orm;
}

/** pg_advisory_lock key held while migrating ("taskgate" in ASCII, as a bigint). */
const MIGRATION_LOCK = '8386110886273709157';

/**
 * Applies pending migrations; returns the names applied. On PostgreSQL, under an advisory lock:
 * API instances starting together on a new database would otherwise run the same migrations at
 * once, and all but one crash (duplicate key in pg_type).
 */
export async function migrate(orm: Orm): Promise<string[]> {
  const up = async () => (await orm.getMigrator().up()).map((m) => m.name);
  const url = orm.config.get('clientUrl');
  if (!url || orm.config.get('driver')?.name === 'PGliteDriver') return up();
  // Its own session (not a pooled connection, which a pool of one would deadlock on); the lock
  // goes with the session.
  const lock = new pg.Client({ connectionString: url, connectionTimeoutMillis: DB_TIMEOUT_MS });
  lock.on('error', () => {});
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return await up();
  } finally {
    await lock.end().catch(() => {});
  }
}
