// HTTP-level defences that apply to every route: security headers, the CORS allowlist, refusing
// cookie-authenticated writes from foreign origins, TRACE, and input no route should ever see
// (NUL bytes, lone surrogates, duplicated query parameters).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import { AppError, UNSTORABLE_MESSAGE, unstorableText, validationFailed } from '../domain/domain-errors.js';
import { HttpRefusal } from '../rest/http-refusal.js';

export interface SecurityOptions {
  /** Origins whose browsers may call the API cross-origin (with credentials). */
  corsOrigins: string[];
  /** Origins allowed to send cookie-authenticated writes (the API's own and the web app's). */
  trustedOrigins: string[];
  https: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** How deeply arrays and objects may nest in any JSON a client sends (bodies, GraphQL variables). */
export const MAX_JSON_DEPTH = 32;

/**
 * The deepest nesting of arrays and objects in a JSON text, counted in one pass over the text
 * (brackets inside strings do not count). Runs before parsing, so no later step — parser, walker,
 * validator or GraphQL's variable coercion — ever sees input deep enough to exhaust the stack.
 * Stops counting once past `limit`.
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return deepest;
}

export const tooDeep = (field: string) =>
  validationFailed([{ field, message: `nests too deeply: at most ${MAX_JSON_DEPTH} levels of arrays and objects` }]);

/**
 * The first field path holding a string PostgreSQL or UTF-8 cannot store, if any. Walks with an
 * explicit stack, not recursion: the input's shape never decides how deep the call stack goes.
 */
export function findUnstorable(root: unknown, rootPath = ''): string | null {
  const stack: [unknown, string][] = [[root, rootPath]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (unstorableText(value)) return path || 'body';
    } else if (Array.isArray(value)) {
      // Pushed in reverse so the first offending element is the one reported.
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`]);
    } else if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      for (const [key] of entries) if (unstorableText(key)) return path ? `${path}.<key>` : '<key>';
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i]!;
        stack.push([inner, path ? `${path}.${key}` : key]);
      }
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
      throw new HttpRefusal('METHOD_NOT_ALLOWED', `${request.method} is not allowed.`);
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
      for (const [key, value] of new URLSearchParams(request.url.slice(rawQuery + 1))) {
        if (seen.has(key)) throw validationFailed([{ field: key, message: 'must not be repeated' }]);
        seen.add(key);
        // GraphQL over GET carries JSON (variables, extensions) in the query string.
        if (jsonDepth(value) > MAX_JSON_DEPTH) throw tooDeep(key);
      }
    }
  });

  app.addHook('preValidation', async (request) => {
    // GraphQL reports bad variables in its own error shape (the task service rejects these
    // characters as BAD_USER_INPUT on the right field).
    if (request.routeOptions.url === '/graphql') return;
    const field = findUnstorable(request.body) ?? findUnstorable(request.query) ?? findUnstorable(request.params);
    if (field) throw validationFailed([{ field, message: UNSTORABLE_MESSAGE }]);
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
    throw new HttpRefusal('UNSUPPORTED_MEDIA_TYPE', 'Send JSON with Content-Type: application/json.');
  }
}
