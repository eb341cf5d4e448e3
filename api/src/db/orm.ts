import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PGliteDriver } from 'mikro-orm-pglite';
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
      driverOptions: { connection: { connectionTimeoutMillis: 5_000 } },
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

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
