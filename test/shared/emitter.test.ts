import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createEmitter, EmitError } from '../../shared/emit/emitter.ts';
import { buildEvent } from '../../shared/events/build.ts';
import { EventType } from '../../shared/events/types.ts';
import { createLogger } from '../../shared/log/logger.ts';
import { freePort } from '../support/redis.ts';
import { startSink } from '../support/sink.ts';
import type { Sink } from '../support/sink.ts';

const logger = createLogger({ name: 'test', level: 'silent' });
let sink: Sink;
before(async () => (sink = await startSink()));
after(() => sink.close());

const event = (n: number) => buildEvent(EventType.alert, { n }, { source: '/test', id: `e-${n}` });

test('events arrive in binary mode with their attributes and data', async () => {
  sink.clear();
  const emitter = createEmitter({ sink: sink.url, logger, backoffMs: 1 });
  await emitter.sendAll([event(1), event(2), event(3)]);
  await emitter.close();
  assert.deepEqual(sink.events.map((e) => e.id).sort(), ['e-1', 'e-2', 'e-3']);
  assert.deepEqual(sink.events.find((e) => e.id === 'e-2')?.data, { n: 2 });
});

test('5xx and 429 are retried with backoff until the sink takes the event', async () => {
  sink.clear();
  const before = sink.attempts;
  sink.failNext(2, 503);
  const emitter = createEmitter({ sink: sink.url, logger, retries: 3, backoffMs: 1 });
  await emitter.send(event(4));
  sink.failNext(1, 429);
  await emitter.send(event(5));
  await emitter.close();
  assert.equal(sink.attempts - before, 5);
  assert.deepEqual(sink.events.map((e) => e.id), ['e-4', 'e-5']);
});

test('other 4xx are final: no retry, an error naming the status', async () => {
  const before = sink.attempts;
  sink.failNext(1, 400);
  const emitter = createEmitter({ sink: sink.url, logger, retries: 3, backoffMs: 1 });
  await assert.rejects(emitter.send(event(6)), (error: EmitError) => error.status === 400 && !error.retriable && /answered 400/.test(error.message));
  await emitter.close();
  assert.equal(sink.attempts - before, 1);
});

test('retries run out: the last error is thrown', async () => {
  sink.failNext(10, 500);
  const emitter = createEmitter({ sink: sink.url, logger, retries: 2, backoffMs: 1 });
  await assert.rejects(emitter.send(event(7)), (error: EmitError) => error.status === 500 && error.retriable);
  await emitter.close();
  sink.failNext(0, 500);
});

test('a sink nobody listens on is a retriable network error', async () => {
  const port = await freePort();
  const emitter = createEmitter({ sink: `http://127.0.0.1:${port}/`, logger, retries: 1, backoffMs: 1 });
  await assert.rejects(emitter.send(event(8)), (error: EmitError) => error.status === undefined && error.retriable && /unreachable/.test(error.message));
  await emitter.close();
});
