// When a result may count: one subtest per row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observedAtProblem } from '../../shared/healing/admission.ts';

const NOW = Date.parse('2026-11-23T12:00:00.000Z');
const limits = { maxClockSkewMs: 30_000, maxResultAgeMs: 600_000 };
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

test('table: observedAt against the healer clock', async (t) => {
  const rows: Array<[string, string, RegExp | undefined]> = [
    ['now', at(0), undefined],
    ['ahead within the skew', at(30_000), undefined],
    ['ahead past the skew', at(30_001), /data\.observedAt 2026-11-23T12:00:30\.001Z is 30 s in the future \(MAX_CLOCK_SKEW allows 30 s\)/],
    ['a year ahead', at(365 * 86_400_000), /in the future/],
    ['as old as allowed', at(-600_000), undefined],
    ['older than allowed', at(-600_001), /data\.observedAt 2026-11-23T11:49:59\.999Z is older than MAX_RESULT_AGE \(600 s before 2026-11-23T12:00:00\.000Z\)/],
  ];
  for (const [name, observedAt, problem] of rows) {
    await t.test(name, () => {
      const got = observedAtProblem(observedAt, NOW, limits);
      if (problem === undefined) assert.equal(got, undefined);
      else assert.match(got ?? '', problem);
    });
  }
});
