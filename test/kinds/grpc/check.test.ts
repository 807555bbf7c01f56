// The grpc kind in check-pods: each Running pod's health service is asked, through the function, as a PingSource would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { runChecks } from '../../../shared/checks/run-checks.ts';
import { runningPods } from '../../../shared/checks/running-pods.ts';
import { EventType } from '../../../shared/events/types.ts';
import { KIND_OF } from '../../../shared/kinds/catalog.ts';
import type { CheckKind } from '../../../shared/kinds/kind.ts';
import { parseRules } from '../../../shared/rules/load.ts';
import type { RunningFunction } from '../../../shared/runtime/run-function.ts';
import { EXTERNAL_SITE_CA_PATH, EXTERNAL_SITE_CERT_PEM, EXTERNAL_SITE_KEY_PEM, startGrpcHealthServer } from '../../../shared/dev/targets/index.ts';
import type { GrpcHealthServer } from '../../../shared/dev/targets/index.ts';
import { postBinary } from '../../support/http.ts';
import { PORTS, resultsOf, runRule, startLab } from '../../support/check-lab.ts';
import type { Lab } from '../../support/check-lab.ts';

const NOW = new Date('2030-01-02T03:04:05.000Z');
const BARE_PORT = 9091;
const TLS_PORT = 9443;
const pods = { namespace: 'payments', labelSelector: 'app=payments' };

const rules = [
  { name: 'payments-grpc', kind: 'grpc', ...pods, port: PORTS.grpc, timeoutMs: 400 },
  { name: 'orders-grpc', kind: 'grpc', ...pods, port: PORTS.grpc, service: 'orders.v1.Orders', timeoutMs: 400 },
  { name: 'bare-grpc', kind: 'grpc', ...pods, port: BARE_PORT, timeoutMs: 400 },
  { name: 'payments-tls-grpc', kind: 'grpc', ...pods, port: TLS_PORT, tls: { serverName: 'localhost' }, timeoutMs: 1_000 },
  { name: 'payments-exec', kind: 'exec', ...pods, command: ['grpc_health_probe', '-addr=:9090'], timeoutMs: 400 },
];

let lab: Lab;
let fn: RunningFunction;
let names: string[];
const servers = () => names.map((n) => lab.grpc.get(n)!);

before(async () => {
  lab = await startLab();
  await lab.deploy('payments', 'payments', 3, 'grpc', { app: 'payments' });
  names = lab.sim.listPods('payments', { app: 'payments' }).map((p) => p.metadata.name).sort();
  for (const s of servers()) s.setStatus('orders.v1.Orders', 'SERVING');
  fn = await lab.start('check-pods', rules, {}, { now: () => NOW });
});
after(() => lab.close());

const run = (rule: string) => runRule(lab, fn, rule);
const byPod = (results: Awaited<ReturnType<typeof run>>) => new Map(results.map((r) => [(r.data.target as { name: string }).name, r]));
const ipOf = (name: string) => lab.sim.getPod('payments', name)!.status.podIP;

/** Starts a server of the test's own on every pod's address, on another port than the lab's. */
async function onEveryPod(start: (ip: string) => Promise<GrpcHealthServer>): Promise<() => Promise<void>> {
  const started = await Promise.all(names.map((n) => start(ipOf(n))));
  return async () => void (await Promise.all(started.map((s) => s.close())));
}

test('grpc: every serving pod passes, and the events carry the contract', async () => {
  const results = await run('payments-grpc');
  assert.deepEqual([...byPod(results).keys()].sort(), names);
  for (const r of results) {
    const target = r.data.target as { name: string; workload: unknown; address: string };
    assert.equal(r.type, EventType.checkPassed);
    assert.equal(r.source, '/selfheal/check-pods/payments-grpc');
    assert.equal(r.data.ruleKind, 'grpc');
    assert.equal(r.data.observedAt, NOW.toISOString());
    assert.deepEqual(target.workload, { kind: 'Deployment', name: 'payments' });
    assert.equal(target.address, `${ipOf(target.name)}:${PORTS.grpc}`);
    assert.equal((r.data.probe as { servingStatus: string }).servingStatus, 'SERVING');
  }
});

test('grpc: NOT_SERVING and SERVICE_UNKNOWN pods fail with their status, the other still passes', async () => {
  const [a, b] = servers();
  a!.setStatus('', 'NOT_SERVING');
  b!.setStatus('', 'SERVICE_UNKNOWN');
  try {
    const results = byPod(await run('payments-grpc'));
    assert.deepEqual(results.get(names[0]!)!.data.probe, { latencyMs: (results.get(names[0]!)!.data.probe as { latencyMs: number }).latencyMs, servingStatus: 'NOT_SERVING', error: 'the server is NOT_SERVING' });
    assert.equal((results.get(names[1]!)!.data.probe as { error: string }).error, 'the server is SERVICE_UNKNOWN');
    assert.deepEqual(names.map((n) => results.get(n)!.type), [EventType.checkFailed, EventType.checkFailed, EventType.checkPassed]);
  } finally {
    a!.setStatus('', 'SERVING');
    b!.setStatus('', 'SERVING');
  }
});

test('grpc: a pod that never answers fails on the rule timeout, one that refuses connections as UNAVAILABLE', async () => {
  const [hung, refusing] = servers();
  hung!.hang();
  await refusing!.pause();
  try {
    const results = byPod(await run('payments-grpc'));
    assert.equal((results.get(names[0]!)!.data.probe as { error: string }).error, 'timed out after 400 ms');
    const refused = results.get(names[1]!)!.data.probe as { error: string; grpcCode: number };
    assert.equal(refused.grpcCode, 14);
    assert.match(refused.error, /^UNAVAILABLE: .*ECONNREFUSED/);
    assert.deepEqual(names.map((n) => results.get(n)!.type), [EventType.checkFailed, EventType.checkFailed, EventType.checkPassed]);
  } finally {
    hung!.recover();
    await refusing!.resume();
  }
});

test('grpc: a named service is what each pod is asked about', async () => {
  const [, , c] = servers();
  c!.setStatus('orders.v1.Orders', 'NOT_SERVING');
  try {
    const results = byPod(await run('orders-grpc'));
    assert.equal((results.get(names[2]!)!.data.probe as { error: string }).error, 'service "orders.v1.Orders" is NOT_SERVING');
    assert.deepEqual(names.map((n) => results.get(n)!.type), [EventType.checkPassed, EventType.checkPassed, EventType.checkFailed]);
  } finally {
    c!.setStatus('orders.v1.Orders', 'SERVING');
  }
});

test('grpc: NOT_FOUND is the rule\'s error: no result for that pod, the others sent, the ping answered 422 naming the rule', async () => {
  const [a] = servers();
  a!.setStatus('orders.v1.Orders', undefined);
  try {
    lab.sink.clear();
    const res = await postBinary(fn.url, { id: randomUUID(), type: EventType.ping, source: '/apis/v1/namespaces/selfheal/pingsources/lab' }, { rules: ['orders-grpc'] });
    assert.equal(res.status, 422, res.text);
    const body = res.json() as { error: string; details: string[] };
    assert.equal(body.error, '1 target(s) cannot be checked as their rule is written');
    assert.equal(body.details.length, 1);
    assert.match(body.details[0]!, new RegExp(`^rule orders-grpc, payments/pod/${names[0]}: NOT_FOUND: the health service does not know service "orders\\.v1\\.Orders"`));
    const sent = resultsOf(lab.sink, 'orders-grpc');
    assert.deepEqual(sent.map((r) => [(r.data.target as { name: string }).name, r.type]).sort(), names.slice(1).map((n) => [n, EventType.checkPassed]));
  } finally {
    a!.setStatus('orders.v1.Orders', 'SERVING');
  }
});

test('grpc: a port whose server has no health service (UNIMPLEMENTED) sends no result at all and answers 422', async () => {
  const close = await onEveryPod((ip) => startGrpcHealthServer({ host: ip, port: BARE_PORT, health: false }));
  try {
    lab.sink.clear();
    const res = await postBinary(fn.url, { id: randomUUID(), type: EventType.ping, source: '/apis/v1/namespaces/selfheal/pingsources/lab' }, { rules: ['bare-grpc'] });
    assert.equal(res.status, 422, res.text);
    const details = (res.json() as { details: string[] }).details;
    assert.equal(details.length, 3);
    for (const d of details) assert.match(d, /^rule bare-grpc, payments\/pod\/.*: UNIMPLEMENTED: the server has no grpc\.health\.v1\.Health service/);
    assert.deepEqual(resultsOf(lab.sink, 'bare-grpc'), []);
  } finally {
    await close();
  }
});

test('grpc: a rule error and a probe the API server refused in one ping: the 503 wins, so the ping is retried', async () => {
  const [a] = servers();
  a!.setStatus('orders.v1.Orders', undefined);
  lab.sim.forbid('GET', /\/pods\/[^/]+\/exec$/);
  try {
    const res = await postBinary(fn.url, { id: randomUUID(), type: EventType.ping, source: '/test' }, { rules: ['orders-grpc', 'payments-exec'] });
    assert.equal(res.status, 503, res.text);
    assert.match(res.text, /3 probe\(s\) could not run: .*403/);
  } finally {
    lab.sim.allowAll();
    a!.setStatus('orders.v1.Orders', 'SERVING');
  }
});

test('grpc: TLS checked against EXTRA_CA_FILE and the rule\'s serverName; without the CA the pods fail', async () => {
  const close = await onEveryPod((ip) => startGrpcHealthServer({ host: ip, port: TLS_PORT, tls: { key: EXTERNAL_SITE_KEY_PEM, cert: EXTERNAL_SITE_CERT_PEM } }));
  const trusting = await lab.start('check-pods', rules, { EXTRA_CA_FILE: EXTERNAL_SITE_CA_PATH }, { now: () => NOW });
  try {
    const trusted = await runRule(lab, trusting, 'payments-tls-grpc');
    assert.deepEqual(trusted.map((r) => r.type), [EventType.checkPassed, EventType.checkPassed, EventType.checkPassed]);
    const untrusted = await run('payments-tls-grpc');
    assert.equal(untrusted.length, 3);
    for (const r of untrusted) assert.match((r.data.probe as { error: string }).error, /^UNAVAILABLE: .*self-signed certificate/);
  } finally {
    await close();
  }
});

test("grpc: the healer's confirmation probe of one pod (checkPod) passes, fails, and takes a rule error for no verdict", async () => {
  const parsed = parseRules({ rules }, 'test rules');
  // The catalog's kinds differ in their rule types; this is the grpc kind's, as confirm.ts casts it too.
  const kind = KIND_OF.grpc as CheckKind;
  const confirm = async (rule: string, pod: string) => {
    const [running] = runningPods([lab.sim.getPod('payments', pod) as never]);
    // The grpc kind uses no HTTP pool; runningPods takes the simulator's pod as the API's V1Pod.
    const check = await kind.checkPod!(parsed.get(rule) as never, running!, { kube: lab.kube, http: undefined as never, ca: undefined, now: () => NOW });
    return runChecks([check], { runId: 'confirm', concurrency: 1, deadlineMs: check.timeoutMs + 1_000, now: () => NOW });
  };
  const [a] = servers();
  assert.equal((await confirm('payments-grpc', names[0]!)).results[0]?.outcome, 'passed');
  a!.setStatus('', 'NOT_SERVING');
  a!.setStatus('orders.v1.Orders', undefined);
  try {
    assert.equal((await confirm('payments-grpc', names[0]!)).results[0]?.outcome, 'failed');
    const unknown = await confirm('orders-grpc', names[0]!);
    assert.deepEqual([unknown.results.length, unknown.inconclusive[0]?.cause], [0, 'rule-error']);
  } finally {
    a!.setStatus('', 'SERVING');
    a!.setStatus('orders.v1.Orders', 'SERVING');
  }
});
