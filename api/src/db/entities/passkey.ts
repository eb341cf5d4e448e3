import { defineEntity, p } from '@mikro-orm/core';
import { User } from './auth.js';

/**
 * A passkey (WebAuthn credential) of a user: its public key and signature counter, and how the
 * owner's list shows it. See auth/passkey-store.ts and docs/decisions/022-passkeys-on-simplewebauthn.md.
 */
export const Passkey = defineEntity({
  name: 'Passkey',
  tableName: 'passkey',
  properties: {
    id: p.uuid().primary(),
    user: p.manyToOne(User).fieldName('user_id').deleteRule('cascade').index('passkey_user_id_index'),
    name: p.string().columnType('text'),
    credentialId: p.string().columnType('text').unique('passkey_credential_id_unique'),
    publicKey: p.string().columnType('text'),
    counter: p.bigint().default(0),
    transports: p.string().columnType('text').nullable(),
    deviceType: p.string().columnType('text'),
    backedUp: p.boolean().default(false),
    aaguid: p.string().columnType('text').nullable(),
    createdAt: p.datetime(3).defaultRaw('now()'),
    lastUsedAt: p.datetime(3).nullable(),
  },
});
