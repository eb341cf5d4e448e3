// A stand-in for graphql-ws's client under the real LiveSocket, for component tests: the test
// opens and drops the "socket", and pushes task events to every subscription.
import type { Client, ClientOptions, Sink, SubscribePayload } from 'graphql-ws/client';
import type { TokenManager } from '../lib/auth/token-manager';
import { LiveSocket } from '../lib/urql/live';
import type { FakeTask } from './fake-api';

interface Subscription {
  payload: SubscribePayload;
  sink: Sink<unknown>;
}

export class FakeWsClient {
  readonly subscriptions = new Set<Subscription>();
  /** connection_init payloads, one per (re)connection. */
  readonly inits: unknown[] = [];
  connected = false;
  private opening: Promise<void> | null = null;

  constructor(readonly options: ClientOptions) {}

  /** Opens the socket: connection_init with the LiveSocket's connectionParams, then the ack. */
  open(): Promise<void> {
    if (this.connected) return Promise.resolve();
    this.opening ??= (async () => {
      this.options.on?.connecting?.(false);
      const params = typeof this.options.connectionParams === 'function' ? await this.options.connectionParams() : this.options.connectionParams;
      this.inits.push(params);
      this.connected = true;
      this.opening = null;
      this.options.on?.connected?.({} as never, undefined, false);
    })();
    return this.opening;
  }

  /**
   * The server closes the socket. graphql-ws ends every subscription with the close event when
   * the code is final (4401), and otherwise keeps them for its retry (`reopen` stands for it).
   */
  drop(code: number, reason = ''): void {
    this.connected = false;
    const event = { code, reason, wasClean: true };
    this.options.on?.closed?.(event);
    if (code === 4401) {
      const ended = [...this.subscriptions];
      this.subscriptions.clear();
      for (const { sink } of ended) sink.error(event);
    }
  }

  /** graphql-ws's retry after a non-final close. */
  async reopen(): Promise<void> {
    this.options.on?.connecting?.(true);
    await this.open();
  }

  emit(event: { type: 'CREATED' | 'UPDATED' | 'DELETED'; taskId: string; task?: FakeTask | null }): void {
    const data = {
      taskEvents: {
        __typename: 'TaskEvent',
        type: event.type,
        taskId: event.taskId,
        task: event.task ? { __typename: 'Task', ...event.task } : null,
      },
    };
    for (const { sink } of [...this.subscriptions]) sink.next({ data });
  }

  readonly client: Client = {
    on: () => () => undefined,
    subscribe: (payload, sink) => {
      const subscription = { payload, sink: sink as Sink<unknown> };
      this.subscriptions.add(subscription);
      void this.open();
      return () => this.subscriptions.delete(subscription);
    },
    iterate: () => {
      throw new Error('not used');
    },
    terminate: () => undefined,
    dispose: () => undefined,
  };
}

/** A real LiveSocket on a FakeWsClient; `wait` resolves at once unless the test passes its own. */
export function fakeLive(tokens: TokenManager, wait: (ms: number) => Promise<void> = async () => undefined) {
  let ws!: FakeWsClient;
  const live = new LiveSocket({
    tokens,
    wait,
    createClient: (options) => {
      ws = new FakeWsClient(options);
      return ws.client;
    },
  });
  return { live, ws };
}
