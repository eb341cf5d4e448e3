import type { Redis } from 'ioredis';
import { MemoryEventBus, type EventBus } from '../infra/event-bus.js';
/**
 * Session ids whose access tokens must stop working before they expire (logout, account
 * deletion). Entries live as long as the longest access token could.
 *
 * Each revocation is also announced on the event bus (channel `revoked`), so what holds a session
 * open — a WebSocket — ends it at once, on every instance when the bus is Redis.
 */
export interface RevocationStore {
  revoke(sessionId: string, ttlSeconds: number): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
  /** Calls `listener` with each session id revoked from now on, on any instance; returns the unsubscribe. */
  onRevoked(listener: (sessionId: string) => void): () => void;
}

const REVOKED_CHANNEL = 'revoked';

function listen(bus: EventBus, listener: (sessionId: string) => void): () => void {
  const subscription = bus.subscribe(REVOKED_CHANNEL, listener);
  return () => subscription.close();
}

/** Single-instance store. Bounded by the number of sessions revoked within one token lifetime. */
export class MemoryRevocationStore implements RevocationStore {
  private readonly until = new Map<string, number>();

  constructor(private readonly bus: EventBus = new MemoryEventBus()) {}

  async revoke(sessionId: string, ttlSeconds: number): Promise<void> {
    this.record(sessionId, ttlSeconds);
    this.bus.publish(REVOKED_CHANNEL, sessionId);
  }

  /** Records the revocation without announcing it. */
  record(sessionId: string, ttlSeconds: number): void {
    this.sweep();
    this.until.set(sessionId, Date.now() + ttlSeconds * 1000);
  }

  onRevoked(listener: (sessionId: string) => void): () => void {
    return listen(this.bus, listener);
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    const until = this.until.get(sessionId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.until.delete(sessionId);
    return false;
  }

  private sweep(): void {
    if (this.until.size < 1024) return;
    const now = Date.now();
    for (const [sid, until] of this.until) if (until <= now) this.until.delete(sid);
  }
}

/**
 * Shared store (REDIS_URL): a logout on one instance is seen by all at once. Revocations made
 * here are also kept locally, and a Redis outage fails safe: `isRevoked` throws, the request is
 * refused with 503 rather than trusting a token that may have been revoked elsewhere.
 */
export class RedisRevocationStore implements RevocationStore {
  private readonly local = new MemoryRevocationStore();

  constructor(
    private readonly redis: Redis,
    private readonly bus: EventBus,
    private readonly prefix = 'tg:revoked:',
  ) {}

  async revoke(sessionId: string, ttlSeconds: number): Promise<void> {
    this.local.record(sessionId, ttlSeconds);
    try {
      await this.redis.set(this.prefix + sessionId, '1', 'EX', ttlSeconds);
    } catch (error) {
      throw new RevocationUnavailableError(error);
    } finally {
      // Announced once recorded (a client reconnecting at once is refused everywhere), and even
      // when Redis could not record it: this instance's sockets close regardless.
      this.bus.publish(REVOKED_CHANNEL, sessionId);
    }
  }

  onRevoked(listener: (sessionId: string) => void): () => void {
    return listen(this.bus, listener);
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    if (await this.local.isRevoked(sessionId)) return true;
    try {
      return (await this.redis.exists(this.prefix + sessionId)) === 1;
    } catch (error) {
      throw new RevocationUnavailableError(error);
    }
  }
}

export class RevocationUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super('revocation store unavailable');
    this.name = 'RevocationUnavailableError';
  }
}
