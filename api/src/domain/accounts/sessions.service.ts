// The signed-in devices of an account: list them, end one, end all but this one. A session is a
// better-auth session row: its token is the refresh token (or the web app's cookie), access tokens
// carry its id as `sid`. Every statement carries `user_id = <viewer>`, so another user's session id
// answers exactly like one that does not exist. Ending a session deletes its row (its refresh
// token or cookie stops working) and revokes its id (`revokeSession`: the revocation store, shared
// through Redis, so its access tokens stop working at once on every instance) — the logout path.
import type { SqlPool } from '../../db/sql.js';
import { notFound, unstorableText } from '../domain-errors.js';
import type { Viewer } from '../users/user.types.js';
import type { RequestOrigin, SecurityEventSink } from './events.js';
import { coarseIp, deviceName } from './origin.js';

export interface SessionRecord {
  id: string;
  /** The session the viewer's access token belongs to. */
  current: boolean;
  /** When the device signed in (kept across refresh-token rotation). */
  createdAt: Date;
  /** The last refresh (or, for the web app's cookie session, the last renewal of its expiry). */
  lastUsedAt: Date;
  ip: string | null;
  device: string;
}

/** Longer than any session id better-auth makes: such an id cannot exist. */
const ID_MAX = 200;

export class SessionService {
  constructor(
    private readonly db: SqlPool,
    /** Makes the access tokens of a session invalid everywhere at once (app.ts). */
    private readonly revokeSession: (sessionId: string) => Promise<void>,
    private readonly events: SecurityEventSink,
  ) {}

  /** The viewer's live sessions, newest first. */
  async list(viewer: Viewer): Promise<SessionRecord[]> {
    const { rows } = await this.db.query<{ id: string; created_at: Date | string; updated_at: Date | string; ip_address: string | null; user_agent: string | null }>(
      `select id, created_at, updated_at, ip_address, user_agent from "session"
        where user_id = $1 and expires_at > now() order by created_at desc, id desc`,
      [viewer.userId],
    );
    return rows.map((r) => ({
      id: r.id,
      current: r.id === viewer.sessionId,
      createdAt: new Date(r.created_at),
      lastUsedAt: new Date(r.updated_at),
      ip: coarseIp(r.ip_address),
      device: deviceName(r.user_agent),
    }));
  }

  /** Ends one of the viewer's sessions (the current one too: that is a logout). NOT_FOUND otherwise. */
  async revoke(viewer: Viewer, id: string, origin: RequestOrigin): Promise<void> {
    if (id.length > ID_MAX || unstorableText(id)) throw notFound('Session');
    const { rows } = await this.db.query<{ id: string }>('delete from "session" where id = $1 and user_id = $2 returning id', [id, viewer.userId]);
    if (rows.length === 0) throw notFound('Session');
    await this.revokeSession(id);
    await this.events.record({ userId: viewer.userId, type: 'SESSION_REVOKED', ...origin });
  }

  /** Ends every session of the viewer but the current one; returns how many ended. */
  async revokeOthers(viewer: Viewer, origin: RequestOrigin): Promise<number> {
    const { rows } = await this.db.query<{ id: string; live: boolean }>(
      'delete from "session" where user_id = $1 and id <> $2 returning id, expires_at > now() as live',
      [viewer.userId, viewer.sessionId],
    );
    await Promise.all(rows.map((r) => this.revokeSession(r.id)));
    const ended = rows.filter((r) => r.live).length;
    if (ended > 0) await this.events.record({ userId: viewer.userId, type: 'SESSION_REVOKED', ...origin });
    return ended;
  }
}
