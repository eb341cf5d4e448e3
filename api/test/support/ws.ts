// WebSocket clients for the subscription suites: graphql-ws's own client (as the web app and
// GraphiQL use it) for subscriptions, and a bare `ws` socket where the test needs the exact
// upgrade answer or close code. Every wait has a deadline; none sleeps.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export const TASK_EVENTS = 'subscription { taskEvents { type taskId task { id title completed version } } }';

export interface TaskEventMessage {
  type: 'CREATED' | 'UPDATED' | 'DELETED';
  taskId: string;
  task: { id: string; title: string; completed: boolean; version: number } | null;
}

export function wsUrl(httpUrl: string, path = '/graphql'): string {
  return httpUrl.replace(/^http/, 'ws') + path;
}

export interface Closed {
  code: number;
  reason: string;
  /** ms from `since` (default: when the socket was made) to the close event. */
  after: number;
}

/** Resolves with the close event, or rejects after `ms`. `since` sets the clock for `after`. */
export function closeOf(socket: WebSocket, ms: number, what = 'socket close'): { closed: Promise<Closed>; mark(): void } {
  let since = Date.now();
  const closed = new Promise<Closed>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not closed within ${ms} ms`)), ms);
    socket.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString(), after: Date.now() - since });
    });
  });
  closed.catch(() => {});
  return { closed, mark: () => (since = Date.now()) };
}

/** A bare socket speaking graphql-transport-ws; resolves once open (or with the HTTP refusal). */
export async function openSocket(
  url: string,
  options: { origin?: string; headers?: Record<string, string>; protocol?: string; autoPong?: boolean } = {},
): Promise<{ socket: WebSocket } | { refused: { status: number; headers: Record<string, string | string[] | undefined>; body: string } }> {
  const socket = new WebSocket(url, options.protocol ?? 'graphql-transport-ws', {
    ...(options.origin ? { origin: options.origin } : {}),
    headers: options.headers,
    autoPong: options.autoPong ?? true,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket: neither open nor refused within 5 s')), 5_000);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve({ socket });
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk));
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ refused: { status: response.statusCode ?? 0, headers: response.headers, body } });
      });
    });
    socket.once('error', (error) => {
      if (socket.readyState === socket.CLOSED) return;
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The next message the server sends on a bare socket, parsed. */
export function nextMessage(socket: WebSocket, ms = 3_000): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
    socket.once('message', (data) => {
      clearTimeout(timer);
      resolve(JSON.parse(String(data)));
    });
  });
}

/** A bare socket that has sent connection_init with `token` and been acknowledged. */
export async function authedSocket(url: string, token: string): Promise<WebSocket> {
  const opened = await openSocket(url);
  if (!('socket' in opened)) throw new Error(`upgrade refused: ${opened.refused.status} ${opened.refused.body}`);
  const ack = nextMessage(opened.socket);
  opened.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  expectType(await ack, 'connection_ack');
  return opened.socket;
}

function expectType(message: { type?: string }, type: string) {
  if (message?.type !== type) throw new Error(`expected ${type}, got ${JSON.stringify(message)}`);
}

export interface LiveClient {
  client: Client;
  /** Every taskEvents payload received so far, in order. */
  events: TaskEventMessage[];
  /** Errors the subscription ended with (graphql-ws `error` messages or a close). */
  errors: unknown[];
  /** The close event of the client's socket, once it happens. */
  closed: Promise<{ code: number; reason: string }>;
  /** Waits (≤ ms) for an event matching `match` among those after index `from`. */
  waitFor(match: (event: TaskEventMessage) => boolean, ms?: number, from?: number): Promise<TaskEventMessage>;
  dispose(): Promise<void>;
}

/** A graphql-ws client of `token`, subscribed to taskEvents (resolves once connection_ack arrived). */
export async function liveClient(url: string, token: string, query = TASK_EVENTS): Promise<LiveClient> {
  const events: TaskEventMessage[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  let resolveClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  let resolveConnected!: () => void;
  let rejectConnected!: (error: unknown) => void;
  const connected = new Promise<void>((resolve, reject) => {
    resolveConnected = resolve;
    rejectConnected = reject;
  });
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
    on: {
      connected: () => resolveConnected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        resolveClosed({ code, reason });
        rejectConnected(new Error(`closed before connection_ack: ${code} ${reason}`));
        for (const wake of waiters) wake();
      },
    },
    onNonLazyError: () => {},
  });
  client.subscribe<{ taskEvents: TaskEventMessage }>(
    { query },
    {
      next: (result) => {
        if (result.data?.taskEvents) events.push(result.data.taskEvents);
        if (result.errors) errors.push(...result.errors);
        for (const wake of waiters) wake();
      },
      error: (error) => {
        errors.push(error);
        for (const wake of waiters) wake();
      },
      complete: () => {},
    },
  );
  await connected;
  return {
    client,
    events,
    errors,
    closed,
    waitFor(match, ms = 2_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(from).find(match);
          if (!found) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching task event within ${ms} ms (got ${JSON.stringify(events.slice(from)).slice(0, 300)})`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = () => void check();
        if (!check()) waiters.add(wake);
      });
    },
    async dispose() {
      await client.dispose();
    },
  };
}

/**
 * Makes `write` happen until its event reaches `live` (the subscription is set up on the server
 * asynchronously after the client sends it, and through Redis on another instance): returns the
 * id that arrived. Each round waits for the event, with a deadline; no fixed sleep.
 */
export async function untilSubscribed(live: LiveClient, write: () => Promise<string>, rounds = 20): Promise<string> {
  for (let round = 0; round < rounds; round++) {
    const id = await write();
    try {
      await live.waitFor((event) => event.taskId === id, 250);
      return id;
    } catch {
      // not subscribed yet: write again
    }
  }
  throw new Error(`subscription never received a write in ${rounds} rounds`);
}

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
