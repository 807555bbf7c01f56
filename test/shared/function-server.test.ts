import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { baseEnvSchema, parseEnv } from '../../shared/config/env.ts';
import { EventType } from '../../shared/events/types.ts';
import { createLogger } from '../../shared/log/logger.ts';
import { startFunction } from '../../shared/runtime/run-function.ts';
import type { RunningFunction } from '../../shared/runtime/run-function.ts';
import { echoParts } from '../support/echo-function.ts';
import { get, post, postBinary, postStructured } from '../support/http.ts';

let fn: RunningFunction;
const ping = { id: 'p-1', type: EventType.ping, source: '/test' };

before(async () => {
  const env = parseEnv(baseEnvSchema, { PORT: '0', HOST: '127.0.0.1', BODY_LIMIT_BYTES: '2048' });
  fn = await startFunction({ name: 'echo', env, logger: createLogger({ name: 'echo', level: 'silent' }), setup: echoParts });
});
after(() => fn.stop());

test('binary mode: the event is parsed and the reply is a binary CloudEvent', async () => {
  const res = await postBinary(fn.url, ping, { rules: ['a', 'b'] });
  assert.equal(res.status, 200);
  assert.equal(res.headers['ce-type'], EventType.alert);
  assert.equal(res.headers['ce-specversion'], '1.0');
  assert.deepEqual(res.json(), { echoed: ['a', 'b'], from: 'p-1' });
});

test('structured mode: the event is parsed the same way', async () => {
  const res = await postStructured(fn.url, { ...ping, id: 'p-2' }, { rules: ['c'] });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), { echoed: ['c'], from: 'p-2' });
});

test('a handler with nothing to say answers 202 with an empty body', async () => {
  const res = await postBinary(fn.url, ping, { rules: ['quiet'] });
  assert.equal(res.status, 202);
  assert.equal(res.text, '');
});

test('malformed events get a 400 naming the problem, and the server keeps serving', async () => {
  const cases: Array<[string, Promise<Awaited<ReturnType<typeof post>>>, RegExp]> = [
    ['bad JSON', post(fn.url, '{"rules": [', { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-type': EventType.ping, 'ce-source': '/t' }), /not valid JSON/],
    ['no ce-source', post(fn.url, '{}', { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-type': EventType.ping }), /"source"/],
    ['no id (structured)', post(fn.url, JSON.stringify({ specversion: '1.0', type: EventType.ping, source: '/t' }), { 'content-type': 'application/cloudevents+json' }), /"id"/],
    ['not an event at all', post(fn.url, '{"rules":["a"]}', { 'content-type': 'application/json' }), /not a CloudEvent/],
    ['unknown type', postBinary(fn.url, { ...ping, type: 'com.example.other' }, { rules: ['a'] }), /unknown event type "com.example.other"/],
    ['bad data', postBinary(fn.url, ping, { rules: [] }), /data field rules: .*>=1 items \(got \[\]\)/],
    ['wrong data field type', postBinary(fn.url, ping, { rules: 'a' }), /rules.*\(got "a"\)/],
    ['bad specversion', post(fn.url, '{"rules":["a"]}', { 'content-type': 'application/json', 'ce-specversion': '9.9', 'ce-id': 'x', 'ce-type': EventType.ping, 'ce-source': '/t' }), /invalid CloudEvent/],
    // Not taken for the time of arrival, as a lenient parser would: the sender learns its header is wrong.
    ['ce-time not a time', post(fn.url, '{"rules":["a"]}', { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-type': EventType.ping, 'ce-source': '/t', 'ce-time': 'yesterday' }), /invalid CloudEvent[\s\S]*"\/time"/],
    ['an empty ce-time', post(fn.url, '{"rules":["a"]}', { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-type': EventType.ping, 'ce-source': '/t', 'ce-time': '' }), /invalid CloudEvent: attribute "time" is empty/],
    ['a __proto__ attribute (structured)', post(fn.url, '{"specversion":"1.0","id":"x","type":"' + EventType.ping + '","source":"/t","__proto__":{},"data":{"rules":["a"]}}', { 'content-type': 'application/cloudevents+json' }), /invalid CloudEvent: attribute "__proto__" is not allowed/],
    ['time not a time (structured)', post(fn.url, JSON.stringify({ specversion: '1.0', id: 'x', type: EventType.ping, source: '/t', time: 'soon', data: { rules: ['a'] } }), { 'content-type': 'application/cloudevents+json' }), /invalid CloudEvent[\s\S]*"\/time"/],
  ];
  for (const [name, pending, pattern] of cases) {
    const res = await pending;
    assert.equal(res.status, 400, `${name}: ${res.text}`);
    assert.match((res.json() as { error: string }).error, pattern, name);
  }
  const still = await postBinary(fn.url, ping, { rules: ['alive'] });
  assert.equal(still.status, 200);
});

test('a structured-mode event is structured even with a stray ce-specversion header', async () => {
  const envelope = { specversion: '1.0', id: 'x', type: EventType.ping, source: '/t', data: { rules: ['structured'] } };
  const res = await post(fn.url, JSON.stringify(envelope), { 'content-type': 'application/cloudevents+json', 'ce-specversion': '1.0' });
  assert.equal(res.status, 200, res.text);
});

test('a body over the limit is a 413', async () => {
  const res = await postBinary(fn.url, ping, { rules: ['x'.repeat(4096)] });
  assert.equal(res.status, 413);
  assert.match((res.json() as { error: string }).error, /over the limit of 2048 bytes/);
});

test('unsupported content types are a 415', async () => {
  const res = await post(fn.url, 'hello', { 'content-type': 'text/plain' });
  assert.equal(res.status, 415);
  const batch = await post(fn.url, '[]', { 'content-type': 'application/cloudevents-batch+json' });
  assert.equal(batch.status, 415);
});

test('health, readiness, and unknown routes', async () => {
  assert.equal((await get(`${fn.url}/healthz`)).status, 200);
  assert.equal((await get(`${fn.url}/readyz`)).status, 200);
  assert.equal((await get(`${fn.url}/nope`)).status, 404);
  assert.equal((await get(fn.url)).status, 405);
});
