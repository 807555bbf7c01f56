import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import { T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';

const DB_RULES = `
rules:
  - name: db-tcp
    kind: tcp
    namespace: backend
    labelSelector: app=database
    port: 5432
    failureThreshold: 2
    cooldown: 60s
    verifyWindow: 30s
    actions: [scale, alert]
    scale: { step: 1, max: 3 }
`;

test('an action refused for good (RBAC 403) takes the cooldown and climbs to the next rung: the alert', async (t) => {
  const h = await startHarness(t, { rules: DB_RULES });
  const [pod] = await deploy(h, 'backend', 'database', 1);
  h.sim.forbid('PATCH', /\/deployments\/database\/scale$/);
  const fail = (at: number) => {
    h.clock.now = at;
    return h.send(result('db-tcp', 'tcp', podTarget('backend', pod!, 'database'), 'failed', at));
  };
  await fail(T0);
  const refused = await fail(T0 + 15_000);
  assert.equal(refused.headers['ce-type'], EventType.healFailed, refused.text);
  assert.match(String(dataOf(refused).detail), /403 .*forbidden/);
  const inCooldown = await fail(T0 + 30_000);
  assert.equal(dataOf(inCooldown).reason, 'cooldown', 'the API server is not hit at every result');
  const alert = await fail(T0 + 80_000);
  assert.deepEqual([alert.headers['ce-type'], dataOf(alert).action], [EventType.healPerformed, 'alert']);
  assert.equal(h.sink.ofType(EventType.alert).length, 1);
  assert.equal(h.sim.requests.filter((r) => r.method === 'PATCH').length, 1);
});

test('a permanent 403 reading the pod is decided and audited, not a 503 loop; the count goes on', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  h.sim.forbid('GET', /\/namespaces\/shop\/pods\//);
  const answers = [];
  for (let i = 1; i <= 4; i++) answers.push(await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + i)));
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200]);
  assert.equal(dataOf(answers[2]!).reason, 'target-unreadable');
  assert.match(String(dataOf(answers[2]!).detail), /403/);
  const state = await h.client.hgetall(`{${h.prefix}}:target:web-http:shop:Pod:${pod}`);
  assert.equal(state.consecutiveFailures, '4');
  assert.equal(h.evictions(), 0);
});

test('an action whose outcome was never recorded (a crash after the commit) is decided again on redelivery', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  for (const i of [1, 2]) await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + i));
  // What a healer that died between its commit and its eviction leaves: the event pending under a lease, naming the pod.
  const third = result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + 3);
  const unitKey = `{${h.prefix}}:unit:web-http:shop:Deployment:web`;
  const targetKey = `{${h.prefix}}:target:web-http:shop:Pod:${pod}`;
  const dedupeKey = `{${h.prefix}}:dedupe:/selfheal/check-pods/web-http:third`;
  await h.client.hset(targetKey, 'consecutiveFailures', '3', 'lastResultAt', String(T0 + 3), 'version', '99');
  await h.client.hset(unitKey, 'pendingAction', 'restart', 'pendingToken', 'dead-healer', 'pendingUntil', String(T0 + 60_000), 'pendingSince', String(T0), 'pendingTarget', pod!, 'version', '7');
  await h.client.set(dedupeKey, 'pending:dead-healer', 'PX', 3_600_000);

  h.clock.now = T0 + 10_000;
  const whileLeased = await h.send(third, { id: 'third' });
  assert.equal(whileLeased.status, 503, 'the lease may still be held by a running action');
  h.clock.now = T0 + 61_000;
  const afterLease = await h.send(third, { id: 'third' });
  assert.equal(afterLease.headers['ce-type'], EventType.healPerformed, afterLease.text);
  assert.equal(dataOf(afterLease).action, 'restart');
  assert.equal((await h.client.hgetall(targetKey)).consecutiveFailures, '3', 'not counted twice');
  assert.equal(await h.client.get(dedupeKey), 'done');
  assert.equal((await h.send(third, { id: 'third' })).status, 202);
});

test('a dependency target that stopped reporting stops holding back its dependents', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  const svc = (name: string) => ({ namespace: 'shop', kind: 'Service' as const, name });
  for (const i of [1, 2]) await h.send(result('shop-deps', 'dependency', svc('db-old'), 'failed', T0 + i));
  // db-old is never reported again (renamed in the rule); two days later a web pod really fails
  const later = T0 + 2 * 86_400_000;
  h.clock.now = later;
  let last;
  for (let i = 1; i <= 3; i++) last = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', later + i));
  assert.deepEqual([dataOf(last!).action, dataOf(last!).reason], ['restart', 'threshold-reached']);
  assert.equal(h.evictions(), 1);
});
