// Drives every demo-app route and state change over real HTTP on a dedicated loopback address.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { request } from 'undici';
import { startDemoApp } from '../../../shared/dev/targets/index.ts';
import type { DemoApp } from '../../../shared/dev/targets/index.ts';

async function get(app: DemoApp, path: string, method: 'GET' | 'POST' = 'GET') {
  const res = await request(`${app.url}${path}`, { method });
  const body: unknown = await res.body.json();
  return { status: res.statusCode, contentType: res.headers['content-type'], body };
}

describe('demo app', () => {
  let app: DemoApp;
  before(async () => {
    app = await startDemoApp({ host: '127.0.0.10', port: 0 });
  });
  after(() => app.close());
  beforeEach(() => {
    app.recover();
    app.readyAgain();
    app.setDelay(0);
  });

  it('binds to the requested address', () => {
    assert.equal(app.host, '127.0.0.10');
    assert.ok(app.port > 0);
    assert.equal(app.url, `http://127.0.0.10:${app.port}`);
  });

  it('reports health and readiness as JSON', async () => {
    assert.deepEqual(await get(app, '/health'), { status: 200, contentType: 'application/json', body: { status: 'ok' } });
    assert.deepEqual(await get(app, '/ready'), { status: 200, contentType: 'application/json', body: { ready: true } });
  });

  it('/fail and /recover flip health (GET and POST)', async () => {
    assert.deepEqual((await get(app, '/fail', 'POST')).body, { status: 'failing' });
    assert.equal(app.state.healthy, false);
    assert.deepEqual(await get(app, '/health'), { status: 500, contentType: 'application/json', body: { status: 'failing' } });
    await get(app, '/recover', 'GET');
    assert.equal(app.state.healthy, true);
    assert.equal((await get(app, '/health')).status, 200);
    await get(app, '/fail', 'GET');
    assert.equal((await get(app, '/health')).status, 500);
    await get(app, '/recover', 'POST');
    assert.equal((await get(app, '/health')).status, 200);
  });

  it('/not-ready and /ready-again flip readiness', async () => {
    await get(app, '/not-ready', 'POST');
    assert.equal(app.state.ready, false);
    assert.deepEqual(await get(app, '/ready'), { status: 503, contentType: 'application/json', body: { ready: false } });
    await get(app, '/ready-again');
    assert.deepEqual((await get(app, '/ready')).body, { ready: true });
    assert.equal((await get(app, '/ready')).status, 200);
  });

  it('/slow delays probe routes but not control routes; ms=0 clears it', async () => {
    await get(app, '/slow?ms=300');
    assert.equal(app.state.delayMs, 300);
    let start = performance.now();
    assert.equal((await get(app, '/health')).status, 200);
    assert.ok(performance.now() - start >= 280, 'health should be delayed');
    start = performance.now();
    assert.equal((await get(app, '/ready')).status, 200);
    assert.ok(performance.now() - start >= 280, 'ready should be delayed');
    start = performance.now();
    await get(app, '/slow?ms=0');
    assert.ok(performance.now() - start < 250, 'control route must not be delayed');
    assert.equal(app.state.delayMs, 0);
    start = performance.now();
    await get(app, '/health');
    assert.ok(performance.now() - start < 250, 'delay should be cleared');
  });

  it('setDelay() is the programmatic /slow', async () => {
    app.setDelay(200);
    const start = performance.now();
    await get(app, '/health');
    assert.ok(performance.now() - start >= 180);
    assert.throws(() => app.setDelay(-1), RangeError);
  });

  it('/hang makes /health never answer until /recover', async () => {
    await get(app, '/hang', 'POST');
    const pending = get(app, '/health');
    const outcome = await Promise.race([pending.then(() => 'answered'), new Promise((r) => setTimeout(r, 300, 'hung'))]);
    assert.equal(outcome, 'hung');
    // Other routes keep answering while /health hangs.
    assert.equal((await get(app, '/ready')).status, 200);
    await get(app, '/recover');
    assert.deepEqual(await pending, { status: 200, contentType: 'application/json', body: { status: 'ok' } });
    assert.equal((await get(app, '/health')).status, 200);
  });

  it('hang() times out a client with a deadline', async () => {
    app.hang();
    await assert.rejects(request(`${app.url}/health`, { headersTimeout: 200 }), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    app.recover();
    assert.equal((await get(app, '/health')).status, 200);
  });

  it('fail() works programmatically', async () => {
    app.fail();
    assert.equal((await get(app, '/health')).status, 500);
  });

  it('unknown routes are 404 JSON', async () => {
    const res = await get(app, '/nope');
    assert.equal(res.status, 404);
    assert.equal(res.contentType, 'application/json');
    assert.equal((res.body as { error: string }).error, 'not found');
  });

  it('close() ends a hung request so the process can exit', async () => {
    const other = await startDemoApp({ host: '127.0.0.11', port: 0 });
    other.hang();
    const pending = request(`${other.url}/health`);
    await new Promise((r) => setTimeout(r, 50));
    await other.close();
    await assert.rejects(pending);
  });
});
