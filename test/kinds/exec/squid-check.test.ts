// The exec kind against real Squids: `squid -k check` in each Squid pod runs the real squid against that pod's own
// Squid. Running: exit 0. After `squid -k shutdown`: exit 1 with Squid's own FATAL line. A replacement pod starts a
// fresh Squid, and the check passes there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../../shared/events/types.ts';
import type { RunningFunction } from '../../../shared/runtime/run-function.ts';
import { runRule, startLab } from '../../support/check-lab.ts';
import type { Lab } from '../../support/check-lab.ts';

const rules = [{ name: 'squid-config', kind: 'exec', namespace: 'proxy', labelSelector: 'app=squid', container: 'squid', command: ['squid', '-k', 'check'], timeoutMs: 5_000 }];

let lab: Lab;
let fn: RunningFunction;

before(async () => {
  lab = await startLab();
  await lab.deploy('proxy', 'squid', 2, 'proxy', { app: 'squid' }, ['squid']);
  fn = await lab.start('check-pods', rules);
});
after(() => lab.close());

const byPod = (results: Awaited<ReturnType<typeof runRule>>) => new Map(results.map((r) => [(r.data.target as { name: string }).name, r]));

test('squid -k check in each running Squid pod exits 0 with no output', async () => {
  const results = await runRule(lab, fn, 'squid-config');
  assert.equal(results.length, 2);
  for (const r of results) {
    assert.equal(r.type, EventType.checkPassed, JSON.stringify(r.data));
    assert.deepEqual({ ...(r.data.probe as object), latencyMs: 0 }, { latencyMs: 0, exitCode: 0, output: '' });
  }
});

test('after squid -k shutdown the check fails with Squid\'s FATAL; the replacement pod starts a fresh Squid and passes', async () => {
  const [stopped, other] = lab.sim.listPods('proxy', { app: 'squid' }).map((p) => p.metadata.name);
  const squid = lab.proxies.get(stopped!)!;
  await squid.shutdown();
  const failed = byPod(await runRule(lab, fn, 'squid-config'));
  const probe = failed.get(stopped!)!.data.probe as { exitCode: number; output: string; error: string };
  assert.equal(failed.get(stopped!)!.type, EventType.checkFailed);
  assert.equal(probe.exitCode, 1);
  assert.equal(probe.error, 'exit code 1');
  assert.match(probe.output, /FATAL: failed to open \S*squid\.pid: \(2\) No such file or directory/);
  assert.ok(probe.output.includes(squid.dir), 'the pid file is that pod\'s own');
  assert.equal(failed.get(other!)!.type, EventType.checkPassed, 'the other pod\'s Squid is untouched');

  // What the healer's restart does: the pod is deleted and its ReplicaSet replaces it.
  await (await lab.kube()).core.deleteNamespacedPod({ namespace: 'proxy', name: stopped! });
  await lab.sim.settle();
  const replacement = lab.sim.listPods('proxy', { app: 'squid' }).map((p) => p.metadata.name).find((n) => n !== other);
  assert.ok(replacement !== undefined && replacement !== stopped);
  assert.equal(lab.proxies.get(replacement)!.running, true);
  assert.equal(lab.proxies.has(stopped!), false, 'the old pod\'s Squid is gone with it');
  const healed = byPod(await runRule(lab, fn, 'squid-config'));
  assert.deepEqual([...healed.values()].map((r) => r.type), [EventType.checkPassed, EventType.checkPassed]);
  assert.ok(healed.has(replacement));
});

test('a restart of the containers in place (same pod, same address) starts a fresh Squid, and the check passes again', async () => {
  const [pod] = lab.sim.listPods('proxy', { app: 'squid' });
  const name = pod!.metadata.name;
  const old = lab.proxies.get(name)!;
  await old.shutdown();
  assert.equal(byPod(await runRule(lab, fn, 'squid-config')).get(name)!.type, EventType.checkFailed);
  lab.sim.restartContainers('proxy', name);
  await lab.sim.settle();
  const fresh = lab.proxies.get(name)!;
  assert.notEqual(fresh, old);
  assert.equal(fresh.host, pod!.status.podIP);
  assert.equal(fresh.running, true);
  const results = byPod(await runRule(lab, fn, 'squid-config'));
  assert.equal(results.get(name)!.type, EventType.checkPassed, JSON.stringify(results.get(name)!.data));
});
