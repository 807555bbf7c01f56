import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideProxy } from '../../shared/healing/proxy-group.ts';
import type { ProxyPolicy, Role } from '../../shared/healing/proxy-group.ts';
import { EMPTY_PROXY_GROUP } from '../../shared/healing/state.ts';
import type { ProxyGroupState } from '../../shared/healing/state.ts';

const policy: ProxyPolicy = { failureThreshold: 2, successThreshold: 3, cooldown: 0 };

/** Feeds a script of results, applying switches as the healer would once they succeed. */
function run(script: Array<[Role, 'passed' | 'failed']>, start: ProxyGroupState = EMPTY_PROXY_GROUP): { group: ProxyGroupState; log: string[] } {
  let group = start;
  let now = Math.max(1_000, start.primaryLastResultAt, start.secondaryLastResultAt);
  const log: string[] = [];
  for (const [role, outcome] of script) {
    now += 1_000;
    const d = decideProxy({ group, result: { role, outcome, observedAt: now }, policy, now });
    group = d.group;
    if (d.verdict.kind === 'switch') {
      group = { ...group, status: d.verdict.status, active: d.verdict.to, lastSwitchAt: now };
      log.push(`switch ${d.verdict.to} ${d.verdict.reason}`);
    } else if (d.verdict.kind === 'enter-all-failed') {
      group = { ...group, status: 'AllFailed' };
      log.push('all-failed');
    }
  }
  return { group, log };
}

test('failover: the primary fails the threshold while the secondary passes', () => {
  const { group, log } = run([['secondary', 'passed'], ['primary', 'failed'], ['primary', 'failed']]);
  assert.deepEqual(log, ['switch secondary primary-failed']);
  assert.equal(group.status, 'SecondaryActive');
});

test('no failover to a secondary that has not been seen passing', () => {
  const { log } = run([['primary', 'failed'], ['primary', 'failed'], ['primary', 'failed']]);
  assert.deepEqual(log, []);
});

test('fail-back only after successThreshold consecutive primary passes (hysteresis)', () => {
  const { group, log } = run([
    ['secondary', 'passed'], ['primary', 'failed'], ['primary', 'failed'],
    ['primary', 'passed'], ['primary', 'passed'], ['primary', 'failed'], // flapping: not yet
    ['primary', 'passed'], ['primary', 'passed'], ['primary', 'passed'],
  ]);
  assert.deepEqual(log, ['switch secondary primary-failed', 'switch primary primary-recovered']);
  assert.equal(group.status, 'PrimaryActive');
});

test('both failing: AllFailed, no switch; recovery of either leaves it', () => {
  const both = run([['primary', 'failed'], ['secondary', 'failed'], ['primary', 'failed'], ['secondary', 'failed']]);
  assert.deepEqual(both.log, ['all-failed']);
  assert.equal(both.group.status, 'AllFailed');
  const back = run([['secondary', 'passed'], ['secondary', 'passed'], ['secondary', 'passed']], both.group);
  assert.deepEqual(back.log, ['switch secondary secondary-recovered']);
});

test('the fail-back waits for the cooldown after a switch', () => {
  const start: ProxyGroupState = { ...EMPTY_PROXY_GROUP, status: 'SecondaryActive', active: 'secondary', primaryPasses: 2, lastSwitchAt: 10_000 };
  const d = decideProxy({ group: start, result: { role: 'primary', outcome: 'passed', observedAt: 11_000 }, policy: { ...policy, cooldown: 60_000 }, now: 11_000 });
  assert.deepEqual(d.verdict, { kind: 'skip', reason: 'cooldown' });
});

test('a stale result of a role changes nothing', () => {
  const start: ProxyGroupState = { ...EMPTY_PROXY_GROUP, primaryLastResultAt: 5_000, primaryFailures: 1 };
  const d = decideProxy({ group: start, result: { role: 'primary', outcome: 'failed', observedAt: 4_000 }, policy, now: 6_000 });
  assert.deepEqual(d.group, start);
  assert.deepEqual(d.verdict, { kind: 'skip', reason: 'stale-result' });
});
