// Fixed-window counters for rate limits: in process, or in Redis (REDIS_URL) so every API
// instance counts together. A Redis outage fails open (the request is allowed, a warning is
// logged): see docs/decisions/006-rate-limits-and-redis.md.
import type { Redis } from 'ioredis';
import type { Rate } from '../config/env.js';

export interface Hit {
  count: number;
  /** Seconds until the window resets. */
  resetIn: number;
}

export interface CounterStore {
  /** Adds one to `key` (a window of `windowSeconds` starts at the first hit). */
  incr(key: string, windowSeconds: number): Promise<Hit>;
  /** Current count without adding. */
  peek(key: string): Promise<Hit>;
  reset(key: string): Promise<void>;
}

export class MemoryCounterStore implements CounterStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  async incr(key: string, windowSeconds: number): Promise<Hit> {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      if (this.windows.size > 100_000) this.sweep(now);
      w = { count: 0, resetAt: now + windowSeconds * 1000 };
      this.windows.set(key, w);
    }
    w.count += 1;
    return { count: w.count, resetIn: Math.ceil((w.resetAt - now) / 1000) };
  }

  async peek(key: string): Promise<Hit> {
    const now = Date.now();
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) return { count: 0, resetIn: 0 };
    return { count: w.count, resetIn: Math.ceil((w.resetAt - now) / 1000) };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  private sweep(now: number) {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}

const INCR_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

export class RedisCounterStore implements CounterStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'tg:rl:',
  ) {}

  async incr(key: string, windowSeconds: number): Promise<Hit> {
    const [count, ttl] = (await this.redis.eval(INCR_SCRIPT, 1, this.prefix + key, windowSeconds)) as [number, number];
    return { count, resetIn: ttl };
  }

  async peek(key: string): Promise<Hit> {
    const [count, ttl] = await Promise.all([this.redis.get(this.prefix + key), this.redis.ttl(this.prefix + key)]);
    return { count: Number(count ?? 0), resetIn: Math.max(ttl, 0) };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}

export interface Verdict {
  allowed: boolean;
  retryAfter: number;
  /** Hits in the window, this one included (consume) or so far (exceeded); 0 when not counted. */
  count: number;
}

export class RateLimiter {
  constructor(
    private readonly store: CounterStore,
    private readonly enabled: boolean,
    private readonly onStoreError: (error: unknown) => void,
  ) {}

  /** Counts one hit against `key`; denied once the count exceeds `rate.max` in the window. */
  async consume(key: string, rate: Rate): Promise<Verdict> {
    if (!this.enabled) return { allowed: true, retryAfter: 0, count: 0 };
    try {
      const hit = await this.store.incr(key, rate.windowSeconds);
      return { allowed: hit.count <= rate.max, retryAfter: Math.max(hit.resetIn, 1), count: hit.count };
    } catch (error) {
      this.onStoreError(error);
      return { allowed: true, retryAfter: 0, count: 0 };
    }
  }

  /** Whether `key` is already over `rate.max` (without counting this request). */
  async exceeded(key: string, rate: Rate): Promise<Verdict> {
    if (!this.enabled) return { allowed: true, retryAfter: 0, count: 0 };
    try {
      const hit = await this.store.peek(key);
      return { allowed: hit.count < rate.max, retryAfter: Math.max(hit.resetIn, 1), count: hit.count };
    } catch (error) {
      this.onStoreError(error);
      return { allowed: true, retryAfter: 0, count: 0 };
    }
  }

  async reset(key: string): Promise<void> {
    try {
      await this.store.reset(key);
    } catch (error) {
      this.onStoreError(error);
    }
  }
}
