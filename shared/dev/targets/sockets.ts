// Tracks a server's sockets so close() can destroy them and never leave a test process hanging.
import type { Server as NetServer, Socket } from 'node:net';

export interface SocketTracker {
  readonly sockets: Set<Socket>;
  add(socket: Socket): void;
  destroyAll(): void;
}

export function trackSockets(server?: NetServer): SocketTracker {
  const sockets = new Set<Socket>();
  const add = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  // TLS servers emit 'connection' with the raw socket too, so one hook covers http, https and net.
  server?.on('connection', add);
  return {
    sockets,
    add,
    destroyAll() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}

export function listen(server: NetServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error(`unexpected listen address ${String(address)}`));
        return;
      }
      resolve(address.port);
    });
  });
}

/** Closes the listener and destroys every open socket; resolves once the listener is down. */
export function closeServer(server: NetServer, tracker: SocketTracker): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      tracker.destroyAll();
      resolve();
      return;
    }
    server.close(() => resolve());
    tracker.destroyAll();
  });
}

/** Host part of a URL: IPv6 literals need brackets, IPv4 and names do not. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
