// Publish/subscribe between the parts of the API that write and the ones that push to clients:
// task events (domain/tasks/task-events.ts) and session revocations (auth/revocations.ts).
// docs/decisions/019-live-update-bus.md.
//
// - MemoryEventBus: one process. Delivery is synchronous, in the publisher's call.
// - RedisEventBus (REDIS_URL): every instance. A message is delivered to this instance's own
//   subscribers at once (as MemoryEventBus does, so a local subscriber never depends on Redis)
//   and published on Redis for the others; each instance drops its own echo. A channel is
//   SUBSCRIBEd on Redis only while this instance has a subscriber to it, so an instance receives
//   the events of the users connected to it, not everyone's.
// Redis pub/sub is at-most-once: a message published while an instance is cut off from Redis is
// lost for that instance (the WebSocket server re-checks revocations periodically for that reason).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { WATCHDOG_INTERVAL_MS } from './redis.js';

export interface BusSubscription {
  /** Resolves once messages published from now on, on any instance, reach the handler. */
  ready: Promise<void>;
  close(): void;
}

export interface EventBus {
  /** Never throws: a failure to reach other instances is logged; local subscribers get it anyway. */
  publish(channel: string, message: string): void;
  subscribe(channel: string, handler: (message: string) => void): BusSubscription;
  close(): Promise<void>;
}

export class MemoryEventBus implements EventBus {
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  constructor(private readonly onHandlerError: (error: unknown) => void = () => {}) {}

  publish(channel: string, message: string): void {
    const set = this.handlers.get(channel);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        handler(message);
      } catch (error) {
        this.onHandlerError(error);
      }
    }
  }

  subscribe(channel: string, handler: (message: string) => void): BusSubscription {
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    // The same function may subscribe twice: each subscription is its own entry.
    const entry = (message: string) => handler(message);
    set.add(entry);
    return {
      ready: Promise.resolve(),
      close: () => {
        set.delete(entry);
        if (set.size === 0 && this.handlers.get(channel) === set) this.handlers.delete(channel);
      },
    };
  }

  /** Channels with at least one subscriber (for tests and metrics). */
  channels(): number {
    return this.handlers.size;
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}

/** How long a subscriber waits for Redis to confirm a SUBSCRIBE before going on locally. */
const SUBSCRIBE_WAIT_MS = 1_000;

export class RedisEventBus implements EventBus {
  private readonly local: MemoryEventBus;
  private readonly origin = randomUUID();
  /** Local subscribers per channel, and the confirmation of its Redis SUBSCRIBE. */
  private readonly channels = new Map<string, { count: number; ready: Promise<void> }>();

  /**
   * `publisher` is the shared command connection (infra/redis.ts); `subscriber` a connection of its
   * own (a connection in subscriber mode can run no other command), owned and closed by the bus.
   */
  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly log: FastifyBaseLogger,
    private readonly prefix = 'tg:ev:',
  ) {
    this.local = new MemoryEventBus((error) => log.error({ err: error }, 'event handler failed'));
    subscriber.on('message', (channel: string, raw: string) => {
      if (!channel.startsWith(prefix)) return;
      let parsed: { o?: unknown; m?: unknown };
      try {
        parsed = JSON.parse(raw) as { o?: unknown; m?: unknown };
      } catch {
        return;
      }
      if (parsed.o === this.origin || typeof parsed.m !== 'string') return;
      this.local.publish(channel.slice(prefix.length), parsed.m);
    });
  }

  publish(channel: string, message: string): void {
    this.local.publish(channel, message);
    this.publisher.publish(this.prefix + channel, JSON.stringify({ o: this.origin, m: message })).catch((error: Error) => {
      this.log.warn({ err: { message: error.message }, channel: channel.split(':')[0] }, 'event not published to other instances (redis unavailable)');
    });
  }

  subscribe(channel: string, handler: (message: string) => void): BusSubscription {
    const local = this.local.subscribe(channel, handler);
    // The first local subscriber subscribes on Redis; later ones wait for the same confirmation.
    let entry = this.channels.get(channel);
    if (entry) entry.count += 1;
    else {
      entry = { count: 1, ready: this.withinWait(this.subscriber.subscribe(this.prefix + channel).then(() => undefined), channel) };
      this.channels.set(channel, entry);
    }
    const ready = entry.ready;
    let closed = false;
    return {
      ready,
      close: () => {
        if (closed) return;
        closed = true;
        local.close();
        const current = this.channels.get(channel);
        if (!current) return;
        current.count -= 1;
        if (current.count > 0) return;
        this.channels.delete(channel);
        this.subscriber.unsubscribe(this.prefix + channel).catch(() => {
          // Disconnected: nothing is subscribed any more (ioredis re-subscribes only what is still wanted).
        });
      },
    };
  }

  private withinWait(confirmed: Promise<void>, channel: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.log.warn({ channel: channel.split(':')[0] }, 'redis did not confirm a subscription in time; events from other instances may be missed');
        resolve();
      }, SUBSCRIBE_WAIT_MS);
      timer.unref();
    });
    return Promise.race([
      confirmed.catch((error: Error) => {
        this.log.warn({ err: { message: error.message } }, 'redis subscription failed; events from other instances are missed until it reconnects');
      }),
      waited,
    ]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    await this.local.close();
    this.subscriber.disconnect();
  }
}

/**
 * The subscriber connection for RedisEventBus: queues SUBSCRIBEs while (re)connecting and
 * re-subscribes after. Like the command connection (infra/redis.ts), a watchdog PINGs it (PING is
 * allowed in subscriber mode) and drops it when the PING is not answered in time, so a connection
 * that went silent — and with it every event from other instances — is replaced.
 */
export function subscriberConnection(publisher: Redis, log: FastifyBaseLogger): Redis {
  const subscriber = publisher.duplicate({ enableOfflineQueue: true, autoResubscribe: true, maxRetriesPerRequest: null, commandTimeout: undefined });
  // Errors are reported by the publisher's connection (infra/redis.ts); this one just reconnects.
  subscriber.on('error', () => {});
  let pinging = false;
  const watchdog = setInterval(() => {
    if (pinging || subscriber.status !== 'ready') return;
    pinging = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('PING timed out')), WATCHDOG_TIMEOUT_MS);
    });
    Promise.race([subscriber.ping(), timeout])
      .catch((error: Error) => {
        if (subscriber.status !== 'ready') return;
        log.warn({ err: { message: error.message } }, 'redis subscriber did not answer PING; reconnecting');
        subscriber.disconnect(true);
      })
      .finally(() => {
        clearTimeout(timer);
        pinging = false;
      });
  }, WATCHDOG_INTERVAL_MS);
  watchdog.unref();
  subscriber.on('end', () => clearInterval(watchdog));
  return subscriber;
}

/** The subscriber's PING budget (the command connection's commandTimeout). */
const WATCHDOG_TIMEOUT_MS = 1_000;
