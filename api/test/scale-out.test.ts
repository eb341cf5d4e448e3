// Two API processes behind an imaginary load balancer: same PostgreSQL database, same Redis, same
// PUBLIC_URL (so `iss`/`aud` match), different ports. Whatever one instance does, the other
// sees at once: tokens, tasks, logouts, rate-limit counters, refresh-token reuse.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, migrate } from '../src/db/orm.js';
import { freshDatabaseUrl, testDatabaseUrl, type FreshDatabase } from './support/database.js';
import { spawnApi, type ApiProcess } from './support/api-process.js';
import { liveClient, untilSubscribed, wsUrl } from './support/ws.js';

/** This file's own Redis database index (other files use others); only it is flushed. */
const REDIS_URL = 'redis://127.0.0.1:6379/11';

// Needs PostgreSQL (shared by both instances) and Redis: CI sets TEST_DATABASE_URL and runs both.
describe.skipIf(!testDatabaseUrl())('two API instances on one PostgreSQL and one Redis', () => {
  let database: FreshDatabase;
  let redis: Redis;
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    await redis.flushdb();
    database = await freshDatabaseUrl();
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      REDIS_URL,
      DB_POOL_MAX: '4',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_LOGIN_IP: '5/60',
      RATE_LIMIT_LOGIN_ACCOUNT: '100/60',
      RATE_LIMIT_REGISTER_IP: '100/60',
      RATE_LIMIT_API: '10000/60',
    };
    // Both at once on the empty database, as an orchestrator starts replicas: both try to apply
    // the migrations, and both must come up (the migration advisory lock in db/orm.ts).
    const [startedA, startedB] = await Promise.allSettled([spawnApi({ env }), spawnApi({ env })]);
    if (startedA.status === 'fulfilled') a = startedA.value;
    if (startedB.status === 'fulfilled') b = startedB.value;
    for (const s of [startedA, startedB]) if (s.status === 'rejected') throw s.reason;
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.kill(), b?.kill()]);
    await database?.drop();
    await redis?.flushdb();
    redis?.disconnect();
  });

  it('runs as two separate processes on two ports', () => {
    expect(a.port).not.toBe(b.port);
    expect(a.child.pid).not.toBe(b.child.pid);
    expect(a.alive() && b.alive()).toBe(true);
  });

  it('accepts on B an access token minted on A', async () => {
    const user = await a.registerUser('Ada');
    const me = await b.request('GET', '/api/auth/me', { token: user.accessToken });
    expect(me.status, me.text).toBe(200);
    expect(me.body.user).toMatchObject({ id: user.id, email: user.email });
    const gql = await b.gql('{ me { id } }', undefined, user.accessToken);
    expect(gql.status).toBe(200);
    expect(gql.body.data.me.id).toBe(user.id);
  });

  it('lists on B the tasks created on A (and the other way round)', async () => {
    const user = await a.registerUser();
    const onA = await a.request('POST', '/api/tasks', { token: user.accessToken, body: { title: 'made on A' } });
    expect(onA.status, onA.text).toBe(201);
    const onB = await b.request('POST', '/api/tasks', { token: user.accessToken, body: { title: 'made on B' } });
    expect(onB.status, onB.text).toBe(201);
    for (const api of [a, b]) {
      const list = await api.request('GET', '/api/tasks', { token: user.accessToken });
      expect(list.status).toBe(200);
      expect(list.body.tasks.map((t: { id: string }) => t.id).sort()).toEqual([onA.body.id, onB.body.id].sort());
    }
    const got = await b.request('GET', `/api/tasks/${onA.body.id}`, { token: user.accessToken });
    expect(got.body).toEqual(onA.body);
  });

  it('rejects on B, at once, an access token whose session logged out on A', async () => {
    const user = await a.registerUser();
    // B has verified (and cached) the token before the logout.
    expect((await b.request('GET', '/api/tasks', { token: user.accessToken })).status).toBe(200);
    expect((await a.request('POST', '/api/auth/logout', { token: user.accessToken })).status).toBe(204);

    const rest = await b.request('GET', '/api/tasks', { token: user.accessToken });
    expect(rest.status).toBe(401);
    expect(rest.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(rest.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String), requestId: expect.any(String) } });
    const gql = await b.gql('{ me { id } }', undefined, user.accessToken);
    expect(gql.status).toBe(401);
    expect(gql.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    // …and the refresh token is dead on both instances too.
    for (const api of [a, b]) {
      expect((await api.request('POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })).status).toBe(401);
    }
  });

  it('pushes a write made on A to a subscriber on B (task events travel through Redis), and to nobody else', async () => {
    const user = await a.registerUser();
    const other = await a.registerUser();
    const onB = await liveClient(wsUrl(b.url), user.accessToken);
    const otherOnB = await liveClient(wsUrl(b.url), other.accessToken);
    try {
      const create = async (api: ApiProcess, token: string, title: string) => {
        const res = await api.request('POST', '/api/tasks', { token, body: { title } });
        expect(res.status, res.text).toBe(201);
        return res.body.id as string;
      };
      await untilSubscribed(onB, () => create(a, user.accessToken, 'probe'));
      await untilSubscribed(otherOnB, () => create(a, other.accessToken, 'probe'));
      const otherBefore = otherOnB.events.length;
      const id = await create(a, user.accessToken, 'made on A');
      expect(await onB.waitFor((e) => e.taskId === id)).toMatchObject({ type: 'CREATED', task: { title: 'made on A' } });
      const toggled = await a.gql('mutation($id: ID!) { toggleTask(id: $id) { id } }', { id }, user.accessToken);
      expect(toggled.status).toBe(200);
      expect(await onB.waitFor((e) => e.taskId === id && e.type === 'UPDATED')).toMatchObject({ task: { completed: true } });
      // The other user's subscriber on B is live (its own write arrives) and got none of it.
      const own = await create(a, other.accessToken, 'own');
      await otherOnB.waitFor((e) => e.taskId === own, 2_000, otherBefore);
      expect(otherOnB.events.slice(otherBefore).map((e) => e.taskId)).toEqual([own]);
    } finally {
      await Promise.all([onB.dispose(), otherOnB.dispose()]);
    }
  });

  it('closes on B, within 1 s, the socket of a session that logged out on A', async () => {
    const user = await a.registerUser();
    const onB = await liveClient(wsUrl(b.url), user.accessToken);
    try {
      const started = Date.now();
      expect((await a.request('POST', '/api/auth/logout', { token: user.accessToken })).status).toBe(204);
      const closed = await Promise.race([onB.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not closed within 1 s')), 1_000))]);
      expect(Date.now() - started).toBeLessThanOrEqual(1_000);
      expect(closed.code).toBe(4401);
    } finally {
      await onB.dispose();
    }
  });

  it('counts login attempts across both instances (5 per IP per minute)', async () => {
    await redis.flushdb();
    const user = await a.registerUser();
    const statuses: number[] = [];
    for (const api of [a, a, a, b, b]) {
      statuses.push((await api.request('POST', '/api/auth/login', { body: { email: user.email, password: user.password } })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    // The sixth attempt, on B (which has only seen two): over the shared budget.
    const sixth = await b.request('POST', '/api/auth/login', { body: { email: user.email, password: user.password } });
    expect(sixth.status, sixth.text).toBe(429);
    expect(sixth.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // A agrees, and so does better-auth's own sign-in route (same counter).
    expect((await a.request('POST', '/api/auth/login', { body: { email: user.email, password: user.password } })).status).toBe(429);
    expect(
      (await a.request('POST', '/api/auth/sign-in/email', { body: { email: user.email, password: user.password } })).status,
    ).toBe(429);
    await redis.flushdb();
    expect((await b.request('POST', '/api/auth/login', { body: { email: user.email, password: user.password } })).status).toBe(200);
  });

  it('detects on B the reuse of a refresh token rotated on A, and kills the rotated session', async () => {
    await redis.flushdb();
    const user = await a.registerUser();
    const rotated = await a.request('POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(rotated.status, rotated.text).toBe(200);
    const successor = rotated.body as { accessToken: string; refreshToken: string };
    expect(successor.refreshToken).not.toBe(user.refreshToken);
    // The successor works everywhere (B verifies and caches it).
    expect((await b.request('GET', '/api/tasks', { token: successor.accessToken })).status).toBe(200);

    // The old refresh token presented again, to the other instance: reuse.
    const reused = await b.request('POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('UNAUTHENTICATED');

    for (const api of [a, b]) {
      const res = await api.request('GET', '/api/tasks', { token: successor.accessToken });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect((await api.request('POST', '/api/auth/refresh', { body: { refreshToken: successor.refreshToken } })).status).toBe(401);
    }
  });

  it('keeps both instances up throughout', () => {
    expect(a.alive(), a.output()).toBe(true);
    expect(b.alive(), b.output()).toBe(true);
  });
});

// Replicas start together on a new database: without a lock, all but one crash on
// `create table "mikro_orm_migrations"` / `create table "user"` (duplicate key in pg_type).
describe.skipIf(!testDatabaseUrl())('migrations started by several instances at once', () => {
  it('all succeed; exactly one applies them', async () => {
    for (let round = 0; round < 3; round++) {
      const database = await freshDatabaseUrl();
      const orms = await Promise.all([1, 2, 3].map(() => createOrm({ databaseUrl: database.url, pgliteDir: 'memory://', poolMax: 1 })));
      try {
        const applied = await Promise.all(orms.map((orm) => migrate(orm)));
        expect(applied.filter((names) => names.length > 0)).toHaveLength(1);
        expect(applied.flat().length).toBeGreaterThanOrEqual(2);
        for (const orm of orms) expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
      } finally {
        await Promise.all(orms.map((orm) => orm.close(true)));
        await database.drop();
      }
    }
  });
});
