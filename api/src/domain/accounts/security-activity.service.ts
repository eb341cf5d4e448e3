// The security activity an account's owner can see: the persistent SecurityEventSink and the
// owner's paged list. Every read carries `user_id = <viewer>`: another user's events cannot be
// listed, paged into or counted. Rows hold the event type, when, and a coarse origin (origin.ts);
// never a token, a password or a full address. The cleanup job (db/cleanup.ts) drops rows older
// than SECURITY_EVENT_RETENTION_DAYS.
import type { SqlPool } from '../../db/sql.js';
import { validationFailed } from '../domain-errors.js';
import { decodeCursor, encodeCursor } from '../tasks/cursor.js';
import { uuidv7 } from '../tasks/uuidv7.js';
import type { Viewer } from '../users/user.types.js';
import type { RequestOrigin, SecurityEventInput, SecurityEventSink, SecurityEventType, SignInMethod } from './events.js';
import { coarseIp, deviceName } from './origin.js';

export const SECURITY_EVENT_RETENTION_DAYS = 90;
export const ACTIVITY_PAGE_DEFAULT = 20;
export const ACTIVITY_PAGE_MAX = 100;

export interface SecurityEventRecord {
  id: string;
  type: SecurityEventType;
  createdAt: Date;
  /** "203.0.113.0/24", "2001:db8:1::/48", or null when the address was unknown. */
  ip: string | null;
  device: string | null;
  /** How a SIGN_IN was made; null for other events. */
  method: SignInMethod | null;
}

export interface SecurityEventPageRecord {
  nodes: SecurityEventRecord[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface ActivityPageOptions {
  first?: number | null;
  after?: string | null;
}

const COLUMNS = 'id, type, created_at as "createdAt", ip, device, method';

export class SecurityActivityService implements SecurityEventSink {
  constructor(private readonly db: SqlPool) {}

  /**
   * Stores one event. A sign-in from a (device, network) pair the account's earlier sign-ins never
   * came from is also stored as NEW_DEVICE — unless it is the account's first sign-in. An event of
   * an account that no longer exists is dropped (an account's activity goes with it, as
   * ACCOUNT_DELETED does: nobody is left to see it).
   */
  async record(event: SecurityEventInput): Promise<void> {
    if (event.type === 'ACCOUNT_DELETED') return;
    const ip = coarseIp(event.ip);
    const device = event.userAgent === undefined ? null : deviceName(event.userAgent);
    if (event.type === 'SIGN_IN') {
      const { rows } = await this.db.query<{ known: boolean; any: boolean }>(
        `select exists (select 1 from security_event where user_id = $1 and type = 'SIGN_IN' and ip is not distinct from $2 and device is not distinct from $3) as known,
                exists (select 1 from security_event where user_id = $1 and type = 'SIGN_IN') as any`,
        [event.userId, ip, device],
      );
      await this.insert(event.userId, 'SIGN_IN', ip, device, event.method ?? null);
      if (rows[0]?.any && !rows[0].known) await this.insert(event.userId, 'NEW_DEVICE', ip, device);
      return;
    }
    await this.insert(event.userId, event.type, ip, device);
  }

  /**
   * A failed sign-in is the account's event only when an account has that e-mail address. One
   * statement for a known and an unknown address alike, so the answer takes the same time.
   */
  async recordFailedSignIn(email: string, origin: RequestOrigin): Promise<void> {
    const { id, ms } = uuidv7();
    await this.db.query(
      `insert into security_event (id, user_id, type, created_at, ip, device)
       select $1, id, 'SIGN_IN_FAILED', $3, $4, $5 from "user" where email = $2`,
      [id, email.trim().toLowerCase(), new Date(ms), coarseIp(origin.ip), origin.userAgent === undefined ? null : deviceName(origin.userAgent)],
    );
  }

  /** The viewer's events, newest first, keyset paged. first: 1–100. */
  async list(viewer: Viewer, options: ActivityPageOptions, fields = { first: 'first', after: 'after' }): Promise<SecurityEventPageRecord> {
    const limit = options.first ?? ACTIVITY_PAGE_DEFAULT;
    if (!Number.isInteger(limit) || limit < 1 || limit > ACTIVITY_PAGE_MAX) {
      throw validationFailed([{ field: fields.first, message: `must be an integer from 1 to ${ACTIVITY_PAGE_MAX}` }]);
    }
    const params: unknown[] = [viewer.userId];
    let where = 'user_id = $1';
    if (options.after) {
      const after = decodeCursor(options.after, fields.after);
      params.push(after.createdAt, after.id);
      where += ' and (created_at, id) < ($2, $3)';
    }
    params.push(limit + 1);
    const { rows } = await this.db.query<SecurityEventRecord>(
      `select ${COLUMNS} from security_event where ${where} order by created_at desc, id desc limit $${params.length}`,
      params,
    );
    const hasNextPage = rows.length > limit;
    const nodes = (hasNextPage ? rows.slice(0, limit) : rows).map((r) => ({ ...r, createdAt: new Date(r.createdAt) }));
    const last = nodes.at(-1);
    return { nodes, hasNextPage, endCursor: hasNextPage && last ? encodeCursor(last) : null };
  }

  private async insert(userId: string, type: SecurityEventType, ip: string | null, device: string | null, method: SignInMethod | null = null): Promise<void> {
    const { id, ms } = uuidv7();
    await this.db.query(
      `insert into security_event (id, user_id, type, created_at, ip, device, method)
       select $1, id, $3, $4, $5, $6, $7 from "user" where id = $2`,
      [id, userId, type, new Date(ms), ip, device, method],
    );
  }
}
