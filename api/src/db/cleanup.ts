// The periodic cleanup (CLEANUP_INTERVAL_SECONDS; 0 = off): deletes expired sessions, expired
// verification tokens, retired refresh-rotation rows and security events past their retention.
// - Several API instances: a run holds a PostgreSQL advisory lock (pg_try_advisory_lock) on its
//   own connection; an instance that does not get it skips that run. Within one process (and on
//   PGlite, which one process owns) a run that finds another still going skips too.
// - Bounded: each statement deletes at most `batchSize` rows; a table is worked through in a loop.
// - One log line per run with the counts; `run` is emitted with the outcome (tests wait for it).
// - stop() (on shutdown) cancels the timer and waits for a run in progress to finish its batch.
import { EventEmitter } from 'node:events';
import type { SqlClient, SqlPool } from './sql.js';

/** The advisory lock key of the cleanup ("taskgate" in ASCII + 1; the migration lock is + 0). */
export const CLEANUP_LOCK = '8386110886273709158';

export interface CleanupCounts {
  sessions: number;
  verifications: number;
  refreshRotations: number;
  securityEvents: number;
}

export type CleanupOutcome =
  | { ran: true; counts: CleanupCounts; ms: number }
  | { ran: false; reason: 'locked' | 'running' | 'stopped' };

export interface CleanupOptions {
  /** Seconds between runs; 0 = never scheduled (run() still works). */
  intervalSeconds: number;
  /** Rows per delete statement. */
  batchSize?: number;
  /**
   * A refresh-rotation row older than this remembers a token that has expired anyway (a session
   * lives this long at most): better-auth's session lifetime.
   */
  sessionLifetimeSeconds: number;
  securityEventRetentionDays: number;
  log: { info(obj: object, msg: string): void; debug(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** Runs in progress per database pool (one process can build several apps in tests). */
const running = new WeakSet<SqlPool>();

export class CleanupJob extends EventEmitter<{ run: [CleanupOutcome] }> {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<CleanupOutcome> | undefined;
  private stopped = false;
  private readonly batchSize: number;

  constructor(
    private readonly db: SqlPool,
    private readonly options: CleanupOptions,
  ) {
    super();
    this.batchSize = options.batchSize ?? 1000;
  }

  /** Schedules runs: the first a minute after start (or one interval, when shorter), then every interval. */
  start(): void {
    if (this.options.intervalSeconds <= 0 || this.stopped) return;
    const schedule = (seconds: number) => {
      this.timer = setTimeout(() => {
        void this.run()
          .catch((error: unknown) => this.options.log.error({ event: 'cleanup', err: error }, 'cleanup run failed'))
          .finally(() => {
            if (!this.stopped) schedule(this.options.intervalSeconds);
          });
      }, seconds * 1000);
      this.timer.unref();
    };
    schedule(Math.min(60, this.options.intervalSeconds));
  }

  /** Cancels the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current?.catch(() => undefined);
  }

  /** One run now. Skips (ran: false) when another run holds the lock or the job is stopped. */
  async run(): Promise<CleanupOutcome> {
    if (this.stopped) return this.finish({ ran: false, reason: 'stopped' });
    if (running.has(this.db)) return this.finish({ ran: false, reason: 'running' });
    running.add(this.db);
    this.current = this.locked().finally(() => running.delete(this.db));
    return this.finish(await this.current);
  }

  private finish(outcome: CleanupOutcome): CleanupOutcome {
    if (outcome.ran) this.options.log.info({ event: 'cleanup', ...outcome.counts, ms: outcome.ms }, 'cleanup run');
    else this.options.log.debug({ event: 'cleanup', skipped: outcome.reason }, 'cleanup run skipped');
    this.emit('run', outcome);
    return outcome;
  }

  private async locked(): Promise<CleanupOutcome> {
    const started = Date.now();
    // The lock belongs to a database session: every statement of the run goes through this one
    // connection (PGlite has no other), and it is unlocked on it before it returns to the pool.
    const client = await this.db.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [CLEANUP_LOCK]);
      if (!rows[0]?.locked) return { ran: false, reason: 'locked' };
      try {
        const counts = await this.deleteAll(client);
        return { ran: true, counts, ms: Date.now() - started };
      } finally {
        await client.query('select pg_advisory_unlock($1)', [CLEANUP_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  private async deleteAll(client: SqlClient): Promise<CleanupCounts> {
    const n = this.batchSize;
    const { sessionLifetimeSeconds, securityEventRetentionDays } = this.options;
    return {
      sessions: await this.inBatches(client, `delete from "session" where id in (select id from "session" where expires_at < now() limit $1)`, [n]),
      verifications: await this.inBatches(
        client,
        `delete from verification where id in (select id from verification where expires_at < now() limit $1)`,
        [n],
      ),
      // Retired: the token it remembers has expired for certain, or its family of sessions has
      // ended (signed out, revoked, expired), so a replay is refused as an unknown token anyway.
      refreshRotations: await this.inBatches(
        client,
        `delete from refresh_rotation where token_hash in (
           select r.token_hash from refresh_rotation r
            where r.created_at < now() - make_interval(secs => $2)
               or not exists (select 1 from "session" s where s.id = r.successor_session_id)
            limit $1)`,
        [n, sessionLifetimeSeconds],
      ),
      securityEvents: await this.inBatches(
        client,
        `delete from security_event where id in (select id from security_event where created_at < now() - make_interval(days => $2) limit $1)`,
        [n, securityEventRetentionDays],
      ),
    };
  }

  private async inBatches(client: SqlClient, sql: string, params: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await client.query(sql, params);
      total += rowCount;
      if (rowCount < this.batchSize || this.stopped) return total;
    }
  }
}
