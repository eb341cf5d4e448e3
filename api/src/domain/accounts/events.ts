// Security events of an account: what the account service reports as it applies its rules, and
// what the user later sees in their activity list. A sink records them (the database in the app,
// a list in a test); the structured log line is written next to it by the same call site.

export const SECURITY_EVENT_TYPES = [
  'SIGN_IN',
  'SIGN_IN_FAILED',
  'NEW_DEVICE',
  'SIGNED_OUT',
  'PASSWORD_CHANGED',
  'PASSWORD_RESET_REQUESTED',
  'PASSWORD_RESET',
  'EMAIL_CHANGE_REQUESTED',
  'EMAIL_CHANGED',
  'EMAIL_VERIFIED',
  'SESSION_REVOKED',
  'ACCOUNT_DELETED',
  'TWO_FACTOR_ENABLED',
  'TWO_FACTOR_DISABLED',
  'BACKUP_CODES_REGENERATED',
  'BACKUP_CODE_USED',
  'PASSKEY_ADDED',
  'PASSKEY_REMOVED',
] as const;

export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/** How a SIGN_IN was made: the password alone, a passkey, the password and an authenticator app's code, or the password and a backup code. */
export const SIGN_IN_METHODS = ['password', 'passkey', 'totp', 'backup_code'] as const;

export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** Where a request came from, as far as an account event needs it. Never a token or a password. */
export interface RequestOrigin {
  /** The client's address as the server sees it (trust-proxy applied); stored only coarsened. */
  ip?: string;
  userAgent?: string;
}

export interface SecurityEventInput extends RequestOrigin {
  userId: string;
  type: SecurityEventType;
  /** How a SIGN_IN was made; kept with the event and shown in the owner's activity list. */
  method?: SignInMethod;
}

export interface SecurityEventSink {
  record(event: SecurityEventInput): Promise<void>;
}

/** A sink that keeps nothing: the default until a persistent one is wired in. */
export const discardSecurityEvents: SecurityEventSink = { record: async () => {} };
