// check-dependencies as a whole: rules of other kinds refused, Kubernetes clients built when first needed, a sink that refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { lazy } from '../../shared/checks/wiring.ts';
import { EventType } from '../../shared/events/types.ts';
import type { RunningFunction } from '../../shared/runtime/run-function.ts';
import { postBinary, postStructured } from '../support/http.ts';
import { deployBackend, startLab } from '../support/check-lab.ts';
import type { Lab } from '../support/check-lab.ts';

const NOW = new Date('2030-05-06T07:08:09.000Z');
const ping = (id: string) => ({ id, type: EventType.ping, source: '/apis/v1/namespaces/selfheal/pingsources/check-dependencies' });
const rules = [
  { name: 'backend-dependencies', kind: 'dependency', namespace: 'backend', services: ['database', 'redis'], minReady: 1 },
  { name: 'ghost', kind: 'dependency', namespace: 'backend', services: ['nothing-here'] },
  { name: 'web-http', kind: 'http', namespace: 'web', labelSelector: 'app=web', port: 8080 },
];

let lab: Lab;
let fn: RunningFunction;

before(async () => {
  lab = await startLab();
  await deployBackend(lab);
  fn = await lab.start('check-dependencies', rules, {}, { now: () => NOW });
});
after(() => lab.close());

test('a rule of another kind is a 400 and the API is not called', async () => {
  const before = lab.sim.requests.length;
  const res = await postStructured(fn.url, ping('wrong'), { rules: ['web-http'] });
  assert.equal(res.status, 400);
  assert.match((res.json() as { error: string }).error, /rule "web-http" is of kind http: check-pods runs it, not check-dependencies/);
  assert.equal(lab.sim.requests.length, before);
});

test('the Kubernetes clients are built on the first ping that needs them, not at start-up', async () => {
  let built = 0;
  const counted = lazy(async () => {
    built++;
    return lab.kube();
  });
  const cold = await lab.start('check-dependencies', rules, {}, { kube: counted });
  assert.equal(built, 0);
  assert.equal((await postBinary(cold.url, ping('refused'), { rules: ['web-http'] })).status, 400);
  assert.equal(built, 0);
  assert.equal((await postBinary(cold.url, ping('first'), { rules: ['ghost'] })).status, 202);
  assert.equal((await postBinary(cold.url, ping('second'), { rules: ['ghost'] })).status, 202);
  assert.equal(built, 1);
});

test('the sink refusing the results is a 503', async () => {
  lab.sink.failNext(1_000, 500);
  try {
    const res = await postBinary(fn.url, ping('sink-down'), { rules: ['backend-dependencies'] });
    assert.equal(res.status, 503);
  } finally {
    lab.sink.failNext(0, 500);
  }
});
