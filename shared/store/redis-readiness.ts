// Whether Redis answers now, for /readyz: an open socket is not enough (a hung Redis keeps it open), so a PING is
// sent at most once per interval, shared by every probe meanwhile, and given up after a short timeout.
import type { Redis } from 'ioredis';

export interface ReadinessOptions {
  /** How long an answer is reused: probes under load share one PING. */
  intervalMs?: number;
  /** How long a PING may take: well inside the kubelet's one-second probe timeout. */
  timeoutMs?: number;
  now?: () => number;
}

export function redisReadiness(redis: Redis, opts: ReadinessOptions = {}): () => Promise<boolean> {
  const intervalMs = opts.intervalMs ?? 1_000;
  const timeoutMs = opts.timeoutMs ?? 500;
  const now = opts.now ?? Date.now;
  let checkedAt = -Infinity;
  let answer = false;
  let pending: Promise<boolean> | undefined;

  async function ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      // A PING still hanging after the timeout settles later (the command timeout rejects it); nobody waits for it.
      return await Promise.race([redis.ping().then(() => true, () => false), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  return () => {
    // Disconnected is known without asking; the cached answer would lag behind it.
    if (redis.status !== 'ready') return Promise.resolve(false);
    if (now() - checkedAt < intervalMs) return Promise.resolve(answer);
    pending ??= ping().then((ok) => {
      answer = ok;
      checkedAt = now();
      pending = undefined;
      return ok;
    });
    return pending;
  };
}
