import { defineEntity, p } from '@mikro-orm/core';
import { User } from './auth.js';

/**
 * A security event of an account, as its owner sees it in the activity list (see
 * domain/accounts/security-activity.service.ts). Coarse origin only; kept 90 days (db/cleanup.ts).
 */
export const SecurityEvent = defineEntity({
  name: 'SecurityEvent',
  tableName: 'security_event',
  properties: {
    id: p.uuid().primary(),
    user: p.manyToOne(User).fieldName('user_id').deleteRule('cascade'),
    type: p.string().columnType('text'),
    createdAt: p.datetime(3).defaultRaw('now()').index('security_event_created_at_index'),
    ip: p.string().columnType('text').nullable(),
    device: p.string().columnType('text').nullable(),
    /** How a SIGN_IN was made (events.ts SIGN_IN_METHODS); null for other events. */
    method: p.string().columnType('text').nullable(),
  },
  indexes: [
    {
      name: 'security_event_user_created_id_index',
      expression: 'create index "security_event_user_created_id_index" on "security_event" ("user_id", "created_at" desc, "id" desc)',
    },
  ],
});
