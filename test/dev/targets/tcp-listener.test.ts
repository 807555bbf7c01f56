// Checks the TCP stand-in accepts, counts, refuses while paused, and binds fixed ports per address.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { startTcpListener } from '../../../shared/dev/targets/index.ts';

function tryConnect(host: string, port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('tcp listener', () => {
  it('accepts and counts connections on its own address', async () => {
    const listener = await startTcpListener({ host: '127.0.0.12', port: 0 });
    try {
      assert.equal(listener.host, '127.0.0.12');
      assert.equal(await tryConnect('127.0.0.12', listener.port), 'connected');
      assert.equal(await tryConnect('127.0.0.12', listener.port), 'connected');
      await new Promise((r) => setImmediate(r));
      assert.equal(listener.connections, 2);
      // Bound to 127.0.0.12 only, so the same port elsewhere on loopback is refused.
      assert.equal(await tryConnect('127.0.0.13', listener.port), 'ECONNREFUSED');
    } finally {
      await listener.close();
    }
  });

  it('closes a held connection after holdMs without writing anything', async () => {
    const listener = await startTcpListener({ host: '127.0.0.12', holdMs: 100 });
    try {
      const received = await new Promise<number>((resolve, reject) => {
        let bytes = 0;
        const socket = connect({ host: '127.0.0.12', port: listener.port });
        socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
        socket.once('end', () => {
          socket.destroy();
          resolve(bytes);
        });
        socket.once('error', reject);
      });
      assert.equal(received, 0);
    } finally {
      await listener.close();
    }
  });

  it('refuses after pause() and accepts again on the same port after resume()', async () => {
    const listener = await startTcpListener({ host: '127.0.0.12', port: 0 });
    try {
      const { port } = listener;
      await listener.pause();
      assert.equal(listener.accepting, false);
      assert.equal(await tryConnect('127.0.0.12', port), 'ECONNREFUSED');
      await listener.resume();
      assert.equal(listener.accepting, true);
      assert.equal(listener.port, port);
      assert.equal(await tryConnect('127.0.0.12', port), 'connected');
    } finally {
      await listener.close();
    }
  });

  it('pause() refuses new connections even while one is held open', async () => {
    const listener = await startTcpListener({ host: '127.0.0.12', holdMs: 10_000 });
    const held = connect({ host: '127.0.0.12', port: listener.port });
    try {
      await new Promise((r) => held.once('connect', r));
      await listener.pause();
      assert.equal(await tryConnect('127.0.0.12', listener.port), 'ECONNREFUSED');
      await listener.resume();
      assert.equal(await tryConnect('127.0.0.12', listener.port), 'connected');
    } finally {
      held.destroy();
      await listener.close();
    }
  });

  it('pods of one deployment share a fixed port on different addresses', async () => {
    const first = await startTcpListener({ host: '127.0.0.12', port: 0 });
    const second = await startTcpListener({ host: '127.0.0.13', port: first.port });
    try {
      assert.equal(second.port, first.port);
      assert.equal(await tryConnect('127.0.0.12', first.port), 'connected');
      assert.equal(await tryConnect('127.0.0.13', first.port), 'connected');
      await second.pause();
      assert.equal(await tryConnect('127.0.0.13', first.port), 'ECONNREFUSED');
      assert.equal(await tryConnect('127.0.0.12', first.port), 'connected');
    } finally {
      await first.close();
      await second.close();
    }
  });
});
