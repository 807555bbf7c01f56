// Fires each PingSource on its cron schedule, on a clock `speed` times faster than real time.
import type { Logger } from '../../log/logger.ts';
import { compressedClock, nextTick } from './cron.ts';
import type { PingSourceSpec } from './manifests.ts';

export interface Scheduler {
  stop(): void;
}

export function startScheduler(opts: {
  pingSources: readonly PingSourceSpec[];
  speed: number;
  fire: (name: string) => Promise<unknown>;
  logger: Logger;
  now?: () => number;
}): Scheduler {
  const now = opts.now ?? Date.now;
  const clock = compressedClock(now(), opts.speed);
  const timers = new Map<string, NodeJS.Timeout>();
  const lastTick = new Map<string, number>();
  let stopped = false;

  // setTimeout turns a delay past 2^31-1 ms (24.8 days) into 1 ms: far ticks are reached in hops of at most that.
  const MAX_TIMER_MS = 2_147_483_647;
  const wait = (source: PingSourceSpec, delayMs: number, then: () => void): void => {
    if (stopped) return;
    const hop = Math.min(delayMs, MAX_TIMER_MS);
    timers.set(
      source.name,
      setTimeout(() => (hop < delayMs ? wait(source, delayMs - hop, then) : then()), hop),
    );
  };
  const arm = (source: PingSourceSpec): void => {
    if (stopped) return;
    const { tickMs, delayMs } = nextTick(source.schedule, clock, now(), lastTick.get(source.name));
    lastTick.set(source.name, tickMs);
    wait(source, delayMs, () => {
      // A tick fires whether or not the previous run ended, as PingSource does.
      opts.fire(source.name).catch((error: unknown) => opts.logger.error({ pingSource: source.name, err: (error as Error).message }, 'ping failed'));
      arm(source);
    });
  };

  for (const source of opts.pingSources) {
    arm(source);
    opts.logger.info({ pingSource: source.name, schedule: source.schedule.source, sink: source.sink, speed: opts.speed }, 'schedule armed');
  }
  return {
    stop() {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
