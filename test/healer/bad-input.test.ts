// A storm of bad input against a running healer: every answer is a final 4xx with a JSON body naming the problem,
// none a 5xx the Broker would retry, the process keeps serving, and nothing reaches Redis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import { deepJson, get, post } from '../support/http.ts';
import type { Answer } from '../support/http.ts';
import { podTarget, result, startHarness, T0 } from './harness.ts';

const STRUCTURED = { 'content-type': 'application/cloudevents+json' };

function binaryHeaders(attrs: Partial<Record<'id' | 'type' | 'source' | 'specversion', string>> = {}): Record<string, string> {
  const all = { specversion: '1.0', id: 'bad-1', type: EventType.checkFailed, source: '/selfheal/check-pods/web-http', ...attrs };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(all)) if (v !== '') headers[`ce-${k}`] = v;
  return headers;
}

function envelope(fields: Record<string, unknown>): string {
  return JSON.stringify({ specversion: '1.0', id: 'bad-2', type: EventType.checkFailed, source: '/selfheal/check-pods/web-http', datacontenttype: 'application/json', ...fields });
}

test('a bad-input storm is answered 4xx with the problem named, and leaves Redis untouched', async (t) => {
  const h = await startHarness(t);
  const good = result('web-http', 'http', podTarget('shop', 'web-1'), 'failed', T0);
  const goodText = JSON.stringify(good);
  const huge = JSON.stringify({ ...good, padding: 'x'.repeat(300 * 1024) });
  const deepData = (shape: 'array' | 'object') => `{"rule":"web-http","probe":${deepJson(5_000, shape)}}`;
  const cases: Array<[string, string, Record<string, string>]> = [
    ['malformed JSON, binary', '{"rule": "web-http", ', binaryHeaders()],
    ['malformed JSON, structured', '{"specversion":"1.0","id":"x"', STRUCTURED],
    ['empty structured body', '', STRUCTURED],
    ['JSON that is not an object, structured', '[1,2,3]', STRUCTURED],
    ['wrong types, binary', JSON.stringify({ ...good, outcome: 5, target: 'shop/web-1' }), binaryHeaders()],
    ['wrong types, structured', envelope({ data: { ...good, probe: { latencyMs: 'fast' } } }), STRUCTURED],
    ['data missing, binary', '', binaryHeaders()],
    ['type disagreeing with the outcome', JSON.stringify({ ...good, outcome: 'passed' }), binaryHeaders()],
    ['unknown event type, binary', goodText, binaryHeaders({ type: 'com.example.unknown' })],
    ['unknown event type, structured', envelope({ type: 'com.example.unknown', data: good }), STRUCTURED],
    ['no ce-id', goodText, binaryHeaders({ id: '' })],
    ['no ce-source', goodText, binaryHeaders({ source: '' })],
    ['no ce-type', goodText, binaryHeaders({ type: '' })],
    ['unsupported ce-specversion', goodText, binaryHeaders({ specversion: '0.3' })],
    ['no id, structured', envelope({ id: undefined, data: good }), STRUCTURED],
    ['no type, structured', envelope({ type: 42, data: good }), STRUCTURED],
    ['not a CloudEvent at all', goodText, { 'content-type': 'application/json' }],
    ['text body', 'hello', { 'content-type': 'text/plain' }],
    ['a batch', `[${envelope({ data: good })}]`, { 'content-type': 'application/cloudevents-batch+json' }],
    ['huge body, binary', huge, binaryHeaders()],
    ['huge body, structured', envelope({ data: JSON.parse(huge) as unknown }), STRUCTURED],
    ['deep arrays, binary', deepData('array'), binaryHeaders()],
    ['deep objects, binary', deepData('object'), binaryHeaders()],
    ['deep arrays, structured', `${envelope({}).slice(0, -1)},"data":${deepData('array')}}`, STRUCTURED],
    ['deep objects, structured', `${envelope({}).slice(0, -1)},"data":${deepData('object')}}`, STRUCTURED],
    ['deep data_base64', envelope({ data_base64: Buffer.from(deepData('array')).toString('base64') }), STRUCTURED],
    ['data_base64 not base64', envelope({ data_base64: '%%%' }), STRUCTURED],
    ['data and data_base64', envelope({ data: good, data_base64: 'e30=' }), STRUCTURED],
  ];
  const answers: Array<[string, Answer]> = [];
  for (const [name, body, headers] of cases) answers.push([name, await post(h.healer.url, body, headers)]);

  assert.equal(answers.length, 28);
  const statuses = new Map<number, number>();
  for (const [name, answer] of answers) {
    assert.ok(answer.status >= 400 && answer.status < 500, `${name}: ${answer.status} ${answer.text.slice(0, 300)}`);
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const body = answer.json() as { error?: unknown };
    assert.equal(typeof body.error, 'string', name);
    assert.ok((body.error as string).length > 10, `${name}: ${String(body.error)}`);
  }
  assert.deepEqual(Object.fromEntries(statuses), { 400: 24, 413: 2, 415: 2 });

  assert.equal((await get(`${h.healer.url}/healthz`)).status, 200);
  assert.equal((await get(`${h.healer.url}/readyz`)).status, 200);
  await h.client.connect();
  assert.deepEqual(await h.client.keys(`{${h.prefix}}*`), []);
  assert.equal(h.sim.requests.length, 0);
  assert.equal(h.sink.events.length, 0);
});
