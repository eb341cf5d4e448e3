// better-auth's twoFactor plugin's table (auth/two-factor.ts), owned by MikroORM like its other
// tables. `lastTotpStep` is ours: the time step of the last TOTP code accepted (replay protection).
import { defineEntity, p } from '@mikro-orm/core';
import { User } from './auth.js';

export const TwoFactor = defineEntity({
  name: 'TwoFactor',
  tableName: 'two_factor',
  properties: {
    id: p.string().primary().columnType('text'),
    secret: p.string().columnType('text'),
    backupCodes: p.string().columnType('text'),
    user: p.oneToOne(User).owner().fieldName('user_id').deleteRule('cascade').unique('two_factor_user_id_unique'),
    verified: p.boolean().default(true),
    failedVerificationCount: p.integer().default(0),
    lockedUntil: p.datetime(3).nullable(),
    lastTotpStep: p.bigint().nullable(),
  },
});
