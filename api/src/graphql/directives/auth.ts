// @auth / @public: every root field must carry one (secure by default, like Redwood's
// @requireAuth/@skipAuth); @auth wraps the resolver so anonymous callers get UNAUTHENTICATED and
// callers without the required role get FORBIDDEN.
import { MapperKind, getDirective, mapSchema } from '@graphql-tools/utils';
import { GraphQLError, defaultFieldResolver, type GraphQLFieldConfig, type GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../context.js';

export class SchemaAuthCoverageError extends Error {
  constructor(readonly fields: string[]) {
    super(
      `Every Query, Mutation and Subscription field must declare @auth or @public; missing on: ${fields.join(', ')}. ` +
        'Add the directive in schema.graphql.',
    );
    this.name = 'SchemaAuthCoverageError';
  }
}

/** Throws naming each root field that carries neither @auth nor @public (or both). */
export function assertAuthCoverage(schema: GraphQLSchema): void {
  const missing: string[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const auth = getDirective(schema, field, 'auth')?.[0];
      const isPublic = getDirective(schema, field, 'public')?.[0];
      if (Boolean(auth) === Boolean(isPublic)) missing.push(`${root.name}.${field.name}`);
    }
  }
  if (missing.length > 0) throw new SchemaAuthCoverageError(missing);
}

function guard(
  field: GraphQLFieldConfig<unknown, GraphQLContext>,
  requires: string,
): GraphQLFieldConfig<unknown, GraphQLContext> {
  const resolve = field.resolve ?? defaultFieldResolver;
  const check = (context: GraphQLContext) => {
    if (!context.viewer) {
      throw new GraphQLError('Authentication required.', { extensions: { code: 'UNAUTHENTICATED' } });
    }
    if (requires === 'ADMIN' && context.viewer.role !== 'ADMIN') {
      throw new GraphQLError('You are not allowed to do this.', { extensions: { code: 'FORBIDDEN' } });
    }
  };
  const subscribe = field.subscribe;
  return {
    ...field,
    resolve(source, args, context, info) {
      check(context);
      return resolve(source, args, context, info);
    },
    // A Subscription field: the stream itself is opened only for an allowed caller.
    ...(subscribe
      ? {
          subscribe(source: unknown, args: Record<string, unknown>, context: GraphQLContext, info: Parameters<typeof resolve>[3]) {
            check(context);
            return subscribe(source, args, context, info);
          },
        }
      : {}),
  };
}

export function applyAuthDirective(schema: GraphQLSchema): GraphQLSchema {
  assertAuthCoverage(schema);
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, _fieldName, typeName) => {
      const onField = getDirective(schema, fieldConfig, 'auth')?.[0];
      const type = schema.getType(typeName);
      const onType = type ? getDirective(schema, type, 'auth')?.[0] : undefined;
      const rule = onField ?? onType;
      return rule ? guard(fieldConfig as GraphQLFieldConfig<unknown, GraphQLContext>, String(rule.requires ?? 'USER')) : fieldConfig;
    },
  });
}
