import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import { T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';

test('forged or stale events are recorded and refused: nothing is done', async (t) => {
  const h = await startHarness(t);
  const [webPod] = await deploy(h, 'shop', 'web', 2);
  const [otherPod] = await deploy(h, 'shop', 'payments', 1, { app: 'payments', 'selfheal.io/enabled': 'true' });

  const unknown = await h.send(result('no-such-rule', 'http', podTarget('shop', webPod!), 'failed', T0));
  assert.equal(unknown.status, 400);
  assert.match((unknown.json() as { error: string }).error, /unknown rule "no-such-rule"/);

  const wrongNamespace = await h.send(result('web-http', 'http', podTarget('kube-system', 'coredns-1'), 'failed', T0));
  assert.equal(wrongNamespace.status, 400);
  assert.match((wrongNamespace.json() as { error: string }).error, /outside rule "web-http"/);

  const wrongKind = await h.send(result('web-http', 'tcp', podTarget('shop', webPod!), 'failed', T0));
  assert.equal(wrongKind.status, 400);

  const mismatch = await h.send(result('web-http', 'http', podTarget('shop', webPod!), 'passed', T0), { type: EventType.checkFailed });
  assert.equal(mismatch.status, 400);

  // a pod of the namespace that the rule's selector does not match, though opted in
  let res;
  for (let i = 1; i <= 3; i++) res = await h.send(result('web-http', 'http', podTarget('shop', otherPod!, 'payments'), 'failed', T0 + i));
  assert.deepEqual([dataOf(res!).reason, dataOf(res!).action], ['target-not-in-rule', 'restart']);

  // a pod that does not exist
  for (let i = 1; i <= 3; i++) res = await h.send(result('web-http', 'http', podTarget('shop', 'web-ghost-12345', 'ghost'), 'failed', T0 + i));
  assert.equal(dataOf(res!).reason, 'target-gone');

  assert.equal(h.evictions(), 0);
  assert.equal(h.sim.requests.filter((r) => r.method === 'DELETE').length, 0);
  const refused = await h.client.xrange(`{${h.prefix}}:events`, '-', '+');
  const reasons = refused.map(([, f]) => f[f.indexOf('reason') + 1]);
  assert.ok(reasons.includes('unknown-rule') && reasons.includes('target-not-in-rule'), reasons.join(','));
});
