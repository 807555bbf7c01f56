// check-pods as a whole: a ping naming several rules, the run deadline, bad names, and a sink that refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import { EventType } from '../../shared/events/types.ts';
import { createKubeClients } from '../../shared/kubernetes/client.ts';
import type { RunningFunction } from '../../shared/runtime/run-function.ts';
import { deepJson, postBinary, postBinaryText, postStructured, postStructuredText } from '../support/http.ts';
import { PORTS, resultsOf, startLab } from '../support/check-lab.ts';
import type { Lab } from '../support/check-lab.ts';

const NOW = new Date('2030-01-02T03:04:05.000Z');
const ping = (id: string) => ({ id, type: EventType.ping, source: '/apis/v1/namespaces/selfheal/pingsources/check-pods' });

const rules = [
  { name: 'web-http', kind: 'http', namespace: 'web', labelSelector: 'app=web', port: PORTS.demo, path: '/health', body: { json: { field: 'status', equals: 'ok' } }, timeoutMs: 400, slowMs: 200 },
  { name: 'db-tcp', kind: 'tcp', namespace: 'data', labelSelector: 'app=db', port: PORTS.tcp, timeoutMs: 500 },
  { name: 'many-http', kind: 'http', namespace: 'many', labelSelector: 'app=many', port: PORTS.demo, path: '/health', timeoutMs: 60_000 },
  { name: 'backend-deps', kind: 'dependency', namespace: 'web', services: ['db'] },
  { name: 'egress', kind: 'egress', namespace: 'proxy', service: 'squid', proxies: { primary: { selector: { a: 'b' } }, secondary: { selector: { a: 'c' } } }, urls: ['http://127.0.0.1/'] },
];

let lab: Lab;
let fn: RunningFunction;

before(async () => {
  lab = await startLab();
  await lab.deploy('web', 'web', 3, 'demo', { app: 'web' });
  await lab.deploy('data', 'db', 2, 'tcp', { app: 'db' });
  fn = await lab.start('check-pods', rules, {}, { now: () => NOW });
});
after(() => lab.close());

test('40 pods, 5 hanging past the run deadline: the run ends at the deadline and names the hanging ones', async () => {
  await lab.deploy('many', 'many', 40, 'demo', { app: 'many' });
  const pods = lab.sim.listPods('many', { app: 'many' }).map((p) => p.metadata.name);
  const hanging = new Set(pods.slice(0, 5));
  for (const name of hanging) lab.apps.get(name)!.hang();
  const short = await lab.start('check-pods', rules, { RUN_DEADLINE: '3s', PROBE_CONCURRENCY: '8' });
  lab.sink.clear();
  const res = await postBinary(short.url, ping('many'), { rules: ['many-http'] });
  assert.equal(res.status, 202, res.text);
  const results = resultsOf(lab.sink, 'many-http');
  assert.equal(results.length, 40);
  const failed = results.filter((r) => r.type === EventType.checkFailed);
  assert.deepEqual(failed.map((r) => (r.data.target as { name: string }).name).sort(), [...hanging].sort());
  for (const r of failed) assert.equal((r.data.probe as { error: string }).error, 'run deadline exceeded');
  for (const name of hanging) lab.apps.get(name)!.recover();
});

test('unknown rules and rules of other functions are a 400 naming each, and nothing is probed', async () => {
  const before = lab.sim.requests.length;
  lab.sink.clear();
  const res = await postBinary(fn.url, ping('bad'), { rules: ['web-http', 'nope', 'backend-deps', 'egress'] });
  assert.equal(res.status, 400);
  const body = res.json() as { error: string; details: string[] };
  assert.deepEqual(body.details, [
    'no rule named "nope" in lab rules',
    'rule "backend-deps" is of kind dependency: check-dependencies runs it, not check-pods',
    'rule "egress" is of kind egress: check-egress runs it, not check-pods',
  ]);
  assert.equal(lab.sim.requests.length, before);
  assert.equal(lab.sink.events.length, 0);
});

test('a ping whose data nests 5,000 deep is a 400 in both modes, and nothing is probed', async () => {
  const before = lab.sim.requests.length;
  for (const send of [postBinaryText, postStructuredText]) {
    for (const shape of ['array', 'object'] as const) {
      const res = await send(fn.url, ping(`deep-${shape}`), `{"rules":${deepJson(5_000, shape)}}`);
      assert.equal(res.status, 400, `${send.name} ${shape}: ${res.text}`);
      assert.match((res.json() as { error: string }).error, /nested 5001 deep, over the limit of 32/);
    }
  }
  assert.equal(lab.sim.requests.length, before);
});

test('the sink refusing the results is a 503, so the Broker retries the ping', async () => {
  lab.sink.failNext(1_000, 503);
  try {
    const res = await postBinary(fn.url, ping('sink-down'), { rules: ['db-tcp'] });
    assert.equal(res.status, 503);
    assert.match((res.json() as { error: string }).error, /sink did not take the 2 results/);
  } finally {
    lab.sink.failNext(0, 503);
  }
});

test('a ping POSTed by hand works in structured mode too, for several rules at once', async () => {
  lab.sink.clear();
  const res = await postStructured(fn.url, ping('by-hand'), { rules: ['web-http', 'db-tcp'] });
  assert.equal(res.status, 202, res.text);
  assert.equal(resultsOf(lab.sink, 'web-http').length, 3);
  assert.equal(resultsOf(lab.sink, 'db-tcp').length, 2);
  assert.equal(new Set(lab.sink.events.map((e) => (e.data as { runId: string }).runId)).size, 1);
});

test('an API server gone away: the 503 names its address, not only "fetch failed"', async (t) => {
  // A second simulator, closed once the function has its client: its address then accepts no connection.
  const gone = await startKubeSimulator();
  const kube = await createKubeClients({ config: gone.kubeConfig(), timeoutMs: 2_000 });
  await gone.close();
  const lone = await lab.start('check-pods', [{ name: 'web-http', kind: 'http', namespace: 'web', labelSelector: 'app=web', port: PORTS.demo }], {}, { kube: async () => kube });
  t.after(() => lone.stop());
  const res = await postBinary(lone.url, ping('api-gone'), { rules: ['web-http'] });
  assert.equal(res.status, 503, res.text);
  assert.ok((res.json() as { error: string }).error.includes(`API server ${gone.url}`), res.text);
});
