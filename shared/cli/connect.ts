// Opens the CLI's Redis connection: one attempt, a short timeout, no offline queue, so an absent Redis fails at once.
import { Redis } from 'ioredis';
import { redactUrl } from '../store/redis-client.ts';

export class RedisUnreachable extends Error {
  constructor(url: string, reason: string) {
    super(`cannot reach Redis at ${redactUrl(url)}: ${reason}`);
    this.name = 'RedisUnreachable';
  }
}

export async function openRedis(url: string, timeoutMs = 3_000): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: 10_000,
  });
  let lastError = '';
  // Without a listener ioredis reports connection errors as unhandled; the rejection below carries them instead.
  redis.on('error', (error: Error) => {
    lastError = error.message;
  });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    // connect() often rejects with a bare "Connection is closed."; the socket's own error says why.
    throw new RedisUnreachable(url, lastError || (error as Error).message);
  }
}
