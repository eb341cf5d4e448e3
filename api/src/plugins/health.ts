// /healthz: the process answers. /readyz: the database answers, migrations are applied and the
// signing keys load, and the server is not shutting down; 503 with the reason otherwise.
import type { FastifyInstance } from 'fastify';
import type { AccessTokenVerifier } from '../auth/access-tokens.js';
import type { Orm } from '../db/orm.js';

export default async function healthRoutes(app: FastifyInstance, opts: { orm: Orm; tokens: AccessTokenVerifier }) {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    // Draining for shutdown (plugins/lifecycle.ts): tell the load balancer first, skip the rest.
    if (app.lifecycle.phase !== 'serving') {
      return reply.code(503).send({ status: 'not ready', checks: { shutdown: app.lifecycle.phase } });
    }
    const checks: Record<string, string> = {};
    try {
      const pending = await opts.orm.getMigrator().getPendingMigrations();
      checks.database = 'ok';
      checks.migrations = pending.length === 0 ? 'ok' : `${pending.length} pending`;
    } catch {
      checks.database = 'unreachable';
    }
    if (checks.database === 'ok') {
      try {
        await opts.tokens.reloadKeys();
        checks.keys = 'ok';
      } catch {
        checks.keys = 'unavailable';
      }
    }
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
}
