// A real Squid for a simulated proxy pod: what it answers (absolute-URI HTTP, CONNECT to 443 only, its error
// statuses), losing and regaining its upstream by reconfigure, and `squid -k check` before and after -k shutdown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { startExternalSite, startSquid } from '../../../shared/dev/targets/index.ts';
import type { ExternalSite, SquidProxy } from '../../../shared/dev/targets/index.ts';
import { LoopbackAllocator, spreadFirstAddress } from '../../../shared/dev/kube-sim/addresses.ts';

let site: ExternalSite;
let squid: SquidProxy;
const addresses = new LoopbackAllocator(spreadFirstAddress());

before(async () => {
  site = await startExternalSite({ host: '127.0.0.1' });
  squid = await startSquid({ host: addresses.allocate(), port: 3128, resolve: { 'example.com': { host: site.host, ports: { 80: site.port } } } });
});
after(async () => {
  await squid?.close();
  await site?.close();
});

/** A GET with an absolute URI as request-target, as a client configured with the proxy sends it. */
function get(proxy: SquidProxy, url: string): Promise<{ status: number; squidError: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: proxy.host, port: proxy.port, path: url, headers: { host: url.startsWith('/') ? proxy.host : new URL(url).host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, squidError: res.headers['x-squid-error'] as string | undefined, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The status line and X-Squid-Error of Squid's answer to a CONNECT. */
function connectTo(proxy: SquidProxy, authority: string): Promise<{ statusLine: string; squidError: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.port, proxy.host, () => socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
    let head = '';
    socket.on('data', (c: Buffer) => {
      head += c.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.destroy();
      const lines = head.slice(0, end).split('\r\n');
      const error = lines.find((l) => /^x-squid-error:/i.test(l));
      resolve({ statusLine: lines[0] ?? '', squidError: error?.replace(/^x-squid-error:\s*/i, '') });
    });
    socket.on('error', reject);
  });
}

test('absolute-URI HTTP is forwarded and the site answers; a bare path is Squid\'s 400 ERR_INVALID_URL', async () => {
  assert.deepEqual({ ...(await get(squid, `${site.url}/status/404`)), body: '' }, { status: 404, squidError: undefined, body: '' });
  const bare = await get(squid, '/');
  assert.equal(bare.status, 400);
  assert.match(bare.squidError ?? '', /^ERR_INVALID_URL/);
  assert.match(bare.body, /squid/i);
});

test('a name of the resolve table reaches its local server; the access log keeps the URL as asked', async () => {
  const before = squid.requests.length;
  const res = await get(squid, 'http://example.com/');
  assert.deepEqual([res.status, res.body], [200, 'ok']);
  assert.deepEqual(squid.requests.slice(before).map((q) => [q.method, q.target, q.status]), [['GET', 'http://example.com/', 200]]);
});

test('CONNECT is allowed to 443 only (a stock SSL_ports): another port is Squid\'s 403 ERR_ACCESS_DENIED', async () => {
  const denied = await connectTo(squid, `127.0.0.1:${site.port}`);
  assert.match(denied.statusLine, /^HTTP\/1\.1 403 /);
  assert.match(denied.squidError ?? '', /^ERR_ACCESS_DENIED/);
});

test('losing the upstream: reconfigured onto a gone parent, HTTP is 502 and CONNECT 500; restored, the site answers again', async () => {
  await squid.loseUpstream();
  try {
    assert.equal(squid.upstreamLost, true);
    const lost = await get(squid, `${site.url}/`);
    assert.deepEqual([lost.status, lost.squidError?.split(' ')[0]], [502, 'ERR_READ_ERROR']);
    const tunnel = await connectTo(squid, '127.0.0.1:443');
    assert.match(tunnel.statusLine, /^HTTP\/1\.1 500 /);
    assert.match(tunnel.squidError ?? '', /^ERR_CANNOT_FORWARD/);
  } finally {
    await squid.restoreUpstream();
  }
  assert.equal((await get(squid, `${site.url}/`)).status, 200);
});

test('squid -k check: exit 0 while Squid runs; after squid -k shutdown, exit 1 with Squid\'s FATAL about its pid file', async () => {
  const other = await startSquid({ host: addresses.allocate(), port: 3128 });
  try {
    const pid = other.pid;
    assert.ok(pid !== undefined && other.running);
    assert.deepEqual(await other.squidCommand(['-k', 'check', '-d', '1']), { exitCode: 0, stdout: '', stderr: '' });
    await other.shutdown();
    assert.equal(other.running, false);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the Squid process is gone');
    const check = await other.squidCommand(['-k', 'check', '-d', '1']);
    assert.equal(check.exitCode, 1);
    assert.match(check.stderr, /FATAL: failed to open .*squid\.pid: \(2\) No such file or directory/);
  } finally {
    await other.close();
  }
  assert.equal(existsSync(other.dir), false, 'close removes its directory');
});

test('close stops the process and a second Squid on the same port of another address is independent', async () => {
  const a = await startSquid({ host: addresses.allocate(), port: 3128 });
  const b = await startSquid({ host: addresses.allocate(), port: 3128 });
  const pid = a.pid!;
  await a.close();
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
  assert.equal((await get(b, `${site.url}/`)).status, 200);
  await b.close();
});

test('a Squid starts on any pod address: its -n service name stays within the 32 characters Squid allows', async () => {
  // The longest dotted form there is; the name once spelled the address out and went over Squid's limit.
  const far = await startSquid({ host: '127.255.255.254', port: 3128 });
  try {
    assert.ok(far.name.length <= 32, far.name);
    assert.equal((await get(far, '/')).status, 400, 'it answers: a bare path is ERR_INVALID_URL');
  } finally {
    await far.close();
  }
});
