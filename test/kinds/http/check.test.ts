// The http kind in check-pods: each Running pod answers a request judged on status, body and speed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../../shared/events/types.ts';
import type { RunningFunction } from '../../../shared/runtime/run-function.ts';
import { PORTS, runRule, startLab } from '../../support/check-lab.ts';
import type { Lab } from '../../support/check-lab.ts';

const NOW = new Date('2030-01-02T03:04:05.000Z');

const rules = [
  { name: 'web-http', kind: 'http', namespace: 'web', labelSelector: 'app=web', port: PORTS.demo, path: '/health', body: { json: { field: 'status', equals: 'ok' } }, timeoutMs: 400, slowMs: 200 },
];

let lab: Lab;
let fn: RunningFunction;

before(async () => {
  lab = await startLab();
  await lab.deploy('web', 'web', 3, 'demo', { app: 'web' });
  fn = await lab.start('check-pods', rules, {}, { now: () => NOW });
});
after(() => lab.close());

const run = (rule: string) => runRule(lab, fn, rule);

const webPods = () => lab.sim.listPods('web', { app: 'web' }).map((p) => p.metadata.name).sort();

test('http: every running pod passes, and the events carry the contract', async () => {
  const results = await run('web-http');
  assert.equal(results.length, 3);
  assert.deepEqual(results.map((r) => r.data.target && (r.data.target as { name: string }).name).sort(), webPods());
  const runIds = new Set(results.map((r) => r.data.runId));
  assert.equal(runIds.size, 1);
  for (const r of results) {
    const target = r.data.target as { namespace: string; name: string; kind: string; workload: unknown; address: string };
    assert.equal(r.type, EventType.checkPassed);
    assert.equal(r.source, '/selfheal/check-pods/web-http');
    assert.equal(r.subject, `web/pod/${target.name}`);
    assert.equal(r.data.outcome, 'passed');
    assert.equal(r.data.ruleKind, 'http');
    assert.equal(r.data.observedAt, NOW.toISOString());
    assert.deepEqual(target.workload, { kind: 'Deployment', name: 'web' });
    assert.equal(target.address, `${lab.sim.getPod('web', target.name)?.status.podIP}:${PORTS.demo}`);
    assert.equal((r.data.probe as { status: number }).status, 200);
  }
});

test('http: a failing pod fails with its status and body, the others still pass', async () => {
  const [bad] = webPods();
  lab.apps.get(bad!)!.fail();
  try {
    const results = await run('web-http');
    const failed = results.filter((r) => r.type === EventType.checkFailed);
    assert.equal(failed.length, 1);
    assert.equal((failed[0]!.data.target as { name: string }).name, bad);
    assert.deepEqual(failed[0]!.data.probe, { latencyMs: (failed[0]!.data.probe as { latencyMs: number }).latencyMs, status: 500, error: 'status 500 not in expected 200-399' });
    assert.equal(results.filter((r) => r.type === EventType.checkPassed).length, 2);
  } finally {
    lab.apps.get(bad!)!.recover();
  }
});

test('http: a pod that hangs times out, a slow one fails as slow', async () => {
  const [hung, slow] = webPods();
  lab.apps.get(hung!)!.hang();
  lab.apps.get(slow!)!.setDelay(300);
  try {
    const results = await run('web-http');
    const byName = new Map(results.map((r) => [(r.data.target as { name: string }).name, r]));
    const h = byName.get(hung!)!;
    assert.equal(h.type, EventType.checkFailed);
    assert.equal((h.data.probe as { error: string }).error, 'timed out after 400 ms');
    const s = byName.get(slow!)!.data.probe as { slow?: boolean; latencyMs: number; status: number; error: string };
    assert.equal(byName.get(slow!)!.type, EventType.checkFailed);
    assert.equal(s.slow, true);
    assert.equal(s.status, 200);
    assert.ok(s.latencyMs >= 300, `latency ${s.latencyMs}`);
    assert.match(s.error, /^slow: answered in \d+ ms, limit 200 ms$/);
    assert.equal(results.filter((r) => r.type === EventType.checkPassed).length, 1);
  } finally {
    lab.apps.get(hung!)!.recover();
    lab.apps.get(slow!)!.setDelay(0);
  }
});
