// The dependency kind in check-dependencies: each Service of a rule needs enough ready endpoints, read from its EndpointSlices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { lazy } from '../../../shared/checks/wiring.ts';
import { EventType } from '../../../shared/events/types.ts';
import { createKubeClients, loadKubeModule } from '../../../shared/kubernetes/client.ts';
import type { RunningFunction } from '../../../shared/runtime/run-function.ts';
import { postBinary } from '../../support/http.ts';
import { freePort } from '../../support/redis.ts';
import { deployBackend, runRule, startLab } from '../../support/check-lab.ts';
import type { Lab } from '../../support/check-lab.ts';

const NOW = new Date('2030-05-06T07:08:09.000Z');
const ping = (id: string) => ({ id, type: EventType.ping, source: '/apis/v1/namespaces/selfheal/pingsources/check-dependencies' });
const rules = [
  { name: 'backend-dependencies', kind: 'dependency', namespace: 'backend', services: ['database', 'redis'], minReady: 1 },
  { name: 'redis-pair', kind: 'dependency', namespace: 'backend', services: ['redis'], minReady: 2 },
  { name: 'ghost', kind: 'dependency', namespace: 'backend', services: ['nothing-here'] },
];

let lab: Lab;
let fn: RunningFunction;

before(async () => {
  lab = await startLab();
  await deployBackend(lab);
  fn = await lab.start('check-dependencies', rules, {}, { now: () => NOW });
});
after(() => lab.close());

async function run(rule: string) {
  return new Map((await runRule(lab, fn, rule)).map((r) => [(r.data.target as { name: string }).name, r]));
}

test('every Service with enough ready endpoints passes, one result per Service', async () => {
  const results = await run('backend-dependencies');
  assert.deepEqual([...results.keys()].sort(), ['database', 'redis']);
  const db = results.get('database')!;
  assert.equal(db.type, EventType.checkPassed);
  assert.equal(db.source, '/selfheal/check-dependencies/backend-dependencies');
  assert.equal(db.subject, 'backend/service/database');
  assert.deepEqual(db.data.target, { namespace: 'backend', kind: 'Service', name: 'database' });
  assert.deepEqual({ ...(db.data.probe as object), latencyMs: 0 }, { latencyMs: 0, readyEndpoints: 2, minReady: 1 });
  assert.equal(db.data.observedAt, NOW.toISOString());
  assert.equal((results.get('redis')!.data.probe as { readyEndpoints: number }).readyEndpoints, 1);
  const listed = lab.sim.requests.filter((r) => r.path === '/apis/discovery.k8s.io/v1/namespaces/backend/endpointslices');
  assert.ok(listed.some((r) => decodeURIComponent(r.query).includes('labelSelector=kubernetes.io/service-name=database')), JSON.stringify(listed));
});

test('a Service whose pod is not ready fails with 0 ready endpoints; the other still passes', async () => {
  const [pod] = lab.sim.listPods('backend', { app: 'redis' });
  lab.sim.setPodReady('backend', pod!.metadata.name, false);
  await lab.sim.settle();
  try {
    const results = await run('backend-dependencies');
    const redis = results.get('redis')!;
    assert.equal(redis.type, EventType.checkFailed);
    assert.deepEqual({ ...(redis.data.probe as object), latencyMs: 0 }, { latencyMs: 0, readyEndpoints: 0, minReady: 1, error: '0 ready endpoints, need 1' });
    assert.equal(results.get('database')!.type, EventType.checkPassed);
  } finally {
    lab.sim.setPodReady('backend', pod!.metadata.name, true);
    await lab.sim.settle();
  }
});

test('below minReady fails even when some endpoints are ready', async () => {
  const redis = (await run('redis-pair')).get('redis')!;
  assert.equal(redis.type, EventType.checkFailed);
  assert.equal((redis.data.probe as { error: string }).error, '1 ready endpoint, need 2');
});

test('a Service that does not exist has no endpoints and fails', async () => {
  const ghost = (await run('ghost')).get('nothing-here')!;
  assert.equal(ghost.type, EventType.checkFailed);
  assert.equal((ghost.data.probe as { readyEndpoints: number }).readyEndpoints, 0);
});

test('an API server that cannot be reached is a 503 (the ping is retried), not a failed dependency', async () => {
  const mod = await loadKubeModule();
  const config = new mod.KubeConfig();
  config.loadFromString(lab.sim.kubeconfigYaml().replace(lab.sim.url, `http://127.0.0.1:${await freePort()}`));
  const offline = await lab.start('check-dependencies', rules, {}, { kube: lazy(() => createKubeClients({ config, timeoutMs: 1_000 })) });
  lab.sink.clear();
  const res = await postBinary(offline.url, ping('offline'), { rules: ['backend-dependencies'] });
  assert.equal(res.status, 503);
  assert.match((res.json() as { error: string }).error, /cannot list endpointslices of backend\/(database|redis)/);
  assert.equal(lab.sink.events.length, 0);
});
