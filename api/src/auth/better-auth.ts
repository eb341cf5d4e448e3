// better-auth, configured once: email + password and the jwt plugin (EdDSA access tokens). Its
// HTTP routes take the session cookie only (no bearer plugin): a refresh token (the session token)
// becomes an access token solely through POST /api/auth/refresh, which rotates it.
// It reaches the database through MikroORM's own pool (db/sql.ts): one database, one migration
// system. See docs/decisions/002-better-auth-on-mikro-orm-connection.md.
import { createHash } from 'node:crypto';
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { APIError, createAuthMiddleware, isAPIError } from 'better-auth/api';
import { jwt } from 'better-auth/plugins';
import { createJwk, type JwtOptions } from 'better-auth/plugins/jwt';
import type { SqlPool } from '../db/sql.js';
import { installCallScopedAuthContext } from './async-context.js';
import { passkeySessions } from './passkey-session.js';
import { PASSWORD_MAX, PASSWORD_MIN, hashPassword, isLegacyHash, verifyPassword } from './passwords.js';
import { AppError } from '../domain/domain-errors.js';
import { challengeIdentifierStorage, twoFactorPlugins } from './two-factor.js';
import type { FastifyBaseLogger } from 'fastify';

export { PASSWORD_MAX, PASSWORD_MIN };

/** snake_case column names of better-auth's models, as created by db/migrations. */
export const AUTH_FIELD_NAMES = {
  user: { emailVerified: 'email_verified', createdAt: 'created_at', updatedAt: 'updated_at' },
  session: {
    expiresAt: 'expires_at',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
    ipAddress: 'ip_address',
    userAgent: 'user_agent',
    userId: 'user_id',
  },
  account: {
    accountId: 'account_id',
    providerId: 'provider_id',
    userId: 'user_id',
    accessToken: 'access_token',
    refreshToken: 'refresh_token',
    idToken: 'id_token',
    accessTokenExpiresAt: 'access_token_expires_at',
    refreshTokenExpiresAt: 'refresh_token_expires_at',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
  },
  verification: { expiresAt: 'expires_at', createdAt: 'created_at', updatedAt: 'updated_at' },
  jwks: { publicKey: 'public_key', privateKey: 'private_key', createdAt: 'created_at', expiresAt: 'expires_at' },
} as const;

/**
 * The better-auth routes reachable over HTTP, exactly (method and path under /api/auth): what the
 * web app uses. Everything else better-auth would serve answers 404 before it runs — an allow-list,
 * because its `disabledPaths` misses parametrised paths such as `/callback/:id`.
 */
export const ALLOWED_AUTH_ROUTES: ReadonlySet<string> = new Set([
  'POST /sign-up/email',
  'POST /sign-in/email',
  'POST /sign-out',
  'GET /get-session',
  'GET /token',
  'GET /jwks',
  'GET /ok',
  // The second factor of a cookie sign-in that answered `twoFactorRedirect` (auth/two-factor.ts).
  'POST /two-factor/verify-totp',
  'POST /two-factor/verify-backup-code',
]);

/** Identifier prefix of a password-reset token in the verification table (the rest is a hash). */
export const RESET_PREFIX = 'reset-password:';
/** Identifier prefix of an e-mail-change token in the verification table (the rest is a hash). */
export const EMAIL_CHANGE_PREFIX = 'change-email:';

const hashedAs = (prefix: string) => ({ hash: async (identifier: string) => prefix + createHash('sha256').update(identifier).digest('base64url') });

/**
 * How verification identifiers are stored: reset and e-mail-change tokens only as
 * `<prefix><SHA-256>`, so the table never holds a usable token and a user's tokens can still be
 * found by their prefix.
 */
const storeIdentifier = {
  default: 'plain' as const,
  overrides: {
    [RESET_PREFIX]: hashedAs(RESET_PREFIX),
    [EMAIL_CHANGE_PREFIX]: hashedAs(EMAIL_CHANGE_PREFIX),
    ...challengeIdentifierStorage,
  },
};

export interface AuthSettings {
  secret: string;
  /** better-auth's base URL: the public origin of the API (or of the web app proxying to it). */
  baseURL: string;
  trustedOrigins: string[];
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  production: boolean;
  /** Called when better-auth deletes a session (sign-out), so its access tokens die at once. */
  onSessionDeleted: (sessionId: string) => Promise<void>;
  /** better-auth's own log lines go here, at the level they deserve. */
  log: FastifyBaseLogger;
  /**
   * The account service's sign-up rules (throws AppError), applied to a sign-up arriving through
   * better-auth's HTTP handler; server-side calls (POST /api/auth/register) have applied them already.
   */
  checkSignUp: (body: unknown) => Promise<void>;
  /** REQUIRE_EMAIL_VERIFICATION: no session for an unverified address (sign-in 403, sign-up without a session). */
  requireEmailVerification?: boolean;
}

/** How long a session (a refresh token, the web app's cookie) lives: better-auth's default, stated. */
export const SESSION_LIFETIME_SECONDS = 7 * 24 * 3600;

/** The options shared by the app and the adapter conformance suite (database left to the caller). */
export function authTableOptions(): Pick<BetterAuthOptions, 'user' | 'session' | 'account' | 'verification'> {
  return {
    user: {
      fields: AUTH_FIELD_NAMES.user,
      additionalFields: {
        role: { type: 'string', required: false, input: false, defaultValue: 'USER', fieldName: 'role' },
      },
    },
    session: { fields: AUTH_FIELD_NAMES.session, expiresIn: SESSION_LIFETIME_SECONDS },
    account: { fields: AUTH_FIELD_NAMES.account },
    verification: { fields: AUTH_FIELD_NAMES.verification, storeIdentifier },
  };
}

/** The jwt plugin's options: also what keys:rotate needs to mint a key the same way. */
export function jwtOptions(settings: Pick<AuthSettings, 'issuer' | 'audience' | 'accessTokenTtlSeconds'>): JwtOptions {
  return {
    jwks: { keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' } },
    jwt: {
      issuer: settings.issuer,
      audience: settings.audience,
      expirationTime: `${settings.accessTokenTtlSeconds}s`,
      // Only what the API needs: the default payload is the whole user object.
      definePayload: ({ session }) => ({ sid: session.id }),
    },
    schema: { jwks: { fields: AUTH_FIELD_NAMES.jwks } },
  };
}

/**
 * Adds a new signing key (key rotation). New tokens are signed with it at once; tokens signed
 * with older keys stay valid until they expire, because the JWKS keeps serving those keys.
 */
export async function rotateSigningKey(auth: Auth, settings: Parameters<typeof jwtOptions>[0]): Promise<string> {
  const created = (await createJwk({ context: await auth.$context } as never, jwtOptions(settings))) as { id: string };
  return created.id;
}

export function createAuth(settings: AuthSettings, pool: SqlPool) {
  installCallScopedAuthContext();
  return betterAuth({
    appName: 'Taskgate',
    baseURL: settings.baseURL,
    basePath: '/api/auth',
    secret: settings.secret,
    trustedOrigins: [...new Set([settings.baseURL, ...settings.trustedOrigins])],
    database: pool,
    telemetry: { enabled: false },
    // better-auth's own warnings ("User not found" / "Invalid password") would tell the two login
    // failures apart in the logs; our routes log security events themselves (masked). What it
    // still logs goes through our logger.
    logger: {
      level: 'error',
      log: (level, message, ...args) => {
        const log = level === 'error' ? settings.log.error : level === 'warn' ? settings.log.warn : settings.log.debug;
        log.call(settings.log, { source: 'better-auth', args: args.map((a) => (a instanceof Error ? a.message : a)) }, message);
      },
    },
    // A refused request (wrong password, weak password, taken e-mail) is the user's mistake, not
    // the server's: debug. Anything else better-auth throws is an error.
    onAPIError: {
      onError(error) {
        if (isAPIError(error) && error.statusCode < 500) {
          settings.log.debug({ source: 'better-auth', status: error.statusCode, code: (error.body as { code?: string } | undefined)?.code }, 'better-auth refused a request');
        } else {
          settings.log.error({ source: 'better-auth', err: error }, 'better-auth failed');
        }
      },
    },
    ...authTableOptions(),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      autoSignIn: true,
      // On: sign-in with the right password answers 403 EMAIL_NOT_VERIFIED for an unverified
      // address, and sign-up creates the account without a session, answering alike whether or not
      // the address was taken (the account service mails the verification link itself).
      requireEmailVerification: settings.requireEmailVerification ?? false,
      // A password reset ends every session of the user (the delete hook below revokes their tokens).
      revokeSessionsOnPasswordReset: true,
      password: {
        hash: hashPassword,
        async verify({ hash, password }) {
          const ok = await verifyPassword(hash, password);
          if (ok && isLegacyHash(hash)) {
            // Upgrade a better-auth default (scrypt) hash to argon2id on the login that proves it.
            await pool.query('update account set password = $1, updated_at = now() where password = $2', [
              await hashPassword(password),
              hash,
            ]);
          }
          return ok;
        },
      },
    },
    // Our own limiter (plugins/rate-limits.ts) guards both our routes and better-auth's handler, in
    // every environment, shared through Redis when configured.
    rateLimit: { enabled: false },
    hooks: {
      // Sign-ups through better-auth's own HTTP handler obey the account service's rules. A call
      // without a request is the server's own (POST /api/auth/register), which checked them first.
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== '/sign-up/email' || !ctx.request) return;
        try {
          await settings.checkSignUp(ctx.body);
          // Stored trimmed, as POST /api/auth/register stores it.
          const body = ctx.body as { name: string };
          return { context: { body: { ...body, name: body.name.trim() } } };
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          const onPassword = error.details?.length === 1 && error.details[0]!.field === 'password';
          throw new APIError('BAD_REQUEST', {
            // better-auth's browser client (the web app) knows PASSWORD_REJECTED.
            code: onPassword ? 'PASSWORD_REJECTED' : error.code,
            message: onPassword ? `Password ${error.details![0]!.message}.` : error.message,
            details: error.details,
          });
        }
      }),
    },
    databaseHooks: {
      session: {
        delete: {
          after: async (session) => {
            await settings.onSessionDeleted(session.id);
          },
        },
      },
    },
    advanced: {
      useSecureCookies: settings.baseURL.startsWith('https://'),
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax' },
    },
    plugins: [jwt(jwtOptions(settings)), ...twoFactorPlugins(pool, 'Taskgate'), passkeySessions()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

/**
 * An access token for a session, signed by the jwt plugin with its current key and its issuer,
 * audience and lifetime: the same token `GET /api/auth/token` gives the web app for its cookie.
 */
export async function mintAccessToken(auth: Auth, session: { id: string; userId: string }): Promise<string> {
  const { token } = await auth.api.signJWT({
    body: { payload: { sub: session.userId, sid: session.id, iat: Math.floor(Date.now() / 1000) } },
  });
  return token;
}
