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
import { LRUCache } from 'lru-cache';
import { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { InvalidTokenError, type AccessTokenVerifier } from '../auth/access-tokens.js';
import { RevocationUnavailableError, type RevocationStore } from '../auth/revocations.js';
import type { WebSocketLimits } from '../config/env.js';
import { AppError } from '../domain/domain-errors.js';
import type { AccountService } from '../domain/accounts/account.service.js';
import type { AccountRequest } from '../domain/accounts/account.types.js';
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

/** How many validated subscription documents are kept, keyed by their text (`documents`). */
const DOCUMENT_CACHE_ENTRIES = 200;

interface Live {
  token: string;
  viewer: Viewer;
  /** ms since the epoch; the socket's entry in the expiry schedule. */
  expiresAt: number;
}

/**
 * What a socket keeps of its upgrade request. The request itself (its headers, the raw request
 * and response, Fastify's request and reply) is let go once the socket is open: an idle socket
 * may stay open for hours, and what each one holds is multiplied by every open socket.
 */
interface Origin {
  ip: string;
  requestId: string;
  userAgent: string | undefined;
  log: FastifyBaseLogger;
}

interface Extra {
  socket: WebSocket;
  origin: Origin;
  /** The origin as the GraphQL context (and the account service) see it: built once per socket. */
  accountOrigin: AccountRequest;
  live?: Live;
  /** Tells graphql-ws the socket closed; set once it is opened (an over-limit socket is closed before). */
  closed?: (code: number, reason: string) => Promise<void>;
}

type Ctx = WsContext<Record<string, unknown> | undefined, Extra>;

function closeSocket(socket: WebSocket, code: number, reason: string) {
  if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason);
}

/**
 * graphql-ws's side of one socket. Its methods live on the prototype, so an open socket costs one
 * small object here rather than a closure per callback.
 */
class ProtocolSocket {
  constructor(
    private readonly socket: WebSocket,
    private readonly origin: Origin,
    private readonly maxBufferedBytes: number,
  ) {}

  get protocol() {
    return this.socket.protocol;
  }

  // Not awaited to the wire: a reader that falls behind grows the socket's buffer, which is bounded here.
  async send(data: string) {
    const socket = this.socket;
    if (socket.readyState !== socket.OPEN) return;
    socket.send(data);
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      this.origin.log.warn({ event: 'ws_slow_consumer', buffered: socket.bufferedAmount }, 'WebSocket closed: it does not read what it is sent');
      // The close frame queues behind what the client has not read: it gets a second to take it.
      closeSocket(socket, WS_CLOSE.TRY_AGAIN_LATER, 'Too slow: messages were not read');
      setTimeout(() => socket.terminate(), 1_000).unref();
    }
  }

  close(code?: number, reason?: string) {
    closeSocket(this.socket, code ?? 1000, reason ?? '');
  }

  onMessage(receive: (data: string) => Promise<void>) {
    const { socket, origin } = this;
    socket.on('message', (data) => {
      receive(String(data)).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        // graphql-ws throws for a well-formed message of an unknown type: the client's mistake.
        if (/^Unexpected message of type/.test(message)) {
          closeSocket(socket, 4400, 'Unexpected message type');
          return;
        }
        origin.log.error({ err: error }, 'WebSocket message handling failed');
        closeSocket(socket, 4500, 'Internal server error');
      });
    });
  }
}

export class SubscriptionServer {
  private readonly server;
  private readonly armorRules;
  private readonly origins: Set<string>;
  /** Open sockets and where each came from. */
  private readonly sockets = new Map<WebSocket, Origin>();
  private readonly bySession = new Map<string, Set<WebSocket>>();
  private readonly perUser = new Map<string, number>();
  private readonly perIp = new Map<string, number>();
  private readonly stopListening: () => void;
  private readonly recheck: NodeJS.Timeout;
  /**
   * Parsed and validated subscription documents by their text: every client of the web app sends
   * the same few, and a document is shared by the subscriptions that run it (graphql-js does not
   * change it), instead of each socket holding a parse tree of its own.
   */
  private readonly documents = new LRUCache<string, DocumentNode>({ max: DOCUMENT_CACHE_ENTRIES });
  /** Keep-alive: one timer for every socket; the sockets pinged by the last round that have not answered. */
  private readonly keepAlive: NodeJS.Timeout | undefined;
  private readonly unanswered = new Set<WebSocket>();
  private readonly onPong: (this: WebSocket) => void;
  private readonly onSocketError: (this: WebSocket, error: Error) => void;
  /** Token expiry: one timer for every socket, armed for the earliest `exp`; sockets by their token's `exp`. */
  private readonly expiries = new Map<number, Set<WebSocket>>();
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryTimerAt = Infinity;

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
    const { unanswered, sockets } = this;
    this.onPong = function () {
      unanswered.delete(this);
    };
    // A protocol-level error (a message over WS_MAX_MESSAGE_BYTES: ws closes it with 1009) is the client's.
    this.onSocketError = function (error) {
      (sockets.get(this)?.log ?? opts.log).info({ event: 'ws_error', err: { message: error.message } }, 'WebSocket error');
      if (this.readyState === this.OPEN) this.terminate();
    };
    if (opts.limits.keepAliveSeconds > 0) {
      // Each round drops the sockets that did not answer the previous round's ping, and pings the rest.
      this.keepAlive = setInterval(() => this.pingAll(), opts.limits.keepAliveSeconds * 1000);
      this.keepAlive.unref();
    }
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
    const userAgent = request.headers['user-agent'];
    const origin: Origin = { ip: request.ip, requestId: String(request.id), userAgent: typeof userAgent === 'string' ? userAgent : undefined, log: request.log };
    const ip = origin.ip;
    this.letRequestGo(socket, request);
    this.sockets.set(socket, origin);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    const extra: Extra = { socket, origin, accountOrigin: { ip, userAgent: origin.userAgent, log: origin.log } };
    socket.once('close', (code, reason) => {
      this.sockets.delete(socket);
      this.unanswered.delete(socket);
      this.release(this.perIp, ip);
      if (extra.live) this.forget(socket, extra.live);
      extra.closed?.(code, String(reason)).catch((error: unknown) => log.error({ err: error }, 'subscription cleanup failed'));
    });
    // Upgrades that raced past the guard's check.
    if ((this.perIp.get(ip) ?? 0) > limits.connectionsPerIp) {
      closeSocket(socket, WS_CLOSE.TOO_MANY_CONNECTIONS, 'Too many connections from this address');
      return;
    }
    if (this.keepAlive) socket.on('pong', this.onPong);
    extra.closed = this.server.opened(new ProtocolSocket(socket, origin, limits.maxBufferedBytes), extra);
  };

  private async onConnect(ctx: Ctx): Promise<boolean> {
    const { socket, origin } = ctx.extra;
    const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
    const match = typeof header === 'string' ? /^Bearer +([^\s]+) *$/i.exec(header) : null;
    if (!match) {
      origin.log.info({ event: 'ws_unauthenticated' }, 'WebSocket connection_init without a bearer token');
      closeSocket(socket, WS_CLOSE.UNAUTHORIZED, 'Unauthorized: send {"authorization": "Bearer <access token>"}');
      return false;
    }
    let verified;
    try {
      verified = await this.opts.tokens.inspect(match[1]!);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        origin.log.info({ event: 'token_rejected', reason: error.reason, transport: 'ws' }, 'access token rejected');
        closeSocket(socket, WS_CLOSE.UNAUTHORIZED, 'Unauthorized: the access token is invalid or expired');
        return false;
      }
      if (error instanceof RevocationUnavailableError) {
        origin.log.error({ err: { message: String((error.cause as Error)?.message ?? error.cause) } }, 'revocation store unavailable');
        closeSocket(socket, WS_CLOSE.TRY_AGAIN_LATER, 'Cannot check the token right now; retry shortly');
        return false;
      }
      throw error;
    }
    if (socket.readyState !== socket.OPEN) return false;
    const { viewer, expiresAt } = verified;
    if ((this.perUser.get(viewer.userId) ?? 0) >= this.opts.limits.connectionsPerUser) {
      origin.log.warn({ event: 'ws_too_many_connections', scope: 'user', userId: viewer.userId }, 'WebSocket connection limit per user reached');
      closeSocket(socket, WS_CLOSE.TOO_MANY_CONNECTIONS, 'Too many connections for this account');
      return false;
    }
    const live: Live = { token: match[1]!, viewer: { ...viewer, requestId: origin.requestId }, expiresAt };
    ctx.extra.live = live;
    this.expireAt(socket, expiresAt);
    this.perUser.set(viewer.userId, (this.perUser.get(viewer.userId) ?? 0) + 1);
    let sockets = this.bySession.get(viewer.sessionId);
    if (!sockets) this.bySession.set(viewer.sessionId, (sockets = new Set()));
    sockets.add(socket);
    return true;
  }

  private async onSubscribe(ctx: Ctx, payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null }) {
    const { socket, origin, live } = ctx.extra;
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
      await this.opts.rateLimits.apiIp(origin.ip);
      await this.opts.rateLimits.apiUser(live.viewer.userId);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        closeSocket(socket, WS_CLOSE.UNAUTHORIZED, 'Unauthorized: the access token is invalid or expired');
        return refuse('Access token is invalid or expired.', 'UNAUTHENTICATED');
      }
      if (error instanceof RevocationUnavailableError) return refuse('Service temporarily unavailable.', 'SERVICE_UNAVAILABLE');
      if (error instanceof AppError && error.code === 'RATE_LIMITED') {
        origin.log.warn({ event: 'rate_limited', path: '/graphql', transport: 'ws' }, 'rate limited');
        return refuse(error.message, 'RATE_LIMITED', { retryAfter: error.retryAfter });
      }
      throw error;
    }
    if (typeof payload.query !== 'string') return refuse('The subscribe message has no query.', 'BAD_REQUEST');
    const cached = this.documents.get(payload.query);
    let document: DocumentNode;
    if (cached) document = cached;
    else {
      try {
        document = parse(payload.query, { maxTokens: GRAPHQL_LIMITS.tokens });
      } catch (error) {
        return refuse(error instanceof GraphQLError ? error.message : 'The query does not parse.', 'GRAPHQL_PARSE_FAILED');
      }
    }
    const operationName = payload.operationName ?? undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation) return refuse('Could not pick the operation: name it with operationName.', 'OPERATION_RESOLUTION_FAILURE');
    if (operation.operation !== 'subscription') {
      return refuse('Only subscriptions are served over WebSocket; send queries and mutations to POST /graphql.', 'BAD_REQUEST');
    }
    if (!cached) {
      // Validation depends on the document alone (not the operation name nor the variables): once per text.
      const invalid = validate(this.opts.schema, document, [...specifiedRules, ...this.armorRules]);
      if (invalid.length > 0) {
        return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } }));
      }
      this.documents.set(payload.query, document);
    }
    const variables = payload.variables ?? {};
    const cost = operationCost(document, operation, variables);
    if (cost > GRAPHQL_LIMITS.cost) {
      return refuse(`Query cost limit of ${GRAPHQL_LIMITS.cost} exceeded, found ${Math.round(cost)}.`, 'GRAPHQL_VALIDATION_FAILED');
    }
    const contextValue: GraphQLContext = {
      viewer: live.viewer,
      requestId: origin.requestId,
      tasks: this.opts.tasks,
      users: this.opts.users,
      sessions: this.opts.sessions,
      activity: this.opts.activity,
      accounts: this.opts.accounts,
      origin: ctx.extra.accountOrigin,
    };
    return { schema: this.opts.schema, document, operationName, variableValues: variables, contextValue };
  }

  /** The error as POST /graphql would show it (graphql/errors.ts), with the upgrade request's id. */
  private format(ctx: Ctx, error: GraphQLError) {
    // RATE_LIMITED is answered before GraphQL over HTTP (REST shape); here it is this server's own refusal.
    const out = error.extensions?.code === 'RATE_LIMITED' ? error.toJSON() : formatError(error.toJSON(), error);
    const { requestId, log } = ctx.extra.origin;
    if (out.extensions?.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error.originalError ?? error }, 'graphql subscription error');
    return {
      ...out,
      message: this.opts.production ? withoutSuggestions(out.message) : out.message,
      extensions: { ...out.extensions, requestId },
    };
  }

  private forget(socket: WebSocket, live: Live) {
    const expiring = this.expiries.get(live.expiresAt);
    expiring?.delete(socket);
    if (expiring?.size === 0) this.expiries.delete(live.expiresAt);
    this.release(this.perUser, live.viewer.userId);
    const sockets = this.bySession.get(live.viewer.sessionId);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.bySession.delete(live.viewer.sessionId);
  }

  /**
   * Drops the two references an open socket would otherwise keep to its upgrade request (with its
   * headers, Fastify's request and reply, and the raw request and response): the raw TCP socket's
   * link to the hijacked HTTP response, and @fastify/websocket's 'error' listener, which closes over
   * the request and reply. Its replacement does what app.ts's errorHandler does: log, terminate.
   */
  private letRequestGo(socket: WebSocket, request: FastifyRequest) {
    const raw = request.raw.socket as (Socket & { _httpMessage?: ServerResponse | null }) | null;
    const response = raw?._httpMessage;
    if (raw && response instanceof ServerResponse && response.socket === raw) response.detachSocket(raw);
    socket.removeAllListeners('error');
    socket.on('error', this.onSocketError);
  }

  /** Closes `socket` with 4401 once `expiresAt` (ms) has passed. */
  private expireAt(socket: WebSocket, expiresAt: number) {
    let sockets = this.expiries.get(expiresAt);
    if (!sockets) this.expiries.set(expiresAt, (sockets = new Set()));
    sockets.add(socket);
    if (expiresAt < this.expiryTimerAt) this.armExpiry(expiresAt);
  }

  private armExpiry(at: number) {
    clearTimeout(this.expiryTimer);
    this.expiryTimerAt = at;
    this.expiryTimer = setTimeout(() => this.expire(), Math.min(Math.max(at - Date.now(), 0), 2 ** 31 - 1));
    this.expiryTimer.unref();
  }

  private expire() {
    this.expiryTimer = undefined;
    this.expiryTimerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const [at, sockets] of this.expiries) {
      if (at > now) {
        next = Math.min(next, at);
        continue;
      }
      this.expiries.delete(at);
      for (const socket of sockets) closeSocket(socket, WS_CLOSE.UNAUTHORIZED, 'Unauthorized: the access token expired');
    }
    if (next < Infinity) this.armExpiry(next);
  }

  private pingAll() {
    for (const [socket, origin] of this.sockets) {
      if (socket.readyState !== socket.OPEN) continue;
      if (this.unanswered.has(socket)) {
        origin.log.info({ event: 'ws_keepalive_timeout' }, 'WebSocket did not answer a ping; dropped');
        socket.terminate();
        continue;
      }
      this.unanswered.add(socket);
      socket.ping();
    }
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
    clearInterval(this.keepAlive);
    clearTimeout(this.expiryTimer);
    this.stopListening();
    const open = [...this.sockets.keys()];
    if (open.length === 0) return;
    const done = Promise.all(open.map((socket) => new Promise<void>((resolve) => (socket.readyState === socket.CLOSED ? resolve() : socket.once('close', () => resolve())))));
    for (const socket of open) closeSocket(socket, code, reason);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
    for (const socket of open) if (socket.readyState !== socket.CLOSED) socket.terminate();
  }
}
