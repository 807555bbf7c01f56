// The seed lab's demo app: health/readiness endpoints whose answers tests (and probes) can break and repair.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, listen, trackSockets, urlHost } from './sockets.ts';

export interface DemoAppState {
  healthy: boolean;
  ready: boolean;
  delayMs: number;
  hanging: boolean;
}

export interface DemoAppOptions {
  host: string;
  port?: number;
}

export interface DemoApp {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly state: DemoAppState;
  fail(): void;
  recover(): void;
  notReady(): void;
  readyAgain(): void;
  setDelay(ms: number): void;
  hang(): void;
  close(): Promise<void>;
}

const CONTROL_ROUTES = new Set(['/fail', '/recover', '/not-ready', '/ready-again', '/slow', '/hang']);

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const { host } = options;
  const state: DemoAppState = { healthy: true, ready: true, delayMs: 0, hanging: false };
  // /health requests parked by /hang, answered on recover (or dropped on close).
  const hungHealth = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();

  const answerHealth = (res: ServerResponse): void => {
    if (state.healthy) sendJson(res, 200, { status: 'ok' });
    else sendJson(res, 500, { status: 'failing' });
  };

  const control = {
    fail(): void {
      state.healthy = false;
    },
    recover(): void {
      state.healthy = true;
      state.hanging = false;
      for (const res of hungHealth) answerHealth(res);
      hungHealth.clear();
    },
    notReady(): void {
      state.ready = false;
    },
    readyAgain(): void {
      state.ready = true;
    },
    setDelay(ms: number): void {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`delay must be a non-negative number, got ${ms}`);
      state.delayMs = ms;
    },
    hang(): void {
      state.hanging = true;
    },
  };

  const handleControl = (path: string, url: URL, res: ServerResponse): void => {
    switch (path) {
      case '/fail':
        control.fail();
        sendJson(res, 200, { status: 'failing' });
        return;
      case '/recover':
        control.recover();
        sendJson(res, 200, { status: 'ok' });
        return;
      case '/not-ready':
        control.notReady();
        sendJson(res, 200, { ready: false });
        return;
      case '/ready-again':
        control.readyAgain();
        sendJson(res, 200, { ready: true });
        return;
      case '/slow': {
        const ms = Number(url.searchParams.get('ms') ?? '0');
        if (!Number.isFinite(ms) || ms < 0) {
          sendJson(res, 400, { error: 'ms must be a non-negative number' });
          return;
        }
        control.setDelay(ms);
        sendJson(res, 200, { delayMs: ms });
        return;
      }
      case '/hang':
        control.hang();
        sendJson(res, 200, { status: 'hanging' });
        return;
    }
  };

  const handleProbe = (req: IncomingMessage, path: string, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'method not allowed' });
      return;
    }
    if (path === '/health') {
      if (state.hanging) {
        hungHealth.add(res);
        res.once('close', () => hungHealth.delete(res));
        return;
      }
      answerHealth(res);
      return;
    }
    if (path === '/ready') {
      sendJson(res, state.ready ? 200 : 503, { ready: state.ready });
      return;
    }
    sendJson(res, 404, { error: 'not found', path });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo-app.invalid');
    const path = url.pathname;
    if (CONTROL_ROUTES.has(path)) {
      if (req.method !== 'GET' && req.method !== 'POST') {
        sendJson(res, 405, { error: 'method not allowed' });
        return;
      }
      handleControl(path, url, res);
      return;
    }
    // The delay is read at arrival time, so a probe in flight keeps the delay it was given.
    if (state.delayMs > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        handleProbe(req, path, res);
      }, state.delayMs);
      timers.add(timer);
      return;
    }
    handleProbe(req, path, res);
  });
  const tracker = trackSockets(server);
  const port = await listen(server, host, options.port ?? 0);

  return {
    url: `http://${urlHost(host)}:${port}`,
    host,
    port,
    state,
    ...control,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      hungHealth.clear();
      await closeServer(server, tracker);
    },
  };
}
