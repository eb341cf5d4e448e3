// GraphQL subscriptions over WebSocket: the graphql-ws protocol (subprotocol `graphql-transport-ws`,
// the one Apollo Client, urql and GraphiQL speak) on GET /graphql with an HTTP upgrade, through
// @fastify/websocket so the upgrade request passes the same hooks as any request (lifecycle,
// per-IP rate limit, security headers) before the socket exists.
//
// - Before the upgrade (`guard`): a browser page of a foreign Origin is refused with 403
//   (cross-site WebSocket hijacking); a request without Origin (not a browser) may connect. An
//   address at its connection limit gets 429.
// - connection_init carries the credential, `{"authorization": "Bearer <access token>"}`, checked
//   by the same verifier as HTTP; never read from the URL. Missing or invalid: close 4401. No
//   connection_init within 3 s: 4408 (graphql-ws).
// - The socket closes with 4401 when the token's `exp` passes, and as soon as its session is
//   revoked (logout, account deletion, refresh rotation, any revocation: auth/revocations.ts
//   announces each one on the event bus, to every instance when the bus is Redis). Open sessions
//   are also re-checked every REVOCATION_RECHECK_MS, for an announcement Redis lost.
// - Only subscriptions run here (queries and mutations go to POST /graphql, with its whole plugin
//   chain); each is parsed with the same token limit, validated with the same depth, alias and
//   directive rules and costed with the same formula as over HTTP, and counts against the same
//   per-user and per-IP rate limits as an HTTP request.
// - Limits (WS_* variables): sockets per address and per user, subscriptions per socket, message
//   size (ws maxPayload, close 1009), keep-alive pings, and a socket whose unsent bytes exceed a
//   bound is closed (1013) instead of buffering without limit.
// - Shutdown: closeAll(1001) in preClose, after the drain (app.ts).
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, getOperationAST, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { makeServer, type Context as WsContext } from 'graphql-ws';
import type { WebSocket } from 'ws';
import { InvalidTokenError, type AccessTokenVerifier } from '../auth/access-tokens.js';
import { RevocationUnavailableError, type RevocationStore } from '../auth/revocations.js';
import type { WebSocketLimits } from '../config/env.js';
import { AppError } from '../domain/domain-errors.js';
import type { AccountService } from '../domain/accounts/account.service.js';
import type { SecurityActivityService } from '../domain/accounts/security-activity.service.js';
import type { SessionService } from '../domain/accounts/sessions.service.js';
import type { TaskService } from '../domain/tasks/task.service.js';
import type { UserService } from '../domain/users/user.service.js';
import type { Viewer } from '../domain/users/user.types.js';
import type { RateLimitPolicy } from '../plugins/rate-limits.js';
import type { GraphQLContext } from './context.js';
import { operationCost } from './cost.js';
import { formatError, withoutSuggestions } from './graphql-errors.js';
import { GRAPHQL_LIMITS, graphqlArmor } from './plugin.js';

/** Close codes sent by this server (graphql-ws's own: 4400 bad message, 4406 subprotocol, 4408 init timeout, 4409, 4429 second init). */
export const WS_CLOSE = {
  GOING_AWAY: 1001,
  /** The socket did not read what it was sent (WS_MAX_BUFFERED_BYTES), or the revocation store is unreachable: retry later. */
  TRY_AGAIN_LATER: 1013,
  UNAUTHORIZED: 4401,
  TOO_MANY_CONNECTIONS: 4429,
} as const;

/** How often open sessions are checked against the revocation store, in case an announcement was lost. */
export const REVOCATION_RECHECK_MS = 10_000;
/** How long shutdown waits for clients to answer the close frame before dropping them. */
const CLOSE_GRACE_MS = 2_000;
/** graphql-ws's connectionInitWaitTimeout. */
export const CONNECTION_INIT_WAIT_MS = 3_000;

export interface SubscriptionServerOptions {
  schema: GraphQLSchema;
  tokens: AccessTokenVerifier;
  revocations: RevocationStore;
  rateLimits: RateLimitPolicy;
  tasks: TaskService;
  users: UserService;
  sessions: SessionService;
  activity: SecurityActivityService;
  accounts: AccountService;
  limits: WebSocketLimits;
  /** Origins a browser may open a socket from: the API's own, TRUSTED_ORIGINS and CORS_ORIGINS. */
  allowedOrigins: string[];
  production: boolean;
  log: FastifyBaseLogger;
}

interface Live {
  token: string;
  viewer: Viewer;
  expiry: NodeJS.Timeout;
}

interface Extra {
  socket: WebSocket;
  request: FastifyRequest;
  live?: Live;
}

type Ctx = WsContext<Record<string, unknown> | undefined, Extra>;

function closeSocket(socket: WebSocket, code: number, reason: string) {
  if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason);
}

export class SubscriptionServer {
  private readonly server;
  private readonly armorRules;
  private readonly origins: Set<string>;
  private readonly sockets = new Set<WebSocket>();
  private readonly bySession = new Map<string, Set<WebSocket>>();
  private readonly perUser = new Map<string, number>();
  private readonly perIp = new Map<string, number>();
  private readonly stopListening: () => void;
  private readonly recheck: NodeJS.Timeout;

  constructor(private readonly opts: SubscriptionServerOptions) {
    this.origins = new Set(opts.allowedOrigins);
    // The validation rules of POST /graphql (graphql/plugin.ts), with the same limits.
    this.armorRules = graphqlArmor().validationRules;
    this.server = makeServer<Record<string, unknown> | undefined, Extra>({
      schema: opts.schema,
      connectionInitWaitTimeout: CONNECTION_INIT_WAIT_MS,
      onConnect: (ctx) => this.onConnect(ctx),
      onSubscribe: (ctx, _id, payload) => this.onSubscribe(ctx, payload),
      onNext: (ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => this.format(ctx, e)) } : undefined,
      onError: (ctx, _id, _payload, errors) => errors.map((e) => this.format(ctx, e)),
    });
    this.stopListening = opts.revocations.onRevoked((sessionId) => this.closeSession(sessionId, 'the session ended'));
    this.recheck = setInterval(() => void this.recheckSessions(), REVOCATION_RECHECK_MS);
    this.recheck.unref();
  }

  /** Open sockets (for tests and metrics). */
  get size(): number {
    return this.sockets.size;
  }

  /** Route onRequest hook on GET /graphql: refuses an upgrade before the socket exists. */
  readonly guard = async (request: FastifyRequest, _reply: FastifyReply) => {
    if (!request.ws) return;
    const origin = request.headers.origin;
    if (origin !== undefined && !this.origins.has(origin)) {
      request.log.warn({ event: 'ws_foreign_origin', origin: origin.slice(0, 200) }, 'WebSocket upgrade from a foreign origin refused');
      throw new AppError('FORBIDDEN', 'WebSocket connections from this origin are not allowed.');
    }
    if ((this.perIp.get(request.ip) ?? 0) >= this.opts.limits.connectionsPerIp) {
      request.log.warn({ event: 'ws_too_many_connections', scope: 'ip' }, 'WebSocket connection limit per address reached');
      const error = new AppError('RATE_LIMITED', `At most ${this.opts.limits.connectionsPerIp} WebSocket connections per client address.`);
      error.retryAfter = 5;
      throw error;
    }
  };

  /** @fastify/websocket's wsHandler: the upgrade is done. */
  readonly handle = (socket: WebSocket, request: FastifyRequest) => {
    const { limits, log } = this.opts;
    const ip = request.ip;
    this.sockets.add(socket);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    const extra: Extra = { socket, request };
    /** graphql-ws's side of the socket, once opened (an over-limit socket is closed before). */
    const protocol: { closed?: (code: number, reason: string) => Promise<void> } = {};
    let ping: NodeJS.Timeout | undefined;
    socket.once('close', (code, reason) => {
      if (ping) clearInterval(ping);
      this.sockets.delete(socket);
      this.release(this.perIp, ip);
      if (extra.live) this.forget(socket, extra.live);
      protocol.closed?.(code, String(reason)).catch((error: unknown) => log.error({ err: error }, 'subscription cleanup failed'));
    });
    // Upgrades that raced past the guard's check.
    if ((this.perIp.get(ip) ?? 0) > limits.connectionsPerIp) {
      closeSocket(socket, WS_CLOSE.TOO_MANY_CONNECTIONS, 'Too many connections from this address');
      return;
    }
    if (limits.keepAliveSeconds > 0) {
      let answered = true;
      socket.on('pong', () => (answered = true));
      ping = setInterval(() => {
        if (!answered) {
          request.log.info({ event: 'ws_keepalive_timeout' }, 'WebSocket did not answer a ping; dropped');
          socket.terminate();
          return;
        }
        answered = false;
        socket.ping();
      }, limits.keepAliveSeconds * 1000);
      ping.unref();
    }
    protocol.closed = this.server.opened(
      {
        protocol: socket.protocol,
        // Not awaited to the wire: a reader that falls behind grows the socket's buffer, which is bounded here.
        send: async (data) => {
          if (socket.readyState !== socket.OPEN) return;
          socket.send(data);
          if (socket.bufferedAmount > limits.maxBufferedBytes) {
            request.log.warn({ event: 'ws_slow_consumer', buffered: socket.bufferedAmount }, 'WebSocket closed: it does not read what it is sent');
            // The close frame queues behind what the client has not read: it gets a second to take it.
            closeSocket(socket, WS_CLOSE.TRY_AGAIN_LATER, 'Too slow: messages were not read');
            setTimeout(() => socket.terminate(), 1_000).unref();
          }
        },
        close: (code, reason) => closeSocket(socket, code ?? 1000, reason ?? ''),
        onMessage: (receive) =>
          socket.on('message', (data) => {
            receive(String(data)).catch((error: unknown) => {
              const message = error instanceof Error ? error.message : String(error);
              // graphql-ws throws for a well-formed message of an unknown type: the client's mistake.
              if (/^Unexpected message of type/.test(message)) {
                closeSocket(socket, 4400, 'Unexpected message type');
                return;
              }
              request.log.error({ err: error }, 'WebSocket message handling failed');
              closeSocket(socket, 4500, 'Internal server error');
            });
          }),
      },
      extra,
    );
  };

  private async onConnect(ctx: Ctx): Promise<boolean> {
    const { socket, request } = ctx.extra;
    const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
    const match = typeof header === 'string' ? /^Bearer +([^\s]+) *$/i.exec(header) : null;
    if (!match) {
      request.log.info({ event: 'ws_unauthenticated' }, 'WebSocket connection_init without a bearer token');
      closeSocket(socket, WS_CLOSE.UNAUTHORIZED, 'Unauthorized: send {"authorization": "Bearer <access token>"}');
      return false;
    }
    let verified;
    try {
      verified = await this.opts.tokens.inspect(match[1]!);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        request.log.info({ event: 'token_rejected', reason: error.reason, transport: 'ws' }, 'access token rejected');
        closeSocket(socket, WS_CLOSE.UNAUTHORIZED, 'Unauthorized: the access token is invalid or expired');
        return false;
      }
      if (error instanceof RevocationUnavailableError) {
        request.log.error({ err: { message: String((error.cause as Error)?.message ?? error.cause) } }, 'revocation store unavailable');
        closeSocket(socket, WS_CLOSE.TRY_AGAIN_LATER, 'Cannot check the token right now; retry shortly');
        return false;
      }
      throw error;
    }
    if (socket.readyState !== socket.OPEN) return false;
    const { viewer, expiresAt } = verified;
    if ((this.perUser.get(viewer.userId) ?? 0) >= this.opts.limits.connectionsPerUser) {
      request.log.warn({ event: 'ws_too_many_connections', scope: 'user', userId: viewer.userId }, 'WebSocket connection limit per user reached');
      closeSocket(socket, WS_CLOSE.TOO_MANY_CONNECTIONS, 'Too many connections for this account');
      return false;
    }
    const expiry = setTimeout(
      () => closeSocket(socket, WS_CLOSE.UNAUTHORIZED, 'Unauthorized: the access token expired'),
      Math.min(Math.max(expiresAt - Date.now(), 0), 2 ** 31 - 1),
    );
    expiry.unref();
    const live: Live = { token: match[1]!, viewer: { ...viewer, requestId: String(request.id) }, expiry };
    ctx.extra.live = live;
    this.perUser.set(viewer.userId, (this.perUser.get(viewer.userId) ?? 0) + 1);
    let sockets = this.bySession.get(viewer.sessionId);
    if (!sockets) this.bySession.set(viewer.sessionId, (sockets = new Set()));
    sockets.add(socket);
    return true;
  }

  private async onSubscribe(ctx: Ctx, payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null }) {
    const { socket, request, live } = ctx.extra;
    const requestId = String(request.id);
    const refuse = (message: string, code: string, extensions: Record<string, unknown> = {}) => [
      new GraphQLError(message, { extensions: { code, ...extensions } }),
    ];
    if (!live) return refuse('Authentication required.', 'UNAUTHENTICATED');
    // graphql-ws has already entered this one.
    const active = Object.keys(ctx.subscriptions).length;
    if (active > this.opts.limits.subscriptionsPerConnection) {
      return refuse(`At most ${this.opts.limits.subscriptionsPerConnection} subscriptions may be active on one connection.`, 'BAD_REQUEST');
    }
    try {
      // The session may have ended since connection_init without this instance hearing of it.
      await this.opts.tokens.verify(live.token);
      await this.opts.rateLimits.apiIp(request.ip);
      await this.opts.rateLimits.apiUser(live.viewer.userId);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        closeSocket(socket, WS_CLOSE.UNAUTHORIZED, 'Unauthorized: the access token is invalid or expired');
        return refuse('Access token is invalid or expired.', 'UNAUTHENTICATED');
      }
      if (error instanceof RevocationUnavailableError) return refuse('Service temporarily unavailable.', 'SERVICE_UNAVAILABLE');
      if (error instanceof AppError && error.code === 'RATE_LIMITED') {
        request.log.warn({ event: 'rate_limited', path: '/graphql', transport: 'ws' }, 'rate limited');
        return refuse(error.message, 'RATE_LIMITED', { retryAfter: error.retryAfter });
      }
      throw error;
    }
    if (typeof payload.query !== 'string') return refuse('The subscribe message has no query.', 'BAD_REQUEST');
    let document: DocumentNode;
    try {
      document = parse(payload.query, { maxTokens: GRAPHQL_LIMITS.tokens });
    } catch (error) {
      return refuse(error instanceof GraphQLError ? error.message : 'The query does not parse.', 'GRAPHQL_PARSE_FAILED');
    }
    const operationName = payload.operationName ?? undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation) return refuse('Could not pick the operation: name it with operationName.', 'OPERATION_RESOLUTION_FAILURE');
    if (operation.operation !== 'subscription') {
      return refuse('Only subscriptions are served over WebSocket; send queries and mutations to POST /graphql.', 'BAD_REQUEST');
    }
    const invalid = validate(this.opts.schema, document, [...specifiedRules, ...this.armorRules]);
    if (invalid.length > 0) {
      return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } }));
    }
    const variables = payload.variables ?? {};
    const cost = operationCost(document, operation, variables);
    if (cost > GRAPHQL_LIMITS.cost) {
      return refuse(`Query cost limit of ${GRAPHQL_LIMITS.cost} exceeded, found ${Math.round(cost)}.`, 'GRAPHQL_VALIDATION_FAILED');
    }
    const contextValue: GraphQLContext = {
      viewer: live.viewer,
      requestId,
      tasks: this.opts.tasks,
      users: this.opts.users,
      sessions: this.opts.sessions,
      activity: this.opts.activity,
      accounts: this.opts.accounts,
      origin: { ip: request.ip, userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined, log: request.log },
    };
    return { schema: this.opts.schema, document, operationName, variableValues: variables, contextValue };
  }

  /** The error as POST /graphql would show it (graphql/errors.ts), with the upgrade request's id. */
  private format(ctx: Ctx, error: GraphQLError) {
    // RATE_LIMITED is answered before GraphQL over HTTP (REST shape); here it is this server's own refusal.
    const out = error.extensions?.code === 'RATE_LIMITED' ? error.toJSON() : formatError(error.toJSON(), error);
    const requestId = String(ctx.extra.request.id);
    if (out.extensions?.code === 'INTERNAL_SERVER_ERROR') ctx.extra.request.log.error({ err: error.originalError ?? error }, 'graphql subscription error');
    return {
      ...out,
      message: this.opts.production ? withoutSuggestions(out.message) : out.message,
      extensions: { ...out.extensions, requestId },
    };
  }

  private forget(socket: WebSocket, live: Live) {
    clearTimeout(live.expiry);
    this.release(this.perUser, live.viewer.userId);
    const sockets = this.bySession.get(live.viewer.sessionId);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.bySession.delete(live.viewer.sessionId);
  }

  private release(counts: Map<string, number>, key: string) {
    const left = (counts.get(key) ?? 1) - 1;
    if (left > 0) counts.set(key, left);
    else counts.delete(key);
  }

  private closeSession(sessionId: string, why: string) {
    for (const socket of this.bySession.get(sessionId) ?? []) closeSocket(socket, WS_CLOSE.UNAUTHORIZED, `Unauthorized: ${why}`);
  }

  private async recheckSessions() {
    for (const sessionId of [...this.bySession.keys()]) {
      try {
        if (await this.opts.revocations.isRevoked(sessionId)) this.closeSession(sessionId, 'the session ended');
      } catch {
        // The store is unreachable: the next round tries again (HTTP requests fail safe meanwhile).
      }
    }
  }

  /** Closes every socket with `code` (shutdown: 1001), waiting up to CLOSE_GRACE_MS for the close handshakes. */
  async closeAll(code: number = WS_CLOSE.GOING_AWAY, reason = 'Server shutting down'): Promise<void> {
    clearInterval(this.recheck);
    this.stopListening();
    const open = [...this.sockets];
    if (open.length === 0) return;
    const done = Promise.all(open.map((socket) => new Promise<void>((resolve) => (socket.readyState === socket.CLOSED ? resolve() : socket.once('close', () => resolve())))));
    for (const socket of open) closeSocket(socket, code, reason);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
    for (const socket of open) if (socket.readyState !== socket.CLOSED) socket.terminate();
  }
}
