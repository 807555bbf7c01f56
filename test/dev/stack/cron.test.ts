// Cron parsing as PingSource does it (robfig/cron with SecondOptional), the next-fire search, the compressed clock
// behind --speed and the scheduler's timers. Rows marked "robfig" are the examples of robfig/cron's parser_test.go and
// spec_test.go, read in UTC (the stack plays UTC; their time-zone rows have no counterpart here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compressedClock, CronError, nextFire, nextTick, parseCron } from '../../../shared/dev/stack/cron.ts';
import type { Cron } from '../../../shared/dev/stack/cron.ts';
import { startScheduler } from '../../../shared/dev/stack/scheduler.ts';
import { createLogger } from '../../../shared/log/logger.ts';

const at = (iso: string) => new Date(iso.endsWith('Z') ? iso : `${iso}Z`);
const next = (expr: string, after: string) => nextFire(parseCron(expr), at(after)).toISOString();
const range = (from: number, to: number, step = 1) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
const sorted = (s: ReadonlySet<number>) => [...s].sort((a, b) => a - b);
/** What decides when a schedule fires: every field's values and whether each day field restricts. */
const shape = (c: Cron) => ({
  seconds: sorted(c.seconds),
  minutes: sorted(c.minutes),
  hours: sorted(c.hours),
  days: sorted(c.days),
  months: sorted(c.months),
  weekdays: sorted(c.weekdays),
  dayRestricted: c.dayRestricted,
  weekdayRestricted: c.weekdayRestricted,
});

test('a field: numbers, ranges, steps and lists (robfig TestRange and TestField, in the seconds field)', async (t) => {
  const rows: Array<[string, number[]]> = [
    ['5', [5]],
    ['0', [0]],
    ['7', [7]],
    ['5-5', [5]],
    ['5-6', [5, 6]],
    ['5-7', [5, 6, 7]],
    ['5-6/2', [5]],
    ['5-7/2', [5, 7]],
    ['5-7/1', [5, 6, 7]],
    ['*', range(0, 59)],
    ['?', range(0, 59)],
    ['*/2', range(0, 58, 2)],
    ['*/10', [0, 10, 20, 30, 40, 50]],
    ['5/10', [5, 15, 25, 35, 45, 55]],
    ['15/35', [15, 50]],
    ['5,6', [5, 6]],
    ['5,6,7', [5, 6, 7]],
    ['1,5-7/2,3', [1, 3, 5, 7]],
    ['5,,6', [5, 6]],
    ['+5', [5]],
    ['*-5', range(0, 59)],
  ];
  for (const [field, values] of rows) {
    await t.test(`second "${field}"`, () => assert.deepEqual(sorted(parseCron(`${field} * * * * *`).seconds), values));
  }
});

test('names and day restriction: JAN-DEC, SUN-SAT in any case, and robfig\'s star rule for the day fields', async (t) => {
  const rows: Array<[string, Partial<ReturnType<typeof shape>>]> = [
    ['0 0 1 JAN,jul *', { months: [1, 7] }],
    ['0 0 * Apr-Oct ?', { months: range(4, 10) }],
    ['0 0 * jan/2 *', { months: [1, 3, 5, 7, 9, 11] }],
    ['0 0 * * MON-FRI', { weekdays: [1, 2, 3, 4, 5] }],
    ['0 0 * * Mon/2', { weekdays: [1, 3, 5] }],
    ['0 0 * * sun,Sat', { weekdays: [0, 6] }],
    ['0 0 * * *', { dayRestricted: false, weekdayRestricted: false }],
    ['0 0 ? * ?', { dayRestricted: false, weekdayRestricted: false }],
    ['0 0 */1 * *', { dayRestricted: false }],
    ['0 0 */2 * *', { dayRestricted: true }],
    ['0 0 1-31 * *', { dayRestricted: true }],
    ['0 0 *,5 * 1', { dayRestricted: false, weekdayRestricted: true }],
  ];
  for (const [expr, expected] of rows) {
    await t.test(expr, () => {
      const actual = shape(parseCron(expr));
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(actual[k as keyof typeof actual], v, k);
    });
  }
});

test('same schedule, other spelling: optional seconds and descriptors (robfig TestParseSchedule, TestOptionalSecondSchedule)', async (t) => {
  const rows: Array<[string, string]> = [
    ['5 * * * *', '0 5 * * * *'],
    ['* * * * *', '0 * * * * *'],
    ['@midnight', '0 0 0 * * *'],
    ['@daily', '0 0 0 * * *'],
    ['@yearly', '0 0 0 1 1 *'],
    ['@annually', '0 0 0 1 1 *'],
    ['@monthly', '0 0 0 1 * *'],
    ['@weekly', '0 0 0 * * 0'],
    ['@hourly', '0 0 * * * *'],
    ['  */10   * * * * *  ', '*/10 * * * * *'],
  ];
  for (const [a, b] of rows) await t.test(`"${a}" = "${b}"`, () => assert.deepEqual(shape(parseCron(a)), shape(parseCron(b))));
  await t.test('"5 5 * * * *" fires at second 5 of minute 5', () => {
    const c = parseCron('5 5 * * * *');
    assert.deepEqual([sorted(c.seconds), sorted(c.minutes)], [[5], [5]]);
  });
  await t.test('"* 5 * * * *" fires every second of minute 5', () => {
    const c = parseCron('* 5 * * * *');
    assert.deepEqual([sorted(c.seconds), sorted(c.minutes), sorted(c.hours)], [range(0, 59), [5], range(0, 23)]);
  });
});

test('refused, with the problem named (robfig error rows; Knative\'s @every rule; the stack\'s UTC)', async (t) => {
  const rows: Array<[string, RegExp]> = [
    ['5--5 * * * * *', /second: too many hyphens in "5--5"/],
    ['0 0 0 1 jan-x *', /month: "x" is not a number or a name/],
    ['2-x * * * * *', /second: "x" is not a number/],
    ['*/-12 * * * * *', /second: negative number -12/],
    ['*//2 * * * * *', /second: too many slashes/],
    ['0 0 0 0 * *', /day of month: 0 is below the minimum 1/],
    ['60 * * * * *', /second: 60 is above the maximum 59/],
    ['5-3 * * * * *', /second: range 5-3 runs backwards/],
    ['*/0 * * * * *', /second: a step of 0 never advances/],
    ['* 5 j * * *', /hour: "j" is not a number/],
    ['@every Xm', /@every is not accepted by PingSource/],
    ['@every 10s', /@every is not accepted by PingSource/],
    ['@unrecognized', /unrecognized descriptor @unrecognized/],
    ['@Hourly', /unrecognized descriptor/],
    ['* * * *', /expected 5 to 6 fields/],
    ['* * * * * * *', /expected 5 to 6 fields/],
    ['', /empty schedule/],
    ['   ', /empty schedule/],
    ['xyz', /expected 5 to 6 fields/],
    ['60 0 * * *', /minute: 60 is above the maximum 59/],
    ['0 60 * * *', /hour: 60 is above the maximum 23/],
    ['0 0 * * XYZ', /day of week: "XYZ" is not a number or a name/],
    ['15/0 * * * *', /minute: a step of 0 never advances/],
    ['0 8 * * 7', /day of week: 7 is above the maximum 6 \(Sunday is 0 or SUN\)/],
    ['0 0 0 * 13 *', /month: 13 is above the maximum 12/],
    ['0 0 24 * * *', /hour: 24 is above the maximum 23/],
    [', * * * * *', /second: "," selects nothing/],
    ['CRON_TZ=UTC 0 5 * * * *', /time zone prefix/],
    ['TZ=Asia/Tokyo @midnight', /time zone prefix/],
  ];
  for (const [expr, problem] of rows) {
    await t.test(`"${expr}"`, () => assert.throws(() => parseCron(expr), (e: unknown) => e instanceof CronError && problem.test(e.message)));
  }
});

test('fires or not at a given time: Next(t - 1 s) = t (robfig TestActivation)', async (t) => {
  const rows: Array<[string, string, boolean]> = [
    ['2012-07-09T15:00', '0/15 * * * *', true],
    ['2012-07-09T15:45', '0/15 * * * *', true],
    ['2012-07-09T15:40', '0/15 * * * *', false],
    ['2012-07-09T15:05', '5/15 * * * *', true],
    ['2012-07-09T15:20', '5/15 * * * *', true],
    ['2012-07-09T15:50', '5/15 * * * *', true],
    ['2012-07-15T15:00', '0/15 * * Jul *', true],
    ['2012-07-15T15:00', '0/15 * * Jun *', false],
    ['2012-07-15T08:30', '30 08 ? Jul Sun', true],
    ['2012-07-15T08:30', '30 08 15 Jul ?', true],
    ['2012-07-16T08:30', '30 08 ? Jul Sun', false],
    ['2012-07-16T08:30', '30 08 15 Jul ?', false],
    ['2012-07-09T15:00', '@hourly', true],
    ['2012-07-09T15:04', '@hourly', false],
    ['2012-07-09T15:00', '@daily', false],
    ['2012-07-09T00:00', '@daily', true],
    ['2012-07-09T00:00', '@weekly', false],
    ['2012-07-08T00:00', '@weekly', true],
    ['2012-07-08T01:00', '@weekly', false],
    ['2012-07-08T00:00', '@monthly', false],
    ['2012-07-01T00:00', '@monthly', true],
    // Both day fields restricted: either one may match.
    ['2012-07-15T00:00', '* * 1,15 * Sun', true],
    ['2012-06-15T00:00', '* * 1,15 * Sun', true],
    ['2012-08-01T00:00', '* * 1,15 * Sun', true],
    ['2012-07-15T00:00', '* * */10 * Sun', true],
    // One of them a star: both must match.
    ['2012-07-15T00:00', '* * * * Mon', false],
    ['2012-07-09T00:00', '* * 1,15 * *', false],
    ['2012-07-15T00:00', '* * 1,15 * *', true],
    ['2012-07-15T00:00', '* * */2 * Sun', true],
    // Seconds.
    ['2012-07-09T15:00:10', '*/10 * * * * *', true],
    ['2012-07-09T15:00:15', '*/10 * * * * *', false],
    ['2012-07-09T15:00:15', '5/10 * * * * *', true],
    ['2012-07-09T15:00:05', '* * * * *', false],
  ];
  for (const [time, spec, fires] of rows) {
    await t.test(`${spec} at ${time}: ${fires ? 'fires' : 'does not fire'}`, () => {
      const then = at(time);
      assert.equal(nextFire(parseCron(spec), new Date(then.getTime() - 1_000)).getTime() === then.getTime(), fires);
    });
  }
});

test('the next fire, second-level specs and wrap-arounds (robfig TestNext, UTC rows)', async (t) => {
  const rows: Array<[string, string, string]> = [
    ['2012-07-09T14:45:00', '0 0/15 * * * *', '2012-07-09T15:00:00'],
    ['2012-07-09T14:59:00', '0 0/15 * * * *', '2012-07-09T15:00:00'],
    ['2012-07-09T14:59:59', '0 0/15 * * * *', '2012-07-09T15:00:00'],
    ['2012-07-09T15:45:00', '0 20-35/15 * * * *', '2012-07-09T16:20:00'],
    ['2012-07-09T23:46:00', '0 */15 * * * *', '2012-07-10T00:00:00'],
    ['2012-07-09T23:45:00', '0 20-35/15 * * * *', '2012-07-10T00:20:00'],
    ['2012-07-09T23:35:51', '15/35 20-35/15 * * * *', '2012-07-10T00:20:15'],
    ['2012-07-09T23:35:51', '15/35 20-35/15 1/2 * * *', '2012-07-10T01:20:15'],
    ['2012-07-09T23:35:51', '15/35 20-35/15 10-12 * * *', '2012-07-10T10:20:15'],
    ['2012-07-09T23:35:51', '15/35 20-35/15 1/2 */2 * *', '2012-07-11T01:20:15'],
    ['2012-07-09T23:35:51', '15/35 20-35/15 * 9-20 * *', '2012-07-10T00:20:15'],
    ['2012-07-09T23:35:51', '15/35 20-35/15 * 9-20 Jul *', '2012-07-10T00:20:15'],
    ['2012-07-09T23:35:00', '0 0 0 9 Apr-Oct ?', '2012-08-09T00:00:00'],
    ['2012-07-09T23:35:00', '0 0 0 */5 Apr,Aug,Oct Mon', '2012-08-01T00:00:00'],
    ['2012-07-09T23:35:00', '0 0 0 */5 Oct Mon', '2012-10-01T00:00:00'],
    ['2012-07-09T23:35:00', '0 0 0 * Feb Mon', '2013-02-04T00:00:00'],
    ['2012-07-09T23:35:00', '0 0 0 * Feb Mon/2', '2013-02-01T00:00:00'],
    ['2012-12-31T23:59:45', '0 * * * * *', '2013-01-01T00:00:00'],
    ['2012-07-09T23:35:00', '0 0 0 29 Feb ?', '2016-02-29T00:00:00'],
    // The schedules of knative/pingsources.yaml, and strictly after: a fraction of a second past a tick is past it.
    ['2030-01-01T10:00:00.000', '*/10 * * * * *', '2030-01-01T10:00:10'],
    ['2030-01-01T10:00:09.999', '*/10 * * * * *', '2030-01-01T10:00:10'],
    ['2030-01-01T10:00:59.500', '*/10 * * * * *', '2030-01-01T10:01:00'],
    ['2030-01-01T10:00:00.000', '5/10 * * * * *', '2030-01-01T10:00:05'],
    ['2030-01-01T10:00:55.000', '5/10 * * * * *', '2030-01-01T10:01:05'],
    ['2030-01-01T10:00:00.000', '*/30 * * * * *', '2030-01-01T10:00:30'],
    ['2030-01-01T10:00:00.000', '* * * * *', '2030-01-01T10:01:00'],
    ['2030-01-01T10:00:59.999', '* * * * *', '2030-01-01T10:01:00'],
    ['2030-01-01T10:16:00', '*/15 * * * *', '2030-01-01T10:30:00'],
    ['2030-01-01T17:51:00', '5,50 9-17 * * *', '2030-01-02T09:05:00'],
    ['2030-02-10T00:00:00', '0 0 1 */3 *', '2030-04-01T00:00:00'],
    // 2030-01-05 is a Saturday; */N restricts its day field, so "0 0 */2 * 1" is odd days OR Mondays.
    ['2030-01-05T12:00:00', '0 8 * * 1-5', '2030-01-07T08:00:00'],
    ['2030-01-05T12:00:00', '0 8 * * SUN', '2030-01-06T08:00:00'],
    ['2030-01-05T12:00:00', '0 0 */2 * 1', '2030-01-07T00:00:00'],
    ['2030-01-07T12:00:00', '0 0 */2 * 1', '2030-01-09T00:00:00'],
  ];
  for (const [after, spec, expected] of rows) {
    await t.test(`${spec} after ${after}`, () => assert.equal(next(spec, after), at(expected).toISOString()));
  }
  for (const spec of ['0 0 0 30 Feb ?', '0 0 0 31 Apr ?']) {
    await t.test(`${spec} never fires, and the search ends`, () => assert.throws(() => next(spec, '2012-07-09T23:35:00'), /never fires/));
  }
});

test('--speed 10: a 10-second schedule ticks every real second, at whole seconds of schedule time', () => {
  const origin = Date.parse('2030-01-01T10:00:00Z');
  const clock = compressedClock(origin, 10);
  const cron = parseCron('*/10 * * * * *');
  let now = origin;
  let previous: number | undefined;
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    const tick = nextTick(cron, clock, now, previous);
    delays.push(tick.delayMs);
    previous = tick.tickMs;
    now += tick.delayMs;
  }
  assert.deepEqual(delays, [1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000]);
  assert.equal(new Date(previous!).toISOString(), '2030-01-01T10:01:10.000Z');
});

test('--speed 10: a one-minute schedule ticks every 6 real seconds', () => {
  const origin = Date.parse('2030-01-01T10:00:00Z');
  const clock = compressedClock(origin, 10);
  const cron = parseCron('* * * * *');
  const first = nextTick(cron, clock, origin);
  const second = nextTick(cron, clock, origin + first.delayMs, first.tickMs);
  assert.deepEqual([first.delayMs, second.delayMs], [6_000, 6_000]);
});

test('a timer that wakes early does not fire the same tick twice', () => {
  const origin = Date.parse('2030-01-01T10:00:00Z');
  const clock = compressedClock(origin, 10);
  for (const [spec, period] of [['* * * * *', 60_000], ['*/10 * * * * *', 10_000]] as const) {
    const cron = parseCron(spec);
    const first = nextTick(cron, clock, origin);
    const early = nextTick(cron, clock, origin + first.delayMs - 0.5, first.tickMs);
    assert.equal(early.tickMs - first.tickMs, period, spec);
  }
  assert.throws(() => compressedClock(origin, 0), /positive/);
});

const silent = () => createLogger({ name: 'test', level: 'silent' });
const source = (name: string, schedule: string) => ({ name, namespace: 'selfheal', schedule: parseCron(schedule), contentType: 'application/json', data: '{}', sink: 'check-pods' });

test('the scheduler fires a six-field schedule at its seconds, a five-field one only at whole minutes', async () => {
  const fired = new Map<string, number[]>();
  const started = Date.now();
  // The clock starts on a whole minute, so that the first minute tick is a full minute away.
  const offset = Date.parse('2030-01-01T10:00:00Z') - started;
  // --speed 20: "*/2 * * * * *" every 100 real ms; "* * * * *" every 3 real seconds, so not within the 1.05 s waited.
  const scheduler = startScheduler({
    pingSources: [source('every-2s', '*/2 * * * * *'), source('every-minute', '* * * * *')],
    speed: 20,
    fire: async (name) => void fired.set(name, [...(fired.get(name) ?? []), Date.now() - started]),
    logger: silent(),
    now: () => Date.now() + offset,
  });
  await new Promise((resolve) => setTimeout(resolve, 1_050));
  scheduler.stop();
  const ticks = fired.get('every-2s') ?? [];
  // 10 ticks in 1.05 s on an idle machine; a loaded one delays timers but does not add ticks.
  assert.ok(ticks.length >= 7 && ticks.length <= 11, `every-2s fired ${ticks.length} times: ${ticks.join(', ')}`);
  // Tick k is second 2k of schedule time, k × 100 ms of real time: never before it (a late timer is the machine's).
  const early = ticks.filter((t, i) => t < (i + 1) * 100 - 5);
  assert.deepEqual(early, [], `ticks before their time: ${ticks.join(', ')}`);
  assert.equal(fired.get('every-minute'), undefined);
});

test('a tick more than 24.8 days ahead is waited for, not fired at once in a loop', async () => {
  let fired = 0;
  const scheduler = startScheduler({
    pingSources: [source('yearly', '0 0 1 1 *')],
    speed: 1,
    fire: async () => {
      fired++;
    },
    logger: silent(),
    now: () => Date.parse('2026-02-01T00:00:00Z'),
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  scheduler.stop();
  assert.equal(fired, 0);
});
