// Live updates: one graphql-ws socket per signed-in user, to `/graphql` on the page's own origin
// (Next.js proxies the WebSocket upgrade to the API, like the HTTP requests).
//
// - connection_init carries the in-memory access token, read at every (re)connect.
// - A socket that drops (network, server restart, 1013, a refused upgrade) is reopened with a
//   capped exponential backoff, without end: graphql-ws retries it, and its subscriptions carry
//   on; a close graphql-ws treats as final (4429, 4500) is retried here the same way.
// - The API closes a socket with 4401 when its token expires or its session is revoked; graphql-ws
//   treats that as final. Here it leads to one token refresh through the TokenManager (unless the
//   token was already renewed since the socket opened) and a new socket. A refused refresh ends the
//   session the way the HTTP path does (TokenManager's onSessionEnded signs out).
// - An event lost while no socket was open is not replayed by the API: `onReconnected` tells the
//   screens to refetch.
import {
  createClient,
  type Client as WsClient,
  type ClientOptions,
  type FormattedExecutionResult,
  type Sink,
  type SubscribePayload,
} from 'graphql-ws/client';
import type { TokenManager } from '../auth/token-manager';

/** What the Live indicator shows. `idle`: nothing subscribed, no socket. */
export type LiveStatus = 'idle' | 'connecting' | 'live' | 'reconnecting';

/** graphql-ws close code the API sends when the token is missing, invalid, expired or revoked. */
export const UNAUTHORIZED = 4401;
/** Backoff between attempts: 1 s, 2 s, 4 s … capped at 30 s, plus up to a second of jitter. */
export const MAX_RETRY_DELAY_MS = 30_000;
/** A reconnection shorter than this (a token renewed at expiry) does not flash "Reconnecting…". */
export const RECONNECT_GRACE_MS = 1_500;

export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** attempt) + Math.floor(random() * 1000);
}

/** `ws://host/graphql` (or `wss:`) for the page's own origin. */
export function liveUrl(location: Pick<Location, 'protocol' | 'host'> = window.location, path = '/graphql'): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}

function closeCode(error: unknown): number | null {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number'
    ? error.code
    : null;
}

export interface LiveSocketOptions {
  tokens: TokenManager;
  url?: string | (() => string);
  /** For tests: a different graphql-ws client factory (e.g. with a fake WebSocket). */
  createClient?: (options: ClientOptions) => WsClient;
  webSocketImpl?: unknown;
  wait?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class LiveSocket {
  private readonly client: WsClient;
  private readonly tokens: TokenManager;
  private readonly wait: (ms: number) => Promise<void>;
  private statusValue: LiveStatus = 'idle';
  private readonly statusListeners = new Set<() => void>();
  private readonly reconnectListeners = new Set<() => void>();
  private active = 0;
  private everConnected = false;
  private graceTimer: ReturnType<typeof setTimeout> | null = null;
  /** The token sent in the current socket's connection_init. */
  private sentToken: string | null = null;
  /** Consecutive 4401 closes without a successful connection in between. */
  private unauthorizedInRow = 0;
  private reauthenticating: Promise<boolean> | null = null;
  private connectedNow = false;
  private disposed = false;

  constructor(options: LiveSocketOptions) {
    this.tokens = options.tokens;
    this.wait = options.wait ?? sleep;
    const url = options.url ?? (() => liveUrl());
    this.client = (options.createClient ?? createClient)({
      url: typeof url === 'function' ? () => url() : url,
      ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
      connectionParams: async () => {
        const token = await this.tokens.get();
        this.sentToken = token;
        // Without a token the API closes with 4401, which ends in a refresh (or sign-out) below.
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      // Connect while something is subscribed; keep the socket a moment past the last
      // unsubscribe, so a re-render that resubscribes at once does not reopen it.
      lazy: true,
      lazyCloseTimeout: 1_000,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: (retries) => this.wait(retryDelayMs(retries)),
      on: {
        connecting: () => this.markDown(),
        connected: () => {
          const reconnected = this.everConnected;
          this.everConnected = true;
          this.unauthorizedInRow = 0;
          this.markUp();
          if (reconnected) for (const listener of [...this.reconnectListeners]) listener();
        },
        closed: () => (this.active > 0 ? this.markDown() : this.markIdle()),
      },
    });
  }

  get status(): LiveStatus {
    return this.statusValue;
  }

  /** For useSyncExternalStore. */
  onStatus = (listener: () => void): (() => void) => {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  };

  /** Runs after every reconnection (not the first connection): time to refetch. */
  onReconnected(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /**
   * A subscription that survives reconnections and token renewals: `sink` sees results and, only
   * for a refusal that retrying cannot fix, an error.
   */
  subscribe<Data = Record<string, unknown>>(
    payload: SubscribePayload,
    sink: Sink<FormattedExecutionResult<Data, unknown>>,
  ): () => void {
    let stopped = false;
    let stop: () => void = () => undefined;
    let failures = 0;
    this.active += 1;
    if (this.statusValue === 'idle') this.apply('connecting');
    const start = () => {
      stop = this.client.subscribe<Data, unknown>(payload, {
        next: (value) => {
          failures = 0;
          if (!stopped) sink.next(value);
        },
        complete: () => {
          if (!stopped) sink.complete();
        },
        error: (error) => {
          if (stopped) return;
          if (closeCode(error) === UNAUTHORIZED) {
            this.markDown();
            void (async () => {
              // false: the session is over (the TokenManager signs out and the page leaves), or
              // the token endpoint could not be reached: try again later.
              for (let attempt = 0; !(await this.reauthenticate()); attempt += 1) {
                if (stopped || this.disposed || this.tokens.sessionEnded) return;
                await this.wait(retryDelayMs(attempt));
              }
              if (!stopped && !this.disposed) start();
            })();
            return;
          }
          if (closeCode(error) !== null) {
            // Another close graphql-ws gives up on (4429 too many sockets for the account, 4500):
            // keep trying, more slowly each time.
            this.markDown();
            void this.wait(retryDelayMs(failures++)).then(() => {
              if (!stopped && !this.disposed) start();
            });
            return;
          }
          // The API refused the operation itself (GraphQL errors): retrying would not change that.
          sink.error(error);
        },
      });
    };
    start();
    return () => {
      if (stopped) return;
      stopped = true;
      this.active -= 1;
      stop();
    };
  }

  /**
   * After a 4401: a new token, unless the one the socket was opened with has already been
   * replaced (it expired, and the TokenManager renewed it on time). Resolves false when the
   * session is over (the TokenManager then signs out). Shared by every subscription of the socket.
   */
  private reauthenticate(): Promise<boolean> {
    if (this.reauthenticating) return this.reauthenticating;
    const run = (async () => {
      this.unauthorizedInRow += 1;
      // A new token that is refused at once again (clock skew, a revoked session the token
      // endpoint still accepts): slow down instead of looping.
      if (this.unauthorizedInRow > 1) await this.wait(retryDelayMs(this.unauthorizedInRow - 2));
      const current = this.tokens.peek();
      const renewed = current !== null && current !== this.sentToken && !this.tokens.needsRefresh();
      if (renewed) return true;
      return (await this.tokens.refresh()) !== null;
    })().finally(() => {
      this.reauthenticating = null;
    });
    this.reauthenticating = run;
    return run;
  }

  dispose(): void {
    this.disposed = true;
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.statusListeners.clear();
    this.reconnectListeners.clear();
    void this.client.dispose();
  }

  /** The socket is open and acknowledged. */
  private markUp(): void {
    this.connectedNow = true;
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.apply('live');
  }

  /**
   * The socket is gone (or going) while something is subscribed. After a live period the indicator
   * waits RECONNECT_GRACE_MS before it says so: a token renewed at expiry reconnects faster.
   */
  private markDown(): void {
    this.connectedNow = false;
    if (this.disposed) return;
    if (this.statusValue !== 'live') {
      this.apply(this.everConnected ? 'reconnecting' : 'connecting');
      return;
    }
    if (this.graceTimer !== null) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      if (!this.connectedNow && this.active > 0 && !this.disposed) this.apply('reconnecting');
    }, RECONNECT_GRACE_MS);
  }

  private markIdle(): void {
    this.connectedNow = false;
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.apply('idle');
  }

  private apply(next: LiveStatus): void {
    if (this.disposed || next === this.statusValue) return;
    this.statusValue = next;
    for (const listener of [...this.statusListeners]) listener();
  }
}
