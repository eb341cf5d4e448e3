// Who is calling? The access token is verified once per request, here, and the result put on
// `request.viewer` (null = anonymous). Each transport's hook decides what an absent or invalid
// token means and answers in its own shape: rest/rest-viewer.ts, graphql/graphql-viewer.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { InvalidTokenError, type AccessTokenVerifier } from '../auth/access-tokens.js';
import type { Viewer } from '../domain/users/user.types.js';
import { RevocationUnavailableError } from '../auth/revocations.js';

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer | null;
  }
  interface FastifyInstance {
    tokens: AccessTokenVerifier;
  }
}

const REALM = 'Bearer realm="taskgate"';

export type AuthOutcome = { viewer: Viewer | null } | { invalid: string };

/** Reads `Authorization: Bearer <jwt>`. No header → anonymous; anything else wrong → invalid. */
export async function authenticate(request: FastifyRequest): Promise<AuthOutcome> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') return { viewer: null };
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  if (!match) return { invalid: 'malformed authorization header' };
  try {
    return { viewer: await request.server.tokens.verify(match[1]!) };
  } catch (error) {
    if (error instanceof InvalidTokenError) return { invalid: error.reason };
    throw error;
  }
}

export function challenge(reply: FastifyReply, invalid: boolean): FastifyReply {
  return reply.header(
    'www-authenticate',
    invalid ? `${REALM}, error="invalid_token", error_description="The access token is invalid or expired"` : REALM,
  );
}

export function logRejected(request: FastifyRequest, reason: string) {
  request.log.info({ event: 'token_rejected', reason }, 'access token rejected');
}

/** The viewer of a request, with the request id its log lines and audit events carry. */
export function withRequestId(request: FastifyRequest, viewer: Viewer | null): Viewer | null {
  return viewer && { ...viewer, requestId: String(request.id) };
}

/**
 * A token whose revocation status cannot be checked (Redis down) is refused, never trusted: logs
 * the cause, asks the client to retry in a second, and returns the message for either body shape.
 */
export function revocationUnavailable(request: FastifyRequest, reply: FastifyReply, error: RevocationUnavailableError): string {
  request.log.error({ err: { message: String((error.cause as Error)?.message ?? error.cause) } }, 'revocation store unavailable');
  reply.header('retry-after', '1');
  return `Cannot check token revocation right now; retry shortly (request id ${request.id}).`;
}

async function viewerPlugin(app: FastifyInstance, opts: { tokens: AccessTokenVerifier }) {
  app.decorate('tokens', opts.tokens);
  app.decorateRequest('viewer', null);
}

export default fp(viewerPlugin, { name: 'viewer' });
