// Refresh-token rotation with reuse detection (ASVS 7.x): exchanging a refresh token (a
// better-auth session token) replaces its session with a new one; the old token is remembered
// by its SHA-256. Presenting it again means it leaked: the session that descended from it is
// revoked, so both the thief and the victim must sign in again — unless it comes back within the
// reuse interval (REFRESH_REUSE_INTERVAL, default 10 s) of its own rotation: two tabs refreshing
// at once, or a retry after a lost response. That answer is the same successor session, as
// Supabase Auth and Auth0 do (docs/decisions/005).
import { createHash } from 'node:crypto';
import type { SqlPool } from '../db/sql.js';
import type { Auth } from './better-auth.js';

const sha256 = (token: string) => createHash('sha256').update(token).digest('base64url');

export type RefreshOutcome =
  | { ok: true; session: { id: string; token: string }; user: { id: string; email: string; name: string; createdAt: Date } }
  | { ok: false; reason: 'unknown' | 'expired' | 'reused'; userId?: string };

export class RefreshTokenRotator {
  constructor(
    private readonly auth: Auth,
    private readonly db: SqlPool,
    private readonly revokeSession: (sessionId: string) => Promise<void>,
    private readonly reuseIntervalSeconds: number,
  ) {}

  async rotate(refreshToken: string, meta: { ipAddress?: string; userAgent?: string }): Promise<RefreshOutcome> {
    const ctx = await this.auth.$context;
    const found = await ctx.internalAdapter.findSession(refreshToken);
    if (!found) return this.detectReuse(refreshToken);
    const { session, user } = found;
    if (new Date(session.expiresAt).getTime() <= Date.now()) return { ok: false, reason: 'expired', userId: user.id };

    // The successor keeps the sign-in time (createdAt) of the session it replaces; its updatedAt,
    // now, is the session's last use as the account page shows it (no write per API request).
    const next = await ctx.internalAdapter.createSession(
      user.id,
      false,
      { ipAddress: meta.ipAddress ?? null, userAgent: meta.userAgent ?? null, createdAt: new Date(session.createdAt) },
      true,
    );
    // Claim the old token exactly once: a concurrent refresh with the same token loses here.
    const claimed = await this.db.query(
      `insert into refresh_rotation (token_hash, user_id, successor_session_id) values ($1, $2, $3)
       on conflict (token_hash) do nothing`,
      [sha256(refreshToken), user.id, next.id],
    );
    if (claimed.rowCount === 0) {
      await this.deleteSession(next.id);
      return this.detectReuse(refreshToken);
    }
    // Earlier tokens of this chain now lead to the new session.
    await this.db.query('update refresh_rotation set successor_session_id = $1 where successor_session_id = $2', [
      next.id,
      session.id,
    ]);
    await this.deleteSession(session.id);
    return {
      ok: true,
      session: { id: next.id, token: next.token },
      user: { id: user.id, email: user.email, name: user.name, createdAt: new Date(user.createdAt) },
    };
  }

  private async detectReuse(refreshToken: string): Promise<RefreshOutcome> {
    const { rows } = await this.db.query<{ successor_session_id: string; user_id: string; recent: boolean }>(
      `select successor_session_id, user_id, created_at > now() - make_interval(secs => $2) as recent
         from refresh_rotation where token_hash = $1`,
      [sha256(refreshToken), this.reuseIntervalSeconds],
    );
    const row = rows[0];
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.recent) {
      const successor = await this.liveSession(row.successor_session_id);
      if (successor) return successor;
    }
    await this.deleteSession(row.successor_session_id);
    return { ok: false, reason: 'reused', userId: row.user_id };
  }

  /** The session (still live) that a retired token's family leads to, as a refresh outcome. */
  private async liveSession(sessionId: string): Promise<RefreshOutcome | null> {
    const { rows } = await this.db.query<{ token: string; user_id: string; email: string; name: string; created_at: Date | string }>(
      `select s.token, u.id as user_id, u.email, u.name, u.created_at
         from "session" s join "user" u on u.id = s.user_id
        where s.id = $1 and s.expires_at > now()`,
      [sessionId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      ok: true,
      session: { id: sessionId, token: row.token },
      user: { id: row.user_id, email: row.email, name: row.name, createdAt: new Date(row.created_at) },
    };
  }

  private async deleteSession(sessionId: string): Promise<void> {
    await this.db.query('delete from "session" where id = $1', [sessionId]);
    await this.revokeSession(sessionId);
  }
}
