import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { probeHttp } from '../../../shared/kinds/http/probe.ts';
import { dispatcherFor } from '../../../shared/kinds/http/tls-dispatcher.ts';
import type { HttpProbeRule } from '../../../shared/kinds/http/probe.ts';
import { loadCaBundle } from '../../../shared/probes/tls-ca.ts';
import { freePort } from '../../support/redis.ts';
import { EXTERNAL_SITE_CA_PATH, EXTERNAL_SITE_CERT_PEM, EXTERNAL_SITE_KEY_PEM, startDemoApp } from '../../../shared/dev/targets/index.ts';
import type { DemoApp } from '../../../shared/dev/targets/index.ts';

const HOST = '127.0.0.1';
let app: DemoApp;
const agent = new Agent({ keepAliveTimeout: 5_000 });
const rule = (over: Partial<HttpProbeRule> = {}): HttpProbeRule => ({
  scheme: 'http',
  port: app.port,
  path: '/health',
  method: 'GET',
  headers: {},
  expectedStatus: [{ min: 200, max: 399 }],
  timeoutMs: 2_000,
  ...over,
});
const signal = () => new AbortController().signal;

before(async () => (app = await startDemoApp({ host: HOST })));
after(async () => {
  await agent.close();
  await app.close();
});

test('a healthy demo app passes, with its status and body checked', async () => {
  const verdict = await probeHttp(HOST, rule({ body: { json: { field: 'status', equals: 'ok' } } }), agent, signal());
  assert.equal(verdict.passed, true, JSON.stringify(verdict));
  assert.equal(verdict.probe.status, 200);
});

test('a failing app fails with its status; a wrong body fails with the field', async () => {
  app.fail();
  try {
    const verdict = await probeHttp(HOST, rule(), agent, signal());
    assert.deepEqual([verdict.passed, verdict.probe.status, verdict.probe.error], [false, 500, 'status 500 not in expected 200-399']);
    const body = await probeHttp(HOST, rule({ expectedStatus: [{ min: 500, max: 500 }], body: { json: { field: 'status', equals: 'ok' } } }), agent, signal());
    assert.equal(body.probe.error, 'JSON field status is "failing", expected "ok"');
  } finally {
    app.recover();
  }
});

test('a slow answer fails as slow with its latency', async () => {
  app.setDelay(150);
  try {
    const verdict = await probeHttp(HOST, rule({ slowMs: 50 }), agent, signal());
    assert.equal(verdict.passed, false);
    assert.equal(verdict.probe.slow, true);
    assert.ok(verdict.probe.latencyMs >= 150, `latency ${verdict.probe.latencyMs}`);
  } finally {
    app.setDelay(0);
  }
});

test('an app that never answers fails on the headers timeout', async () => {
  app.hang();
  try {
    const verdict = await probeHttp(HOST, rule({ timeoutMs: 100 }), agent, signal());
    assert.equal(verdict.passed, false);
    assert.match(verdict.probe.error ?? '', /timeout/i);
  } finally {
    app.recover();
  }
});

test('an aborted probe fails rather than hanging', async () => {
  app.hang();
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('run deadline exceeded')), 30);
    const verdict = await probeHttp(HOST, rule({ timeoutMs: 60_000 }), agent, controller.signal);
    assert.equal(verdict.passed, false);
    assert.equal(verdict.probe.error, 'aborted: run deadline exceeded');
  } finally {
    app.recover();
  }
});

test('nothing listening is a refused connection', async () => {
  const verdict = await probeHttp(HOST, rule({ port: await freePort() }), agent, signal());
  assert.equal(verdict.passed, false);
  assert.match(verdict.probe.error ?? '', /ECONNREFUSED/);
});

test('method and headers are sent as the rule says; only 64 KiB of a big body is read', async () => {
  let seen: { method?: string; header?: string } = {};
  const big = createServer((req, res) => {
    seen = { method: req.method, header: req.headers['x-probe'] as string };
    res.writeHead(200, { 'content-type': 'text/plain' });
    // 1 MiB of "a" and then the marker the regex looks for: a probe that read it all would find it.
    res.write('a'.repeat(1024 * 1024));
    res.end('MARKER');
  });
  await new Promise<void>((resolve) => big.listen(0, HOST, resolve));
  try {
    const port = (big.address() as AddressInfo).port;
    const verdict = await probeHttp(HOST, rule({ port, path: '/', method: 'POST', headers: { 'x-probe': 'yes' }, body: { regex: 'MARKER' } }), agent, signal());
    assert.deepEqual(seen, { method: 'POST', header: 'yes' });
    assert.equal(verdict.probe.error, 'body does not match /MARKER/ (body cut at the read limit)');
  } finally {
    big.closeAllConnections();
    big.close();
  }
});

test('https: verified against EXTRA_CA_FILE when given, refused without it', async () => {
  const tls = createHttpsServer({ key: EXTERNAL_SITE_KEY_PEM, cert: EXTERNAL_SITE_CERT_PEM }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => tls.listen(0, HOST, resolve));
  const ca = await loadCaBundle(EXTERNAL_SITE_CA_PATH);
  const trusting = new Agent({ connect: { ca } });
  try {
    const port = (tls.address() as AddressInfo).port;
    const ok = await probeHttp(HOST, rule({ scheme: 'https', port, path: '/' }), trusting, signal());
    assert.equal(ok.passed, true, JSON.stringify(ok));
    const refused = await probeHttp(HOST, rule({ scheme: 'https', port, path: '/' }), agent, signal());
    assert.equal(refused.passed, false);
    assert.match(refused.probe.error ?? '', /certificate/i);
  } finally {
    await trusting.close();
    tls.closeAllConnections();
    tls.close();
  }
});

test('loadCaBundle: a missing or non-PEM file is a clear start-up error', async () => {
  await assert.rejects(loadCaBundle('/nonexistent/ca.pem'), /EXTRA_CA_FILE \/nonexistent\/ca.pem cannot be read/);
  await assert.rejects(loadCaBundle(new URL(import.meta.url).pathname), /holds no PEM certificate/);
  assert.equal(await loadCaBundle(undefined), undefined);
});

test('https to a pod IP its certificate does not name: fails verified, passes with tls.serverName or insecureSkipVerify', async () => {
  // 127.0.0.31 is not among the certificate's names (localhost, 127.0.0.1, 127.0.0.10-20), as a pod IP never is.
  const server = createHttpsServer({ cert: EXTERNAL_SITE_CERT_PEM, key: EXTERNAL_SITE_KEY_PEM }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.31', resolve));
  const port = (server.address() as AddressInfo).port;
  const ca = await loadCaBundle(EXTERNAL_SITE_CA_PATH);
  const shared = new Agent({ connect: { ca } });
  try {
    const base = { ...rule({ scheme: 'https', port, path: '/' }) };
    const verified = await probeHttp('127.0.0.31', base, dispatcherFor({}, shared, ca), signal());
    assert.equal(verified.passed, false);
    assert.match(String(verified.probe.error), /ERR_TLS_CERT_ALTNAME_INVALID/);
    const named = { tls: { serverName: 'localhost', insecureSkipVerify: false } };
    assert.equal((await probeHttp('127.0.0.31', base, dispatcherFor(named, shared, ca), signal())).passed, true);
    const skipped = { tls: { insecureSkipVerify: true } };
    assert.equal((await probeHttp('127.0.0.31', base, dispatcherFor(skipped, shared, undefined), signal())).passed, true);
    assert.equal(dispatcherFor(named, shared, ca), dispatcherFor(named, shared, ca), 'one pool per rule, reused across runs');
  } finally {
    await shared.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
