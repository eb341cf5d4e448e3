// better-auth, configured once: email + password, the jwt plugin (EdDSA access tokens) and the
// bearer plugin (the session token works as a Bearer credential on better-auth's own routes).
// It reaches the database through MikroORM's own pool (db/sql.ts): one database, one migration
// system. See docs/decisions/002-better-auth-on-mikro-orm-connection.md.
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { bearer, jwt } from 'better-auth/plugins';
import type { SqlPool } from '../db/sql.js';

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

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export interface AuthSettings {
  secret: string;
  /** better-auth's base URL: the public origin of the API (or of the web app proxying to it). */
  baseURL: string;
  trustedOrigins: string[];
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  production: boolean;
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

export function createAuth(settings: AuthSettings, pool: SqlPool) {
  return betterAuth({
    appName: 'Taskgate',
    baseURL: settings.baseURL,
    basePath: '/api/auth',
    secret: settings.secret,
    trustedOrigins: [...new Set([settings.baseURL, ...settings.trustedOrigins])],
    database: pool,
    telemetry: { enabled: false },
    ...authTableOptions(),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      autoSignIn: true,
    },
    advanced: {
      useSecureCookies: settings.baseURL.startsWith('https://'),
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax' },
    },
    plugins: [
      jwt({
        jwks: { keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' } },
        jwt: {
          issuer: settings.issuer,
          audience: settings.audience,
          expirationTime: `${settings.accessTokenTtlSeconds}s`,
          // Only what the API needs: the default payload is the whole user object.
          definePayload: ({ session }) => ({ sid: session.id }),
        },
        schema: { jwks: { fields: AUTH_FIELD_NAMES.jwks } },
      }),
      bearer(),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
