// What the account service needs from the world, as plain interfaces: the auth store (better-auth
// and SQL, implemented in auth/account-store.ts), the mailer (infra/mail.ts), the login limits
// (plugins/rate-limits.ts) and the strength estimate (auth/passwords.ts). The service holds the
// rules; these hold no rules.
import type { RequestOrigin } from './events.js';

export interface AccountUser {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
  emailVerified: boolean;
  /** Whether sign-in asks for a second factor (an authenticator app's code or a backup code). */
  twoFactorEnabled: boolean;
}

/** A session a sign-up or sign-in made: its token is the refresh token. */
export interface StartedSession {
  sessionId: string;
  sessionToken: string;
  user: AccountUser;
}

/**
 * What a sign-up did: started a session; created the account without one (verification is
 * required first); or nothing, the address being taken.
 */
export type SignUpOutcome = { kind: 'started'; session: StartedSession } | { kind: 'pending'; userId: string } | { kind: 'taken' };

/** A pending change of address, as its token carries it. */
export interface EmailChange {
  userId: string;
  newEmail: string;
}

export type SignInOutcome =
  | { ok: true; session: StartedSession }
  | { ok: false; reason: 'invalid' | 'not_verified'; userId?: string }
  /** The password was right; the second factor is asked for with this challenge. */
  | { ok: false; reason: 'two_factor'; challenge: string };

/** A sign-in's second step: an authenticator app's code, or one of the backup codes. */
export type SecondFactorProof = { code: string } | { backupCode: string };

export type SecondFactorOutcome =
  | { ok: true; session: StartedSession }
  /** wrong_code: the challenge lives on; challenge: unknown, used, expired or out of attempts; locked: the account's budget of wrong codes is spent. */
  | { ok: false; reason: 'wrong_code' | 'challenge' | 'locked' };

/** The second factor's records: better-auth's twoFactor plugin and SQL (auth/two-factor.ts). */
export interface TwoFactorStore {
  isEnabled(userId: string): Promise<boolean>;
  /** A new TOTP secret for the user, not in force until confirmed. */
  begin(userId: string, email: string): Promise<{ otpauthUri: string; secret: string }>;
  isPending(userId: string): Promise<boolean>;
  /** The first code from the app: second factor on; the ten new backup codes, or null for a wrong code. */
  confirm(userId: string, code: string): Promise<string[] | null>;
  disable(userId: string): Promise<void>;
  replaceBackupCodes(userId: string): Promise<string[]>;
  /** A TOTP code (accepted once) or a backup code (used up). */
  check(userId: string, proof: SecondFactorProof): Promise<boolean>;
}

/** A reset token as the store hands it out once: the token itself is stored only hashed. */
export interface IssuedToken {
  token: string;
  user: AccountUser;
}

export interface AccountStore {
  /** Creates the user, its credential and (unless verification is required) a first session. */
  signUp(input: { email: string; password: string; name: string }, origin: RequestOrigin): Promise<SignUpOutcome>;
  signIn(input: { email: string; password: string }, origin: RequestOrigin): Promise<SignInOutcome>;
  /** The user a live sign-in challenge belongs to, or null. */
  challengeUser(challenge: string): Promise<string | null>;
  /** The second step of a sign-in: a session when the proof is right. */
  completeSignIn(challenge: string, proof: SecondFactorProof, origin: RequestOrigin): Promise<SecondFactorOutcome>;
  findUser(userId: string): Promise<AccountUser | null>;
  findUserByEmail(email: string): Promise<AccountUser | null>;
  /** Whether `password` is the user's current password (no limits applied here). */
  checkPassword(userId: string, password: string): Promise<boolean>;
  /** Replaces the password; every outstanding reset token of the user dies with the old one. */
  setPassword(userId: string, newPassword: string): Promise<void>;
  /** Ends the user's sessions except `keepSessionId` (their refresh and access tokens die at once); returns how many. */
  endSessions(userId: string, keepSessionId?: string): Promise<number>;
  /** Ends one session of the user (logout). */
  endSession(userId: string, sessionId: string): Promise<void>;
  /** Deletes the user (cascade: tasks, sessions, credentials) and kills every token it had. */
  deleteUser(userId: string, currentSessionId: string): Promise<void>;
  updateName(userId: string, name: string): Promise<AccountUser | null>;
  /** A new reset token for the user, valid `ttlSeconds`; any earlier one dies. */
  issueResetToken(userId: string, ttlSeconds: number): Promise<string>;
  /** The user a live reset token belongs to, without using it up; null when it is unknown or expired. */
  peekResetToken(token: string): Promise<string | null>;
  /** Uses the token up and sets the password, ending every session; false when the token is not (or no longer) valid. */
  resetPassword(token: string, newPassword: string): Promise<boolean>;
  /** A token proving the user received mail at their current address, valid `ttlSeconds`. */
  issueVerificationToken(user: AccountUser, ttlSeconds: number): Promise<string>;
  /** A token for moving the user to `newEmail`, valid `ttlSeconds`, stored only hashed; any earlier one dies. */
  issueEmailChangeToken(userId: string, newEmail: string, ttlSeconds: number): Promise<string>;
  /** Uses an e-mail-change token up (once, atomically); null when it is unknown, used, expired or superseded. */
  consumeEmailChangeToken(token: string): Promise<EmailChange | null>;
  /** Every pending e-mail change of the user dies. */
  cancelEmailChanges(userId: string): Promise<void>;
  /** Sets the (verified) address; 'taken' when another account has it, null when the user is gone. */
  changeEmail(userId: string, newEmail: string): Promise<AccountUser | 'taken' | null>;
  /** Marks the address of a verification token verified; the user's id, or null when the token is invalid or expired. */
  confirmEmail(token: string): Promise<string | null>;
}

/** The login and mail-request limits (plugins/rate-limits.ts); each throws RATE_LIMITED when refused. */
export interface AccountLimits {
  beforeLogin(ip: string, email: string): Promise<void>;
  loginFailed(ip: string, email: string): Promise<void>;
  loginSucceeded(ip: string, email: string): Promise<void>;
  beforeRegister(ip: string): Promise<void>;
  registerSucceeded(ip: string): Promise<void>;
  registerRefused(ip: string): Promise<void>;
  beforeForgot(ip: string, email: string): Promise<void>;
  beforeVerificationResend(ip: string, email: string): Promise<void>;
  beforeEmailChange(ip: string, userId: string): Promise<void>;
  /** Before a second-factor code is checked (sign-in, password reset): per address and per account. */
  beforeSecondFactor(ip: string, userId: string): Promise<void>;
  secondFactorFailed(userId: string): Promise<void>;
}

/** One message, both parts already rendered; `link` is what the embedded outbox logs. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The one link of the message (reset, verification, confirmation): logged by the dev outbox only. */
  link?: string;
  /** What kind of mail this is, for the log line ("password_reset", …). */
  kind: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

/** Why a password is refused for this account, as a fragment after "Password ", or null. */
export type PasswordPolicy = (password: string, context: { email?: string; name?: string }) => Promise<string | null>;

/** The structured audit line of an account event (the request's logger in production). */
export interface AuditLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Where a call comes from: the client (for events and limits) and the request's log. */
export interface AccountRequest extends RequestOrigin {
  ip: string;
  log: AuditLog;
}
