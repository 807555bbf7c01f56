// A bare TCP port standing in for a pod's tcpSocket probe target; can stop accepting to produce ECONNREFUSED.
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { closeServer, listen, trackSockets } from './sockets.ts';

export interface TcpListenerOptions {
  host: string;
  port?: number;
  /** How long an accepted connection is held open before the listener closes it. */
  holdMs?: number;
}

export interface TcpListener {
  readonly host: string;
  readonly port: number;
  /** Connections accepted since start. */
  readonly connections: number;
  readonly accepting: boolean;
  /** Closes the listening socket (existing connections stay) so new connects get ECONNREFUSED. */
  pause(): Promise<void>;
  /** Listens again on the same host:port. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpListener(options: TcpListenerOptions): Promise<TcpListener> {
  const { host } = options;
  const holdMs = options.holdMs ?? 1000;
  let connections = 0;
  let closed = false;
  // A paused listener is closed for good in Node, so resume() builds a fresh one sharing this tracker.
  const tracker = trackSockets();
  const makeServer = (): Server =>
    createServer((socket) => {
      connections += 1;
      tracker.add(socket);
      socket.on('error', () => socket.destroy());
      const timer = setTimeout(() => socket.end(), holdMs);
      socket.once('close', () => clearTimeout(timer));
      // Resume so a client that half-closes gets its 'end' and we close in turn.
      socket.resume();
      socket.once('end', () => socket.end());
    });

  let server = makeServer();
  const port = await listen(server, host, options.port ?? 0);

  return {
    host,
    port,
    get connections() {
      return connections;
    },
    get accepting() {
      return server.listening;
    },
    pause() {
      // close()'s callback waits for held connections to end; the listening handle itself is gone
      // as soon as libuv runs its close callback, which has happened by the next turn of the loop.
      if (server.listening) server.close();
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
    async resume() {
      if (closed) throw new Error('tcp listener is closed');
      if (server.listening) return;
      server = makeServer();
      await listen(server, host, port);
    },
    async close() {
      closed = true;
      await closeServer(server, tracker);
    },
  };
}
