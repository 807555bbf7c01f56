// A TCP port whose accept queue can be filled, so new connects really stall (the kernel drops their SYNs) until it
// is released: the only way to get a hanging or slow TCP connect on loopback. The listener lives in a worker thread
// whose event loop is parked with Atomics.wait while stalled, so nothing accepts.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const flag = new Int32Array(workerData.shared);
const sockets = new Set();
const server = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); s.on('close', () => sockets.delete(s)); s.resume(); });
server.listen({ host: workerData.host, port: workerData.port, backlog: 1 }, () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m === 'stall') {
    parentPort.postMessage('stalled');
    // Parks this thread (and so every accept) until the main thread stores 1 and notifies; bounded as a backstop.
    Atomics.wait(flag, 0, 0, 60000);
    Atomics.store(flag, 0, 0);
  }
  if (m === 'close') { for (const s of sockets) s.destroy(); server.close(() => parentPort.close()); }
});
`;

export interface StalledListener {
  readonly port: number;
  /** Stops accepting and fills the accept queue: connects made after this hang until release(). */
  stall(): Promise<void>;
  release(): void;
  close(): Promise<void>;
}

export async function startStalledListener(host: string, port = 0): Promise<StalledListener> {
  const shared = new SharedArrayBuffer(4);
  const flag = new Int32Array(shared);
  const worker = new Worker(WORKER, { eval: true, workerData: { host, port, shared } });
  const [ready] = (await once(worker, 'message')) as [{ port: number }];
  const fillers: Socket[] = [];
  const release = () => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
  return {
    port: ready.port,
    async stall() {
      worker.postMessage('stall');
      await once(worker, 'message');
      // Backlog 1 queues about two connections; a few more than that makes sure the queue is full.
      for (let i = 0; i < 4; i++) {
        const s = connect({ host, port: ready.port });
        s.on('error', () => {});
        fillers.push(s);
      }
      await sleep(100);
    },
    release,
    async close() {
      release();
      for (const s of fillers) s.destroy();
      worker.postMessage('close');
      await once(worker, 'exit');
    },
  };
}
