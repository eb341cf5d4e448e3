// Shutdown phases, for load balancers. SIGTERM (server.ts) → "draining": /readyz answers 503 so
// the balancer stops routing here, every request is still served but answered with
// `Connection: close` so keep-alive clients reconnect elsewhere. Then app.close() → "closing":
// no new connections; in-flight requests finish; a request that still arrives on an open
// connection gets 503 SERVICE_UNAVAILABLE in the documented shape (not Fastify's own body).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sendError } from '../rest/rest-errors.js';

export type Phase = 'serving' | 'draining' | 'closing';

export class Lifecycle {
  phase: Phase = 'serving';
  /** Start draining (idempotent; never goes back from closing). */
  drain() {
    if (this.phase === 'serving') this.phase = 'draining';
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: Lifecycle;
  }
}

async function lifecyclePlugin(app: FastifyInstance) {
  const lifecycle = new Lifecycle();
  app.decorate('lifecycle', lifecycle);
  app.addHook('preClose', async () => {
    lifecycle.phase = 'closing';
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (lifecycle.phase === 'serving') return;
    reply.header('connection', 'close');
    if (lifecycle.phase === 'closing') {
      reply.header('retry-after', '1');
      return sendError(reply, 'SERVICE_UNAVAILABLE', 'This server is shutting down; retry the request.');
    }
  });
}

export default fp(lifecyclePlugin, { name: 'lifecycle' });
