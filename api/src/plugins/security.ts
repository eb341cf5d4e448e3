// HTTP-level defences that apply to every route: security headers, the CORS allowlist, refusing
// cookie-authenticated writes from foreign origins, TRACE, and input no route should ever see
// (NUL bytes, lone surrogates, duplicated query parameters).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import { validationFailed, unstorableText, AppError } from '../domain/errors.js';

export interface SecurityOptions {
  /** Origins whose browsers may call the API cross-origin (with credentials). */
  corsOrigins: string[];
  /** Origins allowed to send cookie-authenticated writes (the API's own and the web app's). */
  trustedOrigins: string[];
  https: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The first field path holding a string PostgreSQL or UTF-8 cannot store, if any. */
export function findUnstorable(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return unstorableText(value) ? path || 'body' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnstorable(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (unstorableText(key)) return path ? `${path}.<key>` : '<key>';
      const hit = findUnstorable(inner, path ? `${path}.${key}` : key);
      if (hit) return hit;
    }
  }
  return null;
}

async function securityPlugin(app: FastifyInstance, opts: SecurityOptions) {
  await app.register(helmet, {
    // The API serves JSON; pages that need more (API docs, the GraphQL landing page) set their own.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    hsts: opts.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    global: true,
  });

  const allowed = new Set(opts.corsOrigins);
  await app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'if-match', 'apollo-require-preflight', 'x-apollo-operation-name'],
    exposedHeaders: ['etag', 'retry-after', 'x-request-id', 'www-authenticate'],
    maxAge: 600,
  });

  const trusted = new Set([...opts.trustedOrigins, ...opts.corsOrigins]);
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    if (request.method === 'TRACE' || request.method === 'TRACK') {
      reply.header('allow', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
      throw new AppError('METHOD_NOT_ALLOWED', `${request.method} is not allowed.`);
    }
    // A browser sending cookies from a foreign page (CSRF): refuse every state-changing request.
    if (!SAFE_METHODS.has(request.method) && request.headers.cookie) {
      const origin = request.headers.origin;
      if (origin !== undefined && (origin === 'null' || !trusted.has(origin))) {
        request.log.warn({ event: 'cross_origin_write' }, 'cookie-authenticated write from a foreign origin');
        throw new AppError('FORBIDDEN', 'Cross-origin request refused.');
      }
    }
    const rawQuery = request.url.indexOf('?');
    if (rawQuery !== -1) {
      const seen = new Set<string>();
      for (const key of new URLSearchParams(request.url.slice(rawQuery + 1)).keys()) {
        if (seen.has(key)) throw validationFailed([{ field: key, message: 'must not be repeated' }]);
        seen.add(key);
      }
    }
  });

  app.addHook('preValidation', async (request) => {
    // GraphQL reports bad variables in its own error shape (the task service rejects these
    // characters as BAD_USER_INPUT on the right field).
    if (request.routeOptions.url === '/graphql') return;
    const field = findUnstorable(request.body) ?? findUnstorable(request.query) ?? findUnstorable(request.params);
    if (field) throw validationFailed([{ field, message: 'contains characters that cannot be stored (NUL or an unpaired surrogate)' }]);
  });
}

export default fp(securityPlugin, { name: 'security' });

/** onRequest hook for JSON routes: a body must be sent as application/json. */
export async function requireJsonBody(request: FastifyRequest) {
  if (SAFE_METHODS.has(request.method) || request.method === 'DELETE') return;
  const length = request.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return;
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send JSON with Content-Type: application/json.');
  }
}
