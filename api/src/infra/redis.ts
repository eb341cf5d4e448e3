// Optional Redis connection (REDIS_URL). Commands fail fast while Redis is down instead of
// queueing, so callers can choose to fail open (rate limits) or fail safe (revocation).
//
// ioredis reconnects only when its socket errors or closes. A connection that goes silent for
// good (Redis failed over to another host, a NAT or firewall dropped the flow) would time out
// every command and never be replaced; a watchdog PINGs the idle-or-busy connection and drops it
// when the PING times out, so a fresh connection is made as soon as Redis is reachable again.
import { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

/** How often the watchdog PINGs; a PING gets `commandTimeout` (1 s) to answer. */
export const WATCHDOG_INTERVAL_MS = 2_000;

export function connectRedis(url: string, log: FastifyBaseLogger): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) log.warn({ err: { message: error.message } }, 'redis unavailable');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info('redis connection restored');
    down = false;
  });

  let pinging = false;
  const watchdog = setInterval(() => {
    if (pinging || redis.status !== 'ready') return;
    pinging = true;
    redis
      .ping()
      .catch((error: Error) => {
        if (redis.status !== 'ready') return;
        log.warn({ err: { message: error.message } }, 'redis did not answer PING; reconnecting');
        down = true;
        redis.disconnect(true);
      })
      .finally(() => {
        pinging = false;
      });
  }, WATCHDOG_INTERVAL_MS);
  watchdog.unref();
  redis.on('end', () => clearInterval(watchdog));
  return redis;
}

/** Waits until the client is ready (or gives up after `ms`); start-up does not block on Redis. */
export async function redisReady(redis: Redis, ms = 2_000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}
