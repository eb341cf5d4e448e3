// GraphQL's one error translator (it imports nothing from REST). Domain errors keep their code (VALIDATION_FAILED becomes
// BAD_USER_INPUT, with per-field details); anything unexpected is masked as
// INTERNAL_SERVER_ERROR with the request id, and logged with it.
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/domain-errors.js';
import type { GraphQLContext } from './context.js';

const PASS_THROUGH = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) {
    const code = original.code === 'VALIDATION_FAILED' ? 'BAD_USER_INPUT' : original.code;
    const extensions: Record<string, unknown> = { code };
    if (original.details) extensions.details = original.details;
    if (code === 'SERVICE_UNAVAILABLE' || code === 'INTERNAL_SERVER_ERROR') return masked(formatted, code);
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PASS_THROUGH.has(code)) {
    const { stacktrace: _dropped, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return masked(formatted, 'INTERNAL_SERVER_ERROR');
}

/**
 * The message without graphql-js's suggestions (`Did you mean "description"?`, `Did you mean the
 * enum value "PENDING"?`, `… "a", "b", or "c"?`), which name parts of the schema. What precedes
 * them is a whole sentence, so the message still ends cleanly.
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}

function masked(formatted: GraphQLFormattedError, code: string): GraphQLFormattedError {
  return {
    message: code === 'SERVICE_UNAVAILABLE' ? 'Service temporarily unavailable.' : 'Internal server error.',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code },
  };
}

/** Logs unexpected errors with the request id; adds that id to every error (and to masked errors' message). */
export function errorLoggingPlugin(log: FastifyBaseLogger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const original = unwrapResolverError(error);
            const code = error.extensions?.code;
            if (original instanceof AppError && original.code === 'SERVICE_UNAVAILABLE') {
              log.error({ reqId: contextValue.requestId, err: original.cause ?? original }, 'database unavailable');
              continue;
            }
            if (original instanceof AppError || (typeof code === 'string' && PASS_THROUGH.has(code))) continue;
            log.error({ reqId: contextValue.requestId, err: original }, 'graphql resolver error');
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const { errors, data } = response.body.singleResult;
          for (const error of errors ?? []) {
            // Every error names the request (also the x-request-id header and the log lines).
            const extensions = ((error as { extensions?: Record<string, unknown> }).extensions ??= {});
            extensions.requestId = contextValue.requestId;
            const code = extensions.code;
            if (code === 'INTERNAL_SERVER_ERROR' || code === 'SERVICE_UNAVAILABLE') {
              (error as { message: string }).message += ` (request id ${contextValue.requestId})`;
            }
          }
          // Nothing could be answered because the database is unreachable: say so at the HTTP
          // level too (as REST does), so load balancers and clients retry instead of caching.
          if (data == null && errors?.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) {
            response.http.status = 503;
          }
        },
      };
    },
  };
}

/**
 * onSend hook for /graphql: Apollo answers some refusals itself before any plugin hook runs (CSRF
 * prevention, a body without `query`, a GET mutation). Error responses without a request id get
 * it added here; successful responses are passed through untouched (no parse on the hot path).
 */
export async function requestIdOnGraphqlErrors(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  if (reply.statusCode < 400 || typeof payload !== 'string' || payload.includes('"requestId"')) return payload;
  try {
    const body = JSON.parse(payload) as { errors?: { extensions?: Record<string, unknown> }[] };
    if (!Array.isArray(body.errors)) return payload;
    for (const error of body.errors) (error.extensions ??= {}).requestId = String(request.id);
    return JSON.stringify(body);
  } catch {
    return payload;
  }
}
