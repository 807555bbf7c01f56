// The tcp kind in check-pods: each Running pod's port takes a connection, soon enough.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../../shared/events/types.ts';
import type { RunningFunction } from '../../../shared/runtime/run-function.ts';
import { startStalledListener } from '../../support/stalled-listener.ts';
import { PORTS, runRule, startLab } from '../../support/check-lab.ts';
import type { Lab } from '../../support/check-lab.ts';

const NOW = new Date('2030-01-02T03:04:05.000Z');

const rules = [
  { name: 'db-tcp', kind: 'tcp', namespace: 'data', labelSelector: 'app=db', port: PORTS.tcp, timeoutMs: 500 },
  { name: 'stuck-tcp', kind: 'tcp', namespace: 'stuck', labelSelector: 'app=stuck', port: PORTS.tcp, timeoutMs: 300 },
  { name: 'late-tcp', kind: 'tcp', namespace: 'stuck', labelSelector: 'app=stuck', port: PORTS.tcp, timeoutMs: 5_000, slowMs: 500 },
];

let lab: Lab;
let fn: RunningFunction;

before(async () => {
  lab = await startLab();
  await lab.deploy('data', 'db', 2, 'tcp', { app: 'db' });
  fn = await lab.start('check-pods', rules, {}, { now: () => NOW });
});
after(() => lab.close());

const run = (rule: string) => runRule(lab, fn, rule);

test('tcp: listening pods pass, a refusing one fails', async () => {
  const pods = lab.sim.listPods('data', { app: 'db' }).map((p) => p.metadata.name);
  const passing = await run('db-tcp');
  assert.deepEqual(passing.map((r) => r.type), [EventType.checkPassed, EventType.checkPassed]);
  const listener = lab.tcp.get(pods[0]!)!;
  await listener.pause();
  try {
    const results = await run('db-tcp');
    const failed = results.filter((r) => r.type === EventType.checkFailed);
    assert.equal(failed.length, 1);
    assert.equal((failed[0]!.data.target as { name: string }).name, pods[0]);
    assert.match((failed[0]!.data.probe as { error: string }).error, /ECONNREFUSED/);
  } finally {
    await listener.resume();
  }
});

test('tcp: a connect that is never accepted times out; one accepted late fails as slow', async () => {
  const [pod] = await lab.deploy('stuck', 'stuck', 1, 'none', { app: 'stuck' });
  const stalled = await startStalledListener(pod!.status.podIP, PORTS.tcp);
  try {
    await stalled.stall();
    const [hung] = await run('stuck-tcp');
    assert.equal(hung?.type, EventType.checkFailed);
    assert.equal((hung?.data.probe as { error: string }).error, 'timed out after 300 ms');
    setTimeout(() => stalled.release(), 100);
    const [late] = await run('late-tcp');
    const probe = late?.data.probe as { slow: boolean; latencyMs: number; error: string };
    assert.equal(late?.type, EventType.checkFailed);
    assert.equal(probe.slow, true);
    assert.ok(probe.latencyMs > 500, `latency ${probe.latencyMs}`);
  } finally {
    await stalled.close();
  }
});
