// The rules for tasks, and the one place owner scoping lives: every statement below carries
// `owner_id = $1` with the viewer's id, so another user's task is indistinguishable from a
// task that does not exist. GraphQL resolvers and REST routes both call this service.
import type { SqlPool } from '../../db/sql.js';
import { AppError, UNSTORABLE_MESSAGE, notFound, unstorableText, validationFailed, type FieldProblem } from '../domain-errors.js';
import type { Viewer } from '../users/user.types.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { NO_TASK_EVENTS, type TaskEvent, type TaskEvents } from './task-events.js';
import { MALFORMED_ID, checkTaskId, isUuid } from './task-id.js';
import {
  DESCRIPTION_MAX,
  PAGE_DEFAULT,
  PAGE_MAX,
  TITLE_MAX,
  type TaskInput,
  type TaskPageRecord,
  type TaskPatch,
  type TaskRecord,
  type TaskStatus,
} from './task.types.js';
import { uuidv7 } from './uuidv7.js';

const COLUMNS = `id, title, description, completed, created_at as "createdAt", updated_at as "updatedAt", version`;

const STATUS_SQL: Record<TaskStatus, string> = {
  ALL: '',
  PENDING: ' and completed = false',
  COMPLETED: ' and completed = true',
};

/**
 * A page request. Validation errors name `limit` and `cursor`; a transport whose fields are named
 * otherwise (GraphQL's `first`, `after`) renames them (domain-errors.ts renameFields).
 */
export interface ListOptions {
  status: TaskStatus;
  /** 1–PAGE_MAX; PAGE_DEFAULT when absent. */
  limit?: number | null;
  cursor?: string | null;
}

function checkTitle(title: unknown, problems: FieldProblem[]): string | undefined {
  if (typeof title !== 'string') {
    problems.push({ field: 'title', message: 'must be a string' });
    return undefined;
  }
  const trimmed = title.trim();
  if (trimmed.length < 1) problems.push({ field: 'title', message: 'must not be empty' });
  else if (trimmed.length > TITLE_MAX) problems.push({ field: 'title', message: `must be at most ${TITLE_MAX} characters` });
  else if (unstorableText(trimmed)) problems.push({ field: 'title', message: UNSTORABLE_MESSAGE });
  return trimmed;
}

function checkDescription(description: unknown, problems: FieldProblem[]): string | null | undefined {
  if (description === undefined || description === null) return description;
  if (typeof description !== 'string') {
    problems.push({ field: 'description', message: 'must be a string or null' });
    return undefined;
  }
  if (description.length > DESCRIPTION_MAX)
    problems.push({ field: 'description', message: `must be at most ${DESCRIPTION_MAX} characters` });
  else if (unstorableText(description))
    problems.push({ field: 'description', message: UNSTORABLE_MESSAGE });
  return description;
}

/** Told when a caller names a task that exists under another owner (the caller still gets NOT_FOUND). */
export type CrossOwnerAudit = (viewer: Viewer, taskId: string) => void;

export class TaskService {
  constructor(
    private readonly db: SqlPool,
    private readonly audit: CrossOwnerAudit = () => {},
    /** Told after each committed write (every statement here commits on its own). */
    private readonly events: TaskEvents = NO_TASK_EVENTS,
  ) {}

  /** The viewer's task events from now on (GraphQL subscription `taskEvents`). */
  watch(viewer: Viewer): Promise<AsyncIterableIterator<TaskEvent>> {
    return this.events.watch(viewer);
  }

  /** NOT_FOUND for the caller; a security event when the id exists under someone else. */
  private async notFoundFor(viewer: Viewer, id: string): Promise<never> {
    const { rows } = await this.db.query('select 1 from task where id = $1 and owner_id <> $2', [id, viewer.userId]);
    if (rows.length > 0) this.audit(viewer, id);
    throw notFound();
  }

  async list(viewer: Viewer, options: ListOptions): Promise<TaskPageRecord> {
    const { status } = options;
    const limit = options.limit ?? PAGE_DEFAULT;
    if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX) {
      throw validationFailed([{ field: 'limit', message: `must be an integer from 1 to ${PAGE_MAX}` }]);
    }
    const params: unknown[] = [viewer.userId];
    let where = `owner_id = $1${STATUS_SQL[status]}`;
    if (options.cursor) {
      const after = decodeCursor(options.cursor, 'cursor');
      params.push(after.createdAt, after.id);
      where += ` and (created_at, id) < ($2, $3)`;
    }
    params.push(limit + 1);
    const { rows } = await this.db.query<TaskRecord>(
      `select ${COLUMNS} from task where ${where} order by created_at desc, id desc limit $${params.length}`,
      params,
    );
    const hasNextPage = rows.length > limit;
    const nodes = hasNextPage ? rows.slice(0, limit) : rows;
    const last = nodes[nodes.length - 1];
    return { nodes, hasNextPage, endCursor: hasNextPage && last ? encodeCursor(last) : null, status };
  }

  async count(viewer: Viewer, status: TaskStatus): Promise<number> {
    const { rows } = await this.db.query<{ n: number | string }>(
      `select count(*)::int as n from task where owner_id = $1${STATUS_SQL[status]}`,
      [viewer.userId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async get(viewer: Viewer, id: string): Promise<TaskRecord> {
    checkTaskId(id);
    const { rows } = await this.db.query<TaskRecord>(`select ${COLUMNS} from task where id = $2 and owner_id = $1`, [
      viewer.userId,
      id,
    ]);
    if (!rows[0]) return this.notFoundFor(viewer, id);
    return rows[0];
  }

  async create(viewer: Viewer, input: TaskInput): Promise<TaskRecord> {
    const problems: FieldProblem[] = [];
    const title = checkTitle(input.title, problems);
    const description = checkDescription(input.description, problems);
    if (problems.length > 0) throw validationFailed(problems);
    const { id, ms } = uuidv7();
    const at = new Date(ms);
    const { rows } = await this.db.query<TaskRecord>(
      `insert into task (id, owner_id, title, description, created_at, updated_at)
       values ($2, $1, $3, $4, $5, $5) returning ${COLUMNS}`,
      [viewer.userId, id, title, description ?? null, at],
    );
    const task = rows[0]!;
    this.events.publish(viewer.userId, { type: 'CREATED', taskId: task.id, task });
    return task;
  }

  /**
   * Applies the fields present in `patch`. With `expectedVersion`, the write happens only if the
   * stored version still equals it (optimistic locking); otherwise CONFLICT.
   */
  async update(viewer: Viewer, id: string, patch: TaskPatch, expectedVersion?: number | null): Promise<TaskRecord> {
    const problems: FieldProblem[] = isUuid(id) ? [] : [MALFORMED_ID];
    const sets: string[] = [];
    const params: unknown[] = [viewer.userId, id];
    if (patch.title !== undefined) {
      params.push(checkTitle(patch.title, problems));
      sets.push(`title = $${params.length}`);
    }
    if (patch.description !== undefined) {
      params.push(checkDescription(patch.description, problems));
      sets.push(`description = $${params.length}`);
    }
    if (patch.completed !== undefined) {
      if (typeof patch.completed !== 'boolean') problems.push({ field: 'completed', message: 'must be a boolean' });
      params.push(patch.completed);
      sets.push(`completed = $${params.length}`);
    }
    if (problems.length > 0) throw validationFailed(problems);
    return this.write(viewer, id, sets, params, expectedVersion);
  }

  async toggle(viewer: Viewer, id: string): Promise<TaskRecord> {
    checkTaskId(id);
    return this.write(viewer, id, ['completed = not completed'], [viewer.userId, id]);
  }

  async delete(viewer: Viewer, id: string): Promise<void> {
    checkTaskId(id);
    const { rowCount } = await this.db.query('delete from task where id = $2 and owner_id = $1', [viewer.userId, id]);
    if (rowCount === 0) await this.notFoundFor(viewer, id);
    this.events.publish(viewer.userId, { type: 'DELETED', taskId: id, task: null });
  }

  private async write(
    viewer: Viewer,
    id: string,
    sets: string[],
    params: unknown[],
    expectedVersion?: number | null,
  ): Promise<TaskRecord> {
    let where = 'id = $2 and owner_id = $1';
    if (expectedVersion !== undefined && expectedVersion !== null) {
      params.push(expectedVersion);
      where += ` and version = $${params.length}`;
    }
    const { rows } = await this.db.query<TaskRecord>(
      `update task set ${[...sets, 'version = version + 1', 'updated_at = greatest(now(), created_at)'].join(', ')}
       where ${where} returning ${COLUMNS}`,
      params,
    );
    if (rows[0]) {
      this.events.publish(viewer.userId, { type: 'UPDATED', taskId: rows[0].id, task: rows[0] });
      return rows[0];
    }
    if (expectedVersion !== undefined && expectedVersion !== null) {
      const current = await this.get(viewer, id); // NOT_FOUND when absent or not the viewer's
      throw new AppError(
        'CONFLICT',
        `Task was modified concurrently: expected version ${expectedVersion}, current version ${current.version}.`,
      );
    }
    return this.notFoundFor(viewer, id);
  }
}
