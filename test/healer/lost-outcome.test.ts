// An action whose outcome was never recorded (Redis failed after the eviction, or the healer died) is resolved
// against the cluster once its lease is over, and recorded with its cooldown: never taken as if nothing happened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { get } from '../support/http.ts';
import { startPrivateRedis } from '../support/redis.ts';
import { OPT_IN, T0, deploy, podTarget, result, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';

/** Waits (bounded) until the simulator has served an eviction: its answer is still on its way. */
async function evictionServed(h: Harness): Promise<void> {
  for (let i = 0; i < 200 && h.evictions() === 0; i++) await sleep(10);
  assert.equal(h.evictions(), 1, 'the eviction reached the API server');
}

test('an eviction done but never recorded is found in the cluster after its lease: its cooldown holds, no sibling is evicted', async (t) => {
  const redis = await startPrivateRedis({ persist: true });
  t.after(() => redis.close());
  const h = await startHarness(t, { redis, env: { ACTION_LEASE: '10s' } });
  const pods = await deploy(h, 'shop', 'web', 3, { app: 'web', ...OPT_IN });
  const fail = (pod: string, at: number, id?: string) => h.send(result('web-http', 'http', podTarget('shop', pod), 'failed', at), id ? { id } : {});
  h.clock.now = T0;
  await fail(pods[0]!, T0);
  await fail(pods[0]!, T0 + 1_000);
  // The eviction is served at once; its answer comes late, and by then Redis is gone: the outcome is not recorded.
  h.sim.inject('POST', /\/eviction$/, { kind: 'slow', delayMs: 1_500 }, 1);
  const third = fail(pods[0]!, T0 + 2_000, 'third');
  await evictionServed(h);
  await redis.stop();
  assert.equal((await third).status, 503);
  assert.equal(h.evictions(), 1);
  await redis.start();
  for (let i = 0; i < 100 && (await get(`${h.healer.url}/readyz`)).status !== 200; i++) await sleep(100);

  // The lease is over; the next pod of the same Deployment fails.
  for (let i = 0; i < 3; i++) {
    h.clock.now = T0 + 15_000 + i * 1_000;
    await fail(pods[1]!, h.clock.now);
  }
  assert.equal(h.evictions(), 1, 'the cooldown of the eviction that happened holds');
  const unit = await h.client.hgetall(`{${h.prefix}}:unit:web-http:shop:Deployment:web`);
  assert.deepEqual([unit.lastAction, unit.lastActionAt, unit.pendingToken, unit.actionsPerformed], ['restart', String(T0), '', '1']);
  const history = await h.client.xrange(`{${h.prefix}}:events`, '-', '+');
  const resolved = history.map(([, f]) => Object.fromEntries(f.flatMap((v, i) => (i % 2 ? [] : [[v, f[i + 1]]])))).find((e) => e.reason === 'lease-expired');
  assert.ok(resolved, 'the resolution is in the global stream');
  assert.equal(resolved.decision, 'performed');
  assert.match(String(resolved.detail), /gone/);

  // The Broker redelivers the event that started it: nothing is done twice.
  h.clock.now = T0 + 20_000;
  const again = await fail(pods[0]!, T0 + 2_000, 'third');
  assert.ok(again.status < 300, again.text);
  assert.equal(h.evictions(), 1);
});

test('an eviction that never happened, its lease over, is recorded as not performed and the budget given back', async (t) => {
  const h = await startHarness(t, { env: { ACTION_LEASE: '10s' } });
  const pods = await deploy(h, 'shop', 'web', 3, { app: 'web', ...OPT_IN });
  // A decision that committed its intent and then died before the API call: the lease, no eviction.
  h.clock.now = T0;
  await h.store.commit(
    { rule: 'web-http', target: podTarget('shop', pods[0]!), unit: { namespace: 'shop', kind: 'Deployment', name: 'web' }, dedupe: { source: 's', id: 'lost' }, budgetNamespace: 'shop', budgetWindowMs: 3_600_000 },
    {
      expectTarget: 0,
      expectUnit: 0,
      target: { version: 0, consecutiveFailures: 3, consecutivePasses: 0, lastResultAt: T0, lastFailureAt: T0, lastError: 'x', totalFailures: 3, totalPasses: 0, restarts: 0 },
      unit: { version: 0, ladderStep: 0, lastAction: '', lastActionAt: 0, verifyingAction: '', verifyingSince: 0, pendingAction: 'restart', pendingToken: 'lost-token', pendingUntil: T0 + 10_000, pendingSince: T0, pendingTarget: pods[0]!, pendingUid: '', actionsPerformed: 0, actionsHealed: 0, actionsNotHealed: 0 },
      unitFailing: 'add',
      ruleFailing: 'add',
      budget: { member: 'lost-token', max: 10 },
      dedupeValue: 'pending:lost-token',
      stats: [],
      history: { at: new Date(T0).toISOString(), decision: 'act', reason: 'threshold-reached', action: 'restart' },
      now: T0,
    },
  );
  h.clock.now = T0 + 11_000;
  const answer = await h.send(result('web-http', 'http', podTarget('shop', pods[0]!), 'failed', h.clock.now));
  assert.equal(answer.headers['ce-type'], 'io.selfheal.heal.performed', answer.text);
  assert.equal(h.evictions(), 1, 'the pod still there is restarted now');
  assert.equal(await h.client.zscore(`{${h.prefix}}:budget:shop`, 'lost-token'), null, 'the lost claim was given back');
});
