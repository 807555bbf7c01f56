// Key listing shared by the readers: SCAN (never KEYS, which blocks Redis), glob escaping, pipelines, failing sets.
import type { Redis } from 'ioredis';

/** Every key matching a glob pattern, sorted, each once (SCAN may return a key twice). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    for (const key of batch) found.add(key);
    cursor = next;
  } while (cursor !== '0');
  return [...found].sort();
}

/** Makes a literal safe inside a SCAN pattern. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Runs a pipeline and returns its replies, throwing the first error (pipelines report errors per command). */
export async function pipelined(redis: Redis, fill: (pipe: ReturnType<Redis['pipeline']>) => void): Promise<unknown[]> {
  const pipe = redis.pipeline();
  fill(pipe);
  const results = (await pipe.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** Queues the members of a failing set (scored by until when they count, ms) that still count at `now`. */
export function failingAt(key: string, now: number) {
  return (pipe: ReturnType<Redis['pipeline']>) => pipe.zrangebyscore(key, String(now), '+inf');
}

/** A stored millisecond timestamp, or null when it never happened (the healer writes 0). */
export function timeOrNull(ms: number): number | null {
  return ms > 0 ? ms : null;
}
