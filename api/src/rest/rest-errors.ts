// REST's one error translator (domain codes → HTTP statuses): every failure leaves as {"error": {code, message, details?, requestId}},
// including the ones Fastify and Node's HTTP parser raise before a route runs (frameworkErrors,
// clientErrorHandler below). 5xx bodies say nothing about internals; the request id (also in the
// `x-request-id` header) links every error to its log line.
import http from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes } from 'fastify';
import fp from 'fastify-plugin';
import sjson from 'secure-json-parse';
import { AppError, validationFailed, type ErrorCode, type FieldProblem } from '../domain/domain-errors.js';
import { RevocationUnavailableError } from '../auth/revocations.js';
import { revocationUnavailable } from '../plugins/viewer.js';
import { fieldProblems } from '../plugins/validation.js';
import { MAX_JSON_DEPTH, jsonDepth, tooDeep } from '../plugins/security.js';
import { HttpRefusal, type HttpOnlyCode } from './http-refusal.js';

export type RestErrorCode = ErrorCode | HttpOnlyCode;

/** Each code's HTTP status: the REST answer to every domain error and to the HTTP-only refusals. */
export const REST_STATUS: Record<RestErrorCode, number> = {
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  EMAIL_NOT_VERIFIED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  REQUEST_TIMEOUT: 408,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  VALIDATION_FAILED: 400,
  WEAK_PASSWORD: 400,
  INVALID_TOKEN: 400,
  INVALID_CODE: 400,
  INVALID_CHALLENGE: 400,
  TWO_FACTOR_REQUIRED: 400,
  PASSKEY_CHALLENGE_INVALID: 400,
  PASSKEY_REJECTED: 400,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

/** The domain error this one is or wraps (a library may wrap what the database layer threw). */
function domainErrorIn(error: unknown): AppError | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AppError) return e;
  }
  return undefined;
}

export function sendError(
  reply: FastifyReply,
  code: RestErrorCode,
  message: string,
  details?: FieldProblem[],
  status: number = REST_STATUS[code],
) {
  // RFC 9110 §15.5.2: every 401 names the scheme to use.
  if (status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Bearer realm="taskgate"');
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send({ error: { code, message, ...(details ? { details } : {}), requestId: String(reply.request.id) } });
}

/** Router limit for one path parameter; longer ones are refused before routing (ids are 36). */
export const MAX_PARAM_LENGTH = 1024;

/**
 * Fastify's `frameworkErrors`: a malformed %-escape in the path (FST_ERR_BAD_URL) or a path
 * parameter over `maxParamLength` (FST_ERR_MAX_PARAM_LENGTH) is decided by the router, before any
 * hook or error handler; without this Fastify answers in its own shape.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', String(reply.request.id));
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendError(reply, 'VALIDATION_FAILED', `The request path has a segment longer than ${MAX_PARAM_LENGTH} characters.`);
  }
  return sendError(reply, 'VALIDATION_FAILED', 'The request path is not valid: it has a malformed %-escape.');
}

const CLIENT_ERRORS: Record<string, [RestErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: ['HEADERS_TOO_LARGE', 'Request line and headers together must be under 16 KiB.'],
  ERR_HTTP_REQUEST_TIMEOUT: ['REQUEST_TIMEOUT', 'The request was not received in time.'],
};

/**
 * Node's `clientError`: the HTTP parser refused the request (headers over 16 KiB, malformed
 * syntax, a client too slow to send it). No request object exists, so the documented body is
 * written to the socket directly, and the connection closed, as Node does by default.
 */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message] = CLIENT_ERRORS[error.code ?? ''] ?? ['VALIDATION_FAILED', 'The request is not valid HTTP.'];
  const status = REST_STATUS[code];
  const requestId = randomUUID();
  this.log.info({ reqId: requestId, event: 'client_error', code: error.code }, 'request refused by the HTTP parser');
  if (socket.writable) {
    const body = JSON.stringify({ error: { code, message, requestId } });
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Cache-Control: no-store\r\n' +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}

const FASTIFY_CODES: Record<string, [RestErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'Request body is larger than 64 KiB.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'Send JSON with Content-Type: application/json.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['VALIDATION_FAILED', 'Content-Length does not match the body.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['VALIDATION_FAILED', 'Body must not be empty when Content-Type is application/json.'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['VALIDATION_FAILED', 'Body is not valid JSON.'],
};

/**
 * JSON bodies through secure-json-parse, like Fastify's own parser, but a `__proto__` or
 * `constructor.prototype` key is reported as the field it is instead of "invalid JSON", and a body
 * nesting deeper than MAX_JSON_DEPTH is refused before it is parsed.
 */
function jsonParser(app: FastifyInstance) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') return done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
    if (jsonDepth(body as string) > MAX_JSON_DEPTH) return done(tooDeep('body'), undefined);
    try {
      done(null, sjson.parse(body as string, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      const poisoned = /forbidden (prototype|constructor) property/i.test((error as Error).message);
      // Both `__proto__` and `constructor.prototype` report "prototype": tell them apart by the key.
      const field = /"__proto__"\s*:/.test(body as string) ? '__proto__' : 'constructor';
      done(
        poisoned
          ? validationFailed([{ field, message: 'is not an allowed field' }])
          : new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(),
        undefined,
      );
    }
  });
}

async function errorsPlugin(app: FastifyInstance) {
  jsonParser(app);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpRefusal) return sendError(reply, error.code, error.message);
    const domain = domainErrorIn(error);
    if (domain?.code === 'SERVICE_UNAVAILABLE') {
      request.log.error({ err: domain.cause ?? domain }, 'database unavailable');
      return sendError(reply, 'SERVICE_UNAVAILABLE', `Service temporarily unavailable (request id ${request.id}).`);
    }
    if (error instanceof AppError) {
      if (error.retryAfter) reply.header('retry-after', String(error.retryAfter));
      if (error.code === 'RATE_LIMITED') request.log.warn({ event: 'rate_limited', path: request.routeOptions.url }, 'rate limited');
      return sendError(reply, error.code, error.message, error.details);
    }
    if (error instanceof RevocationUnavailableError) {
      return sendError(reply, 'SERVICE_UNAVAILABLE', revocationUnavailable(request, reply, error));
    }
    if (error.validation) {
      // Worded as the domain words its own validation errors: the same mistake, the same answer.
      const { message, details } = validationFailed(fieldProblems(error.validation as never, error.validationContext));
      return sendError(reply, 'VALIDATION_FAILED', message, details);
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return sendError(reply, known[0], known[1]);
    if (error instanceof SyntaxError || (error.statusCode === 400 && error.code?.startsWith('FST_ERR_CTP'))) {
      return sendError(reply, 'VALIDATION_FAILED', 'Body is not valid JSON.');
    }
    if (error.statusCode === 429) {
      return sendError(reply, 'RATE_LIMITED', 'Too many requests; retry later.');
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      const code = BY_STATUS[error.statusCode] ?? 'VALIDATION_FAILED';
      return sendError(reply, code, code === 'VALIDATION_FAILED' ? 'Request is invalid.' : 'Request refused.', undefined, error.statusCode);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, 'INTERNAL_SERVER_ERROR', `Internal server error (request id ${request.id}).`);
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`),
  );
}

const BY_STATUS: Record<number, RestErrorCode> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

export default fp(errorsPlugin, { name: 'rest-errors' });
