import type { SqlPool } from '../../db/sql.js';
import type { UserRecord, Viewer } from './user.types.js';

export class UserService {
  constructor(private readonly db: SqlPool) {}

  /** The viewer's own user row, or null when the account no longer exists. */
  async me(viewer: Viewer): Promise<UserRecord | null> {
    const { rows } = await this.db.query<UserRecord>(
      'select id, email, name, created_at as "createdAt" from "user" where id = $1',
      [viewer.userId],
    );
    return rows[0] ?? null;
  }
}
