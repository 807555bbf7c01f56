// The simulated nginx pods' port: passes every request to the pod's demo app, answering `/` (what the seed rule
// nginx-http probes) with the app's /health, since the demo app itself serves no index page.
import { createServer, request } from 'node:http';
import type { Socket } from 'node:net';
import type { DemoApp } from '../targets/index.ts';

export interface NginxFront {
  close(): Promise<void>;
}

export async function startNginxFront(host: string, port: number, app: DemoApp): Promise<NginxFront> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = req.url === '/' ? '/health' : (req.url ?? '/');
    const upstream = request({ host: app.host, port: app.port, method: req.method, path, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-length': '0' });
      res.end();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
