// Passkeys (WebAuthn) of an account: the rules. Adding or removing one changes how the account
// can be entered, so both ask for the current password (its guesses count as sign-in attempts);
// renaming needs only the session. Every ceremony counts against the client address's passkey
// budget. A passkey sign-in starts the same session as a password sign-in, with the same log line
// and SIGN_IN event (method "passkey"). Another user's passkey id answers exactly like an unknown
// one (NOT_FOUND). See docs/decisions/022-passkeys-on-simplewebauthn.md.
import { AppError, notFound, unstorableText, validationFailed } from '../domain-errors.js';
import type { Viewer } from '../users/user.types.js';
import { discardSecurityEvents, type SecurityEventSink, type SecurityEventType } from './events.js';
import type { AccountRequest, AccountStore, AccountUser } from './account.types.js';
import type { PasskeyRecord, PasskeyRefusal, PasskeySession, PasskeyStore } from './passkey.types.js';

export const PASSKEY_NAME_MAX = 64;
/** Longer than any passkey id (a UUID): such an id cannot exist. */
const ID_MAX = 64;

/** The address limits a passkey ceremony and a password re-check count against (plugins/rate-limits.ts). */
export interface PasskeyLimits {
  beforePasskeyCeremony(ip: string): Promise<void>;
  beforeLogin(ip: string, email: string): Promise<void>;
  loginFailed(ip: string, email: string): Promise<void>;
  loginSucceeded(ip: string, email: string): Promise<void>;
}

export interface PasskeyServiceOptions {
  passkeys: PasskeyStore;
  accounts: Pick<AccountStore, 'findUser' | 'checkPassword'>;
  limits: PasskeyLimits;
  events?: SecurityEventSink;
}

const REFUSALS: Record<PasskeyRefusal, () => AppError> = {
  challenge: () => new AppError('PASSKEY_CHALLENGE_INVALID', 'This passkey request has expired or was already used. Start again.'),
  origin: () => new AppError('PASSKEY_REJECTED', 'The passkey response was made for another site (its origin is not this one).'),
  invalid: () => new AppError('PASSKEY_REJECTED', 'The passkey response could not be verified.'),
  duplicate: () => new AppError('CONFLICT', 'This passkey is already registered.'),
  unknown: () => new AppError('INVALID_CREDENTIALS', 'This passkey is not registered with any account.'),
};

/** The problem with a passkey's name, or null: 1–64 characters once trimmed, storable text. */
export function passkeyNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'is required';
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'must not be blank';
  if (trimmed.length > PASSKEY_NAME_MAX) return `must be at most ${PASSKEY_NAME_MAX} characters`;
  if (unstorableText(name)) return 'must not contain NUL or unpaired surrogate characters';
  return null;
}

export class PasskeyService {
  private readonly store: PasskeyStore;
  private readonly events: SecurityEventSink;

  constructor(private readonly options: PasskeyServiceOptions) {
    this.store = options.passkeys;
    this.events = options.events ?? discardSecurityEvents;
  }

  private async user(viewer: Viewer): Promise<AccountUser> {
    const user = await this.options.accounts.findUser(viewer.userId);
    if (!user) throw new AppError('UNAUTHENTICATED', 'This account no longer exists.');
    return user;
  }

  /** The current password, re-checked: a wrong one is 401 INVALID_CREDENTIALS and counts as a failed sign-in. */
  private async requirePassword(user: AccountUser, password: string, req: AccountRequest): Promise<void> {
    const { limits } = this.options;
    await limits.beforeLogin(req.ip, user.email);
    if (!(await this.options.accounts.checkPassword(user.id, password))) {
      await limits.loginFailed(req.ip, user.email);
      req.log.info({ event: 'passkey_password_refused', userId: user.id }, 'passkey change refused: wrong password');
      throw new AppError('INVALID_CREDENTIALS', 'Password is incorrect.');
    }
    await limits.loginSucceeded(req.ip, user.email);
  }

  /** Step 1 of adding a passkey: the password, then WebAuthn creation options for the browser. */
  async registrationOptions(viewer: Viewer, input: { password: string }, req: AccountRequest): Promise<unknown> {
    await this.options.limits.beforePasskeyCeremony(req.ip);
    const user = await this.user(viewer);
    await this.requirePassword(user, input.password, req);
    return this.store.creationOptions(user);
  }

  /** Step 2: the authenticator's answer to those options, and the name the user gives the passkey. */
  async register(viewer: Viewer, input: { name: unknown; response: unknown }, req: AccountRequest): Promise<PasskeyRecord> {
    await this.options.limits.beforePasskeyCeremony(req.ip);
    const problem = passkeyNameProblem(input.name);
    if (problem) throw validationFailed([{ field: 'name', message: problem }]);
    const user = await this.user(viewer);
    const outcome = await this.store.register(user.id, (input.name as string).trim(), input.response);
    if (!outcome.ok) {
      req.log.info({ event: 'passkey_registration_refused', userId: user.id, reason: outcome.reason }, 'passkey registration refused');
      throw REFUSALS[outcome.reason]();
    }
    req.log.info({ event: 'passkey_added', userId: user.id, passkeyId: outcome.value.id }, 'passkey added');
    await this.record(req, user.id, 'PASSKEY_ADDED');
    return outcome.value;
  }

  async list(viewer: Viewer): Promise<PasskeyRecord[]> {
    return this.store.list(viewer.userId);
  }

  async rename(viewer: Viewer, id: string, input: { name: unknown }): Promise<PasskeyRecord> {
    const problem = passkeyNameProblem(input.name);
    if (problem) throw validationFailed([{ field: 'name', message: problem }]);
    if (id.length > ID_MAX || unstorableText(id)) throw notFound('Passkey');
    const renamed = await this.store.rename(viewer.userId, id, (input.name as string).trim());
    if (!renamed) throw notFound('Passkey');
    return renamed;
  }

  /** Removes one of the viewer's passkeys; the password first. Another user's id: NOT_FOUND, as an unknown one. */
  async remove(viewer: Viewer, id: string, input: { password: string }, req: AccountRequest): Promise<void> {
    const user = await this.user(viewer);
    await this.requirePassword(user, input.password, req);
    if (id.length > ID_MAX || unstorableText(id) || !(await this.store.remove(user.id, id))) throw notFound('Passkey');
    req.log.info({ event: 'passkey_removed', userId: user.id, passkeyId: id }, 'passkey removed');
    await this.record(req, user.id, 'PASSKEY_REMOVED');
  }

  /** Sign-in step 1 (no account named): WebAuthn request options. */
  async signInOptions(req: AccountRequest): Promise<unknown> {
    await this.options.limits.beforePasskeyCeremony(req.ip);
    return this.store.requestOptions();
  }

  /** Sign-in step 2: the assertion verified, the session started as a password sign-in starts it. */
  async signIn(input: { response: unknown }, req: AccountRequest): Promise<PasskeySession> {
    await this.options.limits.beforePasskeyCeremony(req.ip);
    const outcome = await this.store.authenticate(input.response);
    if (!outcome.ok) {
      req.log.info({ event: 'login_failure', method: 'passkey', reason: outcome.reason }, 'login failed');
      throw REFUSALS[outcome.reason]();
    }
    const session = await this.store.startSession(outcome.value.userId, req);
    req.log.info({ event: 'login_success', method: 'passkey', userId: session.user.id, passkeyId: outcome.value.passkeyId }, 'login succeeded');
    await this.record(req, session.user.id, 'SIGN_IN', 'passkey');
    return session;
  }

  private async record(req: AccountRequest, userId: string, type: SecurityEventType, method?: 'passkey'): Promise<void> {
    try {
      await this.events.record({ userId, type, ip: req.ip, userAgent: req.userAgent, ...(method ? { method } : {}) });
    } catch (error) {
      req.log.error({ event: 'security_event_lost', type, userId, err: { message: (error as Error).message } }, 'security event not recorded');
    }
  }
}
