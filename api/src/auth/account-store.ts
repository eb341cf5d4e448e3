// The account service's store: better-auth's API and internal adapter, and the few SQL statements
// better-auth has no call for. No rules here — the account service (domain/accounts) decides.
import { randomBytes } from 'node:crypto';
import { createEmailVerificationToken, isAPIError } from 'better-auth/api';
import type { SqlPool } from '../db/sql.js';
import { validationFailed } from '../domain/domain-errors.js';
import type { AccountStore, AccountUser, SignInOutcome, StartedSession } from '../domain/accounts/account.types.js';
import type { RequestOrigin } from '../domain/accounts/events.js';
import type { Auth } from './better-auth.js';
import { RESET_PREFIX } from './better-auth.js';

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

const USER_COLUMNS = 'id, email, name, created_at as "createdAt", email_verified as "emailVerified"';

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

  async signUp(input: { email: string; password: string; name: string }, origin: RequestOrigin): Promise<StartedSession | null> {
    try {
      const result = await this.auth.api.signUpEmail({ body: input, headers: originHeaders(origin) });
      if (!result.token) throw new Error('sign-up returned no session');
      return await this.started(result.token);
    } catch (error) {
      const code = apiErrorCode(error);
      if (code?.startsWith('USER_ALREADY_EXISTS')) return null;
      if (code === 'INVALID_EMAIL') throw validationFailed([{ field: 'email', message: 'must be a valid email address' }]);
      throw error;
    }
  }

  async signIn(input: { email: string; password: string }, origin: RequestOrigin): Promise<SignInOutcome> {
    try {
      const result = await this.auth.api.signInEmail({ body: input, headers: originHeaders(origin) });
      return { ok: true, session: await this.started(result.token) };
    } catch (error) {
      const code = apiErrorCode(error);
      if (code === 'EMAIL_NOT_VERIFIED') return { ok: false, reason: 'not_verified' };
      if (code === 'INVALID_EMAIL_OR_PASSWORD' || code === 'INVALID_EMAIL' || code === 'INVALID_PASSWORD') return { ok: false, reason: 'invalid' };
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
