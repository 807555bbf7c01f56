// The egress kind in check-egress: each proxy pod of both roles fetches the rule's URLs, http:// and https:// alike.
// Every proxy pod runs a real Squid (see test/support/check-lab.ts); what a proxy saw comes from Squid's access log.
import { test, before, after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { EventType } from '../../../shared/events/types.ts';
import type { RunningFunction } from '../../../shared/runtime/run-function.ts';
import { postBinary } from '../../support/http.ts';
import { EXTERNAL_SITE_CA_PATH, startDemoApp } from '../../../shared/dev/targets/index.ts';
import type { DemoApp } from '../../../shared/dev/targets/index.ts';
import { LAB_PROXIES, PORTS, resultsOf, startLab } from '../../support/check-lab.ts';
import type { Lab } from '../../support/check-lab.ts';

const NOW = new Date('2030-07-08T09:10:11.000Z');
const ping = (id: string) => ({ id, type: EventType.ping, source: '/apis/v1/namespaces/selfheal/pingsources/check-egress' });
const proxies = LAB_PROXIES;

let lab: Lab;
let fn: RunningFunction;
let hungApp: DemoApp;
let rules: unknown[];
type Result = ReturnType<typeof resultsOf>[number];

before(async () => {
  lab = await startLab();
  hungApp = await startDemoApp({ host: '127.0.0.1' });
  hungApp.hang();
  await lab.deploy('proxy', 'squid-primary', 1, 'proxy', { app: 'squid', role: 'primary' });
  await lab.deploy('proxy', 'squid-secondary', 1, 'proxy', { app: 'squid', role: 'secondary' });
  const base = { kind: 'egress', namespace: 'proxy', service: 'squid', proxies, timeoutMs: 2_000 };
  rules = [
    { ...base, name: 'squid-egress', urls: [`${lab.site.url}/`, `${lab.tlsSite.url}/`] },
    // The proxies allow CONNECT only to 443 and the TLS site's port, as a stock Squid allows only SSL_ports.
    { ...base, name: 'egress-connect-denied', urls: [`${lab.site.url}/`, `https://127.0.0.1:${lab.site.port}/`] },
    { ...base, name: 'egress-404', urls: [`${lab.site.url}/`, `${lab.site.url}/status/404`] },
    { ...base, name: 'egress-404-ok', urls: [`${lab.site.url}/status/404`], expectedStatus: [404] },
    { ...base, name: 'egress-hang', urls: [`${lab.site.url}/`, `${hungApp.url}/health`], timeoutMs: 300 },
    { ...base, name: 'egress-missing', urls: [`${lab.site.url}/`], proxies: { ...proxies, secondary: { selector: { app: 'nobody' } } } },
  ];
  fn = await lab.start('check-egress', rules, { EXTRA_CA_FILE: EXTERNAL_SITE_CA_PATH }, { now: () => NOW });
});
after(async () => {
  await lab.close();
  hungApp.recover();
  await hungApp.close();
});

async function run(rule: string, url = fn.url): Promise<Map<string, Result>> {
  lab.sink.clear();
  const res = await postBinary(url, ping(`egress-${Math.random()}`), { rules: [rule] });
  assert.equal(res.status, 202, res.text);
  return new Map(resultsOf(lab.sink, rule).map((r) => [(r.data.proxy as { role: string }).role, r]));
}

/** Reads Squid's access log again (bounded: 50 times, 5 s) until it holds `count` entries. */
async function untilLogged<T>(read: () => T[], count: number): Promise<T[]> {
  let got = read();
  for (let i = 0; i < 50 && got.length < count; i++) {
    await sleep(100);
    got = read();
  }
  return got;
}

const podOf = (role: string) => lab.sim.listPods('proxy', { app: 'squid', role })[0]!;
const proxyOf = (role: string) => lab.proxies.get(podOf(role).metadata.name)!;

test('both proxies pass: http:// as an absolute-URI request, https:// through CONNECT, one result per proxy pod', async () => {
  const primaryRequests = proxyOf('primary').requests.length;
  const results = await run('squid-egress');
  assert.deepEqual([...results.keys()].sort(), ['primary', 'secondary']);
  for (const role of ['primary', 'secondary']) {
    const r = results.get(role)!;
    const pod = podOf(role);
    assert.equal(r.type, EventType.checkPassed, JSON.stringify(r.data));
    assert.equal(r.source, '/selfheal/check-egress/squid-egress');
    assert.equal(r.subject, `proxy/proxy/${pod.metadata.name}`);
    assert.deepEqual(r.data.target, {
      namespace: 'proxy',
      kind: 'Proxy',
      name: pod.metadata.name,
      workload: { kind: 'Deployment', name: `squid-${role}` },
      address: `${pod.status.podIP}:${PORTS.proxy}`,
    });
    assert.deepEqual(r.data.proxy, { group: 'squid-egress', role });
    assert.equal(r.data.observedAt, NOW.toISOString());
  }
  // Squid logs a tunnel when it closes, which can be after the run answered: the log is read until it shows both.
  const seen = await untilLogged(() => proxyOf('primary').requests.slice(primaryRequests), 2);
  assert.deepEqual(seen.map((q) => `${q.method} ${q.target}`).sort(), [`CONNECT 127.0.0.1:${lab.tlsSite.port}`, `GET ${lab.site.url}/`]);
});

test('the primary loses its upstream: the primary fails with Squid\'s 502, the secondary still passes; restored, it passes again', async () => {
  await run('squid-egress');
  // Reconfigured onto a parent peer that is gone; resolves once Squid listens again (its port closes meanwhile).
  await proxyOf('primary').loseUpstream();
  try {
    const results = await run('squid-egress');
    // A fresh tunnel per run: one kept from the run before would still reach the site and hide the loss.
    // Squid's log shows it: a CONNECT it could not forward, answered 500 ERR_CANNOT_FORWARD.
    const refused = await untilLogged(() => proxyOf('primary').requests.filter((q) => q.method === 'CONNECT' && q.status !== 200), 1);
    assert.deepEqual(refused.map((q) => [q.target, q.status]), [[`127.0.0.1:${lab.tlsSite.port}`, 500]]);
    const primary = results.get('primary')!;
    assert.equal(primary.type, EventType.checkFailed);
    const probe = primary.data.probe as { url: string; status?: number; error: string };
    assert.equal(probe.url, `${lab.site.url}/`);
    // Squid answers a request it cannot forward to the (gone) parent with 502 ERR_READ_ERROR.
    assert.equal(probe.status, 502);
    assert.equal(results.get('secondary')!.type, EventType.checkPassed);
  } finally {
    await proxyOf('primary').restoreUpstream();
  }
  const again = await run('squid-egress');
  assert.equal(again.get('primary')!.type, EventType.checkPassed);
});

test('https goes through CONNECT: a proxy refusing CONNECT to that port fails the https URL only', async () => {
  const results = await run('egress-connect-denied');
  for (const r of results.values()) {
    assert.equal(r.type, EventType.checkFailed);
    const probe = r.data.probe as { url: string; status: number; error: string };
    assert.equal(probe.url, `https://127.0.0.1:${lab.site.port}/`);
    assert.equal(probe.status, 403);
  }
});

test('an unexpected status fails naming the URL; expectedStatus can allow it', async () => {
  const failing = await run('egress-404');
  for (const r of failing.values()) {
    assert.equal(r.type, EventType.checkFailed);
    assert.deepEqual({ ...(r.data.probe as object), latencyMs: 0 }, { latencyMs: 0, url: `${lab.site.url}/status/404`, status: 404, error: 'status 404 not in expected 200-399' });
  }
  const allowed = await run('egress-404-ok');
  assert.deepEqual([...allowed.values()].map((r) => r.type), [EventType.checkPassed, EventType.checkPassed]);
});

test('a URL that never answers through the proxy times out, naming the URL', async () => {
  const results = await run('egress-hang');
  for (const r of results.values()) {
    assert.equal(r.type, EventType.checkFailed);
    const probe = r.data.probe as { url: string; error: string };
    assert.equal(probe.url, `${hungApp.url}/health`);
    assert.equal(probe.error, 'timed out after 300 ms');
  }
});

test('a proxy role without a running pod is a failed result of its own', async () => {
  const results = await run('egress-missing');
  assert.equal(results.get('primary')!.type, EventType.checkPassed);
  const missing = results.get('secondary')!;
  assert.equal(missing.type, EventType.checkFailed);
  assert.deepEqual(missing.data.target, { namespace: 'proxy', kind: 'Proxy', name: 'egress-missing-secondary' });
  assert.equal((missing.data.probe as { error: string }).error, 'no running pod');
  assert.equal(missing.subject, 'proxy/proxy/egress-missing-secondary');
});

test('without EXTRA_CA_FILE the https site is not trusted, so the check fails on its certificate', async () => {
  const untrusting = await lab.start('check-egress', rules);
  const results = await run('squid-egress', untrusting.url);
  const probe = results.get('primary')!.data.probe as { url: string; error: string };
  assert.equal(probe.url, `${lab.tlsSite.url}/`);
  assert.match(probe.error, /certificate/i);
});
