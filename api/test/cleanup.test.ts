// The cleanup job: expired sessions, expired verification tokens, retired refresh-rotation rows and
// security events past 90 days go; live rows stay; batches are bounded; two runs at once never both
// work (advisory lock across instances, a guard within one); it runs on its interval and reports.
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_LIFETIME_SECONDS } from '../src/auth/better-auth.js';
import { CLEANUP_LOCK, CleanupJob, type CleanupOutcome } from '../src/db/cleanup.js';
import { createOrm } from '../src/db/orm.js';
import { SqlPool } from '../src/db/sql.js';
import { DATABASES, startApi, type DbKind, type TestApi } from './support/harness.js';
import { count } from './security/helpers.js';

const silent = { info: () => {}, debug: () => {}, error: () => {} };

describe.each(DATABASES)('cleanup job (%s)', (kind: DbKind) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(async () => {
    await api?.close();
  });

  const job = (options: Partial<ConstructorParameters<typeof CleanupJob>[1]> = {}, db = api.built.db) =>
    new CleanupJob(db, { intervalSeconds: 0, sessionLifetimeSeconds: SESSION_LIFETIME_SECONDS, securityEventRetentionDays: 90, log: silent, ...options });

  const sql = (text: string, params: unknown[] = []) => api.built.db.query(text, params);
  const ids = async (table: string, column: string, where: string, params: unknown[]) =>
    (await api.built.db.query<Record<string, string>>(`select ${column} as v from ${table} where ${where} order by 1`, params)).rows.map((r) => r.v);

  /** A user with `expired` expired and `live` live rows in each table the job cleans. */
  async function seed(tag: string, expired: number, live: number) {
    const user = await api.registerUser(tag);
    const userId = user.id;
    const n = expired + live;
    for (let i = 0; i < n; i += 1) {
      const old = i < expired;
      await sql(
        `insert into "session" (id, token, user_id, expires_at) values ($1, $2, $3, now() + make_interval(secs => $4))`,
        [`${tag}-s${i}`, `${tag}-token-${i}`, userId, old ? -60 : 3600],
      );
      await sql(`insert into verification (id, identifier, value, expires_at) values ($1, $2, 'v', now() + make_interval(secs => $3))`, [
        `${tag}-v${i}`,
        `${tag}-ident-${i}`,
        old ? -60 : 1800,
      ]);
      await sql(`insert into security_event (id, user_id, type, created_at) values (gen_random_uuid(), $1, $2, now() - make_interval(days => $3))`, [
        userId,
        `${tag}-${old ? 'old' : 'new'}-${i}`,
        old ? 91 : 89,
      ]);
    }
    // Rotation rows: retired when older than a session's lifetime or when their successor is gone.
    await sql(`insert into refresh_rotation (token_hash, user_id, successor_session_id, created_at) values
      ($1 || '-old', $2, $1 || '-s' || ($3::int), now() - make_interval(secs => $4)),
      ($1 || '-orphan', $2, 'no-such-session', now()),
      ($1 || '-live', $2, $1 || '-s' || ($3::int), now())`, [tag, userId, n - 1, SESSION_LIFETIME_SECONDS + 60]);
    return userId;
  }

  it('deletes what expired and keeps what lives, in bounded batches, and reports the counts', async () => {
    const userId = await seed('c1', 5, 2);
    const reported: CleanupOutcome[] = [];
    const cleanup = job({ batchSize: 2 });
    cleanup.on('run', (outcome) => reported.push(outcome));
    const outcome = await cleanup.run();
    expect(outcome).toEqual({
      ran: true,
      ms: expect.any(Number),
      // The sign-up's own session is live; what the registration made in other tables is not expired.
      counts: { sessions: 5, verifications: 5, refreshRotations: 2, securityEvents: 5 },
    });
    expect(reported).toEqual([outcome]);
    expect(await ids('"session"', 'id', `user_id = $1 and id like 'c1-%'`, [userId])).toEqual(['c1-s5', 'c1-s6']);
    expect(await ids('verification', 'id', `identifier like 'c1-%'`, [])).toEqual(['c1-v5', 'c1-v6']);
    expect(await ids('refresh_rotation', 'token_hash', 'user_id = $1', [userId])).toEqual(['c1-live']);
    expect(await ids('security_event', 'type', `user_id = $1 and type like 'c1-%'`, [userId])).toEqual(['c1-new-5', 'c1-new-6']);
    // The account itself, signed in, is untouched: its token still works.
    expect(await count(api, 'select count(*)::int as n from "user" where id = $1', [userId])).toBe(1);
    // A second run finds nothing.
    expect(await cleanup.run()).toMatchObject({ ran: true, counts: { sessions: 0, verifications: 0, refreshRotations: 0, securityEvents: 0 } });
  });

  it('two runs at once in one process: one works, the other skips', async () => {
    await seed('c2', 3, 1);
    const outcomes = await Promise.all([job().run(), job().run()]);
    expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ran)).toEqual([{ ran: false, reason: 'running' }]);
    expect(outcomes.find((o) => o.ran)).toMatchObject({ counts: { sessions: 3, verifications: 3, securityEvents: 3 } });
  });

  it('pg_try_advisory_lock answers on this database (PGlite too)', async () => {
    const client = await api.built.db.connect();
    try {
      expect((await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [CLEANUP_LOCK])).rows).toEqual([{ locked: true }]);
      expect((await client.query<{ unlocked: boolean }>('select pg_advisory_unlock($1) as unlocked', [CLEANUP_LOCK])).rows).toEqual([{ unlocked: true }]);
    } finally {
      client.release();
    }
  });

  it.runIf(kind === 'postgres')('two API instances on one database: while one holds the lock the other skips; then it works', async () => {
    await seed('c3', 2, 1);
    const url = api.built.orm.config.get('clientUrl')!;
    // Another instance: its own pool on the same database.
    const otherOrm = await createOrm({ databaseUrl: url, pgliteDir: 'memory://', poolMax: 2 });
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      const other = job({}, new SqlPool(otherOrm));
      await holder.query('select pg_advisory_lock($1)', [CLEANUP_LOCK]);
      expect(await job().run()).toEqual({ ran: false, reason: 'locked' });
      expect(await other.run()).toEqual({ ran: false, reason: 'locked' });
      expect(await count(api, `select count(*)::int as n from "session" where id like 'c3-%'`)).toBe(3);
      await holder.query('select pg_advisory_unlock($1)', [CLEANUP_LOCK]);
      // Both instances at once: exactly one works.
      const outcomes = await Promise.all([job().run(), other.run()]);
      const worked = outcomes.filter((o) => o.ran && o.counts.sessions > 0);
      const skipped = outcomes.filter((o) => !o.ran);
      expect(worked.length + skipped.length).toBe(2);
      expect(worked).toHaveLength(1);
      expect(await count(api, `select count(*)::int as n from "session" where id like 'c3-%'`)).toBe(1);
    } finally {
      await holder.end();
      await otherOrm.close(true);
    }
  });

  it('runs on its interval (CLEANUP_INTERVAL_SECONDS) and logs one line per run; stops on shutdown', async () => {
    const lines: object[] = [];
    const scheduled = job({ intervalSeconds: 1, log: { ...silent, info: (obj: object) => lines.push(obj) } });
    await seed('c4', 2, 1);
    scheduled.start();
    const [outcome] = await once(scheduled, 'run');
    expect(outcome).toMatchObject({ ran: true, counts: { sessions: 2, verifications: 2, securityEvents: 2 } });
    expect(lines).toEqual([{ event: 'cleanup', sessions: 2, verifications: 2, refreshRotations: 2, securityEvents: 2, ms: expect.any(Number) }]);
    await scheduled.stop();
    expect(await scheduled.run()).toEqual({ ran: false, reason: 'stopped' });
  });

  it('the API runs it on CLEANUP_INTERVAL_SECONDS and stops it when closing', async () => {
    const other = await startApi(kind, { CLEANUP_INTERVAL_SECONDS: '1' });
    try {
      const [outcome] = await once(other.built.cleanup, 'run');
      expect(outcome).toMatchObject({ ran: true });
    } finally {
      await other.close();
    }
    expect(await other.built.cleanup.run()).toEqual({ ran: false, reason: 'stopped' });
  });
});
