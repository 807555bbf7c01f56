// An open alert in a real Alertmanager: raised by the alert action, re-posted at each decision on a failure while
// it is open, resolved when the unit is judged healed; the record in Redis says whether one is open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import { ALERT_NAMES } from '../../shared/actions/alertmanager.ts';
import { eventually, startAlertmanager } from '../support/alertmanager.ts';
import type { ProxyRole, Target } from '../../shared/events/schemas.ts';
import { T0, dataOf, result, startHarness } from './harness.ts';

const db = { namespace: 'shop', kind: 'Service' as const, name: 'db' };
const dbResult = (outcome: 'passed' | 'failed', at: number) =>
  result('shop-deps', 'dependency', db, outcome, at, { probe: { latencyMs: 1, readyEndpoints: outcome === 'failed' ? 0 : 1, minReady: 1, ...(outcome === 'failed' ? { error: 'no ready endpoints' } : {}) } });

test('an alert is active in Alertmanager while the unit fails, re-posted at each failure, and resolved once healed', async (t) => {
  const am = await startAlertmanager();
  t.after(() => am.close());
  const h = await startHarness(t, { env: { ALERTMANAGER_URL: am.url } });
  await h.send(dbResult('failed', T0 + 1));
  h.clock.now = T0 + 2;
  const raised = await h.send(dbResult('failed', T0 + 2));
  assert.deepEqual([raised.headers['ce-type'], dataOf(raised).action], [EventType.healPerformed, 'alert']);
  const active = await eventually(() => am.alerts('?active=true'), (a) => a.length === 1);
  assert.equal(active.length, 1);
  assert.deepEqual(active[0]!.labels, { alertname: ALERT_NAMES.healing, rule: 'shop-deps', namespace: 'shop', workload: 'Service/db', severity: 'critical' });
  assert.equal(active[0]!.annotations.lastError, 'no ready endpoints');
  const unit = `{${h.prefix}}:unit:shop-deps:shop:Service:db`;
  assert.notEqual(await h.client.hget(unit, 'alertOpenSince'), '0');

  // Inside the cooldown: no action, but the open alert is posted again with what the healer knows now.
  h.clock.now = T0 + 10_000;
  await h.send(dbResult('failed', T0 + 10_000));
  const reposted = await eventually(() => am.alerts('?active=true'), (a) => a[0]?.annotations.why?.startsWith('3 consecutive failures') === true);
  assert.match(reposted[0]?.annotations.why ?? '', /^3 consecutive failures of rule shop-deps/);

  // Passes after the verification window: judged healed, the alert resolved and the record cleared.
  let judged: unknown;
  for (let i = 1; i <= 6 && judged !== 'healed'; i++) {
    h.clock.now = T0 + 600_000 + i * 1_000;
    const res = await h.send(dbResult('passed', h.clock.now));
    judged = res.status === 200 ? dataOf(res).judged : undefined;
  }
  assert.equal(await h.client.hget(unit, 'alertOpenSince'), '0');
  const after = await eventually(() => am.alerts('?active=true'), (a) => a.length === 0);
  // Resolved (endsAt now): Alertmanager lists it no longer among the active alerts.
  assert.deepEqual(after, []);
});

test('a proxy group in AllFailed is an active SelfhealProxyGroupAllFailed alert, re-posted while it lasts, resolved when it leaves', async (t) => {
  const am = await startAlertmanager();
  t.after(() => am.close());
  const h = await startHarness(t, { env: { ALERTMANAGER_URL: am.url } });
  for (const role of ['primary', 'secondary'] as const) {
    await h.sim.createDeployment({ namespace: 'proxy', name: `squid-${role}`, replicas: 1, podLabels: { app: 'squid', role } });
  }
  h.sim.createService({ namespace: 'proxy', name: 'squid', selector: { app: 'squid', role: 'primary' }, ports: [{ port: 3128 }] });
  const target = (role: ProxyRole): Target => ({ namespace: 'proxy', kind: 'Proxy', name: h.sim.listPods('proxy', { role })[0]!.metadata!.name!, workload: { kind: 'Deployment', name: `squid-${role}` } });
  let at = T0;
  const send = (role: ProxyRole, outcome: 'passed' | 'failed') => {
    h.clock.now = at += 1000;
    return h.send(result('squid-egress', 'egress', target(role), outcome, at, { proxy: { group: 'squid-egress', role }, ...(outcome === 'failed' ? { probe: { latencyMs: 5, status: 503, error: 'upstream lost', url: 'http://example.com/' } } : {}) }));
  };
  const key = `{${h.prefix}}:proxy:squid-egress`;
  for (const role of ['primary', 'secondary', 'primary', 'secondary'] as const) await send(role, 'failed');
  assert.equal(await h.client.hget(key, 'status'), 'AllFailed');
  assert.notEqual(await h.client.hget(key, 'alertOpenSince'), '0');
  const active = await eventually(() => am.alerts('?active=true'), (a) => a.length === 1);
  assert.deepEqual(active[0]?.labels, { alertname: ALERT_NAMES.proxy, rule: 'squid-egress', namespace: 'proxy', group: 'squid-egress', severity: 'critical' });
  assert.equal(active[0]?.annotations.lastError, 'upstream lost');

  // Still AllFailed: the alert goes out again (its updatedAt moves).
  const before = (active[0] as unknown as { updatedAt: string }).updatedAt;
  await send('primary', 'failed');
  const again = await eventually(() => am.alerts('?active=true'), (a) => (a[0] as unknown as { updatedAt: string } | undefined)?.updatedAt !== before);
  assert.notEqual((again[0] as unknown as { updatedAt: string }).updatedAt, before);

  // The primary recovers: the group leaves AllFailed, the alert is resolved and the record cleared.
  for (let i = 0; i < 3; i++) await send('primary', 'passed');
  assert.equal(await h.client.hget(key, 'status'), 'PrimaryActive');
  assert.equal(await h.client.hget(key, 'alertOpenSince'), '0');
  const after = await eventually(() => am.alerts('?active=true'), (a) => a.length === 0);
  assert.deepEqual(after, []);
});
