// REST's viewer hook: the routes behind it need a signed-in caller; no token, or a bad one, is a
// 401 in REST's error shape with the Bearer challenge.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../domain/users/user.types.js';
import { authenticate, challenge, logRejected, withRequestId } from '../plugins/viewer.js';
import { sendError } from './rest-errors.js';

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
  request.viewer = withRequestId(request, outcome.viewer);
}

/** The caller of a route behind requireViewer (which has already refused anonymous callers). */
export function restViewer(request: { viewer: Viewer | null }): Viewer {
  if (!request.viewer) throw new Error('restViewer() used on a route without requireViewer');
  return request.viewer;
}
