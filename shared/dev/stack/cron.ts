// Five-field cron schedules as PingSource uses them (UTC), and the compressed clock behind `--speed`.

export interface Cron {
  readonly source: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
  /** Vixie cron: when both day fields are restricted, a day matching either one fires. */
  readonly dayRestricted: boolean;
  readonly weekdayRestricted: boolean;
}

export class CronError extends Error {
  constructor(expression: string, problem: string) {
    super(`invalid cron schedule "${expression}": ${problem}`);
    this.name = 'CronError';
  }
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

function parseField(expression: string, text: string, field: (typeof FIELDS)[number]): Set<number> {
  const values = new Set<number>();
  const number = (s: string): number => {
    if (!/^\d+$/.test(s)) throw new CronError(expression, `${field.name}: "${s}" is not a number`);
    const n = Number(s);
    if (n < field.min || n > field.max) throw new CronError(expression, `${field.name}: ${n} is outside ${field.min}-${field.max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : number(stepText);
    if (step === 0) throw new CronError(expression, `${field.name}: a step of 0 never advances`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = field.min;
      to = field.max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = number(a);
      to = number(b);
      if (from > to) throw new CronError(expression, `${field.name}: range ${range} runs backwards`);
    } else {
      from = number(range);
      // "5/15" means "from 5 to the end, every 15", as in Vixie cron.
      to = stepText === undefined ? from : field.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

export function parseCron(expression: string): Cron {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new CronError(expression, `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`);
  const [minutes, hours, days, months, weekdays] = fields.map((text, i) => parseField(expression, text, FIELDS[i]!)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  // 7 is another name for Sunday.
  if (weekdays.delete(7)) weekdays.add(0);
  return Object.freeze({
    source: expression,
    minutes,
    hours,
    days,
    months,
    weekdays,
    // As robfig/cron (what PingSource runs): only a bare * (or ?) leaves a day field unrestricted; */N restricts it.
    dayRestricted: !['*', '?'].includes(fields[2]!),
    weekdayRestricted: !['*', '?'].includes(fields[4]!),
  });
}

function dayMatches(cron: Cron, d: Date): boolean {
  const dom = cron.days.has(d.getUTCDate());
  const dow = cron.weekdays.has(d.getUTCDay());
  if (cron.dayRestricted && cron.weekdayRestricted) return dom || dow;
  return dom && dow;
}

/** Bounds the search: a schedule like "0 0 30 2 *" never fires, and must not spin forever. */
const SEARCH_LIMIT_MS = 5 * 366 * 86_400_000;

/** The first time strictly after `after` (UTC, whole minutes) at which the schedule fires. */
export function nextFire(cron: Cron, after: Date): Date {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + SEARCH_LIMIT_MS;
  while (t.getTime() <= limit) {
    if (!cron.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(cron, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!cron.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!cron.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t;
    }
  }
  throw new CronError(cron.source, 'it never fires');
}

/**
 * Schedule time running `speed` times faster than real time, from a common origin: `--speed 10` makes a
 * one-minute schedule fire every 6 real seconds.
 */
export interface CompressedClock {
  readonly speed: number;
  /** Schedule time at a real instant (ms since the epoch). */
  scheduleTime(realMs: number): number;
  /** Real instant at a schedule time. */
  realTime(scheduleMs: number): number;
}

export function compressedClock(originMs: number, speed: number): CompressedClock {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
  return Object.freeze({
    speed,
    scheduleTime: (realMs: number) => originMs + (realMs - originMs) * speed,
    realTime: (scheduleMs: number) => originMs + (scheduleMs - originMs) / speed,
  });
}

/**
 * The next tick on the compressed clock: its schedule time, and the real delay until it. Searching after the
 * previous tick too keeps a timer that woke a fraction of a millisecond early from firing the same tick twice.
 */
export function nextTick(cron: Cron, clock: CompressedClock, realNowMs: number, previousTickMs = -Infinity): { tickMs: number; delayMs: number } {
  const after = Math.max(clock.scheduleTime(realNowMs), previousTickMs);
  const tickMs = nextFire(cron, new Date(after)).getTime();
  return { tickMs, delayMs: Math.max(0, clock.realTime(tickMs) - realNowMs) };
}
