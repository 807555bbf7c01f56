// Heal the failed proxy, not only route around it: once traffic moved to the secondary, the failing primary's pod
// is restarted (opt-in label, budget and cooldown apply), and fail-back happens when it passes again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import { OPT_IN, T0, dataOf, deploy, result, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';

const RULES = `
rules:
  - name: squid-egress
    kind: egress
    namespace: proxy
    service: squid
    proxies:
      primary: { selector: { app: squid, role: primary }, port: 3128 }
      secondary: { selector: { app: squid, role: secondary }, port: 3128 }
    urls: [http://example.com/]
    failureThreshold: 2
    successThreshold: 2
    cooldown: 60s
    actions: [switch-proxy, restart, alert]
`;

async function proxies(h: Harness, primaryLabels: Record<string, string>): Promise<{ primary: string; secondary: string }> {
  await deploy(h, 'proxy', 'squid-primary', 1, { app: 'squid', role: 'primary', ...primaryLabels });
  await deploy(h, 'proxy', 'squid-secondary', 1, { app: 'squid', role: 'secondary', ...OPT_IN });
  h.sim.createNamespace('proxy');
  h.sim.createService({ namespace: 'proxy', name: 'squid', selector: { app: 'squid', role: 'primary' }, ports: [{ port: 3128 }] });
  const one = (role: string) => h.sim.listPods('proxy', { app: 'squid', role })[0]!.metadata.name;
  return { primary: one('primary'), secondary: one('secondary') };
}

const at = (name: string, role: 'primary' | 'secondary', outcome: 'passed' | 'failed', when: number) =>
  result('squid-egress', 'egress', { namespace: 'proxy', kind: 'Proxy', name }, outcome, when, { proxy: { group: 'squid-egress', role } });

test('after the failover the failing primary pod is evicted, once per cooldown', async (t) => {
  const h = await startHarness(t, { rules: RULES });
  const { primary, secondary } = await proxies(h, OPT_IN);
  h.clock.now = T0;
  await h.send(at(secondary, 'secondary', 'passed', T0));
  await h.send(at(primary, 'primary', 'failed', T0 + 1_000));
  const switched = await h.send(at(primary, 'primary', 'failed', T0 + 2_000));
  assert.equal(switched.headers['ce-type'], EventType.proxySwitched, switched.text);
  assert.equal(h.evictions(), 0, 'the switch comes first');
  const restarted = await h.send(at(primary, 'primary', 'failed', T0 + 3_000));
  assert.equal(restarted.headers['ce-type'], EventType.healPerformed, restarted.text);
  assert.deepEqual([dataOf(restarted).action, dataOf(restarted).reason], ['restart', 'failed-over']);
  assert.equal(h.evictions(), 1);
  // The replacement fails too, inside the cooldown: no second restart yet.
  const replacement = h.sim.listPods('proxy', { app: 'squid', role: 'primary' })[0]!.metadata.name;
  const again = await h.send(at(replacement, 'primary', 'failed', T0 + 4_000));
  assert.deepEqual([again.headers['ce-type'], dataOf(again).reason], [EventType.healSkipped, 'cooldown']);
  assert.equal(h.evictions(), 1);
  const group = await h.client.hgetall(`{${h.prefix}}:proxy:squid-egress`);
  assert.deepEqual([group.status, group.active, group.lastRestartAt], ['SecondaryActive', 'secondary', String(T0)]);
});

test('a primary pod without the opt-in label is not restarted', async (t) => {
  const h = await startHarness(t, { rules: RULES });
  const { primary, secondary } = await proxies(h, {});
  h.clock.now = T0;
  await h.send(at(secondary, 'secondary', 'passed', T0));
  await h.send(at(primary, 'primary', 'failed', T0 + 1_000));
  await h.send(at(primary, 'primary', 'failed', T0 + 2_000));
  const refused = await h.send(at(primary, 'primary', 'failed', T0 + 3_000));
  assert.deepEqual([refused.headers['ce-type'], dataOf(refused).reason], [EventType.healSkipped, 'not-opted-in']);
  assert.equal(h.evictions(), 0);
});
