// How far apart a PingSource schedule's ticks are over a week, found with the stack's cron parser (robfig/cron's grammar).
import { nextFire, parseCron } from '../../shared/dev/stack/cron.ts';

export interface ScheduleGaps {
  /** The shortest time between two ticks: a run must end within it, before the next tick. */
  readonly shortestMs: number;
  /** The longest: how old the latest result of the schedule's rules can get. */
  readonly longestMs: number;
  readonly ticks: number;
}

const WEEK_MS = 7 * 86_400_000;
/** A week of a schedule firing every second (the finest there is), the ticks at both ends included. */
const MAX_TICKS = 7 * 86_400 + 2;
/** A Monday, midnight UTC: a week from there covers every day of the week once. */
const WEEK_START = Date.parse('2030-01-07T00:00:00Z');

/** Gaps between consecutive ticks over a week, the first tick after the week included, so a weekly schedule has one gap. */
export function scheduleGaps(schedule: string, from = WEEK_START): ScheduleGaps {
  const cron = parseCron(schedule);
  let previous = nextFire(cron, new Date(from - 1)).getTime();
  let shortestMs = Infinity;
  let longestMs = 0;
  let ticks = 1;
  while (previous <= from + WEEK_MS) {
    if (ticks > MAX_TICKS) throw new Error(`${schedule}: more than ${MAX_TICKS} ticks in a week`);
    const tick = nextFire(cron, new Date(previous)).getTime();
    shortestMs = Math.min(shortestMs, tick - previous);
    longestMs = Math.max(longestMs, tick - previous);
    previous = tick;
    ticks++;
  }
  return Object.freeze({ shortestMs, longestMs, ticks });
}
