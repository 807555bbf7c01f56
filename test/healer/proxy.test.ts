import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProxyRole, Target } from '../../shared/events/schemas.ts';
import { EventType } from '../../shared/events/types.ts';
import { createLogger } from '../../shared/log/logger.ts';
import { startFunction } from '../../shared/runtime/run-function.ts';
import { parseEnv, redisEnvSchema } from '../../shared/config/env.ts';
import { selectorParts } from '../../functions/proxy-selector/handler.ts';
import { get, postBinary } from '../support/http.ts';
import { T0, dataOf, result, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';

async function proxyWorld(h: Harness): Promise<Record<ProxyRole, Target>> {
  for (const role of ['primary', 'secondary'] as const) {
    await h.sim.createDeployment({ namespace: 'proxy', name: `squid-${role}`, replicas: 1, podLabels: { app: 'squid', role } });
  }
  h.sim.createService({ namespace: 'proxy', name: 'squid', selector: { app: 'squid', role: 'primary' }, ports: [{ port: 3128 }] });
  const target = (role: ProxyRole): Target => ({
    namespace: 'proxy',
    kind: 'Proxy',
    name: h.sim.listPods('proxy', { role })[0]!.metadata!.name!,
    workload: { kind: 'Deployment', name: `squid-${role}` },
  });
  return { primary: target('primary'), secondary: target('secondary') };
}

test('proxy failover, fail-back with hysteresis, AllFailed, and the selector API', async (t) => {
  const h = await startHarness(t);
  const targets = await proxyWorld(h);
  const env = parseEnv(redisEnvSchema, { PORT: '0', HOST: '127.0.0.1' });
  const selector = await startFunction({ name: 'proxy-selector', env, logger: createLogger({ name: 's', level: 'silent' }), setup: async () => selectorParts({ rules: h.rules, store: h.store }) });
  t.after(() => selector.stop());
  let at = T0;
  const send = (role: ProxyRole, outcome: 'passed' | 'failed') =>
    h.send(result('squid-egress', 'egress', targets[role], outcome, (at += 1000), { proxy: { group: 'squid-egress', role }, ...(outcome === 'failed' ? { probe: { latencyMs: 5, status: 503, error: 'upstream lost', url: 'http://example.com/' } } : {}) }));
  const serviceSelector = () => (h.sim.getService('proxy', 'squid') as { spec: { selector: Record<string, string> } }).spec.selector;
  const ask = async () => {
    const res = await get(`${selector.url}/groups/squid-egress`);
    return { status: res.status, body: res.json() as { active: string | null; state: string; url: string | null } };
  };

  assert.deepEqual((await ask()).body.active, 'primary');
  await send('secondary', 'passed');
  assert.equal((await send('primary', 'failed')).headers['ce-type'], EventType.healSkipped);
  const switched = await send('primary', 'failed');
  assert.equal(switched.headers['ce-type'], EventType.proxySwitched);
  assert.deepEqual([dataOf(switched).from, dataOf(switched).to, dataOf(switched).state, dataOf(switched).reason], ['primary', 'secondary', 'SecondaryActive', 'primary-failed']);
  assert.deepEqual(serviceSelector(), { app: 'squid', role: 'secondary' });
  assert.ok(h.sim.requests.some((r) => r.method === 'PATCH' && r.path.endsWith('/services/squid') && r.contentType === 'application/json-patch+json'));
  const active = await ask();
  assert.deepEqual([active.status, active.body.active, active.body.url], [200, 'secondary', 'http://squid-secondary.proxy.svc.cluster.local:3128']);

  // hysteresis: two passes and a failure do not fail back
  for (const outcome of ['passed', 'passed', 'failed'] as const) await send('primary', outcome);
  assert.deepEqual(serviceSelector(), { app: 'squid', role: 'secondary' });
  await send('primary', 'passed');
  await send('primary', 'passed');
  const back = await send('primary', 'passed');
  assert.deepEqual([dataOf(back).to, dataOf(back).reason], ['primary', 'primary-recovered']);
  assert.deepEqual(serviceSelector(), { app: 'squid', role: 'primary' });

  // both fail: AllFailed, an alert, no switch, and the selector answers 503
  const patchesBefore = h.sim.requests.filter((r) => r.method === 'PATCH').length;
  for (const role of ['primary', 'secondary', 'primary', 'secondary'] as const) await send(role, 'failed');
  const group = await h.client.hgetall(`{${h.prefix}}:proxy:squid-egress`);
  assert.equal(group.status, 'AllFailed');
  assert.equal(h.sink.ofType(EventType.alert).length, 1);
  assert.equal(h.sim.requests.filter((r) => r.method === 'PATCH').length, patchesBefore);
  const none = await ask();
  assert.deepEqual([none.status, none.body.active], [503, null]);

  // the primary recovers: back to PrimaryActive without a patch (it is still selected)
  for (let i = 0; i < 3; i++) await send('primary', 'passed');
  assert.equal((await ask()).body.state, 'PrimaryActive');
  assert.equal(group.switches, '2');
  assert.equal((await get(`${selector.url}/groups/nope`)).status, 404);

  // GET / says what the selector answers (it takes no CloudEvents), and a POST there says so too
  const root = await get(`${selector.url}/`);
  assert.equal(root.status, 200, root.text);
  assert.deepEqual(root.json(), { function: 'proxy-selector', groups: ['squid-egress'], ask: 'GET /groups/<group>' });
  const posted = await postBinary(`${selector.url}/`, { id: 'x', type: 'io.selfheal.check.failed', source: '/x' }, {});
  assert.equal(posted.status, 404, posted.text);
  assert.match(posted.text, /proxy-selector takes no CloudEvents: GET \/groups\/<group>/);
});

for (const env of [{ DRY_RUN: 'true' }, { BUDGET_MAX_ACTIONS: '0' }] as Array<Record<string, string>>) {
  test(`a guard never keeps a group in AllFailed once its selected proxy recovers (${JSON.stringify(env)})`, async (t) => {
    const h = await startHarness(t, { env });
    const targets = await proxyWorld(h);
    let at = T0;
    const send = (role: ProxyRole, outcome: 'passed' | 'failed') => {
      h.clock.now = at + 1000;
      return h.send(result('squid-egress', 'egress', targets[role], outcome, (at += 1000), { proxy: { group: 'squid-egress', role } }));
    };
    for (const role of ['primary', 'secondary', 'primary', 'secondary'] as const) await send(role, 'failed');
    const key = `{${h.prefix}}:proxy:squid-egress`;
    // dry run acts on nothing: no AllFailed (the selector would answer 503), no alert; a spent budget does not stop alerts
    assert.equal((await h.client.hgetall(key)).status, env.DRY_RUN ? 'PrimaryActive' : 'AllFailed');
    assert.equal(h.sink.ofType(EventType.alert).length, env.DRY_RUN ? 0 : 1);
    for (let i = 0; i < 3; i++) await send('primary', 'passed');
    assert.equal((await h.client.hgetall(key)).status, 'PrimaryActive');
    assert.equal(h.sim.requests.filter((r) => r.method === 'PATCH').length, 0);
  });
}

test('a role counts once per check run, whatever its number of pods; a run fails when one of its pods fails', async (t) => {
  const h = await startHarness(t);
  for (const role of ['primary', 'secondary'] as const) {
    await h.sim.createDeployment({ namespace: 'proxy', name: `squid-${role}`, replicas: 2, podLabels: { app: 'squid', role } });
  }
  h.sim.createService({ namespace: 'proxy', name: 'squid', selector: { app: 'squid', role: 'primary' }, ports: [{ port: 3128 }] });
  const pods = (role: ProxyRole): Target[] =>
    h.sim.listPods('proxy', { role }).map((p) => ({ namespace: 'proxy', kind: 'Proxy', name: p.metadata!.name!, workload: { kind: 'Deployment', name: `squid-${role}` } }));
  let at = T0;
  const run = async (outcomes: Record<ProxyRole, Array<'passed' | 'failed'>>) => {
    const runId = `run-${(at += 60_000)}`;
    h.clock.now = at;
    const answers = [];
    for (const role of ['secondary', 'primary'] as const) {
      for (const [i, target] of pods(role).entries()) {
        answers.push(await h.send(result('squid-egress', 'egress', target, outcomes[role][i]!, at + i, { runId, proxy: { group: 'squid-egress', role } })));
      }
    }
    return answers;
  };
  await run({ primary: ['passed', 'passed'], secondary: ['passed', 'passed'] });
  const blip = await run({ primary: ['failed', 'failed'], secondary: ['passed', 'passed'] });
  assert.ok(!blip.some((a) => a.headers['ce-type'] === EventType.proxySwitched), 'one bad run is one failure, not two');
  const group = await h.client.hgetall(`{${h.prefix}}:proxy:squid-egress`);
  assert.equal(group.primaryFailures, '1');
  const second = await run({ primary: ['passed', 'failed'], secondary: ['passed', 'passed'] });
  assert.equal(second.filter((a) => a.headers['ce-type'] === EventType.proxySwitched).length, 1, 'a second failed run (one pod of two) fails over');
});
