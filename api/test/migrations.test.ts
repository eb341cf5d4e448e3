// The checked-in migrations build exactly the schema the entities describe, on both databases,
// and the task list query is served by the (owner_id, created_at desc, id desc) index.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, migrate, type Orm } from '../src/db/orm.js';
import { SqlPool } from '../src/db/sql.js';
import { freshDatabaseUrl, type FreshDatabase } from './support/database.js';
import { DATABASES } from './support/harness.js';

describe.each(DATABASES)('migrations on %s', (kind) => {
  let orm: Orm;
  let database: FreshDatabase | undefined;

  beforeAll(async () => {
    database = kind === 'postgres' ? await freshDatabaseUrl() : undefined;
    orm = await createOrm({ databaseUrl: database?.url, pgliteDir: 'memory://', poolMax: 2 });
  });
  afterAll(async () => {
    await orm?.close(true);
    await database?.drop();
  });

  it('applies the initial migration once, then nothing', async () => {
    expect(await migrate(orm)).toEqual([
      'Migration20261125000000_initial',
      'Migration20261125100000_refresh_rotation',
      'Migration20261201050000_security_event',
      'Migration20261201080000_passkey',
      'Migration20261201090000_two_factor',
      'Migration20261201100000_sign_in_method',
    ]);
    expect(await migrate(orm)).toEqual([]);
  });

  it('leaves no difference between the entities and the database', async () => {
    expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });

  it('rejects an empty title at the database level too', async () => {
    const db = new SqlPool(orm);
    await db.query(`insert into "user" (id, name, email) values ('u-check', 'C', 'c@example.com')`);
    await expect(db.query(`insert into task (owner_id, title) values ('u-check', '')`)).rejects.toThrow(/task_title_length/);
  });

  it('serves the list query from the owner/created_at/id index', async () => {
    const db = new SqlPool(orm);
    await db.query(`insert into "user" (id, name, email) values ('u-a', 'A', 'a@example.com'), ('u-b', 'B', 'b@example.com')`);
    await db.query(
      `insert into task (owner_id, title, created_at)
       select case when i % 10 = 0 then 'u-a' else 'u-b' end, 't' || i, now() - (i || ' seconds')::interval
       from generate_series(1, 5000) as i`,
    );
    await db.query('analyze task');
    const { rows } = await db.query<Record<string, string>>(
      `explain select id from task where owner_id = $1 and (created_at, id) < ($2, $3)
       order by created_at desc, id desc limit 21`,
      ['u-a', new Date(), '00000000-0000-4000-8000-000000000000'],
    );
    const plan = rows.map((r) => Object.values(r)[0]).join('\n');
    expect(plan).toMatch(/Index (Only )?Scan using task_owner_created_id_index/);
    expect(plan).not.toMatch(/Sort/);
  });
});
