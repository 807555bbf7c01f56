// The local Broker: accepts CloudEvents over HTTP, routes them to the Triggers' subscribers with Knative's retry and
// dead-letter rules, feeds subscribers' reply events back in, and fires PingSources on request.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudEvent, HTTP } from 'cloudevents';
import { Agent, request } from 'undici';
import { HttpError } from '../../http/http-error.ts';
import { parseEvent } from '../../http/parse-event.ts';
import { readBody } from '../../http/read-body.ts';
import type { Logger } from '../../log/logger.ts';
import { backoffMs, filterMatches, isRetriableStatus } from './delivery.ts';
import type { DeliverySpec, PingSourceSpec, TriggerSpec } from './manifests.ts';
import { podTable } from './pod-table.ts';
import type { PodListing } from './pod-table.ts';

export interface DeliveryRecord {
  readonly eventId: string;
  readonly type: string;
  /** The Trigger's name, or `pingsource/<name>` for a ping. */
  readonly via: string;
  readonly subscriber: string;
  readonly attempts: number;
  /** The last HTTP status, absent when the last attempt got no answer. */
  readonly status: number | undefined;
  readonly outcome: 'delivered' | 'dead-lettered' | 'failed' | 'dropped';
  readonly replyId?: string;
  readonly error?: string;
}

/** An event that failed every attempt; the fields Knative adds as knativeerror* extensions are kept alongside. */
export interface DeadLetter {
  readonly event: CloudEvent<unknown>;
  readonly trigger: string;
  readonly subscriber: string;
  readonly sink: string | undefined;
  readonly attempts: number;
  readonly status: number | undefined;
  readonly error: string;
  readonly at: string;
}

export interface RouterOptions {
  triggers: readonly TriggerSpec[];
  pingSources: readonly PingSourceSpec[];
  /** The URL of a Knative Service by name (a local function), or undefined when nothing serves it. */
  resolve: (service: string) => string | undefined;
  logger: Logger;
  host?: string;
  port?: number;
  /** Per attempt; a check run may take up to its RUN_DEADLINE before it answers the ping. */
  attemptTimeoutMs?: number;
  bodyLimitBytes?: number;
  /** The simulated pods, served at GET /pods (absent: the stack runs against a real cluster). */
  pods?: () => readonly PodListing[];
  /** Each ping logged at debug, not info (at high speed there are several a second). */
  quietPings?: boolean;
}

export interface Router {
  readonly url: string;
  /** Every event the Broker accepted, posted to it or replied by a subscriber, in arrival order. */
  readonly events: CloudEvent<unknown>[];
  readonly deliveries: DeliveryRecord[];
  readonly deadLetters: DeadLetter[];
  readonly inFlight: number;
  /** Fires one PingSource now; resolves once its delivery and every delivery it caused have settled. */
  fire(pingSource: string): Promise<DeliveryRecord>;
  /** Fires without waiting for the cascade (what the schedule does). */
  firePing(pingSource: string): Promise<DeliveryRecord>;
  /** Resolves when no request, delivery or backoff is in flight. */
  idle(): Promise<void>;
  /** Stops retrying (a failure from now on is dropped) and waits up to `ms` for what is in flight. */
  drain(ms: number): Promise<void>;
  /** Stops accepting, abandons retries still waiting, and closes the connections. */
  close(): Promise<void>;
}

/** The ping adapter retries a few times, quickly, and has no dead-letter sink. */
const PING_DELIVERY: DeliverySpec = Object.freeze({ retry: 3, backoffPolicy: 'exponential', backoffDelayMs: 100, deadLetterSink: undefined });

/** What a heal event, an alert or a switch says, in a few words: `: restart web/pod/x (threshold-reached) — evicted …`. */
function gist(event: CloudEvent<unknown>): string {
  const d = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>;
  const text = (k: string) => (typeof d[k] === 'string' || typeof d[k] === 'number' ? String(d[k]) : undefined);
  if (text('group') && text('to')) return `: ${text('group')} ${text('from') ?? '?'} → ${text('to')} (${text('reason') ?? ''})`;
  if (text('reason') === 'healed') return `: healed ${event.subject ?? ''}`.trimEnd();
  const parts = [text('action') && text('action') !== 'none' ? text('action') : 'no action', event.subject, text('reason') ? `(${text('reason')})` : undefined];
  const detail = text('detail') ?? text('why');
  return `: ${parts.filter(Boolean).join(' ')}${detail ? ` — ${detail}` : ''}`;
}

type Attempt = { ok: true; status: number; reply?: CloudEvent<unknown> } | { ok: false; status: number | undefined; retriable: boolean; error: string };

function attributesOf(event: CloudEvent<unknown>): Record<string, unknown> {
  return event as unknown as Record<string, unknown>;
}

function pingEvent(source: PingSourceSpec): CloudEvent<unknown> {
  const json = /[/+]json\b/.test(source.contentType);
  let data: unknown = source.data;
  if (json && source.data !== '') data = JSON.parse(source.data) as unknown;
  return new CloudEvent<unknown>({
    id: randomUUID(),
    type: 'dev.knative.sources.ping',
    source: `/apis/v1/namespaces/${source.namespace}/pingsources/${source.name}`,
    time: new Date().toISOString(),
    datacontenttype: source.contentType,
    data,
  });
}

export async function startRouter(opts: RouterOptions): Promise<Router> {
  const log = opts.logger;
  const attemptTimeoutMs = opts.attemptTimeoutMs ?? 60_000;
  const bodyLimit = opts.bodyLimitBytes ?? 1024 * 1024;
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  const closing = new AbortController();
  // Aborted by drain() and close(): no retry starts after a stop began, so stopping never waits out a backoff.
  const retries = new AbortController();
  const events: CloudEvent<unknown>[] = [];
  const deliveries: DeliveryRecord[] = [];
  const deadLetters: DeadLetter[] = [];
  let pending = 0;
  let idleWaiters: Array<() => void> = [];

  // Counted before any await, so a delivery that causes another never lets the count touch zero in between.
  const track = <T>(work: () => Promise<T>): Promise<T> => {
    pending++;
    return work().finally(() => {
      pending--;
      if (pending === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    });
  };

  async function attempt(url: string, event: CloudEvent<unknown>): Promise<Attempt> {
    const message = HTTP.binary(event);
    const body = typeof message.body === 'string' ? message.body : JSON.stringify(message.body ?? '');
    let res;
    try {
      res = await request(url, {
        method: 'POST',
        headers: message.headers as Record<string, string>,
        body,
        dispatcher,
        headersTimeout: attemptTimeoutMs,
        bodyTimeout: attemptTimeoutMs,
        signal: AbortSignal.any([closing.signal, AbortSignal.timeout(attemptTimeoutMs)]),
      });
    } catch (error) {
      return { ok: false, status: undefined, retriable: true, error: `no answer from ${url}: ${(error as Error).message}` };
    }
    const text = await res.body.text().catch(() => '');
    const status = res.statusCode;
    if (status < 200 || status >= 300) return { ok: false, status, retriable: isRetriableStatus(status), error: `answered ${status}: ${text.slice(0, 300)}` };
    const contentType = String(res.headers['content-type'] ?? '');
    const isEvent = res.headers['ce-specversion'] !== undefined || contentType.startsWith('application/cloudevents+json');
    if (!isEvent) {
      if (text.trim() === '') return { ok: true, status };
      // As Knative does: a 2xx whose body is not an event is a failed delivery, and retried.
      return { ok: false, status, retriable: true, error: `answered ${status} with a body that is not a CloudEvent: ${text.slice(0, 200)}` };
    }
    try {
      return { ok: true, status, reply: parseEvent(res.headers as IncomingHttpHeaders, text) };
    } catch (error) {
      return { ok: false, status, retriable: true, error: `answered ${status} with an invalid reply event: ${(error as Error).message}` };
    }
  }

  /** Runs the attempts of one delivery; the reply (if any) is accepted before this resolves. */
  async function deliver(event: CloudEvent<unknown>, via: string, subscriber: string, delivery: DeliverySpec): Promise<DeliveryRecord> {
    const base = { eventId: event.id, type: event.type, via, subscriber };
    const ping = via.startsWith('pingsource/');
    const dlog = log.child({ ceId: event.id, ceType: event.type, via, subscriber });
    let last: Attempt | undefined;
    let attempts = 0;
    for (let n = 0; n <= delivery.retry; n++) {
      if (n > 0) {
        const wait = backoffMs(delivery, n);
        dlog.warn({ attempt: attempts, status: last?.status, err: last && !last.ok ? last.error : undefined, retryInMs: wait }, 'delivery failed, retrying');
        try {
          await sleep(wait, undefined, { signal: retries.signal });
        } catch {
          dlog.warn({ attempts, status: last?.status }, 'dropped: the stack is stopping');
          return record({ ...base, attempts, status: last?.status, outcome: 'dropped', error: 'stopped before the retry' });
        }
      }
      if (closing.signal.aborted) return record({ ...base, attempts, status: last?.status, outcome: 'dropped', error: 'router stopped' });
      const url = opts.resolve(subscriber);
      attempts++;
      last = url === undefined ? { ok: false, status: undefined, retriable: true, error: `${subscriber} is not addressable` } : await attempt(url, event);
      if (last.ok) {
        // Only Trigger deliveries feed replies back to the Broker; a source (the ping) drops them, as Knative's do.
        const reply = ping ? undefined : last.reply;
        if (reply) accept(reply, `reply from ${subscriber}`);
        dlog.debug({ attempts, status: last.status, replyType: reply?.type }, 'delivered');
        return record({ ...base, attempts, status: last.status, outcome: 'delivered', ...(reply ? { replyId: reply.id } : {}) });
      }
      if (!last.retriable) break;
    }
    const failure = last && !last.ok ? last : { status: undefined, error: 'no attempt made' };
    if (ping) {
      dlog.warn({ attempts, status: failure.status, err: failure.error }, 'ping not delivered');
      return record({ ...base, attempts, status: failure.status, outcome: 'failed', error: failure.error });
    }
    deadLetters.push({ event, trigger: via, subscriber, sink: delivery.deadLetterSink, attempts, status: failure.status, error: failure.error, at: new Date().toISOString() });
    dlog.warn(
      { attempts, status: failure.status, err: failure.error, deadLetterSink: delivery.deadLetterSink ?? null, event: { source: event.source, subject: event.subject, time: event.time, data: event.data } },
      'dead-lettered: delivery failed for good',
    );
    return record({ ...base, attempts, status: failure.status, outcome: 'dead-lettered', error: failure.error });
  }

  function record(r: DeliveryRecord): DeliveryRecord {
    deliveries.push(r);
    return r;
  }

  function accept(event: CloudEvent<unknown>, from: string): void {
    events.push(event);
    const matching = opts.triggers.filter((t) => filterMatches(t.filter, attributesOf(event)));
    const fields = { ceId: event.id, ceType: event.type, source: event.source, subject: event.subject, from };
    // Events no Trigger takes (audit events, alerts) end here: they are the story a person wants to see.
    if (matching.length === 0) log.info({ ...fields, data: event.data }, `event ${event.type}${gist(event)}`);
    else log.debug({ ...fields, triggers: matching.map((t) => t.name) }, 'event accepted');
    for (const t of matching) void track(() => deliver(event, t.name, t.subscriber, t.delivery));
  }

  /** GET /healthz, GET /pods (a table; ?format=json for JSON); anything else is a 404 naming what there is. */
  function answerGet(path: string, res: ServerResponse): void {
    const url = new URL(path, 'http://router');
    const send = (status: number, type: string, body: string): void => void res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
    if (url.pathname === '/healthz') return send(200, 'text/plain', 'ok\n');
    if (url.pathname === '/pods') {
      if (!opts.pods) return send(404, 'text/plain', 'no simulated pods: this stack runs against a real cluster (kubectl get pods -A -o wide)\n');
      const q = url.searchParams;
      const pods = opts
        .pods()
        .filter((p) => [['namespace', p.namespace], ['deployment', p.deployment], ['name', p.name]].every(([k, v]) => !q.has(k!) || q.get(k!) === v));
      const format = q.get('format') ?? 'table';
      // name and address: one per line, nothing else, so that $(curl …) gives a shell what it needs.
      if (format === 'json') return send(200, 'application/json', JSON.stringify(pods));
      if (format === 'table') return send(200, 'text/plain', `${podTable(pods)}\n`);
      if (format === 'name' || format === 'address') return send(200, 'text/plain', pods.map((p) => `${p[format]}\n`).join(''));
      return send(400, 'text/plain', `format "${format}": use table, json, name or address\n`);
    }
    send(404, 'text/plain', `no ${url.pathname} here: POST a CloudEvent to /, GET /healthz or /pods\n`);
  }

  const server = createServer((req, res) => {
    void track(async () => {
      try {
        if (closing.signal.aborted) throw new HttpError(503, 'the broker is stopping');
        if (req.method === 'GET' || req.method === 'HEAD') {
          answerGet(req.url ?? '/', res);
          return;
        }
        if (req.method !== 'POST') throw new HttpError(405, `method ${req.method} not allowed: POST a CloudEvent to /, GET /healthz or /pods`);
        const event = parseEvent(req.headers, await readBody(req, bodyLimit));
        accept(event, 'ingress');
        res.writeHead(202, { 'content-length': '0' }).end();
      } catch (error) {
        const status = error instanceof HttpError ? error.status : 500;
        const text = JSON.stringify({ error: (error as Error).message });
        log.warn({ status, err: (error as Error).message }, 'event refused');
        if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
        else res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;

  const idle = (): Promise<void> => (pending === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve)));

  const firePing = (name: string): Promise<DeliveryRecord> => {
    const source = opts.pingSources.find((p) => p.name === name);
    if (!source) return Promise.reject(new Error(`no PingSource named "${name}" (known: ${opts.pingSources.map((p) => p.name).join(', ')})`));
    let event: CloudEvent<unknown>;
    try {
      event = pingEvent(source);
    } catch (error) {
      return Promise.reject(new Error(`PingSource "${name}" has data that is not ${source.contentType}: ${(error as Error).message}`));
    }
    log[opts.quietPings ? 'debug' : 'info']({ pingSource: name, sink: source.sink, ceId: event.id }, `ping ${name} → ${source.sink}`);
    return track(() => deliver(event, `pingsource/${name}`, source.sink, PING_DELIVERY));
  };

  let closed: Promise<void> | undefined;
  return {
    url,
    events,
    deliveries,
    deadLetters,
    get inFlight() {
      return pending;
    },
    firePing,
    async fire(name) {
      const result = await firePing(name);
      await idle();
      return result;
    },
    idle,
    async drain(ms) {
      retries.abort();
      const timer = new AbortController();
      await Promise.race([idle(), sleep(ms, undefined, { signal: timer.signal }).catch(() => {})]);
      timer.abort();
    },
    close() {
      closed ??= (async () => {
        retries.abort();
        closing.abort(new Error('router stopped'));
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all([stopped, idle()]);
        await dispatcher.close();
      })();
      return closed;
    },
  };
}
