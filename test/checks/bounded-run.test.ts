import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEADLINE_EXCEEDED, runBounded } from '../../shared/checks/bounded-run.ts';
import type { BoundedTask } from '../../shared/checks/bounded-run.ts';

const value = <R>(v: R, ms = 0, timeoutMs = 5_000): BoundedTask<R> => ({ timeoutMs, run: async () => (ms > 0 ? (await sleep(ms), v) : v) });
/** Never settles on its own; records whether it was told to stop. */
const hanging = (aborted: AbortSignal[], timeoutMs = 60_000): BoundedTask<string> => ({
  timeoutMs,
  run: (signal) => {
    aborted.push(signal);
    return new Promise<string>(() => {});
  },
});

test('every task runs and outcomes keep the order of the tasks', async () => {
  const outcomes = await runBounded([value('a', 20), value('b'), value('c', 5)], { concurrency: 2, deadlineMs: 5_000 });
  assert.deepEqual(outcomes.map((o) => (o.kind === 'done' ? o.value : o.kind)), ['a', 'b', 'c']);
});

test('no more than `concurrency` tasks run at once, and all of them run', async () => {
  let running = 0;
  let most = 0;
  const task: BoundedTask<number> = {
    timeoutMs: 5_000,
    run: async () => {
      running++;
      most = Math.max(most, running);
      await sleep(5);
      running--;
      return 1;
    },
  };
  const outcomes = await runBounded(Array.from({ length: 20 }, () => task), { concurrency: 3, deadlineMs: 5_000 });
  assert.equal(most, 3);
  assert.equal(outcomes.filter((o) => o.kind === 'done').length, 20);
});

test('a throwing task is an error outcome, and the others still run', async () => {
  const outcomes = await runBounded<string>([{ timeoutMs: 1_000, run: async () => { throw new Error('boom'); } }, value('ok')], { concurrency: 1, deadlineMs: 5_000 });
  assert.equal(outcomes[0]?.kind, 'error');
  assert.equal(outcomes[0]?.kind === 'error' && outcomes[0].error.message, 'boom');
  assert.deepEqual(outcomes[1]?.kind === 'done' && outcomes[1].value, 'ok');
});

test('a task past its own timeout is reported as a timeout, its signal aborted, and frees its slot', async () => {
  const signals: AbortSignal[] = [];
  const outcomes = await runBounded([hanging(signals, 30), value('after')], { concurrency: 1, deadlineMs: 10_000 });
  assert.equal(outcomes[0]?.kind, 'timeout');
  assert.equal(outcomes[0]?.kind === 'timeout' && outcomes[0].timeoutMs, 30);
  assert.equal(signals[0]?.aborted, true);
  assert.equal(outcomes[1]?.kind, 'done');
});

test('the deadline ends the run: unfinished tasks, started or not, are cut and their signals aborted', async () => {
  const signals: AbortSignal[] = [];
  const tasks = [value('quick'), hanging(signals), hanging(signals), hanging(signals)];
  const outcomes = await runBounded(tasks, { concurrency: 2, deadlineMs: 50 });
  assert.deepEqual(outcomes.map((o) => o.kind), ['done', 'cut', 'cut', 'cut']);
  assert.ok(outcomes.slice(1).every((o) => o.kind === 'cut' && o.reason === DEADLINE_EXCEEDED));
  // Two slots: "quick" and the first hang started, then the second hang; the third never started.
  assert.equal(signals.length, 2);
  assert.ok(signals.every((s) => s.aborted));
  assert.equal(outcomes[3]?.elapsedMs, 0);
});

test('an outer abort ends the run like the deadline, naming why', async () => {
  const outer = new AbortController();
  const signals: AbortSignal[] = [];
  const pending = runBounded([hanging(signals)], { concurrency: 1, deadlineMs: 60_000, signal: outer.signal });
  await sleep(10);
  outer.abort(new Error('shutting down'));
  const [outcome] = await pending;
  assert.equal(outcome?.kind === 'cut' && outcome.reason, 'run aborted: shutting down');
  assert.equal(signals[0]?.aborted, true);
});

test('no tasks: an empty run', async () => {
  assert.deepEqual(await runBounded([], { concurrency: 4, deadlineMs: 10 }), []);
});
