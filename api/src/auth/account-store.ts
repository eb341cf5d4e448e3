// The account service's store: better-auth's API and internal adapter, and the few SQL statements
// better-auth has no call for. No rules here — the account service (domain/accounts) decides.
import { randomBytes } from 'node:crypto';
import { createEmailVerificationToken, isAPIError } from 'better-auth/api';
import type { SqlPool } from '../db/sql.js';
import { validationFailed } from '../domain/domain-errors.js';
import type { AccountStore, AccountUser, EmailChange, SecondFactorOutcome, SecondFactorProof, SignInOutcome, SignUpOutcome, StartedSession } from '../domain/accounts/account.types.js';
import type { RequestOrigin } from '../domain/accounts/events.js';
import type { Auth } from './better-auth.js';
import { EMAIL_CHANGE_PREFIX, RESET_PREFIX } from './better-auth.js';
import { CHALLENGE_PREFIX } from './two-factor.js';

function apiErrorCode(error: unknown): string | undefined {
  if (!isAPIError(error)) return undefined;
  return (error.body as { code?: string } | undefined)?.code;
}

/** Headers better-auth sees for a call made on the client's behalf (IP, user agent; no cookies). */
export function originHeaders(origin: RequestOrigin): Headers {
  const headers = new Headers();
  if (origin.userAgent) headers.set('user-agent', origin.userAgent);
  if (origin.ip) headers.set('x-forwarded-for', origin.ip);
  return headers;
}

const USER_COLUMNS = 'id, email, name, created_at as "createdAt", email_verified as "emailVerified", two_factor_enabled as "twoFactorEnabled"';

/** better-auth's answers to a second factor that mean the challenge is gone (used, expired, out of attempts). */
const DEAD_CHALLENGE = new Set(['INVALID_TWO_FACTOR_COOKIE', 'TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE', 'TOTP_NOT_ENABLED', 'BACKUP_CODES_NOT_ENABLED']);

export class BetterAuthAccountStore implements AccountStore {
  constructor(
    private readonly auth: Auth,
    private readonly db: SqlPool,
    /** Makes a session's access tokens invalid everywhere at once (Redis when configured). */
    private readonly revokeSession: (sessionId: string) => Promise<void>,
  ) {}

  private async started(token: string): Promise<StartedSession> {
    const found = await (await this.auth.$context).internalAdapter.findSession(token);
    if (!found) throw new Error('the session just created was not found');
    const user = await this.findUser(found.user.id);
    if (!user) throw new Error('the user just signed in was not found');
    return { sessionId: found.session.id, sessionToken: token, user };
  }

  async signUp(input: { email: string; password: string; name: string }, origin: RequestOrigin): Promise<SignUpOutcome> {
    try {
      const result = await this.auth.api.signUpEmail({ body: input, headers: originHeaders(origin) });
      if (result.token) return { kind: 'started', session: await this.started(result.token) };
      // No session: verification is required. better-auth then answers a taken address with a
      // made-up user, so whether the account was created is known only by looking it up.
      return (await this.findUser(result.user.id)) ? { kind: 'pending', userId: result.user.id } : { kind: 'taken' };
    } catch (error) {
      const code = apiErrorCode(error);
      if (code?.startsWith('USER_ALREADY_EXISTS')) return { kind: 'taken' };
      if (code === 'INVALID_EMAIL') throw validationFailed([{ field: 'email', message: 'must be a valid email address' }]);
      throw error;
    }
  }

  /** The name of better-auth's sign-in challenge cookie, whose value a REST client gets as its challenge. */
  private async challengeCookie(): Promise<string> {
    return (await this.auth.$context).createAuthCookie('two_factor').name;
  }

  async signIn(input: { email: string; password: string }, origin: RequestOrigin): Promise<SignInOutcome> {
    try {
      const { headers, response } = await this.auth.api.signInEmail({ body: input, headers: originHeaders(origin), returnHeaders: true });
      if ('twoFactorRedirect' in response && response.twoFactorRedirect) {
        // The twoFactor plugin ended the session and set its signed challenge cookie instead.
        const name = await this.challengeCookie();
        const line = headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
        const challenge = line?.slice(name.length + 1).split(';')[0];
        if (!challenge) throw new Error('sign-in asked for a second factor without a challenge');
        return { ok: false, reason: 'two_factor', challenge };
      }
      return { ok: true, session: await this.started((response as { token: string }).token) };
    } catch (error) {
      const code = apiErrorCode(error);
      if (code === 'EMAIL_NOT_VERIFIED') return { ok: false, reason: 'not_verified' };
      if (code === 'INVALID_EMAIL_OR_PASSWORD' || code === 'INVALID_EMAIL' || code === 'INVALID_PASSWORD') return { ok: false, reason: 'invalid' };
      throw error;
    }
  }

  async challengeUser(challenge: string): Promise<string | null> {
    let signed: string;
    try {
      signed = decodeURIComponent(challenge);
    } catch {
      return null;
    }
    const identifier = signed.slice(0, Math.max(0, signed.lastIndexOf('.')));
    if (!identifier.startsWith(CHALLENGE_PREFIX)) return null;
    const found = await (await this.auth.$context).internalAdapter.findVerificationValue(identifier);
    if (!found || new Date(found.expiresAt).getTime() <= Date.now()) return null;
    return found.value;
  }

  async completeSignIn(challenge: string, proof: SecondFactorProof, origin: RequestOrigin): Promise<SecondFactorOutcome> {
    // better-auth's own verification routes, with the challenge as the cookie they read: the same
    // rules (auth/two-factor.ts) as the cookie door.
    const headers = originHeaders(origin);
    headers.set('cookie', `${await this.challengeCookie()}=${challenge}`);
    try {
      const result =
        'code' in proof
          ? await this.auth.api.verifyTOTP({ body: { code: proof.code }, headers })
          : await this.auth.api.verifyBackupCode({ body: { code: proof.backupCode }, headers });
      if (!result.token) throw new Error('a second factor accepted gave no session');
      return { ok: true, session: await this.started(result.token) };
    } catch (error) {
      const code = apiErrorCode(error);
      if (code === 'INVALID_CODE' || code === 'INVALID_BACKUP_CODE') return { ok: false, reason: 'wrong_code' };
      if (code === 'ACCOUNT_TEMPORARILY_LOCKED') return { ok: false, reason: 'locked' };
      if (code && DEAD_CHALLENGE.has(code)) return { ok: false, reason: 'challenge' };
      throw error;
    }
  }

  async findUser(userId: string): Promise<AccountUser | null> {
    const { rows } = await this.db.query<AccountUser>(`select ${USER_COLUMNS} from "user" where id = $1`, [userId]);
    return rows[0] ?? null;
  }

  async findUserByEmail(email: string): Promise<AccountUser | null> {
    const { rows } = await this.db.query<AccountUser>(`select ${USER_COLUMNS} from "user" where email = $1`, [email.toLowerCase()]);
    return rows[0] ?? null;
  }

  async checkPassword(userId: string, password: string): Promise<boolean> {
    const ctx = await this.auth.$context;
    const stored = (await ctx.internalAdapter.findAccounts(userId)).find((a) => a.providerId === 'credential')?.password;
    if (!stored) return false;
    return ctx.password.verify({ hash: stored, password });
  }

  async setPassword(userId: string, newPassword: string): Promise<void> {
    const ctx = await this.auth.$context;
    await ctx.internalAdapter.updatePassword(userId, await ctx.password.hash(newPassword));
    await this.deleteResetTokens(userId);
  }

  async endSessions(userId: string, keepSessionId?: string): Promise<number> {
    const { rows } = await this.db.query<{ id: string }>('delete from "session" where user_id = $1 and id <> $2 returning id', [userId, keepSessionId ?? '']);
    await Promise.all(rows.map((r) => this.revokeSession(r.id)));
    return rows.length;
  }

  async endSession(userId: string, sessionId: string): Promise<void> {
    await this.db.query('delete from "session" where id = $1 and user_id = $2', [sessionId, userId]);
    await this.revokeSession(sessionId);
  }

  async deleteUser(userId: string, currentSessionId: string): Promise<void> {
    const { rows } = await this.db.query<{ id: string }>('select id from "session" where user_id = $1', [userId]);
    await this.db.query('delete from "user" where id = $1', [userId]);
    await this.db.query('delete from verification where value = $1', [userId]);
    await this.cancelEmailChanges(userId);
    await Promise.all([...new Set([...rows.map((r) => r.id), currentSessionId])].map((sid) => this.revokeSession(sid)));
  }

  async updateName(userId: string, name: string): Promise<AccountUser | null> {
    const { rows } = await this.db.query<AccountUser>(`update "user" set name = $2, updated_at = now() where id = $1 returning ${USER_COLUMNS}`, [userId, name]);
    return rows[0] ?? null;
  }

  private async deleteResetTokens(userId: string): Promise<void> {
    await this.db.query(`delete from verification where value = $1 and identifier like '${RESET_PREFIX}%'`, [userId]);
  }

  async issueResetToken(userId: string, ttlSeconds: number): Promise<string> {
    const ctx = await this.auth.$context;
    const token = randomBytes(32).toString('base64url');
    await this.deleteResetTokens(userId);
    // better-auth stores the identifier hashed (verification.storeIdentifier in better-auth.ts).
    await ctx.internalAdapter.createVerificationValue({
      identifier: `${RESET_PREFIX}${token}`,
      value: userId,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    });
    return token;
  }

  async peekResetToken(token: string): Promise<string | null> {
    const ctx = await this.auth.$context;
    const found = await ctx.internalAdapter.findVerificationValue(`${RESET_PREFIX}${token}`);
    if (!found || new Date(found.expiresAt).getTime() <= Date.now()) return null;
    return found.value;
  }

  async cancelEmailChanges(userId: string): Promise<void> {
    // The value is "<user id> <new address>" (an address has no space).
    await this.db.query(`delete from verification where identifier like '${EMAIL_CHANGE_PREFIX}%' and split_part(value, ' ', 1) = $1`, [userId]);
  }

  async issueEmailChangeToken(userId: string, newEmail: string, ttlSeconds: number): Promise<string> {
    const ctx = await this.auth.$context;
    const token = randomBytes(32).toString('base64url');
    await this.cancelEmailChanges(userId);
    // Stored hashed (verification.storeIdentifier in better-auth.ts).
    await ctx.internalAdapter.createVerificationValue({
      identifier: `${EMAIL_CHANGE_PREFIX}${token}`,
      value: `${userId} ${newEmail}`,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    });
    return token;
  }

  async consumeEmailChangeToken(token: string): Promise<EmailChange | null> {
    const ctx = await this.auth.$context;
    // Atomic: of two uses racing, one gets the row; an expired row is deleted and gives null.
    const row = await ctx.internalAdapter.consumeVerificationValue(`${EMAIL_CHANGE_PREFIX}${token}`);
    if (!row) return null;
    const [userId = '', newEmail = ''] = row.value.split(' ');
    return userId && newEmail ? { userId, newEmail } : null;
  }

  async changeEmail(userId: string, newEmail: string): Promise<AccountUser | 'taken' | null> {
    try {
      const { rows } = await this.db.query<AccountUser>(
        `update "user" set email = $2, email_verified = true, updated_at = now()
          where id = $1 and not exists (select 1 from "user" where email = $2 and id <> $1)
          returning ${USER_COLUMNS}`,
        [userId, newEmail],
      );
      if (rows[0]) return rows[0];
    } catch (error) {
      // Another account took the address between the check and the update.
      if ((error as { code?: unknown }).code === '23505') return 'taken';
      throw error;
    }
    return (await this.findUser(userId)) ? 'taken' : null;
  }

  async issueVerificationToken(user: AccountUser, ttlSeconds: number): Promise<string> {
    // better-auth's own verification token (a JWT signed with BETTER_AUTH_SECRET, bound to the user id).
    return createEmailVerificationToken((await this.auth.$context).secret, user.email, undefined, ttlSeconds, { userId: user.id });
  }

  async confirmEmail(token: string): Promise<string | null> {
    const ctx = await this.auth.$context;
    try {
      // better-auth checks the signature, the expiry and that the address still belongs to the user.
      await this.auth.api.verifyEmail({ query: { token } });
    } catch (error) {
      if (isAPIError(error) && error.statusCode < 500) return null;
      throw error;
    }
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { email?: string };
    const found = payload.email ? await ctx.internalAdapter.findUserByEmail(payload.email) : null;
    return found?.user.id ?? null;
  }

  async resetPassword(token: string, newPassword: string): Promise<boolean> {
    try {
      // better-auth's own reset: spends the token atomically, sets the password and (with
      // revokeSessionsOnPasswordReset) deletes every session, whose delete hook revokes its tokens.
      await this.auth.api.resetPassword({ body: { token, newPassword } });
      return true;
    } catch (error) {
      const code = apiErrorCode(error);
      if (code === 'INVALID_TOKEN' || code === 'USER_NOT_FOUND') return false;
      throw error;
    }
  }
}
