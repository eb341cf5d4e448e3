// The account's sessions (signed-in devices) and its security activity, for the signed-in user.
// Each route translates one call into domain/accounts; owner scoping is the services' job.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RequestOrigin } from '../domain/accounts/events.js';
import type { SecurityActivityService } from '../domain/accounts/security-activity.service.js';
import type { SessionService } from '../domain/accounts/sessions.service.js';
import { apiIpRateLimit, apiRateLimit } from '../plugins/rate-limits.js';
import { requireJsonBody } from '../plugins/security.js';
import { requireViewer } from './rest-viewer.js';
import { ActivityBody, ActivityQuery, RevokedBody, RevokeSessionsQuery, SessionListBody, SessionParams, errorResponses } from './schemas.js';

export interface SessionRoutesOptions {
  sessions: SessionService;
  activity: SecurityActivityService;
}

/** Where the request came from, for the security event it causes. */
export function originOf(request: FastifyRequest): RequestOrigin {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua : undefined };
}

/** DELETE carries no body; a client's habitual Content-Type on an empty request is dropped (as for tasks). */
async function emptyBodyAllowed(request: FastifyRequest) {
  const length = request.raw.headers['content-length'];
  if (request.raw.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) {
    delete request.raw.headers['content-type'];
  }
}

const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (app, { sessions, activity }) => {
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  app.addHook('onRequest', apiIpRateLimit);
  app.addHook('onRequest', requireViewer);
  app.addHook('onRequest', apiRateLimit);
  app.addHook('onRequest', emptyBodyAllowed);
  app.addHook('onRequest', requireJsonBody);
  const common = { tags: ['auth'], security: [{ bearerAuth: [] }] };

  app.get(
    '/api/auth/sessions',
    { schema: { ...common, summary: 'Your signed-in sessions (devices), newest first; the one of this token is marked current', response: { 200: SessionListBody, ...errorResponses(401) } } },
    async (request) => ({ sessions: await sessions.list(request.viewer!) }),
  );

  app.delete(
    '/api/auth/sessions/:id',
    {
      schema: {
        ...common,
        summary: "End one of your sessions: its refresh token and its access tokens stop working at once. Another user's or an unknown id: 404",
        params: SessionParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await sessions.revoke(request.viewer!, request.params.id, originOf(request));
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/auth/sessions',
    {
      schema: {
        ...common,
        summary: 'End every session but this one (scope=others)',
        querystring: RevokeSessionsQuery,
        response: { 200: RevokedBody, ...errorResponses(400, 401) },
      },
    },
    async (request) => ({ revoked: await sessions.revokeOthers(request.viewer!, originOf(request)) }),
  );

  app.get(
    '/api/auth/activity',
    {
      schema: {
        ...common,
        summary: 'Your security activity (sign-ins, new devices, password and e-mail changes, ended sessions), newest first, kept 90 days',
        querystring: ActivityQuery,
        response: { 200: ActivityBody, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const page = await activity.list(request.viewer!, { first: request.query.first, after: request.query.after });
      return { nodes: page.nodes, pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage } };
    },
  );
};

export default sessionRoutes;
