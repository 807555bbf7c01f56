import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import type { RunningFunction } from '../../shared/runtime/run-function.ts';
import { postBinary, postStructured } from '../support/http.ts';
import { PORTS, resultsOf, startLab } from './lab.ts';
import { startStalledListener } from '../support/stalled-listener.ts';
import type { Lab } from './lab.ts';

const NOW = new Date('2030-01-02T03:04:05.000Z');
const ping = (id: string) => ({ id, type: EventType.ping, source: '/apis/v1/namespaces/selfheal/pingsources/check-pods' });

const rules = [
  { name: 'web-http', kind: 'http', namespace: 'web', labelSelector: 'app=web', port: PORTS.demo, path: '/health', body: { json: { field: 'status', equals: 'ok' } }, timeoutMs: 400, slowMs: 200 },
  { name: 'db-tcp', kind: 'tcp', namespace: 'data', labelSelector: 'app=db', port: PORTS.tcp, timeoutMs: 500 },
  { name: 'stuck-tcp', kind: 'tcp', namespace: 'stuck', labelSelector: 'app=stuck', port: PORTS.tcp, timeoutMs: 300 },
  { name: 'late-tcp', kind: 'tcp', namespace: 'stuck', labelSelector: 'app=stuck', port: PORTS.tcp, timeoutMs: 5_000, slowMs: 500 },
  { name: 'squid-config', kind: 'exec', namespace: 'proxy', labelSelector: 'app=squid', container: 'squid', command: ['squid', '-k', 'check'], timeoutMs: 400, outputLimit: 16 },
  { name: 'sidecar-exec', kind: 'exec', namespace: 'proxy', labelSelector: 'app=squid', command: ['true'], timeoutMs: 400 },
  { name: 'many-http', kind: 'http', namespace: 'many', labelSelector: 'app=many', port: PORTS.demo, path: '/health', timeoutMs: 60_000 },
  { name: 'backend-deps', kind: 'dependency', namespace: 'web', services: ['db'] },
  { name: 'egress', kind: 'egress', namespace: 'proxy', service: 'squid', proxies: { primary: { selector: { a: 'b' } }, secondary: { selector: { a: 'c' } } }, urls: ['http://127.0.0.1/'] },
];

let lab: Lab;
let fn: RunningFunction;
const execCalls: Array<{ pod: string; container: string; command: string[] }> = [];

before(async () => {
  lab = await startLab();
  await lab.deploy('web', 'web', 3, 'demo', { app: 'web' });
  await lab.deploy('data', 'db', 2, 'tcp', { app: 'db' });
  await lab.deploy('proxy', 'squid', 2, 'none', { app: 'squid' }, ['proxy-sidecar', 'squid']);
  fn = await lab.start('check-pods', rules, {}, { now: () => NOW });
});
after(() => lab.close());

async function run(rule: string) {
  lab.sink.clear();
  const res = await postBinary(fn.url, ping(`run-${rule}-${Math.random()}`), { rules: [rule] });
  assert.equal(res.status, 202, res.text);
  assert.equal(res.text, '');
  return resultsOf(lab.sink, rule);
}

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

test('40 pods, 5 hanging past the run deadline: the run ends at the deadline and names the hanging ones', async () => {
  await lab.deploy('many', 'many', 40, 'demo', { app: 'many' });
  const pods = lab.sim.listPods('many', { app: 'many' }).map((p) => p.metadata.name);
  const hanging = new Set(pods.slice(0, 5));
  for (const name of hanging) lab.apps.get(name)!.hang();
  const short = await lab.start('check-pods', rules, { RUN_DEADLINE: '3s', PROBE_CONCURRENCY: '8' });
  lab.sink.clear();
  const res = await postBinary(short.url, ping('many'), { rules: ['many-http'] });
  assert.equal(res.status, 202, res.text);
  const results = resultsOf(lab.sink, 'many-http');
  assert.equal(results.length, 40);
  const failed = results.filter((r) => r.type === EventType.checkFailed);
  assert.deepEqual(failed.map((r) => (r.data.target as { name: string }).name).sort(), [...hanging].sort());
  for (const r of failed) assert.equal((r.data.probe as { error: string }).error, 'run deadline exceeded');
  for (const name of hanging) lab.apps.get(name)!.recover();
});

test('unknown rules and rules of other functions are a 400 naming each, and nothing is probed', async () => {
  const before = lab.sim.requests.length;
  lab.sink.clear();
  const res = await postBinary(fn.url, ping('bad'), { rules: ['web-http', 'nope', 'backend-deps', 'egress'] });
  assert.equal(res.status, 400);
  const body = res.json() as { error: string; details: string[] };
  assert.deepEqual(body.details, [
    'no rule named "nope" in lab rules',
    'rule "backend-deps" is of kind dependency: check-dependencies runs it, not check-pods',
    'rule "egress" is of kind egress: check-egress runs it, not check-pods',
  ]);
  assert.equal(lab.sim.requests.length, before);
  assert.equal(lab.sink.events.length, 0);
});

test('the sink refusing the results is a 503, so the Broker retries the ping', async () => {
  lab.sink.failNext(1_000, 503);
  try {
    const res = await postBinary(fn.url, ping('sink-down'), { rules: ['db-tcp'] });
    assert.equal(res.status, 503);
    assert.match((res.json() as { error: string }).error, /sink did not take the 2 results/);
  } finally {
    lab.sink.failNext(0, 503);
  }
});

test('a ping POSTed by hand works in structured mode too, for several rules at once', async () => {
  lab.sink.clear();
  lab.exec = () => ({ exitCode: 0 });
  const res = await postStructured(fn.url, ping('by-hand'), { rules: ['web-http', 'db-tcp'] });
  assert.equal(res.status, 202, res.text);
  assert.equal(resultsOf(lab.sink, 'web-http').length, 3);
  assert.equal(resultsOf(lab.sink, 'db-tcp').length, 2);
  assert.equal(new Set(lab.sink.events.map((e) => (e.data as { runId: string }).runId)).size, 1);
});
