// better-auth, configured once: email + password, the jwt plugin (EdDSA access tokens) and the
// bearer plugin (the session token works as a Bearer credential on better-auth's own routes).
// It reaches the database through MikroORM's own pool (db/sql.ts): one database, one migration
// system. See docs/decisions/002-better-auth-on-mikro-orm-connection.md.
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { bearer, jwt } from 'better-auth/plugins';
import { createJwk, type JwtOptions } from 'better-auth/plugins/jwt';
import type { SqlPool } from '../db/sql.js';
import { installCallScopedAuthContext } from './async-context.js';
import { PASSWORD_MAX, PASSWORD_MIN, hashPassword, isLegacyHash, passwordProblem, verifyPassword } from './passwords.js';

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
 * better-auth routes the product does not use. Disabled, so the exposed surface is only what the
 * web app and the plan need: sign-up/email, sign-in/email, sign-out, get-session, token, jwks
 * (plus /ok and /error). Listed in README.md.
 */
export const DISABLED_AUTH_PATHS = [
  '/sign-in/social',
  '/callback/:id',
  '/reset-password',
  '/reset-password/:token',
  '/request-password-reset',
  '/verify-password',
  '/verify-email',
  '/send-verification-email',
  '/change-email',
  '/change-password',
  '/update-session',
  '/update-user',
  '/delete-user',
  '/delete-user/callback',
  '/list-sessions',
  '/revoke-session',
  '/revoke-sessions',
  '/revoke-other-sessions',
  '/link-social',
  '/list-accounts',
  '/unlink-account',
  '/refresh-token',
  '/get-access-token',
  '/account-info',
];

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
}

/** The options shared by the app and the adapter conformance suite (database left to the caller). */
export function authTableOptions(): Pick<BetterAuthOptions, 'user' | 'session' | 'account' | 'verification'> {
  return {
    user: {
      fields: AUTH_FIELD_NAMES.user,
      additionalFields: {
        role: { type: 'string', required: false, input: false, defaultValue: 'USER', fieldName: 'role' },
      },
    },
    session: { fields: AUTH_FIELD_NAMES.session },
    account: { fields: AUTH_FIELD_NAMES.account },
    verification: { fields: AUTH_FIELD_NAMES.verification },
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
    // failures apart in the logs; our routes log security events themselves (masked).
    logger: { level: 'error' },
    ...authTableOptions(),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      autoSignIn: true,
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
    disabledPaths: DISABLED_AUTH_PATHS,
    // Our own limiter (rest/auth-limits.ts) guards both our routes and better-auth's handler, in
    // every environment, shared through Redis when configured.
    rateLimit: { enabled: false },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== '/sign-up/email') return;
        const password = (ctx.body as { password?: unknown } | undefined)?.password;
        const problem = typeof password === 'string' ? passwordProblem(password) : null;
        if (problem) {
          throw new APIError('BAD_REQUEST', { code: 'PASSWORD_REJECTED', message: `Password ${problem}.` });
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
    plugins: [
      jwt(jwtOptions(settings)),
      bearer(),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
