// better-auth's tables (user, session, account, verification, jwks), owned by MikroORM so that one
// migration system creates the whole database. Columns are snake_case; better-auth is told the
// names through each model's `fields` option (see auth/better-auth.ts, AUTH_FIELD_NAMES).
import { defineEntity, p } from '@mikro-orm/core';

export const User = defineEntity({
  name: 'User',
  tableName: 'user',
  properties: {
    id: p.string().primary().columnType('text'),
    name: p.string().columnType('text'),
    email: p.string().columnType('text').unique('user_email_unique'),
    emailVerified: p.boolean().default(false),
    image: p.string().columnType('text').nullable(),
    role: p.string().columnType('text').default('USER'),
    // better-auth's twoFactor plugin (auth/two-factor.ts).
    twoFactorEnabled: p.boolean().default(false),
    createdAt: p.datetime(3).defaultRaw('now()'),
    updatedAt: p.datetime(3).defaultRaw('now()'),
  },
});

export const Session = defineEntity({
  name: 'Session',
  tableName: 'session',
  properties: {
    id: p.string().primary().columnType('text'),
    expiresAt: p.datetime(3).index('session_expires_at_index'),
    token: p.string().columnType('text').unique('session_token_unique'),
    createdAt: p.datetime(3).defaultRaw('now()'),
    updatedAt: p.datetime(3).defaultRaw('now()'),
    ipAddress: p.string().columnType('text').nullable(),
    userAgent: p.string().columnType('text').nullable(),
    user: p.manyToOne(User).fieldName('user_id').deleteRule('cascade').index('session_user_id_index'),
  },
});

export const Account = defineEntity({
  name: 'Account',
  tableName: 'account',
  properties: {
    id: p.string().primary().columnType('text'),
    accountId: p.string().columnType('text'),
    providerId: p.string().columnType('text'),
    user: p.manyToOne(User).fieldName('user_id').deleteRule('cascade').index('account_user_id_index'),
    accessToken: p.string().columnType('text').nullable(),
    refreshToken: p.string().columnType('text').nullable(),
    idToken: p.string().columnType('text').nullable(),
    accessTokenExpiresAt: p.datetime(3).nullable(),
    refreshTokenExpiresAt: p.datetime(3).nullable(),
    scope: p.string().columnType('text').nullable(),
    password: p.string().columnType('text').nullable(),
    createdAt: p.datetime(3).defaultRaw('now()'),
    updatedAt: p.datetime(3).defaultRaw('now()'),
  },
});

export const Verification = defineEntity({
  name: 'Verification',
  tableName: 'verification',
  properties: {
    id: p.string().primary().columnType('text'),
    identifier: p.string().columnType('text').index('verification_identifier_index'),
    value: p.string().columnType('text'),
    expiresAt: p.datetime(3).index('verification_expires_at_index'),
    createdAt: p.datetime(3).defaultRaw('now()'),
    updatedAt: p.datetime(3).defaultRaw('now()'),
  },
});

export const Jwks = defineEntity({
  name: 'Jwks',
  tableName: 'jwks',
  properties: {
    id: p.string().primary().columnType('text'),
    publicKey: p.string().columnType('text'),
    privateKey: p.string().columnType('text'),
    alg: p.string().columnType('text').nullable(),
    crv: p.string().columnType('text').nullable(),
    createdAt: p.datetime(3).defaultRaw('now()'),
    expiresAt: p.datetime(3).nullable(),
  },
});

/** Exchanged refresh tokens (SHA-256) and the session that replaced each: reuse detection. */
export const RefreshRotation = defineEntity({
  name: 'RefreshRotation',
  tableName: 'refresh_rotation',
  properties: {
    tokenHash: p.string().primary().columnType('text'),
    user: p.manyToOne(User).fieldName('user_id').deleteRule('cascade'),
    successorSessionId: p.string().columnType('text').index('refresh_rotation_successor_index'),
    createdAt: p.datetime(3).defaultRaw('now()').index('refresh_rotation_created_at_index'),
  },
});
