// The exec kind in check-pods: a command run in each Running pod's container through the API server.
// Exec answers are scripted here (exit codes, long output, a hang): behaviour a real Squid cannot be made to show on
// demand. squid-check.test.ts runs the real `squid -k check` against real Squids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../../shared/events/types.ts';
import type { RunningFunction } from '../../../shared/runtime/run-function.ts';
import { postBinary } from '../../support/http.ts';
import { runRule, startLab } from '../../support/check-lab.ts';
import type { Lab } from '../../support/check-lab.ts';

const NOW = new Date('2030-01-02T03:04:05.000Z');
const ping = (id: string) => ({ id, type: EventType.ping, source: '/apis/v1/namespaces/selfheal/pingsources/check-pods' });

const rules = [
  { name: 'squid-config', kind: 'exec', namespace: 'proxy', labelSelector: 'app=squid', container: 'squid', command: ['squid', '-k', 'check'], timeoutMs: 400, outputLimit: 16 },
  { name: 'sidecar-exec', kind: 'exec', namespace: 'proxy', labelSelector: 'app=squid', command: ['true'], timeoutMs: 400 },
];

let lab: Lab;
let fn: RunningFunction;
const execCalls: Array<{ pod: string; container: string; command: string[] }> = [];

before(async () => {
  lab = await startLab();
  await lab.deploy('proxy', 'squid', 2, 'none', { app: 'squid' }, ['proxy-sidecar', 'squid']);
  fn = await lab.start('check-pods', rules, {}, { now: () => NOW });
});
after(() => lab.close());

const run = (rule: string) => runRule(lab, fn, rule);

test('exec: exit 0 passes in the named container; the first container is the default', async () => {
  execCalls.length = 0;
  lab.exec = (pod, container, command) => {
    execCalls.push({ pod: pod.metadata.name, container, command });
    return { exitCode: 0, stdout: 'configuration ok\n' };
  };
  const results = await run('squid-config');
  assert.equal(results.length, 2);
  for (const r of results) {
    assert.equal(r.type, EventType.checkPassed);
    assert.deepEqual({ ...(r.data.probe as object), latencyMs: 0 }, { latencyMs: 0, exitCode: 0, output: 'configuration ok' });
  }
  assert.deepEqual(execCalls.map((c) => [c.container, c.command.join(' ')]), [['squid', 'squid -k check'], ['squid', 'squid -k check']]);
  execCalls.length = 0;
  await run('sidecar-exec');
  assert.deepEqual(execCalls.map((c) => c.container), ['proxy-sidecar', 'proxy-sidecar']);
});

test('exec: a non-zero exit fails with the exit code and the first outputLimit bytes of output', async () => {
  lab.exec = () => ({ exitCode: 1, stdout: 'FATAL: ', stderr: 'Bungled squid.conf line 12\n' });
  const results = await run('squid-config');
  assert.equal(results.length, 2);
  for (const r of results) {
    assert.equal(r.type, EventType.checkFailed);
    const probe = r.data.probe as { exitCode: number; output: string; error: string };
    assert.equal(probe.exitCode, 1);
    assert.equal(probe.error, 'exit code 1');
    assert.equal(probe.output, 'FATAL: Bungled s');
  }
});

test('exec refused by the API server (RBAC 403): no verdict on the pods, the ping is answered 503 to be retried', async () => {
  lab.exec = () => ({ exitCode: 0 });
  lab.sim.forbid('GET', /\/pods\/[^/]+\/exec$/);
  try {
    lab.sink.clear();
    const res = await postBinary(fn.url, { id: `forbidden-${Date.now()}`, type: EventType.ping, source: '/test' }, { rules: ['squid-config'] });
    assert.equal(res.status, 503, res.text);
    assert.match(res.text, /could not run: .*403/);
    assert.equal(lab.sink.ofType(EventType.checkFailed).length, 0, 'a healthy pod is not reported failed');
  } finally {
    lab.sim.allowAll();
  }
});

test('exec: a command that hangs fails on the rule timeout', async () => {
  const [first] = lab.sim.listPods('proxy', { app: 'squid' }).map((p) => p.metadata.name);
  lab.exec = (pod) => (pod.metadata.name === first ? { hang: true } : { exitCode: 0 });
  const results = await run('squid-config');
  const byName = new Map(results.map((r) => [(r.data.target as { name: string }).name, r]));
  assert.equal(byName.get(first!)?.type, EventType.checkFailed);
  assert.equal((byName.get(first!)?.data.probe as { error: string }).error, 'timed out after 400 ms');
  assert.equal(results.filter((r) => r.type === EventType.checkPassed).length, 1);
});
