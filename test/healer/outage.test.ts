import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventType } from '../../shared/events/types.ts';
import { get } from '../support/http.ts';
import { startPrivateRedis } from '../support/redis.ts';
import { T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';

test('Redis stopped: 503 and not ready; restarted: processing resumes, nothing lost or doubled', async (t) => {
  const redis = await startPrivateRedis({ persist: true });
  t.after(() => redis.close());
  const h = await startHarness(t, { redis });
  const [pod] = await deploy(h, 'shop', 'web', 2);
  for (const i of [1, 2]) assert.equal((await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + i))).status, 200);

  await redis.stop();
  const third = result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + 3);
  const during = await h.send(third, { id: 'third' });
  assert.equal(during.status, 503, during.text);
  assert.match((during.json() as { error: string }).error, /history store unavailable/);
  assert.equal((await get(`${h.healer.url}/readyz`)).status, 503);
  assert.equal(h.evictions(), 0, 'nothing is done without the history');

  await redis.start();
  for (let i = 0; i < 100 && (await get(`${h.healer.url}/readyz`)).status !== 200; i++) await sleep(100);
  assert.equal((await get(`${h.healer.url}/readyz`)).status, 200);

  // the Broker redelivers the same event
  const redelivered = await h.send(third, { id: 'third' });
  assert.equal(redelivered.headers['ce-type'], EventType.healPerformed, redelivered.text);
  assert.equal(dataOf(redelivered).action, 'restart');
  assert.equal((await h.send(third, { id: 'third' })).status, 202, 'and once more: a duplicate');
  assert.equal(h.evictions(), 1);
  const state = await h.client.hgetall(`{${h.prefix}}:target:web-http:shop:Pod:${pod}`);
  assert.equal(state.consecutiveFailures, '3', 'the two failures before the outage were kept, the third counted once');
});

test('a transient Kubernetes failure answers 503 and the redelivery acts without counting the failure twice', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  for (const i of [1, 2]) await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + i));
  // a PDB the simulator cannot decide on (two match the pod) makes the API server answer 500
  h.sim.createPdb({ namespace: 'shop', name: 'a', selector: { app: 'web' }, maxUnavailable: 1 });
  h.sim.createPdb({ namespace: 'shop', name: 'b', selector: { app: 'web' }, maxUnavailable: 1 });
  const third = result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + 3);
  const failed = await h.send(third, { id: 'third' });
  assert.equal(failed.status, 503, failed.text);
  assert.equal(await h.client.zcard(`{${h.prefix}}:budget:shop`), 0, 'the budget claim was given back');
  h.sim.deletePdb('shop', 'b');
  const retried = await h.send(third, { id: 'third' });
  assert.equal(retried.headers['ce-type'], EventType.healPerformed, retried.text);
  const state = await h.client.hgetall(`{${h.prefix}}:target:web-http:shop:Pod:${pod}`);
  assert.equal(state.consecutiveFailures, '3');
  assert.equal(h.evictions(), 1);
});
