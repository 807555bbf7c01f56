// Sends real HTTP and HTTPS traffic through the Squid stand-in to the external site, and breaks its upstream.
// The stand-in runs the stack and the demo's proxy pods only where squid is not installed; every other proxy test
// runs real Squid (test/dev/targets/squid.test.ts, the check lab).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ProxyAgent, request } from 'undici';
import {
  EXTERNAL_SITE_CA_PEM,
  startExternalSite,
  startForwardProxy,
  startTcpListener,
} from '../../../shared/dev/targets/index.ts';
import type { ExternalSite, ForwardProxy } from '../../../shared/dev/targets/index.ts';

/** Sends one raw request line to the proxy and returns the status line it answers with. */
function rawStatusLine(proxy: ForwardProxy, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: proxy.host, port: proxy.port });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      const end = data.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(data.slice(0, end));
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed without a status line: ${JSON.stringify(data)}`)));
    socket.write(head);
  });
}

describe('forward proxy', () => {
  let site: ExternalSite;
  let tlsSite: ExternalSite;
  let proxy: ForwardProxy;
  let httpAgent: ProxyAgent;
  let httpsAgent: ProxyAgent;

  before(async () => {
    site = await startExternalSite({ host: '127.0.0.10' });
    tlsSite = await startExternalSite({ host: '127.0.0.10', tls: true });
    proxy = await startForwardProxy({ host: '127.0.0.11', port: 0, allowConnectPorts: [tlsSite.port] });
    httpAgent = new ProxyAgent({ uri: proxy.url, proxyTunnel: false });
    httpsAgent = new ProxyAgent({ uri: proxy.url, requestTls: { ca: EXTERNAL_SITE_CA_PEM } });
  });
  after(async () => {
    await httpAgent.close();
    await httpsAgent.close();
    await proxy.close();
    await site.close();
    await tlsSite.close();
  });
  beforeEach(() => {
    proxy.restoreUpstream();
    proxy.requests.length = 0;
  });

  it('forwards an absolute-URI request and adds Via', async () => {
    const res = await request(`${site.url}/`, { dispatcher: httpAgent });
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), 'ok');
    assert.match(String(res.headers.via), /selfheal-proxy/);
    assert.deepEqual(proxy.requests, [{ method: 'GET', target: `${site.url}/` }]);
  });

  it('passes upstream statuses through', async () => {
    const res = await request(`${site.url}/status/418`, { dispatcher: httpAgent });
    assert.equal(res.statusCode, 418);
    await res.body.dump();
  });

  it('tunnels HTTPS through CONNECT to the TLS site', async () => {
    const res = await request(`${tlsSite.url}/`, { dispatcher: httpsAgent });
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), 'ok');
    assert.deepEqual(proxy.requests, [{ method: 'CONNECT', target: `127.0.0.10:${tlsSite.port}` }]);
  });

  it('the TLS site rejects clients that do not trust the fixture CA', async () => {
    const untrusting = new ProxyAgent({ uri: proxy.url });
    try {
      await assert.rejects(request(`${tlsSite.url}/`, { dispatcher: untrusting }), /self[- ]signed/i);
    } finally {
      await untrusting.close();
    }
  });

  it('answers 503 for both kinds of request after loseUpstream(), and recovers', async () => {
    proxy.loseUpstream();
    // Fresh agents so no tunnel or keep-alive socket from earlier tests hides the outage.
    const plain = new ProxyAgent({ uri: proxy.url, proxyTunnel: false });
    const tunnel = new ProxyAgent({ uri: proxy.url, requestTls: { ca: EXTERNAL_SITE_CA_PEM } });
    try {
      const res = await request(`${site.url}/`, { dispatcher: plain });
      assert.equal(res.statusCode, 503);
      assert.match(String(res.headers['x-squid-error']), /^ERR_CONNECT_FAIL/);
      assert.match(await res.body.text(), /ERR_CONNECT_FAIL/);
      await assert.rejects(request(`${tlsSite.url}/`, { dispatcher: tunnel }), /Proxy response \(503\)/);

      proxy.restoreUpstream();
      const again = await request(`${site.url}/`, { dispatcher: plain });
      assert.equal(again.statusCode, 200);
      assert.equal(await again.body.text(), 'ok');
      const tls = await request(`${tlsSite.url}/`, { dispatcher: tunnel });
      assert.equal(tls.statusCode, 200);
      assert.equal(await tls.body.text(), 'ok');
    } finally {
      await plain.close();
      await tunnel.close();
    }
  });

  it('refuses CONNECT to a port not allowed with 403', async () => {
    // A real listener on that port, so only the port policy can explain the refusal.
    const other = await startTcpListener({ host: '127.0.0.10' });
    try {
      const line = await rawStatusLine(proxy, `CONNECT 127.0.0.10:${other.port} HTTP/1.1\r\nHost: 127.0.0.10:${other.port}\r\n\r\n`);
      assert.match(line, /^HTTP\/1\.1 403 /);
      assert.equal(other.connections, 0);
      const agent = new ProxyAgent({ uri: proxy.url, requestTls: { ca: EXTERNAL_SITE_CA_PEM } });
      try {
        await assert.rejects(request(`https://127.0.0.10:${other.port}/`, { dispatcher: agent }), /Proxy response \(403\)/);
      } finally {
        await agent.close();
      }
    } finally {
      await other.close();
    }
  });

  it('answers 503 when the upstream refuses the connection', async () => {
    const gone = await startTcpListener({ host: '127.0.0.10' });
    const port = gone.port;
    await gone.close();
    const res = await request(`http://127.0.0.10:${port}/`, { dispatcher: httpAgent });
    assert.equal(res.statusCode, 503);
    assert.match(String(res.headers['x-squid-error']), /ERR_CONNECT_FAIL ECONNREFUSED/);
    await res.body.dump();
    // A proxy that allows the dead port, so the CONNECT gets past the port policy to the refused dial.
    const permissive = await startForwardProxy({ host: '127.0.0.11', allowConnectPorts: [port] });
    try {
      const line = await rawStatusLine(permissive, `CONNECT 127.0.0.10:${port} HTTP/1.1\r\nHost: 127.0.0.10:${port}\r\n\r\n`);
      assert.match(line, /^HTTP\/1\.1 503 /);
    } finally {
      await permissive.close();
    }
  });

  it('rejects origin-form requests with 400', async () => {
    const res = await request(`${proxy.url}/`);
    assert.equal(res.statusCode, 400);
    await res.body.dump();
  });
});
