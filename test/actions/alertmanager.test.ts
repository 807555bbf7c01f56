// The alert action against a real Alertmanager: labels and annotations of API v2, the resolve, final and transient faults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALERT_NAMES, postToAlertmanager, resolvedAlert } from '../../shared/actions/alertmanager.ts';
import { raiseAlert } from '../../shared/actions/alert.ts';
import { eventually, startAlertmanager } from '../support/alertmanager.ts';

const target = { namespace: 'shop', kind: 'Pod' as const, name: 'web-1', workload: { kind: 'Deployment', name: 'web' } };

test('an alert reaches Alertmanager with its labels and annotations, and a post with endsAt now resolves it', async (t) => {
  const am = await startAlertmanager();
  t.after(() => am.close());
  const at = new Date().toISOString();
  const raised = await raiseAlert({ alertmanagerUrl: am.url, timeoutMs: 2_000 }, { rule: 'web', target, why: 'restarts did not help', severity: 'critical', at }, 'HTTP 503');
  assert.equal(raised.kind, 'performed', raised.detail);
  const active = await eventually(() => am.alerts('?active=true'), (a) => a.length === 1);
  assert.equal(active.length, 1);
  assert.deepEqual(active[0]!.labels, { alertname: ALERT_NAMES.healing, rule: 'web', namespace: 'shop', workload: 'Deployment/web', severity: 'critical' });
  assert.deepEqual(active[0]!.annotations, { why: 'restarts did not help', lastError: 'HTTP 503' });
  assert.equal(active[0]!.status.state, 'active');
  const resolved = await postToAlertmanager(am.url, [resolvedAlert('web', target, 'critical', at, new Date().toISOString(), 'healed')], 2_000);
  assert.equal(resolved.kind, 'performed');
  const after = await eventually(() => am.alerts('?active=true'), (a) => a.length === 0);
  assert.deepEqual(after, []);
});

test('a proxy group alert is named SelfhealProxyGroupAllFailed and labelled with its group', async (t) => {
  const am = await startAlertmanager();
  t.after(() => am.close());
  const proxy = { namespace: 'net', kind: 'Proxy' as const, name: 'egress' };
  const raised = await raiseAlert({ alertmanagerUrl: `${am.url}/`, timeoutMs: 2_000 }, { rule: 'egress', target: proxy, why: 'all proxies fail', severity: 'critical', at: new Date().toISOString() });
  assert.equal(raised.kind, 'performed', raised.detail);
  const active = await eventually(() => am.alerts('?active=true'), (a) => a.length === 1);
  assert.deepEqual(active[0]!.labels, { alertname: ALERT_NAMES.proxy, rule: 'egress', namespace: 'net', group: 'egress', severity: 'critical' });
});

test('Alertmanager answering 400 is final, 429 and 503 transient, no answer transient', async (t) => {
  const statuses = [400, 429, 503];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(statuses.shift() ?? 200).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const alert = { rule: 'web', target, why: 'x', severity: 'critical' as const, at: new Date().toISOString() };
  const kinds = [];
  for (let i = 0; i < 3; i++) {
    const o = await raiseAlert({ alertmanagerUrl: url, timeoutMs: 1_000 }, alert);
    kinds.push(o.kind === 'failed' ? o.transient : o.kind);
  }
  assert.deepEqual(kinds, [false, true, true]);
  const closed = await raiseAlert({ alertmanagerUrl: 'http://127.0.0.1:1', timeoutMs: 1_000 }, alert);
  assert.deepEqual([closed.kind, closed.kind === 'failed' && closed.transient], ['failed', true]);
});
