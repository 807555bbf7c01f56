import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NONE, formatTable, percent, relativeTime, shortTime, successRate, truncate } from '../../shared/cli/table.ts';

test('columns are padded to their widest cell, numbers aligned right, no trailing blanks', () => {
  const rows = [
    { name: 'web', n: 3, note: 'x' },
    { name: 'database', n: 12, note: '' },
  ];
  const text = formatTable(
    [
      { header: 'NAME', cell: (r: (typeof rows)[number]) => r.name },
      { header: 'N', cell: (r) => String(r.n), align: 'right' },
      { header: 'NOTE', cell: (r) => r.note },
    ],
    rows,
  );
  assert.equal(text, ['NAME       N  NOTE', 'web        3  x', 'database  12'].join('\n'));
});

test('line breaks in a cell become spaces, and wide characters count once', () => {
  const text = formatTable([{ header: 'A', cell: (r: string) => r }, { header: 'B', cell: () => '|' }], ['one\ntwo', '–']);
  assert.equal(text, ['A        B', 'one two  |', '–        |'].join('\n'));
});

test('a table without rows is its header', () => {
  assert.equal(formatTable([{ header: 'ONLY', cell: (r: string) => r }], []), 'ONLY');
});

test('relative times in the past and the future, by unit', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  const cases: Array<[number, string]> = [
    [now, '0s ago'],
    [now - 12_000, '12s ago'],
    [now - 59_400, '59s ago'],
    [now - 60_000, '1m ago'],
    [now - 3_599_000, '59m ago'],
    [now - 3 * 3_600_000, '3h ago'],
    [now - 2 * 86_400_000 - 5, '2d ago'],
    [now + 4 * 60_000, 'in 4m'],
  ];
  for (const [at, text] of cases) assert.equal(relativeTime(at, now), text, String(now - at));
  assert.equal(relativeTime(0, now), NONE, 'never');
});

test('short UTC time to the second', () => {
  assert.equal(shortTime(Date.parse('2026-11-23T12:00:03.456Z')), '2026-11-23 12:00:03Z');
  assert.equal(shortTime(0), NONE);
});

test('success rate: healed over judged, nothing when none judged', () => {
  assert.equal(successRate(0, 0), undefined);
  assert.equal(successRate(1, 3), 0.25);
  assert.equal(percent(successRate(2, 1)), '67%');
  assert.equal(percent(undefined), NONE);
});

test('truncate keeps short text and marks a cut', () => {
  assert.equal(truncate('status 500', 20), 'status 500');
  assert.equal(truncate('abcdefgh', 5), 'abcd…');
});
