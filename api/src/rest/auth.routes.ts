// The REST account endpoints — translation only: each reads the request, calls the account
// service (domain/accounts) and writes its answer. Also better-auth's own handler for the routes of
// it the web app uses (ALLOWED_AUTH_ROUTES), with the account service's bookkeeping around it.
import http from 'node:http';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { fromNodeHeaders } from 'better-auth/node';
import { isAPIError } from 'better-auth/api';
import { ALLOWED_AUTH_ROUTES, mintAccessToken, type Auth } from '../auth/better-auth.js';
import type { RefreshTokenRotator } from '../auth/refresh.js';
import { requireJsonBody } from '../plugins/security.js';
import { AppError, ERROR_CODES, type ErrorCode, type FieldProblem } from '../domain/domain-errors.js';
import { EMAIL_CHANGE_MESSAGE, FORGOT_MESSAGE, RESEND_MESSAGE, type AccountService } from '../domain/accounts/account.service.js';
import type { AccountRequest, AccountUser, StartedSession } from '../domain/accounts/account.types.js';
import { requireViewer } from './rest-viewer.js';
import {
  BackupCodesBody,
  ChangeEmailBody,
  ChangePasswordBody,
  CodeOnlyBody,
  EmailChangedBody,
  DeleteAccountBody,
  LoginSecondFactorBody,
  PasswordOnlyBody,
  TwoFactorChallengeBody,
  TwoFactorSetupBody,
  EmailBody,
  TokenOnlyBody,
  VerifiedBody,
  ForgotPasswordBody,
  LoginBody,
  MeBody,
  MessageBody,
  RefreshBody,
  RegisterBody,
  ResetPasswordBody,
  TokenBody,
  UpdateMeBody,
  errorResponses,
} from './schemas.js';

export interface AuthRoutesOptions {
  auth: Auth;
  accounts: AccountService;
  rotation: RefreshTokenRotator;
  accessTokenTtlSeconds: number;
}

/** The account service's view of a request: who asks (address, user agent) and its log. */
export function accountRequest(request: FastifyRequest): AccountRequest {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua : undefined, log: request.log };
}

function publicUser(user: { id: string; email: string; name: string; createdAt: Date | string }) {
  return { id: user.id, email: user.email, name: user.name, createdAt: new Date(user.createdAt) };
}

function meUser(user: AccountUser) {
  return { ...publicUser(user), emailVerified: user.emailVerified, twoFactorEnabled: user.twoFactorEnabled };
}

const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, opts) => {
  const { auth, accounts, rotation, accessTokenTtlSeconds } = opts;

  /** The token body for a session: its token is the refresh token. */
  async function tokenResponse(session: { id: string; token: string }, user: { id: string; email: string; name: string; createdAt: Date | string }) {
    return {
      user: publicUser(user),
      accessToken: await mintAccessToken(auth, { id: session.id, userId: user.id }),
      tokenType: 'Bearer' as const,
      expiresIn: accessTokenTtlSeconds,
      refreshToken: session.token,
    };
  }
  const started = (s: StartedSession) => tokenResponse({ id: s.sessionId, token: s.sessionToken }, s.user);

  const common = { tags: ['auth'] };
  const bearer = { security: [{ bearerAuth: [] }] };
  app.addHook('onRequest', requireJsonBody);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.post(
    '/api/auth/register',
    {
      schema: {
        ...common,
        summary: 'Create an account; returns tokens',
        description:
          'With REQUIRE_EMAIL_VERIFICATION on: 202 {message} and no tokens, for a new address and a taken one alike; the new account signs in once its address is verified.',
        body: RegisterBody,
        response: { 201: TokenBody, 202: MessageBody, ...errorResponses(400, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const outcome = await accounts.register(request.body, accountRequest(request));
      if (outcome.kind === 'pending') return reply.code(202).send({ message: outcome.message });
      return reply.code(201).send(await started(outcome.session));
    },
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        ...common,
        summary: 'Sign in; returns tokens. 403 EMAIL_NOT_VERIFIED when verification is required and the address is not verified yet.',
        description:
          'With two-factor sign-in on, the right password answers 200 `{twoFactorRequired: true, challenge}` and no tokens: finish at POST /api/auth/login/2fa. A wrong password answers 401 INVALID_CREDENTIALS either way.',
        body: LoginBody,
        response: { 200: Type.Union([TokenBody, TwoFactorChallengeBody]), ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request) => {
      const outcome = await accounts.login(request.body, accountRequest(request));
      return 'challenge' in outcome ? outcome : started(outcome);
    },
  );

  app.post(
    '/api/auth/login/2fa',
    {
      schema: {
        ...common,
        summary: 'Second step of a sign-in with two-factor on: the challenge and a code (or a backup code); returns tokens',
        description:
          'Exactly one of `code` (authenticator app; each code works once, ±30 s of clock skew) and `backupCode` (each works once). A wrong code: 400 INVALID_CODE (the challenge takes 5). An unknown, used, expired (5 minutes) or exhausted challenge: 400 INVALID_CHALLENGE — sign in again. Too many wrong codes for the account: 429.',
        body: LoginSecondFactorBody,
        response: { 200: TokenBody, ...errorResponses(400, 413, 415, 429) },
      },
    },
    async (request) => started(await accounts.completeSignIn(request.body, accountRequest(request))),
  );

  app.post(
    '/api/auth/2fa/enable',
    {
      onRequest: requireViewer,
      schema: {
        ...common,
        ...bearer,
        summary: 'Start two-factor sign-in: a new authenticator-app secret (not in force until POST /api/auth/2fa/verify)',
        description: 'Wrong password: 401 INVALID_CREDENTIALS (counts toward no lockout). Already on: 409 CONFLICT.',
        body: PasswordOnlyBody,
        response: { 200: TwoFactorSetupBody, ...errorResponses(400, 401, 409, 413, 415) },
      },
    },
    async (request) => accounts.beginTwoFactor(request.viewer!, request.body.password, accountRequest(request)),
  );

  app.post(
    '/api/auth/2fa/verify',
    {
      onRequest: requireViewer,
      schema: {
        ...common,
        ...bearer,
        summary: "Turn two-factor sign-in on with the app's first code; answers the ten backup codes, this once",
        description: 'A wrong code: 400 INVALID_CODE. Nothing started (or already on): 409 CONFLICT.',
        body: CodeOnlyBody,
        response: { 200: BackupCodesBody, ...errorResponses(400, 401, 409, 413, 415, 429) },
      },
    },
    async (request) => ({ backupCodes: await accounts.confirmTwoFactor(request.viewer!, request.body.code, accountRequest(request)) }),
  );

  app.post(
    '/api/auth/2fa/disable',
    {
      onRequest: requireViewer,
      schema: {
        ...common,
        ...bearer,
        summary: 'Turn two-factor sign-in off (its secret and backup codes are deleted)',
        description: 'Wrong password: 401 INVALID_CREDENTIALS. Not on: 409 CONFLICT.',
        body: PasswordOnlyBody,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      await accounts.disableTwoFactor(request.viewer!, request.body.password, accountRequest(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/auth/2fa/backup-codes',
    {
      onRequest: requireViewer,
      schema: {
        ...common,
        ...bearer,
        summary: 'Ten new backup codes (answered this once); the old ones stop working',
        description: 'Wrong password: 401 INVALID_CREDENTIALS. Two-factor sign-in not on: 409 CONFLICT.',
        body: PasswordOnlyBody,
        response: { 200: BackupCodesBody, ...errorResponses(400, 401, 409, 413, 415) },
      },
    },
    async (request) => ({ backupCodes: await accounts.regenerateBackupCodes(request.viewer!, request.body.password, accountRequest(request)) }),
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
        return await tokenResponse(outcome.session, outcome.user);
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
      schema: { ...common, ...bearer, summary: 'Revoke the session of the access token (and its refresh token)', response: { 204: Type.Null(), ...errorResponses(401) } },
    },
    async (request, reply) => {
      await accounts.logout(request.viewer!, accountRequest(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    { onRequest: requireViewer, schema: { ...common, ...bearer, summary: 'The signed-in user', response: { 200: MeBody, ...errorResponses(401) } } },
    async (request) => ({ user: meUser(await accounts.me(request.viewer!)) }),
  );

  app.patch(
    '/api/auth/me',
    {
      onRequest: requireViewer,
      schema: { ...common, ...bearer, summary: 'Change your display name (1–100 characters, not blank)', body: UpdateMeBody, response: { 200: MeBody, ...errorResponses(400, 401, 413, 415) } },
    },
    async (request) => ({ user: meUser(await accounts.updateProfile(request.viewer!, request.body)) }),
  );

  app.delete(
    '/api/auth/me',
    {
      onRequest: requireViewer,
      schema: {
        ...common,
        ...bearer,
        summary: 'Delete your account and all its tasks (password required); every token stops working',
        body: DeleteAccountBody,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      await accounts.deleteAccount(request.viewer!, request.body.password, accountRequest(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/auth/password',
    {
      onRequest: requireViewer,
      schema: {
        ...common,
        ...bearer,
        summary: 'Change your password; with revokeOtherSessions every other session ends at once',
        description: 'Wrong current password: 401 INVALID_CREDENTIALS (counts toward no lockout). A new password the policy refuses: 400 WEAK_PASSWORD.',
        body: ChangePasswordBody,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 413, 415) },
      },
    },
    async (request, reply) => {
      await accounts.changePassword(request.viewer!, request.body, accountRequest(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/auth/email',
    {
      onRequest: requireViewer,
      schema: {
        ...common,
        ...bearer,
        summary: 'Ask to change your e-mail address (password required); a link to the new address makes the change',
        description:
          'Wrong password: 401 INVALID_CREDENTIALS (counts toward no lockout). Not an address: 400 VALIDATION_FAILED on newEmail. The same 202 whether or not another account uses the address.',
        body: ChangeEmailBody,
        response: { 202: MessageBody, ...errorResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      await accounts.requestEmailChange(request.viewer!, request.body, accountRequest(request));
      return reply.code(202).send({ message: EMAIL_CHANGE_MESSAGE });
    },
  );

  app.post(
    '/api/auth/email/confirm',
    {
      schema: {
        ...common,
        summary: "Change your e-mail address with the token of the link mailed to the new address",
        description: 'A token that is unknown, used, expired (24 hours) or superseded: 400 INVALID_TOKEN. An address another account took meanwhile: 409 EMAIL_TAKEN.',
        body: TokenOnlyBody,
        response: { 200: EmailChangedBody, ...errorResponses(400, 409, 413, 415) },
      },
    },
    async (request) => {
      const user = await accounts.confirmEmailChange(request.body.token, accountRequest(request));
      return { email: user.email, emailVerified: true as const };
    },
  );

  app.post(
    '/api/auth/password/forgot',
    {
      schema: {
        ...common,
        summary: 'Ask for a password-reset link by e-mail; the same answer whether or not the address has an account',
        body: ForgotPasswordBody,
        response: { 202: MessageBody, ...errorResponses(400, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      await accounts.requestPasswordReset(request.body.email, accountRequest(request));
      return reply.code(202).send({ message: FORGOT_MESSAGE });
    },
  );

  app.post(
    '/api/auth/password/reset',
    {
      schema: {
        ...common,
        summary: "Set a new password with a reset link's token; every session of the account ends",
        description:
          'A token that is unknown, used, expired (30 minutes) or superseded: 400 INVALID_TOKEN. A new password the policy refuses: 400 WEAK_PASSWORD. With two-factor sign-in on, `code` or `backupCode` is required too: without one 400 TWO_FACTOR_REQUIRED, a wrong one 400 INVALID_CODE (the token stays usable in both cases).',
        body: ResetPasswordBody,
        response: { 204: Type.Null(), ...errorResponses(400, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      await accounts.resetPassword(request.body, accountRequest(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/auth/verification/resend',
    {
      schema: {
        ...common,
        summary: 'Ask for a new e-mail verification link; the same answer whatever the address',
        body: EmailBody,
        response: { 202: MessageBody, ...errorResponses(400, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      await accounts.resendVerification(request.body.email, accountRequest(request));
      return reply.code(202).send({ message: RESEND_MESSAGE });
    },
  );

  app.post(
    '/api/auth/verification/confirm',
    {
      schema: {
        ...common,
        summary: "Verify your e-mail address with a verification link's token",
        description: 'A token that is malformed, forged or expired (24 hours): 400 INVALID_TOKEN.',
        body: TokenOnlyBody,
        response: { 200: VerifiedBody, ...errorResponses(400, 413, 415) },
      },
    },
    async (request) => {
      await accounts.confirmEmail(request.body.token, accountRequest(request));
      return { emailVerified: true as const };
    },
  );

  registerBetterAuthHandler(app, auth, accounts);
};

/** The endpoint better-auth will route to, normalised like its router (case, duplicate slashes). */
function betterAuthPath(url: string): string {
  return url.split('?')[0]!.replace(/\/{2,}/g, '/').replace(/\/+$/, '').toLowerCase();
}

const SECOND_FACTOR_PATHS: ReadonlySet<string> = new Set(['/api/auth/two-factor/verify-totp', '/api/auth/two-factor/verify-backup-code']);

/** The value of better-auth's sign-in challenge cookie (`[__Secure-]better-auth.two_factor`), if sent. */
function challengeCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'better-auth.two_factor' || name === '__Secure-better-auth.two_factor') return value.join('=');
  }
  return undefined;
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
  EMAIL_NOT_VERIFIED: 'EMAIL_NOT_VERIFIED',
  INVALID_ORIGIN: 'FORBIDDEN',
  INVALID_CODE: 'INVALID_CODE',
  INVALID_BACKUP_CODE: 'INVALID_CODE',
  INVALID_TWO_FACTOR_COOKIE: 'INVALID_CHALLENGE',
  TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE: 'INVALID_CHALLENGE',
  ACCOUNT_TEMPORARILY_LOCKED: 'RATE_LIMITED',
  MISSING_OR_NULL_ORIGIN: 'FORBIDDEN',
};
const BY_STATUS: Record<number, ErrorCode> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 429: 'RATE_LIMITED' };

/**
 * A better-auth refusal in the API's error shape, `{"error": {code, message, requestId}}`, keeping
 * better-auth's own top-level `code` and `message`, which its browser client reads.
 */
async function betterAuthErrorBody(response: Response, requestId: string) {
  const original = (await response.json().catch(() => null)) as { code?: unknown; message?: unknown; details?: unknown } | null;
  const theirs = typeof original?.code === 'string' ? original.code : undefined;
  const message = typeof original?.message === 'string' && original.message ? original.message : (http.STATUS_CODES[response.status] ?? 'Request refused.');
  const ours = theirs && (ERROR_CODES as readonly string[]).includes(theirs) ? (theirs as ErrorCode) : undefined;
  const code: ErrorCode = ours ?? (theirs ? BETTER_AUTH_CODES[theirs] : undefined) ?? BY_STATUS[response.status] ?? (response.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'VALIDATION_FAILED');
  // The account service's field problems (its sign-up rules, applied in better-auth's before-hook).
  const details = Array.isArray(original?.details) ? (original.details as FieldProblem[]) : undefined;
  return { ...(theirs ? { code: theirs } : {}), message, error: { code, message, ...(details ? { details } : {}), requestId } };
}

/** Everything else under /api/auth/* goes to better-auth's own handler (sign-up/in for the web app, jwks…). */
function registerBetterAuthHandler(app: FastifyInstance, auth: Auth, accounts: AccountService) {
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
      const req = accountRequest(request);
      if (path === '/api/auth/sign-in/email') await accounts.beforeCookieSignIn(req, email);
      if (path === '/api/auth/sign-up/email') await accounts.beforeCookieSignUp(req);
      const secondFactor = SECOND_FACTOR_PATHS.has(path);
      const secondFactorUser = secondFactor ? await accounts.beforeCookieSecondFactor(req, challengeCookie(request.headers.cookie)) : null;
      const headers = fromNodeHeaders(request.headers);
      // better-auth keys on X-Forwarded-For; give it the address Fastify trusts (TRUST_PROXY).
      headers.set('x-forwarded-for', request.ip);
      const init: RequestInit = { method: request.method, headers };
      if (request.method !== 'GET' && request.body !== undefined) init.body = JSON.stringify(request.body);
      const signingOut = path === '/api/auth/sign-out' ? await auth.api.getSession({ headers }).catch(() => null) : null;
      const response = await auth.handler(new Request(url, init));
      const answer = async () => (await response.clone().json().catch(() => null)) as { token?: string | null; user?: { id?: string } } | null;
      const userIdOf = async () => (await answer())?.user?.id;
      if (path === '/api/auth/sign-in/email') await accounts.afterCookieSignIn(req, email, { status: response.status, userId: response.ok ? await userIdOf() : undefined });
      if (path === '/api/auth/sign-up/email') {
        const body = response.ok ? await answer() : null;
        await accounts.afterCookieSignUp(req, { status: response.status, userId: body?.user?.id, signedIn: typeof body?.token === 'string' });
      }
      if (secondFactor) await accounts.afterCookieSecondFactor(req, secondFactorUser, { status: response.status, backupCode: path.endsWith('backup-code') });
      if (path === '/api/auth/sign-out' && response.ok && signingOut) await accounts.signedOut(signingOut.user.id, req);
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
