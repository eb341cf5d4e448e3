// /healthz: the process answers. /readyz: the database answers, migrations are applied and the
// signing keys load, and the server is not shutting down; 503 with the reason otherwise.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';

const HealthBody = Type.Object({ status: Type.Literal('ok') });
const ReadyBody = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not ready')]),
  checks: Type.Record(Type.String(), Type.String(), { description: 'Each check: `ok`, or what is wrong (`unreachable`, `2 pending`, `draining` …).' }),
});

export interface HealthOptions {
  /** How many migrations are pending; throws when the database cannot be reached. */
  pendingMigrations: () => Promise<number>;
  /** Loads the token signing keys; throws when they are unavailable. */
  reloadKeys: () => Promise<void>;
}

const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = async (app, opts) => {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up', response: { 200: HealthBody } } }, async () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Database reachable, migrations applied, signing keys loaded; 503 names the failing check',
        response: { 200: ReadyBody, 503: ReadyBody },
      },
    },
    async (_request, reply) => {
      // Draining for shutdown (plugins/lifecycle.ts): tell the load balancer first, skip the rest.
      if (app.lifecycle.phase !== 'serving') {
        return reply.code(503).send({ status: 'not ready', checks: { shutdown: app.lifecycle.phase } });
      }
      const checks: Record<string, string> = {};
      try {
        const pending = await opts.pendingMigrations();
        checks.database = 'ok';
        checks.migrations = pending === 0 ? 'ok' : `${pending} pending`;
      } catch {
        checks.database = 'unreachable';
      }
      if (checks.database === 'ok') {
        try {
          await opts.reloadKeys();
          checks.keys = 'ok';
        } catch {
          checks.keys = 'unavailable';
        }
      }
      const ready = Object.values(checks).every((v) => v === 'ok');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
    },
  );
};

export default fp(healthRoutes, { name: 'health-routes', encapsulate: true, dependencies: ['lifecycle'] });
