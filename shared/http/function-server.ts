// The HTTP server every function runs on: CloudEvents in (binary or structured), a CloudEvent or an empty 202 out,
// health endpoints, and a graceful stop that finishes in-flight requests.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP } from 'cloudevents';
import type { CloudEvent } from 'cloudevents';
import type { z } from 'zod';
import type { Logger } from '../log/logger.ts';
import { eventLogger } from '../log/logger.ts';
import { issuesToProblems } from '../config/problems.ts';
import { HttpError, badRequest } from './http-error.ts';
import { parseEvent } from './parse-event.ts';
import { readBody } from './read-body.ts';

/** What a handler answers: nothing (202 Accepted) or one CloudEvent that goes back to the Broker. */
export type Reply = { event?: CloudEvent<unknown> } | undefined;

export interface EventContext {
  event: CloudEvent<unknown>;
  log: Logger;
  signal: AbortSignal;
}

export interface EventHandler<S extends z.ZodType = z.ZodType> {
  schema: S;
  handle(data: z.infer<S>, ctx: EventContext): Promise<Reply>;
}

/** Defined with this helper so the handler's data type follows from its schema. */
export function on<S extends z.ZodType>(schema: S, handle: (data: z.infer<S>, ctx: EventContext) => Promise<Reply>): EventHandler<S> {
  return { schema, handle };
}

export interface PlainResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET';
  /** Matched against the path; named groups become params. */
  path: RegExp;
  handle(params: Record<string, string>, url: URL): Promise<PlainResponse>;
}

export interface FunctionServerOptions {
  name: string;
  logger: Logger;
  handlers: Record<string, EventHandler>;
  routes?: Route[];
  bodyLimitBytes?: number;
  /** Extra readiness condition (e.g. Redis answers); asked on every probe, so a check that does I/O caches. */
  ready?: () => boolean | Promise<boolean>;
  /** Describes rule/target of an event for its log lines, when the data says so. */
  describe?: (data: unknown) => { rule?: string; rules?: string; target?: string };
  /** Served at GET /metrics (Knative allows one container port, so it is the function's own). */
  metrics?: MetricsSource;
  /** Told of every error answer, before it is sent (the metrics count the dependencies that failed). */
  observeError?: (error: HttpError) => void;
  /** For a function that takes no CloudEvents: what to ask it instead, said to whoever POSTs one. */
  usage?: string;
}

/** What /metrics reads: a Prometheus registry's exposition and its content type. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface FunctionServer {
  readonly server: Server;
  listen(port: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  /** Stops accepting, waits for in-flight requests (up to graceMs), then resolves. */
  stop(graceMs?: number): Promise<void>;
  readonly inFlight: number;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    'content-length': Buffer.byteLength(text).toString(),
    ...headers,
  });
  res.end(text);
}

function sendEvent(res: ServerResponse, event: CloudEvent<unknown>): void {
  const message = HTTP.binary(event);
  const body = typeof message.body === 'string' ? message.body : JSON.stringify(message.body);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers)) headers[k] = String(v);
  headers['content-length'] = Buffer.byteLength(body).toString();
  res.writeHead(200, headers);
  res.end(body);
}

async function sendMetrics(res: ServerResponse, source: MetricsSource): Promise<void> {
  const text = await source.metrics();
  res.writeHead(200, { 'content-type': source.contentType, 'content-length': Buffer.byteLength(text).toString() });
  res.end(text);
}

const MAX_PROBLEMS = 20;

/** An array of thousands of wrong items is thousands of problems: the answer and the log line name the first ones. */
function firstProblems(problems: string[]): string[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more problems`];
}

/** The logger for what is said about one request: the root one until the request is known to be an event. */
interface RequestScope {
  log: Logger;
}

/** One CloudEvent in: parsed, matched to its handler, its data checked against the handler's schema, handled. */
async function dispatchEvent(opts: FunctionServerOptions, signal: AbortSignal, scope: RequestScope, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // A binary-mode event names itself in its headers: a body that does not parse is still this event's refusal.
  const [id, type] = [req.headers['ce-id'], req.headers['ce-type']];
  if (typeof id === 'string' && typeof type === 'string') scope.log = eventLogger(opts.logger, { id, type });
  const body = await readBody(req, opts.bodyLimitBytes ?? 256 * 1024);
  const event = parseEvent(req.headers, body);
  // From here on a refusal is about this event, and its log line says which one.
  scope.log = eventLogger(opts.logger, { id: event.id, type: event.type });
  const handler = opts.handlers[event.type];
  if (!handler) {
    throw badRequest(`unknown event type "${event.type}": this function accepts ${Object.keys(opts.handlers).join(', ')}`);
  }
  const parsed = handler.schema.safeParse(event.data);
  if (!parsed.success) {
    const problems = firstProblems(issuesToProblems('data', parsed.error.issues, event.data));
    throw badRequest(`invalid data for ${event.type}: ${problems.join('; ')}`, problems);
  }
  const described = opts.describe?.(parsed.data) ?? {};
  const elog = eventLogger(opts.logger, { id: event.id, type: event.type, ...described });
  scope.log = elog;
  elog.debug('event received');
  const reply = await handler.handle(parsed.data, { event, log: elog, signal });
  if (reply?.event) sendEvent(res, reply.event);
  else sendJson(res, 202, undefined);
}

/** An error as the answer it means: an HttpError's own status and details, anything else a 500 that hides it. */
function answerError(log: Logger, req: IncomingMessage, res: ServerResponse, error: unknown, observe?: (error: HttpError) => void): void {
  if (error instanceof HttpError) {
    observe?.(error);
    const level = error.status >= 500 ? 'error' : 'warn';
    log[level]({ status: error.status, err: error.message, path: req.url }, 'request refused');
    if (!res.headersSent) sendJson(res, error.status, { error: error.message, ...(error.details.length ? { details: error.details } : {}) });
    else res.destroy();
    return;
  }
  log.error({ err: error }, 'request failed');
  if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
  else res.destroy();
}

export function createFunctionServer(opts: FunctionServerOptions): FunctionServer {
  const log = opts.logger;
  let stopping = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const stopController = new AbortController();

  async function isReady(): Promise<boolean> {
    try {
      return (await opts.ready?.()) ?? true;
    } catch (error) {
      log.warn({ err: error }, 'readiness check failed');
      return false;
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, scope: RequestScope): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && url.pathname === '/readyz') {
      const ready = !stopping && (await isReady());
      return sendJson(res, ready ? 200 : 503, { ready });
    }
    if (req.method === 'GET' && url.pathname === '/metrics' && opts.metrics) return sendMetrics(res, opts.metrics);
    for (const r of opts.routes ?? []) {
      const m = req.method === r.method ? url.pathname.match(r.path) : null;
      if (m) {
        const answer = await r.handle({ ...(m.groups ?? {}) }, url);
        return sendJson(res, answer.status, answer.body, answer.headers);
      }
    }
    const takesEvents = Object.keys(opts.handlers).length > 0;
    if (!takesEvents && url.pathname === '/') throw new HttpError(404, `${opts.name} takes no CloudEvents${opts.usage ? `: ${opts.usage}` : ''}`);
    if (req.method === 'POST' && url.pathname === '/') return dispatchEvent(opts, stopController.signal, scope, req, res);
    if (url.pathname === '/') throw new HttpError(405, `method ${req.method} not allowed: POST a CloudEvent to /`);
    throw new HttpError(404, `no route for ${req.method} ${url.pathname}`);
  }

  const server = createServer((req, res) => {
    inFlight++;
    if (stopping) res.setHeader('connection', 'close');
    const scope: RequestScope = { log };
    route(req, res, scope)
      .catch((error: unknown) => answerError(scope.log, req, res, error, opts.observeError))
      .finally(() => {
        inFlight--;
        if (inFlight === 0) drained?.();
      });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  return {
    server,
    get inFlight() {
      return inFlight;
    },
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          const shown = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
          resolve({ port: addr.port, host: addr.address, url: `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${addr.port}` });
        });
      });
    },
    async stop(graceMs = 30_000) {
      if (stopping) return;
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        const done = new Promise<void>((resolve) => (drained = resolve));
        const timer = setTimeout(() => stopController.abort(new Error('shutdown grace period over')), graceMs);
        await done;
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
