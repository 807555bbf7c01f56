import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesSelector, parseLabelSelector } from '../../shared/rules/label-selector.ts';

const labels = { app: 'web', tier: 'front', 'selfheal.io/enabled': 'true' };

test('equality, inequality, set-based and existence terms match as in Kubernetes', () => {
  const cases: Array<[string, boolean]> = [
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['tier in (front, back)', true],
    ['tier in (back)', false],
    ['tier notin (back)', true],
    ['tier notin (front)', false],
    ['selfheal.io/enabled', true],
    ['!selfheal.io/enabled', false],
    ['!legacy', true],
    ['app=web,tier in (front),!legacy', true],
    ['app=web,tier=back', false],
  ];
  for (const [selector, expected] of cases) assert.equal(matchesSelector(parseLabelSelector(selector), labels), expected, selector);
});

test('malformed selectors name the bad term', () => {
  assert.throws(() => parseLabelSelector('app in (a'), /invalid selector term "app in \(a"/);
  assert.throws(() => parseLabelSelector('a b=c'), /invalid/);
  assert.throws(() => parseLabelSelector('app=we b'), /invalid/);
});
