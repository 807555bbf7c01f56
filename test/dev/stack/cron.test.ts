// Cron parsing, next-fire search and the compressed clock behind --speed: pure, no timers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compressedClock, CronError, nextFire, nextTick, parseCron } from '../../../shared/dev/stack/cron.ts';

const at = (iso: string) => new Date(iso);
const next = (expr: string, after: string) => nextFire(parseCron(expr), at(after)).toISOString();

test('every minute fires at the next whole minute, strictly after the given time', () => {
  assert.equal(next('* * * * *', '2030-01-01T10:00:00.000Z'), '2030-01-01T10:01:00.000Z');
  assert.equal(next('* * * * *', '2030-01-01T10:00:59.999Z'), '2030-01-01T10:01:00.000Z');
});

test('steps, ranges and lists', () => {
  assert.equal(next('*/15 * * * *', '2030-01-01T10:16:00Z'), '2030-01-01T10:30:00.000Z');
  assert.equal(next('5,50 9-17 * * *', '2030-01-01T17:51:00Z'), '2030-01-02T09:05:00.000Z');
  assert.equal(next('10-20/5 * * * *', '2030-01-01T10:15:00Z'), '2030-01-01T10:20:00.000Z');
  assert.equal(next('0 0 1 */3 *', '2030-02-10T00:00:00Z'), '2030-04-01T00:00:00.000Z');
});

test('days: weekdays (7 is Sunday too), and either day field when both are restricted', () => {
  // 2030-01-05 is a Saturday.
  assert.equal(next('0 8 * * 1-5', '2030-01-05T12:00:00Z'), '2030-01-07T08:00:00.000Z');
  assert.equal(next('0 8 * * 7', '2030-01-05T12:00:00Z'), '2030-01-06T08:00:00.000Z');
  assert.equal(next('0 0 15 * 1', '2030-01-05T12:00:00Z'), '2030-01-07T00:00:00.000Z');
  // */N restricts its field (robfig/cron): every other day OR Monday; 2030-01-07 is the 7th and a Monday,
  // 2030-01-06 (the 6th, a Sunday) matches neither.
  assert.equal(next('0 0 */2 * 1', '2030-01-05T12:00:00Z'), '2030-01-07T00:00:00.000Z');
  // from Monday the 7th: the 9th (odd), not the next Monday (14th) as "Mondays only" would say
  assert.equal(next('0 0 */2 * 1', '2030-01-07T12:00:00Z'), '2030-01-09T00:00:00.000Z');
});

test('bad schedules are refused with the field named', () => {
  assert.throws(() => parseCron('* * * *'), /expected 5 fields/);
  assert.throws(() => parseCron('60 * * * *'), /minute: 60 is outside 0-59/);
  assert.throws(() => parseCron('*/0 * * * *'), /step of 0/);
  assert.throws(() => parseCron('5-1 * * * *'), /runs backwards/);
  assert.throws(() => parseCron('@hourly'), CronError);
  assert.throws(() => nextFire(parseCron('0 0 30 2 *'), at('2030-01-01T00:00:00Z')), /never fires/);
});

test('--speed 10: a one-minute schedule ticks every 6 real seconds', () => {
  const origin = Date.parse('2030-01-01T10:00:00Z');
  const clock = compressedClock(origin, 10);
  const cron = parseCron('* * * * *');
  let now = origin;
  let previous: number | undefined;
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    const tick = nextTick(cron, clock, now, previous);
    delays.push(tick.delayMs);
    previous = tick.tickMs;
    now += tick.delayMs;
  }
  assert.deepEqual(delays, [6_000, 6_000, 6_000, 6_000]);
  assert.equal(new Date(previous!).toISOString(), '2030-01-01T10:04:00.000Z');
});

test('a timer that wakes early does not fire the same tick twice', () => {
  const origin = Date.parse('2030-01-01T10:00:00Z');
  const clock = compressedClock(origin, 10);
  const cron = parseCron('* * * * *');
  const first = nextTick(cron, clock, origin);
  const early = nextTick(cron, clock, origin + first.delayMs - 0.5, first.tickMs);
  assert.equal(early.tickMs - first.tickMs, 60_000);
  assert.throws(() => compressedClock(origin, 0), /positive/);
});

test('a tick more than 24.8 days ahead is waited for, not fired at once in a loop', async () => {
  const { startScheduler } = await import('../../../shared/dev/stack/scheduler.ts');
  const { createLogger } = await import('../../../shared/log/logger.ts');
  let fired = 0;
  const scheduler = startScheduler({
    pingSources: [{ name: 'yearly', namespace: 'selfheal', schedule: parseCron('0 0 1 1 *'), contentType: 'application/json', data: '{}', sink: 'check-pods' }],
    speed: 1,
    fire: async () => {
      fired++;
    },
    logger: createLogger({ name: 'test', level: 'silent' }),
    now: () => Date.parse('2026-02-01T00:00:00Z'),
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  scheduler.stop();
  assert.equal(fired, 0);
});
