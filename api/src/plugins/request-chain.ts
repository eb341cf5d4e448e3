// The per-request chain both transports share, in one place so REST and GraphQL cannot drift:
// IP limit → viewer → per-user limit → Cache-Control: no-store. Only the viewer hook differs:
// REST requires a signed-in caller (rest/rest-viewer.ts), GraphQL lets anonymous callers reach
// `@public` fields (graphql/graphql-viewer.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiIpRateLimit, apiRateLimit } from './rate-limits.js';

export type ViewerHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Every answer of the task API is one user's data: never stored by a browser or a shared cache. */
async function noStore(_request: FastifyRequest, reply: FastifyReply) {
  reply.header('cache-control', 'no-store');
}

/** Adds the chain to `app` (an encapsulated plugin scope: it applies to the routes registered in it). */
export function registerRequestChain(app: FastifyInstance, viewer: ViewerHook): void {
  // The header first, so that a refusal by any later step carries it too.
  app.addHook('onRequest', noStore);
  app.addHook('onRequest', apiIpRateLimit);
  app.addHook('onRequest', viewer);
  app.addHook('onRequest', apiRateLimit);
}
