// One query path over MikroORM's own connection pool, shared by better-auth (through Kysely) and
// the domain services. It hides the differences between node-postgres and PGlite:
//  - PGlite results have no `command` and report `affectedRows` instead of `rowCount`;
//  - MikroORM's pg connections return timestamps as strings unless a query passes `types`.
import pg from 'pg';
import type { Orm } from './orm.js';
import { asDomainError } from './unavailable.js';

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
  command?: string;
}

/** A checked-out connection: every query on it runs in the same database session. */
export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
  release(): void;
}

type Knex = {
  client: {
    acquireConnection(): Promise<RawConnection>;
    releaseConnection(conn: RawConnection): Promise<void>;
  };
};
type RawConnection = {
  query(
    config: string | { text: string; values?: unknown[]; types?: unknown },
    values?: unknown[],
  ): Promise<{ rows: unknown[]; rowCount?: number | null; affectedRows?: number; command?: string }>;
};

const COMMAND = /^\s*(select|insert|update|delete|with|begin|commit|rollback|savepoint|release)\b/i;

/** A pg-Pool-shaped handle on MikroORM's pool (the shape Kysely's PostgresDialect expects). */
export class SqlPool {
  private readonly knex: Knex;
  private readonly pglite: boolean;

  constructor(orm: Orm) {
    const connection = orm.em.getConnection() as unknown as { getKnex(): Knex };
    this.knex = connection.getKnex();
    this.pglite = orm.config.get('driver')?.name === 'PGliteDriver';
  }

  /** A connection failure (here or on any query) is thrown as the domain's SERVICE_UNAVAILABLE. */
  async connect(): Promise<SqlClient> {
    const conn = await this.knex.client.acquireConnection().catch((error: unknown) => {
      throw asDomainError(error);
    });
    let released = false;
    return {
      query: async <R>(text: string, values: readonly unknown[] = []) => {
        const result = await (this.pglite
          ? conn.query(text, [...values])
          : conn.query({ text, values: [...values], types: pg.types })
        ).catch((error: unknown) => {
          throw asDomainError(error);
        });
        const command = result.command ?? COMMAND.exec(text)?.[1]?.toUpperCase();
        return {
          rows: result.rows as R[],
          rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length,
          command,
        };
      },
      release: () => {
        if (released) return;
        released = true;
        void this.knex.client.releaseConnection(conn);
      },
    };
  }

  /** Runs one statement on a pooled connection. */
  async query<R = Record<string, unknown>>(text: string, values: readonly unknown[] = []): Promise<QueryResult<R>> {
    const client = await this.connect();
    try {
      return await client.query<R>(text, values);
    } finally {
      client.release();
    }
  }

  /** Kysely calls end() when it is destroyed; the pool belongs to MikroORM, which closes it. */
  async end(): Promise<void> {}
}
