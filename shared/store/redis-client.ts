// A Redis client for request handlers: fail fast while Redis is away (no offline queue, one retry, a command
// timeout) so the caller answers 503 and the Broker retries, and reconnect in the background.
import { Redis } from 'ioredis';
import type { Logger } from '../log/logger.ts';

export function createRedis(opts: { url: string; commandTimeoutMs: number; connectTimeoutMs?: number; logger: Logger }): Redis {
  const redis = new Redis(opts.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: opts.connectTimeoutMs ?? 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    // A Redis that hangs never answers the close: its socket is destroyed after this, not ioredis's 2 s.
    disconnectTimeout: 500,
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

/** The URL without its password (in the user part or as a `password` parameter), fit for a message or a log. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    if (u.searchParams.has('password')) u.searchParams.set('password', '****');
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(a REDIS_URL that is not a URL)';
  }
}

/** Why a connection failed: a socket error may be an AggregateError (one per address tried) with an empty message. */
function reasonOf(error: Error): string {
  const inner = (error as Error & { errors?: Error[] }).errors?.[0];
  return error.message || inner?.message || (error as Error & { code?: string }).code || error.name;
}

/** Waits for the first connection, or gives up at the first connection error or after `timeoutMs`, whichever comes
 *  first: at start-up ioredis would keep reconnecting for ever and the function would live on without listening.
 *  A failed attempt disconnects the client, so nothing is left open. */
export async function connectRedis(redis: Redis, opts: { url: string; timeoutMs: number }): Promise<void> {
  if (redis.status === 'ready') return;
  const where = `redis at ${redactUrl(opts.url)}`;
  let timer: NodeJS.Timeout | undefined;
  let onReady: (() => void) | undefined;
  let onError: ((error: Error) => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onError = (error) => reject(new Error(`${where} is unreachable: ${reasonOf(error)}`));
      redis.once('ready', onReady);
      redis.once('error', onError);
      timer = setTimeout(() => reject(new Error(`${where} not ready within ${opts.timeoutMs} ms`)), opts.timeoutMs);
      if (redis.status === 'wait') redis.connect().catch(() => {});
    });
  } catch (error) {
    redis.disconnect();
    throw error;
  } finally {
    clearTimeout(timer);
    if (onReady) redis.off('ready', onReady);
    if (onError) redis.off('error', onError);
  }
}
