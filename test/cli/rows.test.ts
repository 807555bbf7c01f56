// The pure halves of the readers: turning a stats hash and a stream entry into rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHistoryRow } from '../../shared/cli/read-history.ts';
import { summarizeStats } from '../../shared/cli/read-stats.ts';

test('stats: per action outcomes and a success rate, reasons most frequent first, stray fields ignored', () => {
  const stats = summarizeStats('web-http', {
    'restart:performed': '3',
    'restart:healed': '1',
    'restart:not-healed': '2',
    'restart:deferred': '1',
    'scale:failed': '1',
    'switch-proxy:performed': '1',
    'reason:cooldown': '2',
    'reason:below-threshold': '5',
    'reason:threshold-reached': '2',
    'restart:exploded': '9',
    'noise': '1',
  });
  assert.deepEqual(stats.actions, [
    { action: 'restart', performed: 3, healed: 1, notHealed: 2, failed: 0, deferred: 1, successRate: 1 / 3 },
    { action: 'scale', performed: 0, healed: 0, notHealed: 0, failed: 1, deferred: 0, successRate: null },
    { action: 'switch-proxy', performed: 1, healed: 0, notHealed: 0, failed: 0, deferred: 0, successRate: null },
  ]);
  assert.deepEqual(stats.reasons, [
    { reason: 'below-threshold', count: 5 },
    { reason: 'cooldown', count: 2 },
    { reason: 'threshold-reached', count: 2 },
  ]);
});

test('a stream entry: known fields, nulls for the rest, numbers for failures, the stream time without "at"', () => {
  const row = toHistoryRow('1795435203000-0', ['at', '2026-11-23T12:00:03.000Z', 'target', 'r:shop:Pod:web-1', 'decision', 'act', 'reason', 'threshold-reached', 'failures', '3', 'extra', 'x']);
  assert.deepEqual(row, {
    id: '1795435203000-0', at: Date.parse('2026-11-23T12:00:03.000Z'), target: 'r:shop:Pod:web-1', event: null, outcome: null,
    decision: 'act', reason: 'threshold-reached', action: null, failures: 3, judged: null, detail: null, role: null, status: null,
  });
  const bare = toHistoryRow('1700000000123-4', ['decision', 'skip']);
  assert.deepEqual([bare.at, bare.failures], [1700000000123, null]);
});
