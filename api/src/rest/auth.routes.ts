// The REST auth endpoints (register, login, refresh, logout, me) on top of better-auth, and
// better-auth's own handler for the routes of it the web app uses (ALLOWED_AUTH_ROUTES).
import http from 'node:http';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { fromNodeHeaders } from 'better-auth/node';
import { isAPIError } from 'better-auth/api';
import { ALLOWED_AUTH_ROUTES, mintAccessToken, type Auth } from '../auth/better-auth.js';
import { RefreshTokenRotator } from '../auth/refresh.js';
import { passwordProblem } from '../auth/passwords.js';
import { requireJsonBody } from '../plugins/security.js';
import { AppError, validationFailed, type ErrorCode } from '../domain/domain-errors.js';
import type { UserService } from '../domain/users/user.service.js';
import type { UserRecord } from '../domain/users/user.types.js';
import { requireViewer } from './rest-viewer.js';
import { DeleteAccountBody, LoginBody, RefreshBody, RegisterBody, TokenBody, UserBody, errorResponses } from './schemas.js';
import type { SqlPool } from '../db/sql.js';
import type { SecurityActivityService } from '../domain/accounts/security-activity.service.js';
import { originOf } from './sessions.routes.js';

export interface AuthRoutesOptions {
  auth: Auth;
  users: UserService;
  db: SqlPool;
  /** Deletes nothing; makes access tokens of the session invalid everywhere at once. */
  revokeSession: (sessionId: string) => Promise<void>;
  accessTokenTtlSeconds: number;
  /** REFRESH_REUSE_INTERVAL: seconds a rotated refresh token still gets its successor. */
  refreshReuseIntervalSeconds: number;
  /** Records the security events the user sees in their activity list. */
  activity: SecurityActivityService;
}

function apiErrorCode(error: unknown): string | undefined {
  if (!isAPIError(error)) return undefined;
  const body = error.body as { code?: string } | undefined;
  return body?.code;
}

function publicUser(user: { id: string; email: string; name: string; createdAt: Date | string }): UserRecord {
  return { id: user.id, email: user.email, name: user.name, createdAt: new Date(user.createdAt) };
}

/** Headers better-auth sees for a call made on the client's behalf (IP, user agent; no cookies). */
function forwardedHeaders(request: FastifyRequest): Headers {
  const headers = new Headers();
  const ua = request.headers['user-agent'];
  if (typeof ua === 'string') headers.set('user-agent', ua);
  headers.set('x-forwarded-for', request.ip);
  return headers;
}

const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, opts) => {
  const { auth, users, db, revokeSession, accessTokenTtlSeconds, activity } = opts;
  const rotation = new RefreshTokenRotator(auth, db, revokeSession, opts.refreshReuseIntervalSeconds);

  /** The token body for a session: its token is the refresh token. */
  async function tokenResponse(session: { id: string; token: string }, user: UserRecord) {
    return {
      user,
      accessToken: await mintAccessToken(auth, { id: session.id, userId: user.id }),
      tokenType: 'Bearer' as const,
      expiresIn: accessTokenTtlSeconds,
      refreshToken: session.token,
    };
  }

  /** The session a sign-up or sign-in just made, from its token. */
  async function sessionOf(token: string): Promise<{ id: string; token: string }> {
    const found = await (await auth.$context).internalAdapter.findSession(token);
    if (!found) throw new Error('the session just created was not found');
    return { id: found.session.id, token };
  }

  const common = { tags: ['auth'] };
  app.addHook('onRequest', requireJsonBody);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.post(
    '/api/auth/register',
    { schema: { ...common, summary: 'Create an account; returns tokens', body: RegisterBody, response: { 201: TokenBody, ...errorResponses(400, 409, 413, 415, 429) } } },
    async (request, reply) => {
      const { email, password, name } = request.body;
      await app.limits.beforeRegister(request.ip);
      const refused = async (error: AppError) => {
        await app.limits.registerRefused(request.ip);
        return error;
      };
      const problem = await passwordProblem(password, { email, name });
      if (problem) throw await refused(validationFailed([{ field: 'password', message: problem }]));
      try {
        const result = await auth.api.signUpEmail({
          body: { email: email.toLowerCase(), password, name },
          headers: forwardedHeaders(request),
        });
        if (!result.token) throw new Error('sign-up returned no session');
        await app.limits.registerSucceeded(request.ip);
        request.log.info({ event: 'sign_up', userId: result.user.id }, 'user registered');
        await activity.record({ userId: result.user.id, type: 'SIGN_IN', ...originOf(request) });
        return reply.code(201).send(await tokenResponse(await sessionOf(result.token), publicUser(result.user)));
      } catch (error) {
        const code = apiErrorCode(error);
        if (code?.startsWith('USER_ALREADY_EXISTS')) throw await refused(new AppError('EMAIL_TAKEN', 'An account with this email already exists.'));
        if (code === 'INVALID_EMAIL') throw await refused(validationFailed([{ field: 'email', message: 'must be a valid email address' }]));
        if (code?.startsWith('PASSWORD_')) throw await refused(validationFailed([{ field: 'password', message: 'must be 8–128 characters' }]));
        throw error;
      }
    },
  );

  app.post(
    '/api/auth/login',
    { schema: { ...common, summary: 'Sign in; returns tokens', body: LoginBody, response: { 200: TokenBody, ...errorResponses(400, 401, 413, 415, 429) } } },
    async (request) => {
      const { email, password } = request.body;
      await app.limits.beforeLogin(request.ip, email);
      try {
        const result = await auth.api.signInEmail({
          body: { email: email.toLowerCase(), password },
          headers: forwardedHeaders(request),
        });
        await app.limits.loginSucceeded(request.ip, email);
        request.log.info({ event: 'login_success', userId: result.user.id }, 'login succeeded');
        await activity.record({ userId: result.user.id, type: 'SIGN_IN', ...originOf(request) });
        return await tokenResponse(await sessionOf(result.token), publicUser(result.user));
      } catch (error) {
        const code = apiErrorCode(error);
        if (code === 'INVALID_EMAIL_OR_PASSWORD' || code === 'INVALID_EMAIL' || code === 'INVALID_PASSWORD') {
          await app.limits.loginFailed(request.ip, email);
          request.log.info({ event: 'login_failure', account: maskEmail(email) }, 'login failed');
          await activity.recordFailedSignIn(email, originOf(request));
          throw new AppError('INVALID_CREDENTIALS', 'Invalid email or password.');
        }
        throw error;
      }
    },
  );

  app.post(
    '/api/auth/refresh',
    { schema: { ...common, summary: 'Exchange a refresh token for a new access token', body: RefreshBody, response: { 200: TokenBody, ...errorResponses(400, 401, 413, 415) } } },
    async (request) => {
      const { refreshToken } = request.body;
      const outcome = await rotation.rotate(refreshToken, {
        ipAddress: request.ip,
        userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined,
      });
      if (!outcome.ok) {
        const event = outcome.reason === 'reused' ? 'refresh_reuse' : 'refresh_rejected';
        request.log.warn({ event, reason: outcome.reason, userId: outcome.userId }, 'refresh token rejected');
        throw new AppError('UNAUTHENTICATED', 'Refresh token is invalid, expired or revoked.');
      }
      request.log.info({ event: 'refresh', userId: outcome.user.id }, 'refresh token rotated');
      try {
        return await tokenResponse(outcome.session, publicUser(outcome.user));
      } catch (error) {
        if (isAPIError(error)) throw new AppError('UNAUTHENTICATED', 'Refresh token is invalid, expired or revoked.');
        throw error;
      }
    },
  );

  app.post(
    '/api/auth/logout',
    {
      onRequest: requireViewer,
      schema: { ...common, summary: 'Revoke the session of the access token (and its refresh token)', security: [{ bearerAuth: [] }], response: { 204: Type.Null(), ...errorResponses(401) } },
    },
    async (request, reply) => {
      const viewer = request.viewer!;
      await db.query('delete from "session" where id = $1 and user_id = $2', [viewer.sessionId, viewer.userId]);
      await revokeSession(viewer.sessionId);
      request.log.info({ event: 'logout', userId: viewer.userId }, 'session revoked');
      await activity.record({ userId: viewer.userId, type: 'SIGNED_OUT', ...originOf(request) });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    {
      onRequest: requireViewer,
      schema: { ...common, summary: 'The signed-in user', security: [{ bearerAuth: [] }], response: { 200: { type: 'object', properties: { user: UserBody }, required: ['user'] }, ...errorResponses(401) } },
    },
    async (request) => {
      const user = await users.me(request.viewer!);
      if (!user) throw new AppError('UNAUTHENTICATED', 'This account no longer exists.');
      return { user };
    },
  );

  app.delete(
    '/api/auth/me',
    {
      onRequest: requireViewer,
      schema: {
        ...common,
        summary: 'Delete your account and all its tasks (password required); every token stops working',
        security: [{ bearerAuth: [] }],
        body: DeleteAccountBody,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const viewer = request.viewer!;
      const user = await users.me(viewer);
      if (!user) throw new AppError('UNAUTHENTICATED', 'This account no longer exists.');
      await app.limits.beforeLogin(request.ip, user.email);
      const ctx = await auth.$context;
      const accounts = await ctx.internalAdapter.findAccounts(viewer.userId);
      const stored = accounts.find((a) => a.providerId === 'credential')?.password;
      if (!stored || !(await ctx.password.verify({ hash: stored, password: request.body.password }))) {
        await app.limits.loginFailed(request.ip, user.email);
        throw new AppError('INVALID_CREDENTIALS', 'Password is incorrect.');
      }
      const { rows } = await db.query<{ id: string }>('select id from "session" where user_id = $1', [viewer.userId]);
      await db.query('delete from "user" where id = $1', [viewer.userId]);
      await Promise.all([...rows.map((r) => r.id), viewer.sessionId].map((sid) => revokeSession(sid)));
      request.log.info({ event: 'account_deleted', userId: viewer.userId }, 'account deleted');
      return reply.code(204).send(null);
    },
  );

  registerBetterAuthHandler(app, auth, activity);
};

/** a***@example.com: enough to correlate, not enough to harvest. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

/** The endpoint better-auth will route to, normalised like its router (case, duplicate slashes). */
function betterAuthPath(url: string): string {
  return url.split('?')[0]!.replace(/\/{2,}/g, '/').replace(/\/+$/, '').toLowerCase();
}

/** Allowed better-auth routes that involve no session: an Authorization header there is simply ignored. */
const PUBLIC_AUTH_ROUTES: ReadonlySet<string> = new Set(['GET /jwks', 'GET /ok']);

/** better-auth's error codes that have a counterpart in the API's catalogue. */
const BETTER_AUTH_CODES: Record<string, ErrorCode> = {
  INVALID_EMAIL_OR_PASSWORD: 'INVALID_CREDENTIALS',
  USER_ALREADY_EXISTS: 'EMAIL_TAKEN',
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: 'EMAIL_TAKEN',
  INVALID_EMAIL: 'VALIDATION_FAILED',
  PASSWORD_REJECTED: 'VALIDATION_FAILED',
  PASSWORD_TOO_SHORT: 'VALIDATION_FAILED',
  PASSWORD_TOO_LONG: 'VALIDATION_FAILED',
  INVALID_ORIGIN: 'FORBIDDEN',
  MISSING_OR_NULL_ORIGIN: 'FORBIDDEN',
};
const BY_STATUS: Record<number, ErrorCode> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 429: 'RATE_LIMITED' };

/**
 * A better-auth refusal in the API's error shape, `{"error": {code, message, requestId}}`, keeping
 * better-auth's own top-level `code` and `message`, which its browser client reads.
 */
async function betterAuthErrorBody(response: Response, requestId: string) {
  const original = (await response.json().catch(() => null)) as { code?: unknown; message?: unknown } | null;
  const theirs = typeof original?.code === 'string' ? original.code : undefined;
  const message = typeof original?.message === 'string' && original.message ? original.message : (http.STATUS_CODES[response.status] ?? 'Request refused.');
  const code: ErrorCode = (theirs ? BETTER_AUTH_CODES[theirs] : undefined) ?? BY_STATUS[response.status] ?? (response.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'VALIDATION_FAILED');
  return { ...(theirs ? { code: theirs } : {}), message, error: { code, message, requestId } };
}

/** Everything else under /api/auth/* goes to better-auth's own handler (sign-up/in for the web app, jwks…). */
function registerBetterAuthHandler(app: FastifyInstance, auth: Auth, activity: SecurityActivityService) {
  app.route({
    method: ['GET', 'POST'],
    url: '/api/auth/*',
    schema: { hide: true } as object,
    async handler(request, reply) {
      // One normalised URL for both the limiter and better-auth: duplicate slashes merged (else
      // "//api" parses as a host), dot segments resolved and the fragment dropped by URL.
      const q = request.url.indexOf('?');
      const rawPath = q === -1 ? request.url : request.url.slice(0, q);
      const url = new URL(rawPath.replace(/\/{2,}/g, '/') + (q === -1 ? '' : request.url.slice(q)), `http://${request.headers.host ?? 'localhost'}`);
      const path = betterAuthPath(url.pathname);
      const route = `${request.method} ${path.slice('/api/auth'.length)}`;
      if (!ALLOWED_AUTH_ROUTES.has(route)) throw new AppError('NOT_FOUND', `No route for ${request.method} ${url.pathname}.`);
      // better-auth's routes take the session cookie, never a bearer credential: a refresh token
      // becomes an access token only through POST /api/auth/refresh, which rotates it.
      if (request.headers.authorization !== undefined && !PUBLIC_AUTH_ROUTES.has(route)) {
        throw new AppError('UNAUTHENTICATED', 'This route takes the session cookie, not an Authorization header; exchange a refresh token at POST /api/auth/refresh.');
      }
      const email = String((request.body as { email?: unknown } | undefined)?.email ?? '');
      if (path === '/api/auth/sign-in/email') await app.limits.beforeLogin(request.ip, email);
      if (path === '/api/auth/sign-up/email') await app.limits.beforeRegister(request.ip);
      const headers = fromNodeHeaders(request.headers);
      // better-auth keys on X-Forwarded-For; give it the address Fastify trusts (TRUST_PROXY).
      headers.set('x-forwarded-for', request.ip);
      const init: RequestInit = { method: request.method, headers };
      if (request.method !== 'GET' && request.body !== undefined) init.body = JSON.stringify(request.body);
      const signingOut = path === '/api/auth/sign-out' ? await auth.api.getSession({ headers }).catch(() => null) : null;
      const response = await auth.handler(new Request(url, init));
      const userIdOf = async () => ((await response.clone().json().catch(() => null)) as { user?: { id?: string } } | null)?.user?.id;
      if (path === '/api/auth/sign-in/email') {
        if (response.status === 401) {
          await app.limits.loginFailed(request.ip, email);
          request.log.info({ event: 'login_failure', account: maskEmail(email) }, 'login failed');
          await activity.recordFailedSignIn(email, originOf(request));
        } else if (response.ok) {
          await app.limits.loginSucceeded(request.ip, email);
          const userId = await userIdOf();
          request.log.info({ event: 'login_success', userId }, 'login succeeded');
          if (userId) await activity.record({ userId, type: 'SIGN_IN', ...originOf(request) });
        }
      }
      if (path === '/api/auth/sign-up/email') {
        if (response.ok) {
          await app.limits.registerSucceeded(request.ip);
          const userId = await userIdOf();
          request.log.info({ event: 'sign_up', userId }, 'user registered');
          if (userId) await activity.record({ userId, type: 'SIGN_IN', ...originOf(request) });
        } else if (response.status < 500) {
          await app.limits.registerRefused(request.ip);
        }
      }
      if (path === '/api/auth/sign-out' && response.ok && signingOut) {
        request.log.info({ event: 'logout', userId: signingOut.user.id }, 'session revoked');
        await activity.record({ userId: signingOut.user.id, type: 'SIGNED_OUT', ...originOf(request) });
      }
      if (response.status === 404) throw new AppError('NOT_FOUND', `No route for ${request.method} ${url.pathname}.`);
      reply.code(response.status);
      response.headers.forEach((value, key) => {
        if (key !== 'set-cookie' && key !== 'content-length') reply.header(key, value);
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) reply.header('set-cookie', cookies);
      if (response.status >= 400) return reply.type('application/json; charset=utf-8').header('cache-control', 'no-store').send(await betterAuthErrorBody(response, String(request.id)));
      return reply.send(response.body ? Buffer.from(await response.arrayBuffer()) : null);
    },
  });
}

export default authRoutes;
