// Cron schedules as PingSource parses them (robfig/cron with SecondOptional, UTC), and the compressed clock behind `--speed`.

export interface Cron {
  readonly source: string;
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
  /** When both day fields are restricted, a day matching either one fires (robfig/cron, as Vixie cron). */
  readonly dayRestricted: boolean;
  readonly weekdayRestricted: boolean;
}

export class CronError extends Error {
  constructor(expression: string, problem: string) {
    super(`invalid cron schedule "${expression}": ${problem}`);
    this.name = 'CronError';
  }
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAY_NAMES = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/** robfig/cron's bounds: the day of week stops at 6, so 7 (Sunday in Vixie cron) is refused, as Knative refuses it. */
const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day of week', min: 0, max: 6, names: DAY_NAMES },
];

/** robfig/cron's descriptors, as the six-field schedules they stand for. */
const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

interface Field {
  values: Set<number>;
  /** robfig/cron's star bit: a `*` or `?` without a step above 1 somewhere in the list leaves the field unrestricted. */
  star: boolean;
}

/** One comma-separated part: `*`, `?`, N, N-M, NAME, each with an optional /STEP, read as robfig/cron's getRange does. */
function parsePart(fail: (problem: string) => never, part: string, field: FieldSpec, into: Field): void {
  const int = (s: string): number => {
    // strconv.Atoi, which robfig/cron uses, takes a sign.
    if (!/^[+-]?\d+$/.test(s)) fail(`${field.name}: "${s}" is not a number${field.names ? ' or a name' : ''}`);
    const n = Number(s);
    if (n < 0) fail(`${field.name}: negative number ${s}`);
    return n;
  };
  const intOrName = (s: string): number => field.names?.[s.toLowerCase()] ?? int(s);
  const rangeAndStep = part.split('/');
  if (rangeAndStep.length > 2) fail(`${field.name}: too many slashes in "${part}"`);
  const lowAndHigh = rangeAndStep[0]!.split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    // robfig/cron looks no further than the star: "*-5" is "*".
    [start, end, star] = [field.min, field.max, true];
  } else {
    if (lowAndHigh.length > 2) fail(`${field.name}: too many hyphens in "${part}"`);
    start = intOrName(lowAndHigh[0]!);
    end = lowAndHigh.length === 2 ? intOrName(lowAndHigh[1]!) : start;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = int(rangeAndStep[1]!);
    // "5/15" means "from 5 to the end, every 15".
    if (lowAndHigh.length === 1) end = field.max;
    if (step > 1) star = false;
  }
  if (start < field.min) fail(`${field.name}: ${start} is below the minimum ${field.min}`);
  if (end > field.max) fail(`${field.name}: ${end} is above the maximum ${field.max}${field.name === 'day of week' ? ' (Sunday is 0 or SUN)' : ''}`);
  if (start > end) fail(`${field.name}: range ${part} runs backwards`);
  if (step === 0) fail(`${field.name}: a step of 0 never advances`);
  for (let v = start; v <= end; v += step) into.values.add(v);
  into.star ||= star;
}

function parseField(fail: (problem: string) => never, text: string, field: FieldSpec): Field {
  const into: Field = { values: new Set(), star: false };
  // Empty parts ("5,,6") are skipped, as robfig/cron's strings.FieldsFunc skips them.
  for (const part of text.split(',').filter((p) => p !== '')) parsePart(fail, part, field, into);
  // robfig/cron takes it and never fires; refused here, so that the search for the next tick always ends early.
  if (into.values.size === 0) fail(`${field.name}: "${text}" selects nothing`);
  return into;
}

/**
 * Six fields (second minute hour day-of-month month day-of-week) or five (no seconds: second 0), or a descriptor such
 * as `@hourly`; `@every` is refused because Knative refuses it, and so is a `TZ=` prefix: the stack plays UTC.
 */
export function parseCron(expression: string): Cron {
  const fail = (problem: string): never => {
    throw new CronError(expression, problem);
  };
  const spec = expression.trim();
  if (spec === '') fail('empty schedule');
  if (spec.includes('@every')) fail('@every is not accepted by PingSource (Knative refuses it); write a cron schedule, e.g. "*/10 * * * * *" for every 10 s');
  if (/^(CRON_)?TZ=/.test(spec)) fail('a time zone prefix is not played by the local stack (UTC); in the cluster, use the PingSource\'s spec.timezone');
  if (spec.startsWith('@')) {
    const expanded = DESCRIPTORS[spec];
    if (expanded === undefined) fail(`unrecognized descriptor ${spec} (${Object.keys(DESCRIPTORS).join(', ')})`);
    return { ...parseCron(expanded!), source: expression };
  }
  const texts = spec.split(/\s+/);
  if (texts.length !== 5 && texts.length !== 6) fail(`expected 5 to 6 fields ([second] minute hour day-of-month month day-of-week), got ${texts.length}`);
  if (texts.length === 5) texts.unshift('0');
  const [seconds, minutes, hours, days, months, weekdays] = texts.map((text, i) => parseField(fail, text, FIELDS[i]!)) as [Field, Field, Field, Field, Field, Field];
  return Object.freeze({
    source: expression,
    seconds: seconds.values,
    minutes: minutes.values,
    hours: hours.values,
    days: days.values,
    months: months.values,
    weekdays: weekdays.values,
    dayRestricted: !days.star,
    weekdayRestricted: !weekdays.star,
  });
}

function dayMatches(cron: Cron, d: Date): boolean {
  const dom = cron.days.has(d.getUTCDate());
  const dow = cron.weekdays.has(d.getUTCDay());
  if (cron.dayRestricted && cron.weekdayRestricted) return dom || dow;
  return dom && dow;
}

/** Bounds the search as robfig/cron does: a schedule like "0 0 0 30 2 *" never fires, and must not spin forever. */
const SEARCH_LIMIT_MS = 5 * 366 * 86_400_000;
/**
 * Five years are at most ~60 month steps and ~1,830 day steps; once a day matches, at most 23 hour, 59 minute and
 * 59 second steps follow (no field is empty). Well above that, in case the reasoning is wrong.
 */
const MAX_STEPS = 10_000;

/** The first time strictly after `after` (UTC, whole seconds) at which the schedule fires. */
export function nextFire(cron: Cron, after: Date): Date {
  const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const limit = after.getTime() + SEARCH_LIMIT_MS;
  for (let steps = 0; steps < MAX_STEPS && t.getTime() <= limit; steps++) {
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
    } else if (!cron.seconds.has(t.getUTCSeconds())) {
      t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
    } else {
      return t;
    }
  }
  throw new CronError(cron.source, 'it never fires');
}

/**
 * Schedule time running `speed` times faster than real time, from a common origin: `--speed 10` makes a
 * 10-second schedule fire every real second.
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
