// The floor: the least a server can do for Taskgate's hot paths — node:http + one database
// driver, the same SQL as TaskService.list/create/toggle and UserService.me, the owner id taken
// from the `x-owner-id` header (no authentication, no framework, no validation library).
// Every API result in the benchmark is printed as a ratio to this server, measured in the same run.
//
//   FLOOR_PORT=4100 FLOOR_DATABASE_URL=postgres://… npx tsx bench/floor-server.ts   (node-postgres pool)
//   FLOOR_PORT=4100 FLOOR_PGLITE_DIR=/tmp/x/db      npx tsx bench/floor-server.ts   (embedded PGlite)
//
// Routes: GET /tasks?limit=20[&cursor=…]  POST /tasks {title, description?}
//         PATCH /tasks/:id/complete        GET /me        GET /healthz
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';

interface Db {
  query<R>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
  close(): Promise<void>;
}

// ---- the SQL, verbatim from api/src/domain/tasks/task.service.ts and users/user.service.ts ----
const COLUMNS = `id, title, description, completed, created_at as "createdAt", updated_at as "updatedAt", version`;
const LIST_FIRST = `select ${COLUMNS} from task where owner_id = $1 order by created_at desc, id desc limit $2`;
const LIST_AFTER = `select ${COLUMNS} from task where owner_id = $1 and (created_at, id) < ($2, $3) order by created_at desc, id desc limit $4`;
const INSERT = `insert into task (id, owner_id, title, description, created_at, updated_at)
       values ($2, $1, $3, $4, $5, $5) returning ${COLUMNS}`;
const TOGGLE = `update task set completed = not completed, version = version + 1, updated_at = greatest(now(), created_at)
       where id = $2 and owner_id = $1 returning ${COLUMNS}`;
const ME = 'select id, email, name, created_at as "createdAt" from "user" where id = $1';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Row {
  id: string;
  createdAt: Date;
}

/** RFC 9562 UUIDv7 (random tail; the floor does not need the API's monotonic counter). */
function uuidv7(ms: number): string {
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const encodeCursor = (row: Row) => Buffer.from(`${new Date(row.createdAt).getTime()}.${row.id}`).toString('base64url');

function decodeCursor(cursor: string): [Date, string] | null {
  const [ms, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (!ms || !id || !/^[0-9]{1,15}$/.test(ms) || !UUID.test(id)) return null;
  return [new Date(Number(ms)), id];
}

async function openDb(): Promise<Db> {
  const url = process.env.FLOOR_DATABASE_URL;
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: Number(process.env.FLOOR_POOL_MAX ?? 10) });
    return {
      query: async <R>(text: string, values: unknown[]) => ({ rows: (await pool.query(text, values)).rows as R[] }),
      close: () => pool.end(),
    };
  }
  const dir = process.env.FLOOR_PGLITE_DIR;
  if (!dir) throw new Error('set FLOOR_DATABASE_URL or FLOOR_PGLITE_DIR');
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(dir);
  await db.waitReady;
  return {
    query: async <R>(text: string, values: unknown[]) => ({ rows: (await db.query<R>(text, values)).rows }),
    close: () => db.close(),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) reject(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined);
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

async function main() {
  const db = await openDb();
  const port = Number(process.env.FLOOR_PORT ?? 4100);

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(error instanceof Error ? error.message : error) });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://floor');
    if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
    const owner = req.headers['x-owner-id'];
    if (typeof owner !== 'string' || owner === '') return send(res, 401, { error: 'x-owner-id required' });

    if (req.method === 'GET' && url.pathname === '/tasks') {
      const limit = Number(url.searchParams.get('limit') ?? 20);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return send(res, 400, { error: 'limit' });
      const cursor = url.searchParams.get('cursor');
      const after = cursor ? decodeCursor(cursor) : null;
      if (cursor && !after) return send(res, 400, { error: 'cursor' });
      const { rows } = after
        ? await db.query<Row>(LIST_AFTER, [owner, after[0], after[1], limit + 1])
        : await db.query<Row>(LIST_FIRST, [owner, limit + 1]);
      const more = rows.length > limit;
      const tasks = more ? rows.slice(0, limit) : rows;
      const last = tasks[tasks.length - 1];
      return send(res, 200, { tasks, nextCursor: more && last ? encodeCursor(last) : null });
    }
    if (req.method === 'POST' && url.pathname === '/tasks') {
      const body = (await readBody(req)) as { title?: unknown; description?: unknown } | undefined;
      const title = typeof body?.title === 'string' ? body.title.trim() : '';
      if (title.length < 1 || title.length > 200) return send(res, 400, { error: 'title' });
      const description = typeof body?.description === 'string' ? body.description : null;
      const ms = Date.now();
      const { rows } = await db.query<Row>(INSERT, [owner, uuidv7(ms), title, description, new Date(ms)]);
      return send(res, 201, rows[0]);
    }
    const toggle = /^\/tasks\/([0-9a-f-]{36})\/complete$/.exec(url.pathname);
    if (req.method === 'PATCH' && toggle && UUID.test(toggle[1]!)) {
      const { rows } = await db.query<Row>(TOGGLE, [owner, toggle[1]]);
      return rows[0] ? send(res, 200, rows[0]) : send(res, 404, { error: 'not found' });
    }
    if (req.method === 'GET' && url.pathname === '/me') {
      const { rows } = await db.query<Row>(ME, [owner]);
      return rows[0] ? send(res, 200, { user: rows[0] }) : send(res, 401, { error: 'no such user' });
    }
    return send(res, 404, { error: 'no route' });
  }

  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1', () => console.log(`floor listening on 127.0.0.1:${port}`));

  const stop = () => {
    server.close();
    server.closeAllConnections();
    void db.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error('floor server failed:', error);
  process.exit(1);
});
