// Builds the Fastify app: infrastructure plugins, then the transports, in order.
// Requests flow one way: HTTP → viewer (auth) → transport (GraphQL | REST) → domain service → database.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AccessTokenVerifier } from './auth/access-tokens.js';
import { SESSION_LIFETIME_SECONDS, createAuth, type Auth } from './auth/better-auth.js';
import { BetterAuthAccountStore } from './auth/account-store.js';
import { BetterAuthTwoFactorStore } from './auth/two-factor.js';
import { WebAuthnPasskeyStore } from './auth/passkey-store.js';
import { passwordProblem, setHashConcurrency } from './auth/passwords.js';
import { RefreshTokenRotator } from './auth/refresh.js';
import { MemoryRevocationStore, RedisRevocationStore, type RevocationStore } from './auth/revocations.js';
import websocketPlugin from '@fastify/websocket';
import { handleProtocols } from 'graphql-ws';
import { MemoryEventBus, RedisEventBus, subscriberConnection, type EventBus } from './infra/event-bus.js';
import { TaskEvents } from './domain/tasks/task-events.js';
import { SubscriptionServer } from './graphql/subscriptions.js';
import { logController, loggerOptions } from './infra/logger.js';
import { createMailer } from './infra/mail.js';
import { connectRedis, redisReady } from './infra/redis.js';
import { MemoryCounterStore, RateLimiter, RedisCounterStore } from './infra/rate-limiter.js';
import rateLimitsPlugin, { RateLimitPolicy } from './plugins/rate-limits.js';
import securityPlugin from './plugins/security.js';
import type { Config } from './config/env.js';
import { resolveAuthSecret } from './config/secrets.js';
import { createOrm, migrate, type Orm } from './db/orm.js';
import { SqlPool } from './db/sql.js';
import { AccountService } from './domain/accounts/account.service.js';
import { PasskeyService } from './domain/accounts/passkeys.service.js';
import type { SecurityEventSink } from './domain/accounts/events.js';
import { CleanupJob } from './db/cleanup.js';
import { SECURITY_EVENT_RETENTION_DAYS, SecurityActivityService } from './domain/accounts/security-activity.service.js';
import { SessionService } from './domain/accounts/sessions.service.js';
import { TaskService } from './domain/tasks/task.service.js';
import { UserService } from './domain/users/user.service.js';
import { JIT_MAX_COMPILED, JitExecutor } from './graphql/jit.js';
import { graphqlPlugin } from './graphql/plugin.js';
import { buildSchema } from './graphql/schema.js';
import restErrorsPlugin, { clientErrorHandler, frameworkErrors, MAX_PARAM_LENGTH } from './rest/rest-errors.js';
import lifecyclePlugin from './plugins/lifecycle.js';
import healthRoutes from './rest/health.routes.js';
import openapiPlugin from './plugins/openapi.js';
import { validatorCompiler } from './plugins/validation.js';
import viewerPlugin from './plugins/viewer.js';
import authRoutes from './rest/auth.routes.js';
import sessionRoutes from './rest/sessions.routes.js';
import passkeyRoutes from './rest/passkeys.routes.js';
import { ErrorBody } from './rest/schemas.js';
import tasksRoutes from './rest/tasks.routes.js';

export interface BuiltApp {
  app: FastifyInstance;
  accounts: AccountService;
  orm: Orm;
  auth: Auth;
  db: SqlPool;
  tokens: AccessTokenVerifier;
  graphql: JitExecutor;
  cleanup: CleanupJob;
}

export interface BuildOptions {
  /** Overrides where PGlite lives (tests use `memory://`). */
  pgliteDir?: string;
  /** Skip applying migrations (they are applied by default). */
  skipMigrations?: boolean;
  /** Where the account service reports security events (default: nowhere). */
  securityEvents?: SecurityEventSink;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<BuiltApp> {
  const app = Fastify({
    // JSON in production and test; a readable console in development (infra/logger.ts).
    logger: await loggerOptions(config),
    logController: logController(config),
    bodyLimit: 64 * 1024,
    genReqId: () => randomUUID(),
    trustProxy: config.trustProxy as FastifyServerOptions['trustProxy'],
    requestIdHeader: false,
    routerOptions: { ignoreDuplicateSlashes: true, caseSensitive: true, maxParamLength: MAX_PARAM_LENGTH },
    // Router and HTTP-parser refusals in the documented error shape (rest/rest-errors.ts).
    frameworkErrors,
    clientErrorHandler,
    // plugins/lifecycle.ts answers requests that arrive while closing, in the documented shape.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const secret = await resolveAuthSecret(config, (msg) => app.log.warn(msg));
  const orm = await createOrm({
    databaseUrl: config.databaseUrl,
    pgliteDir: options.pgliteDir ?? path.join(config.dataDir, 'db'),
    poolMax: config.dbPoolMax,
  });
  app.addHook('onClose', async () => {
    await orm.close(true);
  });
  try {
    if (!options.skipMigrations) {
      const applied = await migrate(orm);
      if (applied.length > 0) app.log.info({ migrations: applied }, 'migrations applied');
    }
  } catch (error) {
    await orm.close(true);
    throw error;
  }

  const redis = config.redisUrl ? connectRedis(config.redisUrl, app.log) : undefined;
  if (redis) {
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
    if (!(await redisReady(redis))) app.log.warn('redis not reachable at start; continuing (rate limits fail open, revocation checks fail safe)');
  }
  // Task events and revocation announcements: in process, or across instances through Redis pub/sub
  // (docs/decisions/019-live-update-bus.md).
  const bus: EventBus = redis
    ? new RedisEventBus(redis, subscriberConnection(redis, app.log), app.log)
    : new MemoryEventBus((error) => app.log.error({ err: error }, 'event handler failed'));
  app.addHook('onClose', async () => {
    await bus.close();
  });
  const revocations: RevocationStore = redis ? new RedisRevocationStore(redis, bus) : new MemoryRevocationStore(bus);
  const limiter = new RateLimiter(
    redis ? new RedisCounterStore(redis) : new MemoryCounterStore(),
    config.rateLimits.enabled,
    (error) => app.log.warn({ err: { message: (error as Error).message } }, 'rate-limit store unavailable; allowing the request'),
  );

  const db = new SqlPool(orm);
  setHashConcurrency(config.hashConcurrency);
  // better-auth and the token verifier need each other: better-auth reports a deleted session, which
  // the verifier (built from better-auth's JWKS below) must forget. The verifier subscribes once it
  // exists; nothing ends a session before then.
  const sessionForgetters: Array<(sessionId: string) => void> = [];
  const revokeSession = async (sessionId: string) => {
    await revocations.revoke(sessionId, config.accessTokenTtlSeconds + 60);
    for (const forget of sessionForgetters) forget(sessionId);
  };
  // better-auth applies the account service's sign-up rules; the service needs better-auth (its
  // store). The rules need nothing built later, so the hook reaches them through this binding.
  const late: { accounts?: AccountService } = {};
  const auth = createAuth(
    {
      secret,
      baseURL: config.publicUrl,
      trustedOrigins: config.trustedOrigins,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      production: config.env === 'production',
      onSessionDeleted: revokeSession,
      log: app.log,
      checkSignUp: (body) => late.accounts!.checkSignUp(body),
      requireEmailVerification: config.requireEmailVerification,
    },
    db,
  );
  const tokens = new AccessTokenVerifier({
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    revocations,
    loadKeys: async () => (await auth.api.getJwks()) as never,
  });
  sessionForgetters.push((sessionId) => tokens.forgetSession(sessionId));
  // The first signing key is made now (serving the JWKS makes one when there is none), not by the
  // first sign-ins: two racing ones would each make one. It also loads the verifier's key set.
  await tokens.reloadKeys();
  const tasks = new TaskService(
    db,
    (viewer, taskId) =>
      app.log.warn({ event: 'cross_owner_access', reqId: viewer.requestId, userId: viewer.userId, taskId }, 'task of another owner requested'),
    new TaskEvents(bus),
  );
  const users = new UserService(db);
  const activity = new SecurityActivityService(db);
  const sessions = new SessionService(db, revokeSession, activity);
  const cleanup = new CleanupJob(db, {
    intervalSeconds: config.cleanupIntervalSeconds,
    sessionLifetimeSeconds: SESSION_LIFETIME_SECONDS,
    securityEventRetentionDays: SECURITY_EVENT_RETENTION_DAYS,
    log: app.log,
  });
  const limits = new RateLimitPolicy(limiter, config.rateLimits);
  const mailer = createMailer(config.mail, app.log);
  const accountStore = new BetterAuthAccountStore(auth, db, revokeSession);
  const accounts = new AccountService({
    store: accountStore,
    twoFactor: new BetterAuthTwoFactorStore(auth, db, 'Taskgate'),
    limits,
    passwordPolicy: (password, context) => passwordProblem(password, context),
    mailer,
    publicUrl: config.publicUrl,
    events: options.securityEvents ?? activity,
    log: app.log,
    requireEmailVerification: config.requireEmailVerification,
  });
  late.accounts = accounts;
  const passkeys = new PasskeyService({
    passkeys: new WebAuthnPasskeyStore(auth, db, { publicUrl: config.publicUrl, rpName: 'Taskgate' }),
    accounts: accountStore,
    limits,
    events: options.securityEvents ?? activity,
  });
  app.addHook('onClose', async () => {
    // Mails still being sent after their answers go out before the database closes.
    await accounts.settled();
    mailer.close();
  });
  // Before the database closes (onClose): a run in progress finishes its batch first.
  app.addHook('preClose', async () => {
    await cleanup.stop();
  });

  app.setValidatorCompiler(validatorCompiler);
  app.addSchema(ErrorBody);
  await app.register(restErrorsPlugin);
  await app.register(lifecyclePlugin);
  await app.register(securityPlugin, {
    corsOrigins: config.corsOrigins,
    trustedOrigins: [config.publicUrl, ...config.trustedOrigins],
    https: config.publicUrl.startsWith('https://'),
  });
  await app.register(viewerPlugin, { tokens });
  await app.register(rateLimitsPlugin, { limits });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-request-id', String(reply.request.id));
  });

  await app.register(openapiPlugin);
  await app.register(healthRoutes, {
    pendingMigrations: async () => (await orm.getMigrator().getPendingMigrations()).length,
    reloadKeys: () => tokens.reloadKeys(),
  });
  await app.register(authRoutes, {
    auth,
    accounts,
    rotation: new RefreshTokenRotator(auth, db, revokeSession, config.refreshReuseIntervalSeconds),
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
  });
  await app.register(sessionRoutes, { sessions, activity });
  await app.register(passkeyRoutes, { auth, passkeys, accessTokenTtlSeconds: config.accessTokenTtlSeconds });
  await app.register(tasksRoutes, { tasks });
  const graphql = new JitExecutor(buildSchema(), { compileAfter: config.graphqlJitAfter, maxCompiled: JIT_MAX_COMPILED });
  const subscriptions = new SubscriptionServer({
    schema: graphql.schema,
    tokens,
    revocations,
    rateLimits: limits,
    tasks,
    users,
    sessions,
    activity,
    accounts,
    limits: config.websocket,
    allowedOrigins: [config.publicUrl, ...config.trustedOrigins, ...config.corsOrigins],
    production: config.env === 'production',
    log: app.log,
  });
  await app.register(websocketPlugin, {
    options: { maxPayload: config.websocket.maxMessageBytes, handleProtocols: (protocols) => handleProtocols(protocols) },
    // Shutdown (after the drain): every socket is told 1001 Going Away; clients reconnect elsewhere.
    preClose: async () => {
      await subscriptions.closeAll();
      app.websocketServer.close();
    },
    // A protocol-level error (a message over WS_MAX_MESSAGE_BYTES: ws closes it with 1009) is the client's.
    errorHandler: (error, socket, request) => {
      request.log.info({ event: 'ws_error', err: { message: error.message } }, 'WebSocket error');
      if (socket.readyState === socket.OPEN) socket.terminate();
    },
  });
  await app.register(graphqlPlugin, {
    subscriptions,
    tasks,
    users,
    accounts,
    sessions,
    activity,
    production: config.env === 'production',
    playground: config.graphqlPlayground,
    executor: graphql,
  });

  await app.ready();
  cleanup.start();
  return { app, accounts, orm, auth, db, tokens, graphql, cleanup };
}
