// The local Broker over real HTTP: Trigger filters from knative/triggers.yaml, Knative's retry and dead-letter rules,
// reply events routed again, and PingSource fires.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CloudEvent, HTTP } from 'cloudevents';
import { request } from 'undici';
import { parseEvent } from '../../../shared/http/parse-event.ts';
import { createLogger } from '../../../shared/log/logger.ts';
import { backoffMs, isRetriableStatus } from '../../../shared/dev/stack/delivery.ts';
import { loadManifests, parseIsoDuration } from '../../../shared/dev/stack/manifests.ts';
import type { PingSourceSpec, TriggerSpec } from '../../../shared/dev/stack/manifests.ts';
import { parseCron } from '../../../shared/dev/stack/cron.ts';
import { startRouter } from '../../../shared/dev/stack/router.ts';
import type { Router } from '../../../shared/dev/stack/router.ts';

const KNATIVE = join(import.meta.dirname, '..', '..', '..', 'knative');

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A subscriber on loopback that records the events it gets and answers from a script (the last answer repeats). */
async function startSubscriber(script: Answer[] = [{ status: 202 }]) {
  const received: CloudEvent<unknown>[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(parseEvent(req.headers, Buffer.concat(chunks).toString()));
      const answer = script[Math.min(received.length - 1, script.length - 1)]!;
      res.writeHead(answer.status, { 'content-length': String(Buffer.byteLength(answer.body ?? '')), ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function replyWith(event: CloudEvent<unknown>): Answer {
  const message = HTTP.binary(event);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers)) headers[k] = String(v);
  return { status: 200, headers, body: typeof message.body === 'string' ? message.body : JSON.stringify(message.body) };
}

function checkEvent(type: string, id = `e-${Math.random().toString(36).slice(2)}`): CloudEvent<unknown> {
  return new CloudEvent<unknown>({ id, type, source: '/selfheal/check-pods/nginx-http', datacontenttype: 'application/json', data: { n: 1 } });
}

async function post(router: Router, event: CloudEvent<unknown>): Promise<number> {
  const message = HTTP.binary(event);
  const res = await request(router.url, { method: 'POST', headers: message.headers as Record<string, string>, body: String(message.body) });
  await res.body.dump();
  return res.statusCode;
}

/** The router's log lines, to read which backoff it chose without timing anything. */
function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ name: 'router', level: 'debug', destination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) } });
  return { lines, logger };
}

const fast = (name: string, subscriber: string, filter: Record<string, string>, retry: number): TriggerSpec => ({
  name,
  filter,
  subscriber,
  delivery: { retry, backoffPolicy: 'exponential', backoffDelayMs: 10, deadLetterSink: 'selfheal-dead-letter' },
});

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

async function routerWith(triggers: readonly TriggerSpec[], services: Record<string, string>, pingSources: PingSourceSpec[] = []) {
  const log = capture();
  const router = await startRouter({ triggers, pingSources, resolve: (name) => services[name], logger: log.logger });
  closers.push(() => router.close());
  return { router, lines: log.lines };
}

test('the real triggers.yaml routes check results to the healer, with its delivery settings, and nothing else', async () => {
  const manifests = await loadManifests(KNATIVE);
  const byName = Object.fromEntries(manifests.triggers.map((t) => [t.name, t]));
  assert.deepEqual(byName['check-failed-to-healer']?.filter, { type: 'io.selfheal.check.failed' });
  assert.deepEqual(byName['check-failed-to-healer']?.delivery, { retry: 5, backoffPolicy: 'exponential', backoffDelayMs: 500, deadLetterSink: 'selfheal-dead-letter' });
  assert.deepEqual(manifests.functions.map((f) => f.name).sort(), ['check-dependencies', 'check-egress', 'check-pods', 'healer', 'proxy-selector']);

  const healer = await startSubscriber();
  closers.push(healer.close);
  const { router } = await routerWith(manifests.triggers, { healer: healer.url });
  for (const type of ['io.selfheal.check.failed', 'io.selfheal.check.passed', 'io.selfheal.heal.performed', 'io.selfheal.alert']) {
    assert.equal(await post(router, checkEvent(type)), 202);
  }
  await router.idle();
  assert.deepEqual(healer.received.map((e) => e.type).sort(), ['io.selfheal.check.failed', 'io.selfheal.check.passed']);
  assert.equal(router.events.length, 4, 'the Broker accepts events no Trigger wants');
  const noType = await request(router.url, { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-source': '/s', 'content-type': 'application/json' }, body: '{}' });
  await noType.body.dump();
  assert.equal(noType.statusCode, 400, 'an event without a type is refused at the door');
});

test('a 503 is retried with exponential backoff until the subscriber takes the event', async () => {
  const sub = await startSubscriber([{ status: 503 }, { status: 503 }, { status: 202 }]);
  closers.push(sub.close);
  const { router, lines } = await routerWith([fast('t', 'sub', { type: 'a' }, 5)], { sub: sub.url });
  await post(router, checkEvent('a', 'retry-me'));
  await router.idle();
  assert.deepEqual(sub.received.map((e) => e.id), ['retry-me', 'retry-me', 'retry-me']);
  assert.deepEqual(router.deliveries.map((d) => [d.outcome, d.attempts, d.status]), [['delivered', 3, 202]]);
  assert.deepEqual(lines.filter((l) => l.msg === 'delivery failed, retrying').map((l) => l.retryInMs), [20, 40], 'Knative: backoffDelay × 2^retry');
  assert.equal(router.deadLetters.length, 0);
});

test('a 400 is final: one attempt, then the dead letter', async () => {
  const sub = await startSubscriber([{ status: 400, body: '{"error":"bad data"}' }]);
  closers.push(sub.close);
  const { router, lines } = await routerWith([fast('t', 'sub', { type: 'a' }, 5)], { sub: sub.url });
  await post(router, checkEvent('a', 'refused'));
  await router.idle();
  assert.equal(sub.received.length, 1);
  assert.equal(router.deadLetters.length, 1);
  const dead = router.deadLetters[0]!;
  assert.deepEqual([dead.event.id, dead.trigger, dead.status, dead.attempts, dead.sink], ['refused', 't', 400, 1, 'selfheal-dead-letter']);
  assert.match(dead.error, /bad data/);
  assert.ok(lines.some((l) => l.level === 'warn' && l.msg === 'dead-lettered: delivery failed for good' && l.ceId === 'refused'));
});

test('retries exhausted (5xx, then no answer at all) end in the dead letter', async () => {
  const sub = await startSubscriber([{ status: 500 }]);
  closers.push(sub.close);
  const { router } = await routerWith(
    [fast('five-hundred', 'sub', { type: 'a' }, 2), fast('nobody-home', 'gone', { type: 'b' }, 1)],
    // A port nothing listens on: the closed subscriber's own.
    { sub: sub.url, gone: await closedUrl() },
  );
  await post(router, checkEvent('a', 'always-500'));
  await post(router, checkEvent('b', 'unreachable'));
  await router.idle();
  assert.equal(sub.received.length, 3);
  const dead = Object.fromEntries(router.deadLetters.map((d) => [d.event.id, d]));
  assert.deepEqual([dead['always-500']?.attempts, dead['always-500']?.status], [3, 500]);
  assert.deepEqual([dead.unreachable?.attempts, dead.unreachable?.status], [2, undefined]);
  assert.ok(isRetriableStatus(404) && isRetriableStatus(409) && isRetriableStatus(429) && !isRetriableStatus(413) && !isRetriableStatus(422));
  assert.deepEqual([1, 2, 3].map((n) => backoffMs({ backoffPolicy: 'linear', backoffDelayMs: 500 }, n)), [500, 1000, 1500]);
  assert.equal(parseIsoDuration('PT0.5S'), 500);
  assert.equal(parseIsoDuration('PT1M30S'), 90_000);
  assert.equal(parseIsoDuration('0.5s'), undefined);
});

/** An address nothing listens on. Not a freed port on 127.0.0.1: the router itself could be given that port
 *  next, and would then deliver to itself for ever. */
async function closedUrl(): Promise<string> {
  const s = await startSubscriber();
  await s.close();
  return s.url.replace('127.0.0.1', '127.0.0.253');
}

test('a reply event goes back into the Broker and is routed again; a 2xx with a non-event body is retried', async () => {
  const reply = new CloudEvent<unknown>({ id: 'reply-1', type: 'b', source: '/first', datacontenttype: 'application/json', data: { from: 'first' } });
  const first = await startSubscriber([{ status: 200, body: 'ok' }, replyWith(reply)]);
  const second = await startSubscriber();
  closers.push(first.close, second.close);
  const { router } = await routerWith([fast('to-first', 'first', { type: 'a' }, 3), fast('to-second', 'second', { type: 'b' }, 3)], { first: first.url, second: second.url });
  await post(router, checkEvent('a', 'cause'));
  await router.idle();
  assert.equal(first.received.length, 2, 'the plain-text 200 counted as a failed delivery');
  assert.deepEqual(second.received.map((e) => [e.id, e.source, e.data]), [['reply-1', '/first', { from: 'first' }]]);
  assert.deepEqual(router.events.map((e) => e.id), ['cause', 'reply-1']);
  assert.equal(router.deliveries.find((d) => d.eventId === 'cause')?.replyId, 'reply-1');
});

test('fire() sends the PingSource event to its sink and resolves when the cascade has settled', async () => {
  const sink = await startSubscriber([replyWith(checkEvent('a', 'ping-reply'))]);
  const downstream = await startSubscriber();
  closers.push(sink.close, downstream.close);
  const ping: PingSourceSpec = { name: 'pods-web', namespace: 'selfheal', schedule: parseCron('* * * * *'), contentType: 'application/json', data: '{"rules":["nginx-http"]}', sink: 'check-pods' };
  const { router } = await routerWith([fast('t', 'down', { type: 'a' }, 0)], { 'check-pods': sink.url, down: downstream.url }, [ping]);
  const record = await router.fire('pods-web');
  assert.equal(record.outcome, 'delivered');
  const event = sink.received[0]!;
  assert.deepEqual([event.type, event.source, event.data], ['dev.knative.sources.ping', '/apis/v1/namespaces/selfheal/pingsources/pods-web', { rules: ['nginx-http'] }]);
  // A ping's reply is not routed: sources drop replies, only Trigger deliveries feed the Broker.
  assert.equal(downstream.received.length, 0);
  assert.equal(router.inFlight, 0);
  await assert.rejects(router.fire('nope'), /no PingSource named "nope"/);
});

test('drain() retries nothing more: a delivery waiting for its next attempt is dropped, not dead-lettered', async () => {
  const sub = await startSubscriber([{ status: 503 }]);
  closers.push(sub.close);
  const slow: TriggerSpec = { ...fast('t', 'sub', { type: 'a' }, 5), delivery: { retry: 5, backoffPolicy: 'linear', backoffDelayMs: 60_000, deadLetterSink: undefined } };
  const { router } = await routerWith([slow], { sub: sub.url });
  await post(router, checkEvent('a', 'waiting'));
  for (let i = 0; i < 200 && sub.received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await router.drain(30_000);
  assert.deepEqual(router.deliveries.map((d) => [d.eventId, d.outcome, d.attempts]), [['waiting', 'dropped', 1]]);
  assert.equal(router.deadLetters.length, 0);
});
