// A recording CloudEvent sink on loopback: stands in for the Broker, and can be told to fail the next N deliveries.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP } from 'cloudevents';
import type { CloudEvent } from 'cloudevents';

export interface Sink {
  url: string;
  events: CloudEvent<unknown>[];
  attempts: number;
  /** Answer the next `count` deliveries with `status` instead of 202. */
  failNext(count: number, status: number): void;
  /** Resolves when at least `count` events have arrived (or rejects after timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<CloudEvent<unknown>[]>;
  ofType<T>(type: string): Array<CloudEvent<T>>;
  clear(): void;
  close(): Promise<void>;
}

export async function startSink(host = '127.0.0.1'): Promise<Sink> {
  const events: CloudEvent<unknown>[] = [];
  let failing = 0;
  let failStatus = 503;
  let attempts = 0;
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      attempts++;
      if (failing > 0) {
        failing--;
        res.writeHead(failStatus).end();
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const event = HTTP.toEvent<unknown>({ headers, body: Buffer.concat(chunks).toString() });
      events.push(...(Array.isArray(event) ? event : [event]) as CloudEvent<unknown>[]);
      res.writeHead(202).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    events,
    get attempts() {
      return attempts;
    },
    failNext(count, status) {
      failing = count;
      failStatus = status;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (events.length < count) {
        const left = until - Date.now();
        if (left <= 0) throw new Error(`sink got ${events.length} events, expected ${count}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return events;
    },
    ofType<T>(type: string) {
      return events.filter((e) => e.type === type) as Array<CloudEvent<T>>;
    },
    clear() {
      events.length = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
