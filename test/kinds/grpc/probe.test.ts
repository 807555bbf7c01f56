// The grpc probe against real gRPC servers on loopback: every status, a named service, a server that never
// answers, a refused connect, no health service, the reference health implementation, and TLS with a self-signed CA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { EXTERNAL_SITE_CA_PATH, EXTERNAL_SITE_CERT_PEM, EXTERNAL_SITE_KEY_PEM, startGrpcHealthServer } from '../../../shared/dev/targets/index.ts';
import type { GrpcHealthServer } from '../../../shared/dev/targets/index.ts';
import { loadGrpc } from '../../../shared/kinds/grpc/grpc-module.ts';
import type { GrpcModule } from '../../../shared/kinds/grpc/grpc-module.ts';
import { probeGrpc } from '../../../shared/kinds/grpc/probe.ts';
import type { GrpcProbeRule } from '../../../shared/kinds/grpc/probe.ts';
import { loadCaBundle } from '../../../shared/probes/tls-ca.ts';

const HOST = '127.0.0.1';
const rule: GrpcProbeRule = { service: '', timeoutMs: 1_000 };
const never = () => new AbortController().signal;

let mod: GrpcModule;
let server: GrpcHealthServer;
before(async () => {
  mod = await loadGrpc();
  server = await startGrpcHealthServer({ host: HOST, statuses: { '': 'SERVING', 'payments.v1.Payments': 'SERVING' } });
});
after(() => server.close());

const probe = (r: Partial<GrpcProbeRule> = {}, address = `${HOST}:${server.port}`, ca?: string[], signal = never()) => probeGrpc(mod, address, { ...rule, ...r }, ca, signal);

test('SERVING passes, and the call really reached the server', async () => {
  const before = server.checks;
  const verdict = await probe();
  assert.equal(verdict.passed, true);
  assert.equal(verdict.probe.servingStatus, 'SERVING');
  assert.equal(verdict.probe.error, undefined);
  assert.equal(server.checks, before + 1);
});

test('each status the server answers: only SERVING passes', async () => {
  for (const status of ['NOT_SERVING', 'UNKNOWN', 'SERVICE_UNKNOWN', 'SERVING'] as const) {
    server.setStatus('', status);
    const verdict = await probe();
    assert.deepEqual([verdict.passed, verdict.probe.servingStatus, verdict.inconclusive], [status === 'SERVING', status, undefined], status);
  }
});

test('a named service is asked for by name; a service the server does not know is an error of the rule', async () => {
  server.setStatus('', 'NOT_SERVING');
  try {
    assert.equal((await probe({ service: 'payments.v1.Payments' })).passed, true);
    server.setStatus('payments.v1.Payments', 'NOT_SERVING');
    assert.equal((await probe({ service: 'payments.v1.Payments' })).probe.error, 'service "payments.v1.Payments" is NOT_SERVING');
    const unknown = await probe({ service: 'orders.v1.Orders' });
    assert.equal(unknown.inconclusive, 'rule-error');
    assert.equal(unknown.probe.grpcCode, 5);
    assert.match(unknown.probe.error ?? '', /^NOT_FOUND: the health service does not know service "orders\.v1\.Orders"/);
  } finally {
    server.setStatus('', 'SERVING');
    server.setStatus('payments.v1.Payments', 'SERVING');
  }
});

test('a server that never answers fails on the rule timeout; an aborted probe says why', async () => {
  server.hang();
  try {
    const late = await probe({ timeoutMs: 300 });
    assert.deepEqual([late.passed, late.probe.error, late.probe.grpcCode], [false, 'timed out after 300 ms', 4]);
    assert.ok(late.probe.latencyMs >= 290, `latency ${late.probe.latencyMs}`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('run deadline exceeded')), 100);
    const cut = await probe({ timeoutMs: 5_000 }, undefined, undefined, controller.signal);
    assert.deepEqual([cut.passed, cut.probe.error], [false, 'aborted: run deadline exceeded']);
  } finally {
    server.recover();
  }
});

test('a refused connect fails as UNAVAILABLE with ECONNREFUSED', async () => {
  await server.pause();
  try {
    const verdict = await probe();
    assert.equal(verdict.passed, false);
    assert.equal(verdict.inconclusive, undefined);
    assert.equal(verdict.probe.grpcCode, 14);
    assert.match(verdict.probe.error ?? '', /^UNAVAILABLE: .*ECONNREFUSED/);
  } finally {
    await server.resume();
  }
  assert.equal((await probe()).passed, true);
});

test('a server without the health service answers UNIMPLEMENTED: an error of the rule, not a failure of the pod', async () => {
  const bare = await startGrpcHealthServer({ host: HOST, health: false });
  try {
    const verdict = await probe({}, `${HOST}:${bare.port}`);
    assert.deepEqual([verdict.passed, verdict.inconclusive, verdict.probe.grpcCode], [false, 'rule-error', 12]);
    assert.match(verdict.probe.error ?? '', /^UNIMPLEMENTED: the server has no grpc\.health\.v1\.Health service/);
  } finally {
    await bare.close();
  }
});

test('the reference health implementation of grpc-health-check: SERVING passes, an unknown service is NOT_FOUND', async () => {
  const reference = new Server();
  new HealthImplementation({ '': 'SERVING', 'db': 'NOT_SERVING' }).addToServer(reference);
  const port = await new Promise<number>((resolve, reject) =>
    reference.bindAsync(`${HOST}:0`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  try {
    const address = `${HOST}:${port}`;
    assert.equal((await probe({}, address)).passed, true);
    assert.equal((await probe({ service: 'db' }, address)).probe.servingStatus, 'NOT_SERVING');
    assert.equal((await probe({ service: 'cache' }, address)).inconclusive, 'rule-error');
  } finally {
    reference.forceShutdown();
  }
});

test('TLS: refused as plaintext, verified against EXTRA_CA_FILE, refused without it', async () => {
  const tls = await startGrpcHealthServer({ host: HOST, tls: { key: EXTERNAL_SITE_KEY_PEM, cert: EXTERNAL_SITE_CERT_PEM } });
  const ca = await loadCaBundle(EXTERNAL_SITE_CA_PATH);
  try {
    const address = `${HOST}:${tls.port}`;
    assert.equal((await probe({}, address, ca)).passed, false, 'plaintext to a TLS port');
    const verified = await probe({ tls: { insecureSkipVerify: false } }, address, ca);
    assert.equal(verified.passed, true, verified.probe.error);
    const untrusted = await probe({ tls: { insecureSkipVerify: false } }, address, undefined);
    assert.equal(untrusted.passed, false);
    assert.match(untrusted.probe.error ?? '', /^UNAVAILABLE: .*certificate/i);
  } finally {
    await tls.close();
  }
});

test('TLS to a pod IP its certificate does not name: fails verified, passes with tls.serverName or insecureSkipVerify', async () => {
  // 127.0.0.41 is not among the certificate's names (localhost, 127.0.0.1, 127.0.0.10-20), as a pod IP never is.
  const tls = await startGrpcHealthServer({ host: '127.0.0.41', tls: { key: EXTERNAL_SITE_KEY_PEM, cert: EXTERNAL_SITE_CERT_PEM } });
  const ca = await loadCaBundle(EXTERNAL_SITE_CA_PATH);
  try {
    const address = `127.0.0.41:${tls.port}`;
    const byIp = await probe({ tls: { insecureSkipVerify: false } }, address, ca);
    assert.equal(byIp.passed, false);
    assert.match(byIp.probe.error ?? '', /127\.0\.0\.41/);
    const named = await probe({ tls: { serverName: 'localhost', insecureSkipVerify: false } }, address, ca);
    assert.equal(named.passed, true, named.probe.error);
    const wrongName = await probe({ tls: { serverName: 'db.internal', insecureSkipVerify: false } }, address, ca);
    assert.equal(wrongName.passed, false);
    const skipped = await probe({ tls: { insecureSkipVerify: true } }, address, undefined);
    assert.equal(skipped.passed, true, skipped.probe.error);
  } finally {
    await tls.close();
  }
});
