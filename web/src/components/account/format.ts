// Dates and event names on the account page, in the browser's language.

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : DATE_TIME.format(date);
}

const EVENT_NAMES: Record<string, string> = {
  SIGN_IN: 'Signed in',
  SIGN_IN_FAILED: 'Failed sign-in attempt',
  NEW_DEVICE: 'Signed in from a new device',
  SIGNED_OUT: 'Signed out',
  PASSWORD_CHANGED: 'Password changed',
  PASSWORD_RESET_REQUESTED: 'Password reset requested',
  PASSWORD_RESET: 'Password reset',
  EMAIL_CHANGE_REQUESTED: 'Email change requested',
  EMAIL_CHANGED: 'Email address changed',
  EMAIL_VERIFIED: 'Email address verified',
  SESSION_REVOKED: 'Session signed out from another device',
  ACCOUNT_DELETED: 'Account deleted',
  TWO_FACTOR_ENABLED: 'Two-factor sign-in turned on',
  TWO_FACTOR_DISABLED: 'Two-factor sign-in turned off',
  BACKUP_CODES_REGENERATED: 'New backup codes created',
  BACKUP_CODE_USED: 'Backup code used',
  PASSKEY_ADDED: 'Passkey added',
  PASSKEY_REMOVED: 'Passkey removed',
};

/** How a sign-in was made, as the activity list says it after "Signed in". */
const SIGN_IN_METHODS: Record<string, string> = {
  password: 'with the password',
  passkey: 'with a passkey',
  totp: 'with the password and an authenticator code',
  backup_code: 'with the password and a backup code',
};

/**
 * "SIGN_IN", "sign_in" or "sign-in" → "Signed in" (with how, when the method is known, e.g.
 * "Signed in with a passkey"); an unknown type in plain words.
 */
export function describeEventType(type: string, method?: string | null): string {
  const key = type.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  const how = key === 'SIGN_IN' && method ? SIGN_IN_METHODS[method] : undefined;
  if (how) return `Signed in ${how}`;
  const known = EVENT_NAMES[key];
  if (known) return known;
  const words = key.toLowerCase().replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
