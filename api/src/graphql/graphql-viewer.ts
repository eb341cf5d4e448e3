// GraphQL's viewer hook: anonymous callers pass (`@public` fields answer, `@auth` fields error);
// a token that is present but invalid, or cannot be checked, is answered in GraphQL's shape.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RevocationUnavailableError } from '../auth/revocations.js';
import { authenticate, challenge, logRejected, revocationUnavailable, withRequestId, type AuthOutcome } from '../plugins/viewer.js';

/** An error answered before Apollo runs, in GraphQL's response shape. */
export function graphqlErrorReply(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send({ errors: [{ message, extensions: { code, requestId: String(reply.request.id) } }] });
}

/** onRequest hook for /graphql. */
export async function optionalViewer(request: FastifyRequest, reply: FastifyReply) {
  let outcome: AuthOutcome;
  try {
    outcome = await authenticate(request);
  } catch (error) {
    if (!(error instanceof RevocationUnavailableError)) throw error;
    // Fail safe, as REST does (503), but in GraphQL's shape: the token cannot be checked.
    return graphqlErrorReply(reply, 503, 'SERVICE_UNAVAILABLE', revocationUnavailable(request, reply, error));
  }
  if ('invalid' in outcome) {
    logRejected(request, outcome.invalid);
    return graphqlErrorReply(challenge(reply, true), 401, 'UNAUTHENTICATED', 'Access token is invalid or expired.');
  }
  request.viewer = withRequestId(request, outcome.viewer);
}
