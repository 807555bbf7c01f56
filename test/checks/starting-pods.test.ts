// Pods still starting or going away are not probed into a failure: their results are io.selfheal.check.skipped,
// saying why; a pod the kubelet restarted says how often, so the healer can start its count over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { notProbedReason, runningPods } from '../../shared/checks/running-pods.ts';
import { EventType } from '../../shared/events/types.ts';
import type { RunningFunction } from '../../shared/runtime/run-function.ts';
import { PORTS, runRule, startLab } from '../support/check-lab.ts';
import type { Lab } from '../support/check-lab.ts';

const NOW = Date.parse('2030-01-02T03:04:05.000Z');

function pod(over: { phase?: string; ip?: string; deleting?: boolean; started?: boolean[]; restarts?: number[]; startTime?: string }): V1Pod {
  const started = over.started ?? [true];
  return {
    metadata: { name: 'p', namespace: 'ns', ...(over.deleting ? { deletionTimestamp: new Date(NOW) } : {}) },
    spec: { containers: started.map((_, i) => ({ name: `c${i}` })) },
    status: {
      phase: over.phase ?? 'Running',
      ...(over.ip === '' ? {} : { podIP: over.ip ?? '127.0.0.9' }),
      ...(over.startTime ? { startTime: new Date(over.startTime) } : {}),
      containerStatuses: started.map((s, i) => ({ name: `c${i}`, started: s, ready: s, restartCount: over.restarts?.[i] ?? 0, image: 'x', imageID: 'x' })),
    },
  };
}

test('table: which pods are probed, and why the others are not', async (t) => {
  const started = new Date(NOW - 10_000).toISOString();
  const rows: Array<[string, V1Pod, number, string | undefined]> = [
    ['running, started, no grace', pod({ startTime: started }), 0, undefined],
    ['a container still in its startup probe', pod({ started: [true, false], startTime: started }), 0, 'not-started'],
    ['pending, no address yet', pod({ phase: 'Pending', ip: '', started: [] }), 0, 'not-started'],
    ['terminating, though it still answers', pod({ deleting: true, startTime: started }), 0, 'terminating'],
    ['started 10 s ago, grace 30 s', pod({ startTime: started }), 30_000, 'startup-grace'],
    ['started 10 s ago, grace 10 s', pod({ startTime: started }), 10_000, undefined],
  ];
  for (const [name, p, grace, expected] of rows) {
    await t.test(name, () => {
      const [listed] = runningPods([p]);
      assert.ok(listed);
      assert.equal(notProbedReason(listed, grace, NOW), expected);
    });
  }
});

test('ended pods are not the rule\'s; restarts are summed over containers', () => {
  assert.deepEqual(runningPods([pod({ phase: 'Succeeded' }), pod({ phase: 'Failed' })]), []);
  assert.equal(runningPods([pod({ started: [true, true], restarts: [2, 1] })])[0]!.restarts, 3);
});

let lab: Lab;
let fn: RunningFunction;
const rules = [
  { name: 'web-http', kind: 'http', namespace: 'web', labelSelector: 'app=web', port: PORTS.demo, path: '/health', timeoutMs: 500 },
  { name: 'web-grace', kind: 'http', namespace: 'web', labelSelector: 'app=web', port: PORTS.demo, path: '/health', timeoutMs: 500, startupGrace: '1h' },
];

before(async () => {
  lab = await startLab();
  await lab.deploy('web', 'web', 3, 'demo', { app: 'web' });
  fn = await lab.start('check-pods', rules, {}, { now: () => new Date() });
});
after(() => lab.close());

test('a pod whose container has not started is reported skipped (not-started), the others are probed', async () => {
  const [starting] = lab.sim.listPods('web', { app: 'web' }).map((p) => p.metadata.name);
  lab.sim.setContainersStarted('web', starting!, false);
  try {
    const results = await runRule(lab, fn, 'web-http');
    const mine = results.find((r) => (r.data.target as { name: string }).name === starting)!;
    assert.equal(mine.type, EventType.checkSkipped);
    assert.deepEqual([mine.data.outcome, mine.data.notProbed], ['skipped', 'not-started']);
    assert.deepEqual(results.filter((r) => r !== mine).map((r) => r.type), [EventType.checkPassed, EventType.checkPassed]);
  } finally {
    lab.sim.setContainersStarted('web', starting!, true);
  }
});

test('within the rule\'s startupGrace every pod is skipped (startup-grace)', async () => {
  const results = await runRule(lab, fn, 'web-grace');
  assert.equal(results.length, 3);
  assert.deepEqual([...new Set(results.map((r) => r.data.notProbed))], ['startup-grace']);
});

test('a pod the kubelet restarted carries its restart count in the target', async () => {
  const [restarted] = lab.sim.listPods('web', { app: 'web' }).map((p) => p.metadata.name);
  lab.sim.restartContainers('web', restarted!);
  const results = await runRule(lab, fn, 'web-http');
  const mine = results.find((r) => (r.data.target as { name: string }).name === restarted)!;
  assert.equal((mine.data.target as { restarts?: number }).restarts, 1);
  assert.equal(mine.type, EventType.checkPassed);
});
