// REST docs: an OpenAPI 3.1 document generated from the route schemas (@fastify/swagger) at
// /api/openapi.json, and Swagger UI at /api/docs with every asset served from the npm package
// (@fastify/swagger-ui), so the page works offline and loads nothing from a CDN.
// Register it BEFORE the routes: @fastify/swagger collects routes with an onRoute hook.
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import swagger, { type SwaggerTransform } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const OPENAPI_JSON_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

export interface OpenApiOptions {
  /** Defaults to the api workspace's package.json version. */
  version?: string;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '1.0.0';
  } catch {
    return '1.0.0';
  }
}

/**
 * What the document shows. Hidden: routes marked `schema: { hide: true }` (better-auth's catch-all,
 * these docs routes), `/graphql` (its contract is schema.graphql, not OpenAPI), and any route
 * registered without a schema (nothing undocumented leaks in by accident).
 */
export const transform: SwaggerTransform = ({ schema, url }) => {
  const hidden = schema === undefined || (schema as { hide?: boolean }).hide === true || url === '/graphql';
  if (hidden) return { schema: { ...(schema ?? {}), hide: true } as never, url };
  return { schema, url };
};

type Doc = { paths?: Record<string, Record<string, { responses?: Record<string, { description?: string }> }>> };

/** Fastify's placeholder "Default Response" → the HTTP reason phrase ("Not Found", "Precondition Failed"). */
export function describeResponses<T>(document: T): T {
  for (const item of Object.values((document as Doc).paths ?? {})) {
    for (const operation of Object.values(item)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (response.description === 'Default Response') response.description = STATUS_CODES[status] ?? `HTTP ${status}`;
      }
    }
  }
  return document;
}

const CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  // Swagger UI's React components set inline style attributes.
  "style-src 'self' 'unsafe-inline'",
  "frame-ancestors 'none'",
].join('; ');

async function openapi(app: FastifyInstance, opts: OpenApiOptions) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Taskgate API',
        version: opts.version ?? packageVersion(),
        description:
          'REST mirror of the Taskgate task service. Authenticate with `POST /api/auth/register` or ' +
          '`/api/auth/login`, then send `Authorization: Bearer <accessToken>`. Every error body is ' +
          '`{"error": {"code", "message", "details"?}}`. GraphQL lives at `/graphql` (see schema.graphql).',
      },
      tags: [
        { name: 'auth', description: 'Accounts, access and refresh tokens' },
        { name: 'tasks', description: 'Your tasks (owner-scoped)' },
        { name: 'health', description: 'Liveness and readiness' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
    transform,
    transformObject: (documentObject) => describeResponses('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject),
    // Shared schemas keep their $id as the component name: `Error#` → #/components/schemas/Error.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });

  await app.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    staticCSP: CSP,
    uiConfig: { deepLinking: true, persistAuthorization: false },
    validatorUrl: false, // no badge fetched from validator.swagger.io (rendered as null)
  });

  app.get(OPENAPI_JSON_PATH, { schema: { hide: true } }, async (_request, reply) => {
    return reply.header('cache-control', 'no-cache').send(app.swagger());
  });
}

export default fp(openapi, { name: 'taskgate-openapi', fastify: '5.x' });
