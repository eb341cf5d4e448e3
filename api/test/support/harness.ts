// Test harness: a real API server on a real port, on embedded PGlite (in memory) or on a fresh
// PostgreSQL database, and helpers that talk to it over HTTP like any client would.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { freshDatabaseUrl, testDatabaseUrl } from './database.js';

export type DbKind = 'pglite' | 'postgres';

/**
 * PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). TEST_DATABASES
 * ("postgres", "pglite" or both, comma-separated) narrows the set — CI's second Node version runs
 * the suites on PostgreSQL only, the database its Docker image is deployed with.
 */
export const DATABASES: DbKind[] = selectDatabases(process.env.TEST_DATABASES);

function selectDatabases(wanted: string | undefined): DbKind[] {
  const available: DbKind[] = testDatabaseUrl() ? ['pglite', 'postgres'] : ['pglite'];
  if (!wanted) return available;
  const kinds = wanted.split(',').map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => kind !== 'pglite' && kind !== 'postgres');
  if (unknown.length > 0) throw new Error(`TEST_DATABASES: unknown database ${unknown.join(', ')} (pglite, postgres)`);
  if (kinds.includes('postgres') && !testDatabaseUrl()) throw new Error('TEST_DATABASES names postgres but TEST_DATABASE_URL is not set');
  return available.filter((kind) => kinds.includes(kind));
}

export const TEST_ISSUER = 'http://taskgate.test';
export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent verbatim instead of JSON.stringify(body). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A task as REST and GraphQL return it. */
export interface Task {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * One request over fetch: JSON body (or `rawBody`), Bearer token, the answer parsed when it is
 * JSON; every error body's request id is checked against its header (checkedRequestId).
 */
export async function httpRequest<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions & { timeoutMs?: number } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (body === undefined && options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(baseUrl + path, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: leave the text
  }
  return checkedRequestId({ status: response.status, headers: response.headers, body: parsed as T, text });
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  name: string;
  accessToken: string;
  refreshToken: string;
}

/** What a test does to an API at `url`, in-process or a child process alike. */
export interface ApiClient {
  url: string;
  request<T = any>(method: string, path: string, options?: RequestOptions & { timeoutMs?: number }): Promise<HttpResult<T>>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<HttpResult<T>>;
  /** Registers a new account (random email and password) and returns it with its tokens. */
  registerUser(name?: string): Promise<TestUser>;
}

export function apiClient(url: string): ApiClient {
  const request = <T = any>(method: string, path: string, options: RequestOptions & { timeoutMs?: number } = {}) =>
    httpRequest<T>(url, method, path, options);
  return {
    url,
    request,
    gql: (query, variables, token) => request('POST', '/graphql', { token, body: { query, variables } }),
    async registerUser(name = 'Test User') {
      const email = `user-${randomBytes(6).toString('hex')}@example.com`;
      const password = `pw-${randomBytes(8).toString('hex')}`;
      const res = await request('POST', '/api/auth/register', { body: { email, password, name } });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
      return { id: res.body.user.id, email, password, name, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
    },
  };
}

/** Requests to `api` as `user`: each carries the user's current access token. */
export function asUser(api: ApiClient, user: TestUser) {
  const rest = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    api.request(method, path, { token: user.accessToken, body, headers });
  return {
    rest,
    get: (path: string, headers?: Record<string, string>) => rest('GET', path, undefined, headers),
    post: (path: string, body: unknown) => rest('POST', path, body),
    put: (path: string, body: unknown, headers?: Record<string, string>) => rest('PUT', path, body, headers),
    patch: (path: string, body?: unknown, headers?: Record<string, string>) => rest('PATCH', path, body, headers),
    del: (path: string) => rest('DELETE', path),
    /** `rawBody` sent verbatim with the given Content-Type. */
    raw: (method: string, path: string, rawBody: string, contentType: string) =>
      api.request(method, path, { token: user.accessToken, rawBody, headers: { 'content-type': contentType } }),
    gql: (query: string, variables?: Record<string, unknown>) => api.gql(query, variables, user.accessToken),
  };
}

export interface TestApi extends ApiClient {
  built: BuiltApp;
  close(): Promise<void>;
}

export async function startApi(kind: DbKind, env: Record<string, string> = {}): Promise<TestApi> {
  const database = kind === 'postgres' ? await freshDatabaseUrl() : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    BETTER_AUTH_SECRET: TEST_SECRET,
    PUBLIC_URL: TEST_ISSUER,
    LOG_LEVEL: 'silent',
    DB_POOL_MAX: '4',
    // Rate limits are on by default everywhere; the suites that do not test them turn them off
    // explicitly (security/rate-limits.test.ts turns them back on).
    RATE_LIMIT_ENABLED: 'false',
    // GraphQL documents are compiled (graphql/jit.ts) from their second execution on, so the
    // suites exercise both the graphql-js and the compiled path; TEST_GRAPHQL_JIT_AFTER overrides.
    GRAPHQL_JIT_AFTER: process.env.TEST_GRAPHQL_JIT_AFTER ?? '1',
    // A retired refresh token replayed at once is reuse (the session dies), not a retry; the tests
    // of the reuse interval (security/refresh-races.test.ts) set it.
    REFRESH_REUSE_INTERVAL: '0',
    // The cleanup job runs only where a test runs it (cleanup.test.ts).
    CLEANUP_INTERVAL_SECONDS: '0',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...env,
  });
  let built: BuiltApp;
  try {
    built = await buildApp(config, { pgliteDir: 'memory://' });
  } catch (error) {
    await database?.drop();
    throw error;
  }
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = built.app.server.address() as AddressInfo;
  const api: TestApi = {
    ...apiClient(`http://127.0.0.1:${port}`),
    built,
    async close() {
      await built.app.close();
      await database?.drop();
    },
  };
  return api;
}

/** A syntactically valid UUID that no task has. */
export const RANDOM_UUID = '00000000-0000-4000-8000-000000000000';

/**
 * Every error body names its request (README: "every error carries requestId"): checked on every
 * response every suite receives, not only where a test looks. REST `{error: {…, requestId}}` and
 * GraphQL `{errors: [{extensions: {requestId}}]}` must both equal the `x-request-id` header.
 */
export function checkedRequestId<T extends HttpResult<any>>(result: T): T {
  const header = result.headers.get('x-request-id');
  const body = result.body as { error?: { code?: unknown; requestId?: unknown }; errors?: { extensions?: { requestId?: unknown } }[] } | null;
  if (!body || typeof body !== 'object') return result;
  const ids: unknown[] = [];
  if (body.error && typeof body.error === 'object' && typeof body.error.code === 'string') ids.push(body.error.requestId);
  if (Array.isArray(body.errors)) for (const e of body.errors) ids.push(e?.extensions?.requestId);
  for (const id of ids) {
    if (typeof id !== 'string' || id !== header) {
      throw new Error(`error body without the request id of its x-request-id header (${header}): ${result.text.slice(0, 300)}`);
    }
  }
  return result;
}

/** A response text with its request id (random per request) blanked, to compare two answers byte for byte. */
export function withoutRequestId(text: string): string {
  return text.replace(/"requestId":"[0-9a-f-]{36}"/g, '"requestId":"…"').replace(/\(request id [0-9a-f-]{36}\)/g, '(request id …)');
}

/** Headers that legitimately differ between two otherwise identical responses. */
const VOLATILE_HEADERS = new Set(['date', 'x-request-id', 'connection', 'keep-alive']);

/** Everything a client can observe about a response, minus per-request noise (date, request id). */
export function observable(res: HttpResult) {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => {
    if (!VOLATILE_HEADERS.has(key)) headers[key] = value;
  });
  return { status: res.status, headers, text: withoutRequestId(res.text) };
}
