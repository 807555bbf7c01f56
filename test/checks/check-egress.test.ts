// check-egress as a whole: rules of other kinds refused before anything is listed, and a sink that refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import type { RunningFunction } from '../../shared/runtime/run-function.ts';
import { postBinary } from '../support/http.ts';
import { EXTERNAL_SITE_CA_PATH } from '../../shared/dev/targets/index.ts';
import { LAB_PROXIES, startLab } from '../support/check-lab.ts';
import type { Lab } from '../support/check-lab.ts';

const NOW = new Date('2030-07-08T09:10:11.000Z');
const ping = (id: string) => ({ id, type: EventType.ping, source: '/apis/v1/namespaces/selfheal/pingsources/check-egress' });
const proxies = LAB_PROXIES;

let lab: Lab;
let fn: RunningFunction;

before(async () => {
  lab = await startLab();
  await lab.deploy('proxy', 'squid-primary', 1, 'proxy', { app: 'squid', role: 'primary' });
  await lab.deploy('proxy', 'squid-secondary', 1, 'proxy', { app: 'squid', role: 'secondary' });
  const rules = [
    { kind: 'egress', namespace: 'proxy', service: 'squid', proxies, timeoutMs: 2_000, name: 'squid-egress', urls: [`${lab.site.url}/`, `${lab.tlsSite.url}/`] },
    { name: 'web-tcp', kind: 'tcp', namespace: 'web', labelSelector: 'app=web', port: 80 },
  ];
  fn = await lab.start('check-egress', rules, { EXTRA_CA_FILE: EXTERNAL_SITE_CA_PATH }, { now: () => NOW });
});
after(() => lab.close());

test('a rule of another kind is a 400 and nothing is listed', async () => {
  const before = lab.sim.requests.length;
  lab.sink.clear();
  const res = await postBinary(fn.url, ping('wrong'), { rules: ['squid-egress', 'web-tcp'] });
  assert.equal(res.status, 400);
  assert.match((res.json() as { error: string }).error, /rule "web-tcp" is of kind tcp: check-pods runs it, not check-egress/);
  assert.equal(lab.sim.requests.length, before);
  assert.equal(lab.sink.events.length, 0);
});

test('the sink refusing the results is a 503', async () => {
  lab.sink.failNext(1_000, 503);
  try {
    const res = await postBinary(fn.url, ping('sink-down'), { rules: ['squid-egress'] });
    assert.equal(res.status, 503);
  } finally {
    lab.sink.failNext(0, 503);
  }
});
