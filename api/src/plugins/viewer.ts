// Who is calling? The access token is verified once per request, here, and the result put on
// `request.viewer` (null = anonymous). GraphQL's context and REST routes only read it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { InvalidTokenError, type AccessTokenVerifier } from '../auth/access-tokens.js';
import type { Viewer } from '../domain/users/user.types.js';
import { RevocationUnavailableError } from '../auth/revocations.js';
import { revocationUnavailable, sendError } from './errors.js';

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

/** An error answered before Apollo runs, in GraphQL's response shape. */
function graphqlError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send({ errors: [{ message, extensions: { code, requestId: String(reply.request.id) } }] });
}

function logRejected(request: FastifyRequest, reason: string) {
  request.log.info({ event: 'token_rejected', reason }, 'access token rejected');
}

/** onRequest hook for REST routes that need a signed-in caller. */
export async function requireViewer(request: FastifyRequest, reply: FastifyReply) {
  const outcome = await authenticate(request);
  if ('invalid' in outcome) {
    logRejected(request, outcome.invalid);
    return sendError(challenge(reply, true), 'UNAUTHENTICATED', 'Access token is invalid or expired.');
  }
  if (!outcome.viewer) {
    return sendError(challenge(reply, false), 'UNAUTHENTICATED', 'Authentication required: send Authorization: Bearer <access token>.');
  }
  request.viewer = outcome.viewer && { ...outcome.viewer, requestId: String(request.id) };
}

/**
 * onRequest hook for /graphql: anonymous callers pass (`@public` fields answer, `@auth` fields
 * error); a token that is present but invalid gets HTTP 401 in GraphQL's error shape.
 */
export async function optionalViewer(request: FastifyRequest, reply: FastifyReply) {
  let outcome: AuthOutcome;
  try {
    outcome = await authenticate(request);
  } catch (error) {
    if (!(error instanceof RevocationUnavailableError)) throw error;
    // Fail safe, as REST does (503), but in GraphQL's shape: the token cannot be checked.
    return graphqlError(reply, 503, 'SERVICE_UNAVAILABLE', revocationUnavailable(request, reply, error));
  }
  if ('invalid' in outcome) {
    logRejected(request, outcome.invalid);
    return graphqlError(challenge(reply, true), 401, 'UNAUTHENTICATED', 'Access token is invalid or expired.');
  }
  request.viewer = outcome.viewer && { ...outcome.viewer, requestId: String(request.id) };
}

async function viewerPlugin(app: FastifyInstance, opts: { tokens: AccessTokenVerifier }) {
  app.decorate('tokens', opts.tokens);
  app.decorateRequest('viewer', null);
}

export default fp(viewerPlugin, { name: 'viewer' });
