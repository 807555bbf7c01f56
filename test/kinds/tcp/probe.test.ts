import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { probeTcp } from '../../../shared/kinds/tcp/probe.ts';
import { startTcpListener } from '../../../shared/dev/targets/index.ts';
import { startStalledListener } from '../../support/stalled-listener.ts';
import type { TcpListener } from '../../../shared/dev/targets/index.ts';

const HOST = '127.0.0.1';
let listener: TcpListener;
before(async () => (listener = await startTcpListener({ host: HOST, holdMs: 50 })));
after(() => listener.close());

test('a listening port passes and the connection is really made', async () => {
  const before = listener.connections;
  const verdict = await probeTcp(HOST, listener.port, undefined, new AbortController().signal);
  assert.deepEqual(verdict.passed, true);
  assert.equal(verdict.probe.error, undefined);
  // The listener counts on accept, which can trail the client's connect by a turn of the loop.
  for (let i = 0; i < 50 && listener.connections === before; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(listener.connections, before + 1);
});

test('a paused listener refuses: the probe fails with ECONNREFUSED', async () => {
  await listener.pause();
  try {
    const verdict = await probeTcp(HOST, listener.port, undefined, new AbortController().signal);
    assert.equal(verdict.passed, false);
    assert.match(verdict.probe.error ?? '', /ECONNREFUSED/);
  } finally {
    await listener.resume();
  }
});

test('an abort ends a connect that would never complete', async () => {
  // A listener with a backlog of its own that never accepts is hard to make portable; an aborted signal
  // before connect must still end the probe as failed and leave no socket behind.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as { port: number }).port;
  const controller = new AbortController();
  controller.abort(new Error('run deadline exceeded'));
  const verdict = await probeTcp(HOST, port, undefined, controller.signal);
  server.close();
  assert.equal(verdict.passed, false);
  assert.equal(verdict.probe.error, 'aborted: run deadline exceeded');
});

test('a connect the listener never accepts fails when the signal fires; released late, it passes but slow', async () => {
  const stalled = await startStalledListener(HOST);
  try {
    await stalled.stall();
    const hung = await probeTcp(HOST, stalled.port, undefined, AbortSignal.timeout(300));
    assert.deepEqual([hung.passed, hung.probe.error], [false, 'timed out']);
    // The kernel dropped the SYN; the client's retransmission (after its initial 1 s RTO) gets through once released.
    setTimeout(() => stalled.release(), 100);
    const slow = await probeTcp(HOST, stalled.port, 500, AbortSignal.timeout(5_000));
    assert.equal(slow.passed, false);
    assert.equal(slow.probe.slow, true);
    assert.ok(slow.probe.latencyMs > 500, `latency ${slow.probe.latencyMs}`);
  } finally {
    await stalled.close();
  }
});
