// Apollo Server 5 on Fastify at /graphql: GraphQL's twin of rest/tasks.routes.ts, over the same
// services and the same per-request chain (plugins/request-chain.ts). The viewer is resolved by
// the chain before Apollo runs; the context function only reads it.
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { FastifyInstance } from 'fastify';
import type { AccountService } from '../domain/accounts/account.service.js';
import fp from 'fastify-plugin';
import type { SecurityActivityService } from '../domain/accounts/security-activity.service.js';
import type { SessionService } from '../domain/accounts/sessions.service.js';
import type { TaskService } from '../domain/tasks/task.service.js';
import type { UserService } from '../domain/users/user.service.js';
import { registerRequestChain } from '../plugins/request-chain.js';
import { optionalViewer } from './graphql-viewer.js';
import type { GraphQLContext } from './context.js';
import { errorLoggingPlugin, formatError, requestIdOnGraphqlErrors, withoutSuggestions } from './graphql-errors.js';
import { isIntrospectionOnly, operationCost } from './cost.js';
import type { JitExecutor } from './jit.js';
import type { SubscriptionServer } from './subscriptions.js';
import type { GraphqlTooling } from '../config/env.js';
import { GraphQLError } from 'graphql';

export interface GraphQLOptions {
  tasks: TaskService;
  users: UserService;
  accounts: AccountService;
  sessions: SessionService;
  activity: SecurityActivityService;
  production: boolean;
  /** What GraphQL tooling may see: the schema (introspection) and Apollo's landing page. */
  playground: GraphqlTooling;
  /** Runs the operations (graphql/jit.ts); its schema is the graph. */
  executor: JitExecutor;
  /** Subscriptions over WebSocket on GET /graphql (graphql/subscriptions.ts; @fastify/websocket registered first). */
  subscriptions?: SubscriptionServer;
}

/**
 * Query-shape limits (graphql-armor): depth, aliases (counting `__typename`), directives, tokens,
 * cost. `introspectionCost` is the budget of operations that only read the schema (cost.ts):
 * graphql-js's getIntrospectionQuery() costs 16,896–16,978 with any of its options, so a little
 * headroom for other tools' variants, and less than two full introspections (aliases of __schema).
 */
export const GRAPHQL_LIMITS = { depth: 8, aliases: 15, directives: 50, tokens: 1000, cost: 5000, introspectionCost: 25_000 } as const;

/** graphql-armor's query-shape rules with GRAPHQL_LIMITS, for POST /graphql and subscriptions alike. */
export function graphqlArmor() {
  return new ApolloArmor({
    maxDepth: { n: GRAPHQL_LIMITS.depth, flattenFragments: true },
    maxAliases: { n: GRAPHQL_LIMITS.aliases, allowList: [] },
    maxDirectives: { n: GRAPHQL_LIMITS.directives },
    // Counted by graphql-js's own parser (parseOptions below): armor's re-parse inside a plugin
    // hook turns every syntax error into a 500.
    maxTokens: { enabled: false },
    // Costed by cost.ts instead (below): variables at their value, `first` capped at a page.
    costLimit: { enabled: false },
    // Apollo's hideSchemaDetailsFromClientErrors and formatError below drop suggestions whole;
    // armor's plugin would leave "[Suggestion hidden]?" behind in variable errors.
    blockFieldSuggestion: { enabled: false },
  }).protect();
}

async function graphqlRoute(app: FastifyInstance, opts: GraphQLOptions) {
  const armor = graphqlArmor();
  const apollo = new ApolloServer<GraphQLContext>({
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: GRAPHQL_LIMITS.tokens },
    // Apollo's executor seam: it parses, validates and runs the plugins; execution is jit.ts's.
    // GRAPHQL_JIT_AFTER=0: Apollo's own execution, exactly as without jit.ts.
    ...(opts.executor.enabled ? { gateway: opts.executor.gateway() } : { schema: opts.executor.schema }),
    introspection: opts.playground.introspection,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Fastify owns shutdown (see server.ts): Apollo's own signal handling hangs on close.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: opts.production,
    formatError: (formatted, error) => {
      const out = formatError(formatted, error);
      return opts.production ? { ...out, message: withoutSuggestions(out.message) } : out;
    },
    plugins: [
      // No @cacheControl hints anywhere: the default plugin only instrumented every field
      // (measured: gql.list req/s × 1.13, toggleTask × 1.12) to arrive at `no-store`, which the
      // route below now sets itself.
      ApolloServerPluginCacheControlDisabled(),
      ...(armor.plugins as ApolloServerPlugin<GraphQLContext>[]),
      errorLoggingPlugin(app.log),
      {
        // The cost limit (cost.ts), before execution. An operation that only reads the schema has its own budget (when introspection is on).
        async requestDidStart() {
          return {
            async didResolveOperation({ document, request, operation }) {
              if (!operation) return;
              if (operation.operation === 'subscription') {
                throw new GraphQLError('Subscriptions are served over WebSocket: the graphql-ws protocol at this same URL (see the README).', {
                  extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
                });
              }
              const cost = operationCost(document, operation, request.variables ?? {});
              const schemaOnly = opts.playground.introspection && isIntrospectionOnly(document, operation);
              const limit = schemaOnly ? GRAPHQL_LIMITS.introspectionCost : GRAPHQL_LIMITS.cost;
              if (cost > limit) {
                throw new GraphQLError(`${schemaOnly ? 'Introspection' : 'Query'} cost limit of ${limit} exceeded, found ${Math.round(cost)}.`, {
                  extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
                });
              }
            },
          };
        },
      },
      opts.playground.landingPage ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  app.addHook('onClose', async () => {
    await apollo.stop();
  });

  registerRequestChain(app, optionalViewer);
  app.addHook('onSend', requestIdOnGraphqlErrors);
  const handler = fastifyApolloHandler(apollo, {
    context: async (request) => ({
      viewer: request.viewer,
      requestId: String(request.id),
      tasks: opts.tasks,
      users: opts.users,
      sessions: opts.sessions,
      activity: opts.activity,
      accounts: opts.accounts,
      origin: {
        ip: request.ip,
        userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined,
        log: request.log,
      },
    }),
  });
  app.route({ method: ['POST', 'OPTIONS'], url: '/graphql', handler, schema: { hide: true } as object });
  // GET: queries over HTTP, and the WebSocket upgrade for subscriptions (@fastify/websocket routes by the Upgrade header).
  const subscriptions = opts.subscriptions;
  app.route({
    method: 'GET',
    url: '/graphql',
    ...(subscriptions ? { onRequest: subscriptions.guard, wsHandler: subscriptions.handle } : {}),
    handler,
    schema: { hide: true } as object,
  });
}

/** Encapsulated (its hooks apply to /graphql only); what it needs is checked at registration. */
export const graphqlPlugin = fp(graphqlRoute, { name: 'graphql', encapsulate: true, dependencies: ['viewer', 'rate-limits', 'security'] });
