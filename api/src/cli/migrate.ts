// `npm run migrate`: applies pending migrations to the configured database and exits.
import path from 'node:path';
import { loadConfig } from '../config/env.js';
import { createOrm, migrate } from '../db/orm.js';

const config = loadConfig();
const orm = await createOrm({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'db'), poolMax: 2 });
try {
  const applied = await migrate(orm);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
} finally {
  await orm.close(true);
}
