// Thin resolvers: each is one call into a domain service. Owner scoping is the service's job;
// no resolver takes an owner id from its arguments.
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { AppError, renameFields } from '../../domain/domain-errors.js';
import type { TaskEvent } from '../../domain/tasks/task-events.js';
import type { TaskPatch } from '../../domain/tasks/task.types.js';
import type { Resolvers } from '../__generated__/resolvers.js';
import { graphqlViewer } from '../context.js';

const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  // Served as the scalar's description (it replaces the one in schema.graphql): keep them equal.
  description: 'An ISO-8601 date-time string in UTC, e.g. 2026-11-25T13:16:51.000Z.',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date.');
    return date.toISOString();
  },
  parseValue(value) {
    const date = new Date(String(value));
    if (typeof value !== 'string' || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string.');
    return date;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || Number.isNaN(new Date(ast.value).getTime())) {
      throw new GraphQLError('DateTime must be an ISO-8601 string.');
    }
    return new Date(ast.value);
  },
});

/** GraphQL's names for the page fields the task service validates (`limit`, `cursor`). */
const PAGE_FIELDS = { limit: 'first', cursor: 'after' };

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    health: () => 'ok',
    me: (_root, _args, ctx) => ctx.accounts.me(graphqlViewer(ctx)),
    tasks: (_root, args, ctx) =>
      ctx.tasks.list(graphqlViewer(ctx), { status: args.status ?? 'ALL', limit: args.first, cursor: args.after }).catch((error: unknown) => {
        throw renameFields(error, PAGE_FIELDS);
      }),
    task: async (_root, { id }, ctx) => {
      try {
        return await ctx.tasks.get(graphqlViewer(ctx), id);
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') return null;
        throw error;
      }
    },
    sessions: (_root, _args, ctx) => ctx.sessions.list(graphqlViewer(ctx)),
    securityEvents: (_root, args, ctx) => ctx.activity.list(graphqlViewer(ctx), { first: args.first, after: args.after }),
  },
  Mutation: {
    createTask: (_root, { input }, ctx) => ctx.tasks.create(graphqlViewer(ctx), input),
    // Absent fields are left alone; an explicit null title or completed fails validation in the service.
    updateTask: (_root, { id, input, expectedVersion }, ctx) =>
      ctx.tasks.update(graphqlViewer(ctx), id, input as TaskPatch, expectedVersion),
    toggleTask: (_root, { id }, ctx) => ctx.tasks.toggle(graphqlViewer(ctx), id),
    deleteTask: async (_root, { id }, ctx) => {
      await ctx.tasks.delete(graphqlViewer(ctx), id);
      return id;
    },
    updateProfile: (_root, { name }, ctx) => ctx.accounts.updateProfile(graphqlViewer(ctx), { name }),
    changePassword: async (_root, args, ctx) => {
      await ctx.accounts.changePassword(graphqlViewer(ctx), args, ctx.origin);
      return true;
    },
    changeEmail: async (_root, { input }, ctx) => {
      await ctx.accounts.requestEmailChange(graphqlViewer(ctx), input, ctx.origin);
      return true;
    },
    revokeSession: async (_root, { id }, ctx) => {
      await ctx.sessions.revoke(graphqlViewer(ctx), id, ctx.origin);
      return id;
    },
    revokeOtherSessions: (_root, _args, ctx) => ctx.sessions.revokeOthers(graphqlViewer(ctx), ctx.origin),
  },
  SecurityEventPage: {
    nodes: (page) => page.nodes,
    pageInfo: (page) => ({ endCursor: page.endCursor, hasNextPage: page.hasNextPage }),
  },
  Subscription: {
    taskEvents: {
      // The stream is the viewer's own: the service picks the channel from the verified identity.
      subscribe: (_root, _args, ctx) => ctx.tasks.watch(graphqlViewer(ctx)) as never,
      resolve: (event: TaskEvent) => event,
    },
  },
  TaskPage: {
    nodes: (page) => page.nodes,
    pageInfo: (page) => ({ endCursor: page.endCursor, hasNextPage: page.hasNextPage }),
    // Counted only when a client selects it.
    totalCount: (page, _args, ctx) => ctx.tasks.count(graphqlViewer(ctx), page.status),
  },
};
