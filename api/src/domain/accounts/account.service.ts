// The account service: every rule of an account lives here — what a sign-up may contain, the
// bookkeeping of a sign-in (limits, audit lines, security events), logout and deletion, password
// change and reset, the profile name. Transports (REST routes, better-auth's own handler through
// its hooks, GraphQL resolvers) translate to and from it; better-auth calls and SQL sit behind the
// AccountStore (auth/account-store.ts). See docs/decisions/014-account-service.md.
import { NAME_MAX } from '@taskgate/common/limits';
import { AppError, type FieldProblem, unstorableText, validationFailed } from '../domain-errors.js';
import type { Viewer } from '../users/user.types.js';
import { discardSecurityEvents, type SecurityEventSink, type SecurityEventType, type SignInMethod } from './events.js';
import { emailChangeMail, emailChangeNoticeMail, emailInUseMail, passwordChangedMail, passwordResetMail, verificationMail } from './account.mails.js';
import type {
  AccountLimits,
  AccountRequest,
  AccountStore,
  AccountUser,
  AuditLog,
  Mailer,
  PasswordPolicy,
  SecondFactorProof,
  StartedSession,
  TwoFactorStore,
} from './account.types.js';

export const EMAIL_MAX = 254;
/** Minutes a password-reset link stays valid. */
export const RESET_TOKEN_MINUTES = 30;

/** The same e-mail syntax as the REST schemas' `format: "email"` (ajv-formats). */
const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Hours an e-mail verification link stays valid. */
export const VERIFICATION_HOURS = 24;

/** Hours an e-mail-change link stays valid. */
export const EMAIL_CHANGE_HOURS = 24;

export const RESEND_MESSAGE = 'If that address needs verifying, a new link is on its way.';
export const FORGOT_MESSAGE = 'If an account exists for that address, a link to reset its password is on its way.';
export const EMAIL_CHANGE_MESSAGE = 'Check your new address for a link to confirm the change.';
export const VERIFY_FIRST_MESSAGE = 'Check your inbox: follow the link we sent to confirm your address, then sign in.';
export const EMAIL_NOT_VERIFIED_MESSAGE = 'Verify your e-mail address first: follow the link we sent you, or ask for a new one.';
export const INVALID_TOKEN_MESSAGE = 'This link is invalid or has expired. Ask for a new one.';
export const INVALID_CODE_MESSAGE = 'That code is not right. Check your authenticator app (or backup code) and try again.';
export const INVALID_CHALLENGE_MESSAGE = 'This sign-in has expired or was already finished. Sign in again with your password.';

/** A password sign-in that still needs its second factor: the challenge to send with the code. */
export interface TwoFactorChallenge {
  twoFactorRequired: true;
  challenge: string;
}

/** Exactly one of `code` (authenticator app) and `backupCode`, or a validation error. */
function secondFactorProof(input: { code?: string | null; backupCode?: string | null }): SecondFactorProof | null {
  const code = input.code ?? undefined;
  const backupCode = input.backupCode ?? undefined;
  if (code !== undefined && backupCode !== undefined) throw validationFailed([{ field: 'backupCode', message: 'send either code or backupCode, not both' }]);
  if (code !== undefined) return { code };
  if (backupCode !== undefined) return { backupCode };
  return null;
}

/** a***@example.com: enough to correlate, not enough to harvest. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

/** The problem with a display name, or null: 1–100 characters once trimmed, storable text. */
export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'is required';
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'must not be blank';
  if (trimmed.length > NAME_MAX) return `must be at most ${NAME_MAX} characters`;
  if (unstorableText(name)) return 'must not contain NUL or unpaired surrogate characters';
  return null;
}

export function emailProblem(email: unknown): string | null {
  if (typeof email !== 'string') return 'is required';
  if (email.length > EMAIL_MAX || !EMAIL.test(email)) return 'must be a valid email address';
  return null;
}

export interface AccountServiceOptions {
  store: AccountStore;
  twoFactor: TwoFactorStore;
  limits: AccountLimits;
  passwordPolicy: PasswordPolicy;
  mailer: Mailer;
  /** PUBLIC_URL: the origin every link in a mail starts with (never the request's Host). */
  publicUrl: string;
  events?: SecurityEventSink;
  /** The log for work that outlives its request (mails sent after the answer). */
  log: AuditLog;
  /** REQUIRE_EMAIL_VERIFICATION: sign-up starts no session and sign-in waits for a verified address. */
  requireEmailVerification?: boolean;
}

/** What a registration did: signed the new account in, or (verification required) left it to its mail. */
export type RegisterOutcome = { kind: 'started'; session: StartedSession } | { kind: 'pending'; message: string };

export class AccountService {
  private readonly store: AccountStore;
  private readonly twoFactor: TwoFactorStore;
  private readonly limits: AccountLimits;
  private readonly events: SecurityEventSink;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: AccountServiceOptions) {
    this.store = options.store;
    this.twoFactor = options.twoFactor;
    this.limits = options.limits;
    this.events = options.events ?? discardSecurityEvents;
  }

  // --- sign-up ---------------------------------------------------------------------------------

  /**
   * The sign-up rules, for any door: throws VALIDATION_FAILED naming every bad field (name 1–100
   * non-blank, e-mail syntax, password policy given the account's e-mail and name). A password
   * refused by the policy is reported on `password` with the policy's sentence.
   */
  async checkSignUp(input: unknown): Promise<void> {
    const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    const problems: FieldProblem[] = [];
    const email = emailProblem(body.email);
    if (email) problems.push({ field: 'email', message: email });
    const name = nameProblem(body.name);
    if (name) problems.push({ field: 'name', message: name });
    if (typeof body.password !== 'string') problems.push({ field: 'password', message: 'is required' });
    if (problems.length > 0) throw validationFailed(problems);
    const weak = await this.options.passwordPolicy(body.password as string, { email: body.email as string, name: body.name as string });
    if (weak) throw validationFailed([{ field: 'password', message: weak }]);
  }

  /**
   * POST /api/auth/register: the rules, the limits, then the account and its first session. When
   * verification is required there is no session until the address is verified, and a taken
   * address gets the same answer as a new one (the account owner's inbox is the only place that
   * learns anything).
   */
  async register(input: { email: string; password: string; name: string }, req: AccountRequest): Promise<RegisterOutcome> {
    await this.limits.beforeRegister(req.ip);
    try {
      await this.checkSignUp(input);
    } catch (error) {
      await this.limits.registerRefused(req.ip);
      throw error;
    }
    const outcome = await this.store.signUp({ email: input.email.toLowerCase(), password: input.password, name: input.name.trim() }, req);
    if (outcome.kind === 'taken') {
      await this.limits.registerRefused(req.ip);
      if (this.options.requireEmailVerification) return { kind: 'pending', message: VERIFY_FIRST_MESSAGE };
      throw new AppError('EMAIL_TAKEN', 'An account with this email already exists.');
    }
    if (outcome.kind === 'pending') {
      await this.signedUp(outcome.userId, req, false);
      return { kind: 'pending', message: VERIFY_FIRST_MESSAGE };
    }
    await this.signedUp(outcome.session.user.id, req, true);
    return outcome;
  }

  /** better-auth's sign-up door, before it runs: the registration budget. */
  async beforeCookieSignUp(req: AccountRequest): Promise<void> {
    await this.limits.beforeRegister(req.ip);
  }

  /**
   * better-auth's sign-up door, after it answered. Without a session (verification required) it
   * answers a taken address with a made-up user: only an account that exists counts as created.
   */
  async afterCookieSignUp(req: AccountRequest, outcome: { status: number; userId?: string; signedIn: boolean }): Promise<void> {
    if (outcome.status < 300 && outcome.userId && (outcome.signedIn || (await this.store.findUser(outcome.userId)))) {
      await this.signedUp(outcome.userId, req, outcome.signedIn);
    } else if (outcome.status < 500) await this.limits.registerRefused(req.ip);
  }

  private async signedUp(userId: string, req: AccountRequest, signedIn: boolean) {
    await this.limits.registerSucceeded(req.ip);
    req.log.info({ event: 'sign_up', userId }, 'user registered');
    // A sign-up that starts a session signs the new account in.
    if (signedIn) await this.record(req, userId, 'SIGN_IN', 'password');
    this.later(req.log, async () => {
      const user = await this.store.findUser(userId);
      if (user) await this.sendVerification(user);
    });
  }

  // --- e-mail verification -----------------------------------------------------------------------

  private async sendVerification(user: AccountUser): Promise<void> {
    const token = await this.store.issueVerificationToken(user, VERIFICATION_HOURS * 3600);
    await this.options.mailer.send(verificationMail(user, this.link('/verify-email', token), VERIFICATION_HOURS));
  }

  /** A new verification link, when the address has an account that is not verified yet; the answer never says. */
  async resendVerification(email: string, req: AccountRequest): Promise<void> {
    await this.limits.beforeVerificationResend(req.ip, email);
    const address = email.trim().toLowerCase();
    this.later(req.log, async () => {
      const user = await this.store.findUserByEmail(address);
      if (user && !user.emailVerified) await this.sendVerification(user);
    });
  }

  /** The link of a verification mail used: the address is verified. */
  async confirmEmail(token: string, req: AccountRequest): Promise<void> {
    const userId = await this.store.confirmEmail(token);
    if (!userId) throw new AppError('INVALID_TOKEN', INVALID_TOKEN_MESSAGE);
    req.log.info({ event: 'email_verified', userId }, 'e-mail address verified');
    await this.record(req, userId, 'EMAIL_VERIFIED');
  }

  // --- sign-in and out -------------------------------------------------------------------------

  /**
   * POST /api/auth/login. Unknown e-mail and wrong password give the same answer. With the second
   * factor on, the right password gives a challenge instead of a session (completeSignIn).
   */
  async login(input: { email: string; password: string }, req: AccountRequest): Promise<StartedSession | TwoFactorChallenge> {
    await this.limits.beforeLogin(req.ip, input.email);
    const outcome = await this.store.signIn({ email: input.email.toLowerCase(), password: input.password }, req);
    if (outcome.ok) {
      await this.signedIn(req, input.email, outcome.session.user.id);
      return outcome.session;
    }
    if (outcome.reason === 'two_factor') {
      await this.limits.loginSucceeded(req.ip, input.email);
      req.log.info({ event: 'login_second_factor_asked', account: maskEmail(input.email) }, 'password accepted; second factor asked for');
      return { twoFactorRequired: true, challenge: outcome.challenge };
    }
    if (outcome.reason === 'not_verified') {
      await this.limits.loginSucceeded(req.ip, input.email);
      throw new AppError('EMAIL_NOT_VERIFIED', EMAIL_NOT_VERIFIED_MESSAGE);
    }
    await this.signInFailed(req, input.email);
    throw new AppError('INVALID_CREDENTIALS', 'Invalid email or password.');
  }

  /** better-auth's cookie sign-in door, before it runs: the same limits as POST /api/auth/login. */
  async beforeCookieSignIn(req: AccountRequest, email: string): Promise<void> {
    await this.limits.beforeLogin(req.ip, email);
  }

  /** better-auth's cookie sign-in door, after it answered: the same bookkeeping as POST /api/auth/login. */
  async afterCookieSignIn(req: AccountRequest, email: string, outcome: { status: number; userId?: string }): Promise<void> {
    if (outcome.status === 401) await this.signInFailed(req, email);
    else if (outcome.status < 300 && outcome.userId) await this.signedIn(req, email, outcome.userId);
    // The right password of an account with the second factor on (`twoFactorRedirect`, no user yet).
    else if (outcome.status < 300) await this.limits.loginSucceeded(req.ip, email);
  }

  /**
   * POST /api/auth/login/2fa: a sign-in's challenge and its second factor. A wrong code leaves the
   * challenge alive until its fifth; an unknown, used or expired challenge is INVALID_CHALLENGE.
   */
  async completeSignIn(input: { challenge: string; code?: string | null; backupCode?: string | null }, req: AccountRequest): Promise<StartedSession> {
    const proof = secondFactorProof(input);
    if (!proof) throw validationFailed([{ field: 'code', message: 'send the code from your authenticator app, or a backup code' }]);
    const userId = await this.store.challengeUser(input.challenge);
    if (!userId) throw new AppError('INVALID_CHALLENGE', INVALID_CHALLENGE_MESSAGE);
    await this.limits.beforeSecondFactor(req.ip, userId);
    const outcome = await this.store.completeSignIn(input.challenge, proof, req);
    if (outcome.ok) {
      await this.secondFactorPassed(req, userId, proof);
      return outcome.session;
    }
    if (outcome.reason === 'challenge') throw new AppError('INVALID_CHALLENGE', INVALID_CHALLENGE_MESSAGE);
    await this.secondFactorRefused(req, userId);
    if (outcome.reason === 'locked') throw new AppError('RATE_LIMITED', 'Too many wrong codes for this account; try again in 15 minutes.');
    throw new AppError('INVALID_CODE', INVALID_CODE_MESSAGE);
  }

  /** better-auth's second-factor door (verify-totp, verify-backup-code), before it runs: the limits. */
  async beforeCookieSecondFactor(req: AccountRequest, challenge: string | undefined): Promise<string | null> {
    const userId = challenge ? await this.store.challengeUser(challenge) : null;
    if (userId) await this.limits.beforeSecondFactor(req.ip, userId);
    return userId;
  }

  /** better-auth's second-factor door, after it answered: the same bookkeeping as POST /api/auth/login/2fa. */
  async afterCookieSecondFactor(req: AccountRequest, userId: string | null, outcome: { status: number; backupCode: boolean }): Promise<void> {
    if (!userId) return;
    if (outcome.status < 300) await this.secondFactorPassed(req, userId, outcome.backupCode ? { backupCode: '' } : { code: '' });
    else if (outcome.status === 401) await this.secondFactorRefused(req, userId);
  }

  private async secondFactorPassed(req: AccountRequest, userId: string, proof: SecondFactorProof) {
    const method = 'code' in proof ? 'totp' : 'backup_code';
    req.log.info({ event: 'login_success', userId, method }, 'login succeeded');
    await this.record(req, userId, 'SIGN_IN', method);
    if ('backupCode' in proof) await this.record(req, userId, 'BACKUP_CODE_USED');
  }

  private async secondFactorRefused(req: AccountRequest, userId: string) {
    await this.limits.secondFactorFailed(userId);
    req.log.info({ event: 'second_factor_failure', userId }, 'second factor refused');
    await this.record(req, userId, 'SIGN_IN_FAILED');
  }

  private async signedIn(req: AccountRequest, email: string, userId: string) {
    await this.limits.loginSucceeded(req.ip, email);
    req.log.info({ event: 'login_success', userId, method: 'password' }, 'login succeeded');
    await this.record(req, userId, 'SIGN_IN', 'password');
  }

  private async signInFailed(req: AccountRequest, email: string) {
    await this.limits.loginFailed(req.ip, email);
    req.log.info({ event: 'login_failure', account: maskEmail(email) }, 'login failed');
    const user = await this.store.findUserByEmail(email.toLowerCase());
    if (user) await this.record(req, user.id, 'SIGN_IN_FAILED');
  }

  /** The session of the access token ends (its refresh token and its access tokens, everywhere). */
  async logout(viewer: Viewer, req: AccountRequest): Promise<void> {
    await this.store.endSession(viewer.userId, viewer.sessionId);
    req.log.info({ event: 'logout', userId: viewer.userId }, 'session revoked');
    await this.record(req, viewer.userId, 'SIGNED_OUT');
  }

  /** A session better-auth's sign-out ended. */
  async signedOut(userId: string, req: AccountRequest): Promise<void> {
    req.log.info({ event: 'logout', userId }, 'session revoked');
    await this.record(req, userId, 'SIGNED_OUT');
  }

  // --- the account -----------------------------------------------------------------------------

  async me(viewer: Viewer): Promise<AccountUser> {
    const user = await this.store.findUser(viewer.userId);
    if (!user) throw new AppError('UNAUTHENTICATED', 'This account no longer exists.');
    return user;
  }

  async updateProfile(viewer: Viewer, input: { name: unknown }): Promise<AccountUser> {
    const problem = nameProblem(input.name);
    if (problem) throw validationFailed([{ field: 'name', message: problem }]);
    const user = await this.store.updateName(viewer.userId, (input.name as string).trim());
    if (!user) throw new AppError('UNAUTHENTICATED', 'This account no longer exists.');
    return user;
  }

  /** Deletes the account and its tasks; the password is required and its guesses count as logins. */
  async deleteAccount(viewer: Viewer, password: string, req: AccountRequest): Promise<void> {
    const user = await this.me(viewer);
    await this.limits.beforeLogin(req.ip, user.email);
    if (!(await this.store.checkPassword(user.id, password))) {
      await this.limits.loginFailed(req.ip, user.email);
      throw new AppError('INVALID_CREDENTIALS', 'Password is incorrect.');
    }
    await this.record(req, user.id, 'ACCOUNT_DELETED');
    await this.store.deleteUser(user.id, viewer.sessionId);
    req.log.info({ event: 'account_deleted', userId: user.id }, 'account deleted');
  }

  // --- second factor -------------------------------------------------------------------------

  /** The password of a signed-in user, for a change to the second factor: 401 INVALID_CREDENTIALS, no lockout. */
  private async requirePassword(user: AccountUser, password: string, req: AccountRequest, what: string): Promise<void> {
    if (await this.store.checkPassword(user.id, password)) return;
    req.log.info({ event: 'two_factor_change_refused', userId: user.id, change: what }, 'second-factor change refused: wrong password');
    throw new AppError('INVALID_CREDENTIALS', 'Password is incorrect.');
  }

  /** Step one of turning the second factor on: a new secret for the authenticator app (not in force yet). */
  async beginTwoFactor(viewer: Viewer, password: string, req: AccountRequest): Promise<{ otpauthUri: string; secret: string }> {
    const user = await this.me(viewer);
    await this.requirePassword(user, password, req, 'enable');
    if (user.twoFactorEnabled) throw new AppError('CONFLICT', 'Two-factor sign-in is already on; turn it off first to set up another app.');
    return this.twoFactor.begin(user.id, user.email);
  }

  /** Step two: the app's first code turns it on; the ten backup codes are answered this once. */
  async confirmTwoFactor(viewer: Viewer, code: string, req: AccountRequest): Promise<string[]> {
    const user = await this.me(viewer);
    if (user.twoFactorEnabled) throw new AppError('CONFLICT', 'Two-factor sign-in is already on.');
    if (!(await this.twoFactor.isPending(user.id))) throw new AppError('CONFLICT', 'Start with POST /api/auth/2fa/enable: there is no authenticator app to confirm.');
    await this.limits.beforeSecondFactor(req.ip, user.id);
    const codes = await this.twoFactor.confirm(user.id, code);
    if (!codes) {
      await this.limits.secondFactorFailed(user.id);
      throw new AppError('INVALID_CODE', INVALID_CODE_MESSAGE);
    }
    req.log.info({ event: 'two_factor_enabled', userId: user.id }, 'second factor turned on');
    await this.record(req, user.id, 'TWO_FACTOR_ENABLED');
    return codes;
  }

  async disableTwoFactor(viewer: Viewer, password: string, req: AccountRequest): Promise<void> {
    const user = await this.me(viewer);
    await this.requirePassword(user, password, req, 'disable');
    if (!user.twoFactorEnabled && !(await this.twoFactor.isPending(user.id))) throw new AppError('CONFLICT', 'Two-factor sign-in is not on.');
    await this.twoFactor.disable(user.id);
    if (!user.twoFactorEnabled) return;
    req.log.info({ event: 'two_factor_disabled', userId: user.id }, 'second factor turned off');
    await this.record(req, user.id, 'TWO_FACTOR_DISABLED');
  }

  async regenerateBackupCodes(viewer: Viewer, password: string, req: AccountRequest): Promise<string[]> {
    const user = await this.me(viewer);
    await this.requirePassword(user, password, req, 'backup_codes');
    if (!user.twoFactorEnabled) throw new AppError('CONFLICT', 'Two-factor sign-in is not on.');
    const codes = await this.twoFactor.replaceBackupCodes(user.id);
    req.log.info({ event: 'backup_codes_regenerated', userId: user.id }, 'backup codes replaced');
    await this.record(req, user.id, 'BACKUP_CODES_REGENERATED');
    return codes;
  }

  // --- passwords -------------------------------------------------------------------------------

  private async requireStrong(password: string, user: AccountUser, field: string): Promise<void> {
    const problem = await this.options.passwordPolicy(password, { email: user.email, name: user.name });
    if (problem) throw new AppError('WEAK_PASSWORD', `Password ${problem}.`, [{ field, message: problem }]);
  }

  /**
   * A signed-in user changes the password. A wrong current password is 401 INVALID_CREDENTIALS
   * and counts toward no lockout (the caller already holds a valid session). With
   * `revokeOtherSessions`, every other session and its tokens die at once; this one stays.
   */
  async changePassword(
    viewer: Viewer,
    input: { currentPassword: string; newPassword: string; revokeOtherSessions?: boolean | null },
    req: AccountRequest,
  ): Promise<void> {
    const user = await this.me(viewer);
    if (!(await this.store.checkPassword(user.id, input.currentPassword))) {
      req.log.info({ event: 'password_change_refused', userId: user.id }, 'password change refused: wrong current password');
      throw new AppError('INVALID_CREDENTIALS', 'Current password is incorrect.');
    }
    await this.requireStrong(input.newPassword, user, 'newPassword');
    await this.store.setPassword(user.id, input.newPassword);
    const ended = input.revokeOtherSessions ? await this.store.endSessions(user.id, viewer.sessionId) : 0;
    req.log.info({ event: 'password_changed', userId: user.id, endedSessions: ended }, 'password changed');
    await this.record(req, user.id, 'PASSWORD_CHANGED');
    // A change of address asked for under the old password does not outlive it.
    await this.store.cancelEmailChanges(user.id);
    this.later(req.log, () => this.options.mailer.send(passwordChangedMail(user, 'changed')));
  }

  /**
   * Forgot password: the limits (per address and per e-mail) are applied now; looking the account
   * up and mailing happen after the answer, so known and unknown addresses answer alike and as fast.
   */
  async requestPasswordReset(email: string, req: AccountRequest): Promise<void> {
    await this.limits.beforeForgot(req.ip, email);
    const address = email.trim().toLowerCase();
    this.later(req.log, async () => {
      const user = await this.store.findUserByEmail(address);
      if (!user) {
        req.log.info({ event: 'password_reset_unknown', account: maskEmail(address) }, 'password reset asked for an unknown address');
        return;
      }
      const token = await this.store.issueResetToken(user.id, RESET_TOKEN_MINUTES * 60);
      await this.record(req, user.id, 'PASSWORD_RESET_REQUESTED');
      req.log.info({ event: 'password_reset_requested', userId: user.id }, 'password reset link sent');
      await this.options.mailer.send(passwordResetMail(user, this.link('/reset-password', token), RESET_TOKEN_MINUTES));
    });
  }

  /**
   * The link of a reset mail used: the token is spent, the password set, every session ended. With
   * the second factor on, the link alone is not enough: a code or a backup code comes with it
   * (TWO_FACTOR_REQUIRED without one, the token unspent).
   */
  async resetPassword(input: { token: string; newPassword: string; code?: string | null; backupCode?: string | null }, req: AccountRequest): Promise<void> {
    const invalid = () => new AppError('INVALID_TOKEN', INVALID_TOKEN_MESSAGE);
    const userId = await this.store.peekResetToken(input.token);
    const user = userId ? await this.store.findUser(userId) : null;
    if (!user) throw invalid();
    await this.requireStrong(input.newPassword, user, 'newPassword');
    const proof = secondFactorProof(input);
    if (user.twoFactorEnabled) {
      if (!proof) throw new AppError('TWO_FACTOR_REQUIRED', 'This account has two-factor sign-in: send the code from your authenticator app (code) or a backup code (backupCode) with the new password.');
      await this.limits.beforeSecondFactor(req.ip, user.id);
      if (!(await this.twoFactor.check(user.id, proof))) {
        await this.limits.secondFactorFailed(user.id);
        req.log.info({ event: 'second_factor_failure', userId: user.id }, 'password reset refused: wrong second factor');
        throw new AppError('INVALID_CODE', INVALID_CODE_MESSAGE);
      }
      if ('backupCode' in proof) await this.record(req, user.id, 'BACKUP_CODE_USED');
    }
    if (!(await this.store.resetPassword(input.token, input.newPassword))) throw invalid();
    req.log.info({ event: 'password_reset', userId: user.id }, 'password reset; every session ended');
    await this.record(req, user.id, 'PASSWORD_RESET');
    await this.store.cancelEmailChanges(user.id);
    this.later(req.log, () => this.options.mailer.send(passwordChangedMail(user, 'reset')));
  }

  // --- changing the e-mail address ------------------------------------------------------------

  /**
   * A signed-in user asks to move the account to `newEmail`, with the password. Wrong password:
   * 401 INVALID_CREDENTIALS, counted toward no lockout (like a password change). Accepted requests
   * all answer alike, whether or not another account has the address: the lookup and the mails
   * happen after the answer. The new address gets the confirmation link (or, when it is taken, a
   * notice that nothing changed); the current address gets a notice either way.
   */
  async requestEmailChange(viewer: Viewer, input: { newEmail: unknown; password: string }, req: AccountRequest): Promise<void> {
    const given = typeof input.newEmail === 'string' ? input.newEmail.trim() : input.newEmail;
    const problem = emailProblem(given);
    if (problem) throw validationFailed([{ field: 'newEmail', message: problem }]);
    const newEmail = (given as string).toLowerCase();
    const user = await this.me(viewer);
    if (newEmail === user.email) throw validationFailed([{ field: 'newEmail', message: 'is already your address' }]);
    await this.limits.beforeEmailChange(req.ip, user.id);
    if (!(await this.store.checkPassword(user.id, input.password))) {
      req.log.info({ event: 'email_change_refused', userId: user.id }, 'e-mail change refused: wrong password');
      throw new AppError('INVALID_CREDENTIALS', 'Password is incorrect.');
    }
    req.log.info({ event: 'email_change_requested', userId: user.id, to: maskEmail(newEmail) }, 'e-mail change requested');
    await this.record(req, user.id, 'EMAIL_CHANGE_REQUESTED');
    this.later(req.log, async () => {
      const owner = await this.store.findUserByEmail(newEmail);
      if (owner) {
        await this.store.cancelEmailChanges(user.id);
        await this.options.mailer.send(emailInUseMail(newEmail));
      } else {
        const token = await this.store.issueEmailChangeToken(user.id, newEmail, EMAIL_CHANGE_HOURS * 3600);
        await this.options.mailer.send(emailChangeMail({ email: newEmail, name: user.name }, this.link('/confirm-email', token), EMAIL_CHANGE_HOURS));
      }
      await this.options.mailer.send(emailChangeNoticeMail(user, maskEmail(newEmail), 'requested'));
    });
  }

  /**
   * The link of an e-mail-change mail used: the token is spent and the account moves to the new,
   * now verified, address. Unknown, used, expired or superseded: INVALID_TOKEN. An address another
   * account took meanwhile: EMAIL_TAKEN (whoever holds the link reads that inbox).
   */
  async confirmEmailChange(token: string, req: AccountRequest): Promise<AccountUser> {
    const change = await this.store.consumeEmailChangeToken(token);
    const before = change ? await this.store.findUser(change.userId) : null;
    if (!change || !before) throw new AppError('INVALID_TOKEN', INVALID_TOKEN_MESSAGE);
    const after = await this.store.changeEmail(change.userId, change.newEmail);
    if (after === 'taken') throw new AppError('EMAIL_TAKEN', 'Another account already uses this address.');
    if (!after) throw new AppError('INVALID_TOKEN', INVALID_TOKEN_MESSAGE);
    req.log.info({ event: 'email_changed', userId: after.id }, 'e-mail address changed');
    await this.record(req, after.id, 'EMAIL_CHANGED');
    this.later(req.log, () => this.options.mailer.send(emailChangeNoticeMail(before, maskEmail(after.email), 'changed')));
    return after;
  }

  // --- plumbing --------------------------------------------------------------------------------

  /** `${PUBLIC_URL}${path}?token=…`: never from the request. */
  private link(path: string, token: string): string {
    const url = new URL(path, this.options.publicUrl);
    url.searchParams.set('token', token);
    return url.toString();
  }

  private async record(req: AccountRequest, userId: string, type: SecurityEventType, method?: SignInMethod): Promise<void> {
    try {
      await this.events.record({ userId, type, ip: req.ip, userAgent: req.userAgent, ...(method ? { method } : {}) });
    } catch (error) {
      req.log.error({ event: 'security_event_lost', type, userId, err: { message: (error as Error).message } }, 'security event not recorded');
    }
  }

  /** Work after the answer (mails); a failure is logged, never thrown at a client. */
  private later(log: AuditLog, work: () => Promise<void>): void {
    const run = (async () => {
      // Not before the answer is on its way.
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await work();
      } catch (error) {
        log.error({ event: 'account_mail_failed', err: { message: (error as Error).message } }, 'account mail not sent');
      }
    })();
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  /** Resolves when the work started after earlier answers is done (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
