// REST twin of GraphQL's task operations, over the same task service and the same per-request
// chain (plugins/request-chain.ts): /api/tasks, plus the path-style aliases /api/{userId}/tasks
// for clients written against the other common form of a task API (the owner's id in the path).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import { AppError, validationFailed } from '../domain/domain-errors.js';
import type { TaskService } from '../domain/tasks/task.service.js';
import type { TaskPatch, TaskRecord, TaskStatus } from '../domain/tasks/task.types.js';
import type { Viewer } from '../domain/users/user.types.js';
import { registerRequestChain } from '../plugins/request-chain.js';
import { requireJsonBody } from '../plugins/security.js';
import { requireViewer, restViewer } from './rest-viewer.js';
import {
  CreateTaskBody,
  IfMatchHeaders,
  ListQuery,
  PatchTaskBody,
  ReplaceTaskBody,
  CreatedTask,
  TaskWithEtag,
  TaskListBody,
  TaskParams,
  UserParams,
  UserTaskParams,
  errorResponses,
} from './schemas.js';

const STATUS = { all: 'ALL', pending: 'PENDING', completed: 'COMPLETED' } as const satisfies Record<string, TaskStatus>;

const etag = (task: TaskRecord) => `"v${task.version}"`;

/** One entity tag (RFC 9110 §8.8.3): optionally W/, then a quoted opaque tag. */
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

/**
 * If-Match (RFC 9110 §13.1.1) → the version the write requires; undefined for none or `*` (any
 * current task). Our ETags are strong and If-Match compares strongly, so a weak tag (W/"v3") or a
 * tag we never sent ("abc") cannot match: 412. A value that is not one entity tag (v3, 3, a list)
 * is a malformed request: 400 naming the header. A list is refused rather than evaluated because a
 * write checks one version (compare-and-set); send back the one ETag you were given.
 */
function expectedVersionFrom(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return undefined;
  const tag = ENTITY_TAG.exec(value);
  if (!tag) {
    throw validationFailed([{ field: 'if-match', message: 'must be the ETag as sent, e.g. "v3" (quotes included), or *' }]);
  }
  const version = tag[1] ? null : /^v([1-9][0-9]{0,8})$/.exec(tag[2] ?? '');
  if (!version) throw new AppError('PRECONDITION_FAILED', 'If-Match does not name a version of this task.');
  return Number(version[1]);
}

async function withIfMatch(header: string | undefined, write: (expected?: number) => Promise<TaskRecord>) {
  const expected = expectedVersionFrom(header);
  try {
    return await write(expected);
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT' && expected !== undefined) {
      throw new AppError('PRECONDITION_FAILED', error.message);
    }
    throw error;
  }
}

/** The owner id of a path-style alias (`/api/:userId/tasks`); undefined on `/api/tasks`. */
function ownerInPath(request: FastifyRequest): string | undefined {
  const params = request.params;
  return typeof params === 'object' && params !== null && 'userId' in params && typeof params.userId === 'string' ? params.userId : undefined;
}

/** Path-style aliases: the userId in the path must be the caller's own. */
async function ownPathOnly(request: FastifyRequest) {
  if (ownerInPath(request) !== request.viewer?.userId) {
    request.log.warn({ event: 'cross_owner_path' }, 'path userId differs from the token subject');
    throw new AppError('FORBIDDEN', 'The user id in the path is not yours.');
  }
}

/**
 * onRequest hook of the routes that take no body (DELETE, PATCH …/complete). Many clients send
 * `Content-Type: application/json` on every request; when the request carries no content
 * (Content-Length 0 or absent, no Transfer-Encoding) that header is dropped, so the JSON parser is
 * never handed an empty body (which it refuses). A body that is sent is parsed as before.
 */
async function emptyBodyAllowed(request: FastifyRequest) {
  const length = request.raw.headers['content-length'];
  if (request.raw.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) {
    delete request.raw.headers['content-type'];
  }
}

/** The URL of a task created through `base` (`/api/tasks` or `/api/:userId/tasks`). */
function taskLocation(base: string, request: FastifyRequest, id: string): string {
  return `${base.replace(':userId', encodeURIComponent(ownerInPath(request) ?? ''))}/${id}`;
}

/** What the update handler reads: PUT (every field) and PATCH (some fields) differ in their body schema only. */
interface UpdateRequest {
  viewer: Viewer | null;
  params: { id: string };
  headers: Static<typeof IfMatchHeaders>;
  body: TaskPatch;
}

type TypedApp = Parameters<FastifyPluginAsyncTypebox>[0];

/**
 * The task routes under one base: `/api/tasks` (Params = TaskParams) or its path-style alias
 * `/api/:userId/tasks` (Params = UserTaskParams, ListParams = UserParams, own id only).
 */
function registerTaskRoutes(
  app: TypedApp,
  tasks: TaskService,
  base: string,
  Params: typeof TaskParams | typeof UserTaskParams,
  ListParams?: typeof UserParams,
) {
  const common = { tags: ['tasks'], security: [{ bearerAuth: [] }] };
  const hooks = ListParams ? { preHandler: ownPathOnly } : {};
  const listParams = ListParams ? { params: ListParams } : {};

  const update = async (request: UpdateRequest, reply: FastifyReply) => {
    const task = await withIfMatch(request.headers['if-match'], (expected) =>
      tasks.update(restViewer(request), request.params.id, request.body, expected),
    );
    return reply.header('etag', etag(task)).send(task);
  };

  app.get(
    base,
    {
      ...hooks,
      schema: {
        ...common,
        summary: 'List your tasks, newest first (keyset pagination)',
        ...listParams,
        querystring: ListQuery,
        response: { 200: TaskListBody, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { status, limit, cursor } = request.query;
      const page = await tasks.list(restViewer(request), { status: STATUS[status ?? 'all'], limit, cursor });
      return { tasks: page.nodes, nextCursor: page.endCursor };
    },
  );

  app.post(
    base,
    {
      ...hooks,
      schema: {
        ...common,
        summary: 'Create a task',
        ...listParams,
        body: CreateTaskBody,
        response: { 201: CreatedTask, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const task = await tasks.create(restViewer(request), request.body);
      return reply.code(201).header('location', taskLocation(base, request, task.id)).header('etag', etag(task)).send(task);
    },
  );

  app.get(
    `${base}/:id`,
    {
      ...hooks,
      schema: { ...common, summary: 'Get one of your tasks', params: Params, response: { 200: TaskWithEtag, ...errorResponses(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      const task = await tasks.get(restViewer(request), request.params.id);
      return reply.header('etag', etag(task)).send(task);
    },
  );

  app.put(
    `${base}/:id`,
    {
      ...hooks,
      schema: {
        ...common,
        summary: 'Replace a task (all fields); If-Match makes it conditional',
        params: Params,
        headers: IfMatchHeaders,
        body: ReplaceTaskBody,
        response: { 200: TaskWithEtag, ...errorResponses(400, 401, 403, 404, 412, 413, 415) },
      },
    },
    update,
  );

  app.patch(
    `${base}/:id`,
    {
      ...hooks,
      schema: {
        ...common,
        summary: 'Change some fields of a task; If-Match makes it conditional',
        params: Params,
        headers: IfMatchHeaders,
        body: PatchTaskBody,
        response: { 200: TaskWithEtag, ...errorResponses(400, 401, 403, 404, 412, 413, 415) },
      },
    },
    update,
  );

  app.delete(
    `${base}/:id`,
    {
      ...hooks,
      onRequest: emptyBodyAllowed,
      schema: { ...common, summary: 'Delete a task', params: Params, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      await tasks.delete(restViewer(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.patch(
    `${base}/:id/complete`,
    {
      ...hooks,
      onRequest: emptyBodyAllowed,
      schema: { ...common, summary: 'Toggle completed', params: Params, response: { 200: TaskWithEtag, ...errorResponses(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      const task = await tasks.toggle(restViewer(request), request.params.id);
      return reply.header('etag', etag(task)).send(task);
    },
  );
}

export interface TaskRoutesOptions {
  tasks: TaskService;
}

const tasksRoutes: FastifyPluginAsyncTypebox<TaskRoutesOptions> = async (app, { tasks }) => {
  registerRequestChain(app, requireViewer);
  app.addHook('onRequest', requireJsonBody);
  registerTaskRoutes(app, tasks, '/api/tasks', TaskParams);
  registerTaskRoutes(app, tasks, '/api/:userId/tasks', UserTaskParams, UserParams);
};

/** Encapsulated (its hooks apply to these routes only); what it needs is checked at registration. */
export default fp(tasksRoutes, { name: 'task-routes', encapsulate: true, dependencies: ['rest-errors', 'viewer', 'rate-limits', 'security'] });
