// A Redis client for request handlers: fail fast while Redis is away (no offline queue, one retry, a command
// timeout) so the caller answers 503 and the Broker retries, and reconnect in the background.
import { Redis } from 'ioredis';
import type { Logger } from '../log/logger.ts';

export function createRedis(opts: { url: string; commandTimeoutMs: number; logger: Logger }): Redis {
  const redis = new Redis(opts.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) opts.logger.warn({ err: error.message }, 'redis unavailable');
    down = true;
  });
  redis.on('ready', () => {
    if (down) opts.logger.info('redis available again');
    down = false;
  });
  return redis;
}

/** Waits for the first connection; the function does not report ready before Redis is. */
export async function connectRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  if (redis.status === 'wait') redis.connect().catch(() => {});
  await Promise.race([
    ready,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`redis not ready within ${timeoutMs} ms`)), timeoutMs).unref()),
  ]);
}
