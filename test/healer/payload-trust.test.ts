// The payload names a target; it grants nothing. The healing unit, the proxy a result counts for and the time a
// result is dated are checked against the cluster and the healer's clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import type { Target } from '../../shared/events/schemas.ts';
import { OPT_IN, T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';

const YEAR = 365 * 86_400_000;

/** One pod per proxy role; deploy() lists by app, which both roles share, so each role's pod is found by its role. */
async function deployProxies(h: Harness): Promise<{ primary: string; secondary: string }> {
  await deploy(h, 'proxy', 'squid-primary', 1, { app: 'squid', role: 'primary', ...OPT_IN });
  await deploy(h, 'proxy', 'squid-secondary', 1, { app: 'squid', role: 'secondary', ...OPT_IN });
  const one = (role: string) => h.sim.listPods('proxy', { app: 'squid', role })[0]!.metadata.name;
  return { primary: one('primary'), secondary: one('secondary') };
}

async function failThrice(h: Harness, target: Target, from: number): Promise<void> {
  for (let i = 0; i < 3; i++) {
    h.clock.now = from + i * 1_000;
    await h.send(result('web-http', 'http', target, 'failed', h.clock.now));
  }
}

test('the healing unit comes from the pod\'s owner chain: a forged or missing workload does not escape the cooldown', async (t) => {
  const h = await startHarness(t);
  const pods = await deploy(h, 'shop', 'web', 3, { app: 'web', ...OPT_IN });
  await failThrice(h, podTarget('shop', pods[0]!), T0);
  assert.equal(h.evictions(), 1, 'the first pod is restarted');
  // The cooldown of Deployment web is 60 s: the other pods' failures, whatever workload they claim, wait for it.
  await failThrice(h, podTarget('shop', pods[1]!, 'web-forged'), T0 + 5_000);
  const { workload: _, ...bare } = podTarget('shop', pods[2]!);
  await failThrice(h, bare, T0 + 10_000);
  assert.equal(h.evictions(), 1, 'no pod of web is evicted inside its cooldown');
  const last = await h.send(result('web-http', 'http', bare, 'failed', T0 + 13_000));
  assert.equal(dataOf(last).reason, 'cooldown', last.text);
});

test('proxy results count only for a Running pod of that role, or for a role that really has none', async (t) => {
  const h = await startHarness(t);
  const { primary, secondary } = await deployProxies(h);
  const [web] = await deploy(h, 'shop', 'web', 1, { app: 'web', ...OPT_IN });
  h.sim.createNamespace('proxy');
  h.sim.createService({ namespace: 'proxy', name: 'squid', selector: { app: 'squid', role: 'primary' }, ports: [{ port: 3128 }] });
  const proxyResult = (name: string, role: 'primary' | 'secondary', outcome: 'passed' | 'failed', at: number, namespace = 'proxy') =>
    result('squid-egress', 'egress', { namespace, kind: 'Proxy', name }, outcome, at, { proxy: { group: 'squid-egress', role } });

  const forged = [
    ['a pod that does not exist', proxyResult('squid-primary-ghost', 'primary', 'failed', T0)],
    ['a pod of the other role', proxyResult(secondary, 'primary', 'failed', T0)],
    ['"no running pod" for a role that has one', proxyResult('squid-egress-primary', 'primary', 'failed', T0)],
  ] as const;
  for (const [name, r] of forged) {
    const answer = await h.send(r);
    assert.equal(answer.status, 400, `${name}: ${answer.text}`);
  }
  // A web pod in the proxy rule's namespace is outside the rule as well.
  const webAsProxy = await h.send(proxyResult(web!, 'primary', 'failed', T0, 'shop'));
  assert.equal(webAsProxy.status, 400, webAsProxy.text);

  // Real results still work: the primary fails twice while the secondary passes, and the Service switches.
  await h.send(proxyResult(secondary, 'secondary', 'passed', T0 + 1_000));
  await h.send(proxyResult(primary, 'primary', 'failed', T0 + 2_000));
  const switched = await h.send(proxyResult(primary, 'primary', 'failed', T0 + 3_000));
  assert.equal(switched.headers['ce-type'], EventType.proxySwitched, switched.text);
  const group = await h.client.hgetall(`{${h.prefix}}:proxy:squid-egress`);
  assert.equal(group.switches, '1');
});

test('a result dated beyond the allowed clock skew is refused, naming observedAt; real failures then act', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 3, { app: 'web', ...OPT_IN });
  h.clock.now = T0;
  const future = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + YEAR));
  assert.equal(future.status, 400, future.text);
  assert.match(future.text, /observedAt/);
  assert.match(future.text, /in the future/);
  const slightlyAhead = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + 5_000));
  assert.equal(slightlyAhead.status < 300, true, `within the skew is accepted: ${slightlyAhead.text}`);
  await failThrice(h, podTarget('shop', pod!), T0 + 6_000);
  assert.equal(h.evictions(), 1, 'the real failures are not stale behind a forged date');
});

test('a result older than MAX_RESULT_AGE is refused, naming observedAt', async (t) => {
  const h = await startHarness(t, { env: { MAX_RESULT_AGE: '10m' } });
  const [pod] = await deploy(h, 'shop', 'web', 1, { app: 'web', ...OPT_IN });
  h.clock.now = T0;
  const old = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 - 11 * 60_000));
  assert.equal(old.status, 400, old.text);
  assert.match(old.text, /observedAt.*older than/);
  const recent = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 - 9 * 60_000));
  assert.ok(recent.status < 300, recent.text);
});

test('a primary pass dated in the future does not block the failover', async (t) => {
  const h = await startHarness(t);
  const { primary, secondary } = await deployProxies(h);
  h.sim.createNamespace('proxy');
  h.sim.createService({ namespace: 'proxy', name: 'squid', selector: { app: 'squid', role: 'primary' }, ports: [{ port: 3128 }] });
  const at = (name: string, role: 'primary' | 'secondary', outcome: 'passed' | 'failed', when: number) =>
    result('squid-egress', 'egress', { namespace: 'proxy', kind: 'Proxy', name }, outcome, when, { proxy: { group: 'squid-egress', role } });
  h.clock.now = T0;
  const forged = await h.send(at(primary, 'primary', 'passed', T0 + YEAR));
  assert.equal(forged.status, 400, forged.text);
  await h.send(at(secondary, 'secondary', 'passed', T0 + 1_000));
  await h.send(at(primary, 'primary', 'failed', T0 + 2_000));
  const switched = await h.send(at(primary, 'primary', 'failed', T0 + 3_000));
  assert.equal(switched.headers['ce-type'], EventType.proxySwitched, switched.text);
});
