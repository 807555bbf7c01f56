// Deeply nested event data is a final 400 naming the depth and the limit, in both modes, never a 500 the Broker retries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { baseEnvSchema, parseEnv } from '../../shared/config/env.ts';
import { issuesToProblems } from '../../shared/config/problems.ts';
import { EventType } from '../../shared/events/types.ts';
import { createLogger } from '../../shared/log/logger.ts';
import { startFunction } from '../../shared/runtime/run-function.ts';
import type { RunningFunction } from '../../shared/runtime/run-function.ts';
import { echoParts } from '../support/echo-function.ts';
import { deepJson, post, postBinary, postBinaryText, postStructuredText } from '../support/http.ts';

const DEPTH = 5_000;
const ping = { id: 'deep-1', type: EventType.ping, source: '/test' };

let fn: RunningFunction;
before(async () => {
  const env = parseEnv(baseEnvSchema, { PORT: '0', HOST: '127.0.0.1', BODY_LIMIT_BYTES: '65536' });
  fn = await startFunction({ name: 'echo', env, logger: createLogger({ name: 'echo', level: 'silent' }), setup: echoParts });
});
after(() => fn.stop());

test('data nested 5,000 deep is a 400 naming the depth and the limit, in both modes, arrays and objects', async () => {
  const cases = [
    ['binary, arrays', () => postBinaryText(fn.url, ping, `{"rules":${deepJson(DEPTH, 'array')}}`)],
    ['binary, objects', () => postBinaryText(fn.url, ping, `{"rules":${deepJson(DEPTH, 'object')}}`)],
    ['binary, the whole body', () => postBinaryText(fn.url, ping, deepJson(DEPTH, 'array'))],
    ['structured, arrays', () => postStructuredText(fn.url, ping, `{"rules":${deepJson(DEPTH, 'array')}}`)],
    ['structured, objects', () => postStructuredText(fn.url, ping, deepJson(DEPTH, 'object'))],
  ] as const;
  for (const [name, send] of cases) {
    const res = await send();
    assert.equal(res.status, 400, `${name}: ${res.text}`);
    const { error } = res.json() as { error: string };
    assert.match(error, /^invalid data: field \S+ is nested 50\d\d deep, over the limit of 32$/, name);
  }
  assert.equal((await postBinary(fn.url, ping, { rules: ['alive'] })).status, 200);
});

test('the problem names where the nesting goes too deep', async () => {
  const res = await postBinaryText(fn.url, ping, `{"rules":["ok",{"x":${deepJson(DEPTH, 'object')}}]}`);
  assert.equal(res.status, 400, res.text);
  assert.match((res.json() as { error: string }).error, /^invalid data: field rules\[1\]\.x\.a\.a\.a\S* is nested 5003 deep, over the limit of 32$/);
});

test('nesting within the limit goes on to the schema as usual', async () => {
  const res = await postBinaryText(fn.url, ping, `{"rules":${deepJson(30, 'array')}}`);
  assert.equal(res.status, 400, res.text);
  assert.match((res.json() as { error: string }).error, /^invalid data for .*rules/);
});

test('structured data_base64 holding deep JSON is refused the same way', async () => {
  const body = JSON.stringify({ specversion: '1.0', ...ping, datacontenttype: 'application/json', data_base64: Buffer.from(deepJson(DEPTH, 'array')).toString('base64') });
  const res = await post(fn.url, body, { 'content-type': 'application/cloudevents+json' });
  assert.equal(res.status, 400, res.text);
  assert.match((res.json() as { error: string }).error, /^invalid data: field \S+ is nested 5000 deep, over the limit of 32$/);
});

test('data_base64 that is not JSON, or that comes with data as well, is a 400', async () => {
  const attrs = { specversion: '1.0', ...ping, datacontenttype: 'application/json' };
  const notJson = await post(fn.url, JSON.stringify({ ...attrs, data_base64: Buffer.from('{"rules":').toString('base64') }), { 'content-type': 'application/cloudevents+json' });
  assert.equal(notJson.status, 400, notJson.text);
  assert.match((notJson.json() as { error: string }).error, /data_base64 is not valid JSON/);
  const both = await post(fn.url, JSON.stringify({ ...attrs, data: { rules: ['a'] }, data_base64: 'e30=' }), { 'content-type': 'application/cloudevents+json' });
  assert.equal(both.status, 400, both.text);
  assert.match((both.json() as { error: string }).error, /both data and data_base64/);
});

test('data_base64 holding valid JSON is handled like data', async () => {
  const body = JSON.stringify({ specversion: '1.0', ...ping, datacontenttype: 'application/json', data_base64: Buffer.from('{"rules":["b64"]}').toString('base64') });
  const res = await post(fn.url, body, { 'content-type': 'application/cloudevents+json' });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json(), { echoed: ['b64'], from: 'deep-1' });
});

test('a problem that lists thousands of keys, or thousands of problems, are cut short', async () => {
  const keys = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`k${i}`, i]));
  const unknownKeys = await postBinary(fn.url, ping, { rules: ['a'], ...keys });
  assert.equal(unknownKeys.status, 400, unknownKeys.text);
  assert.ok(unknownKeys.text.length < 2_000, `${unknownKeys.text.length} characters`);
  const manyWrong = await postBinary(fn.url, ping, { rules: Array.from({ length: 8_000 }, () => 1) });
  assert.equal(manyWrong.status, 400, manyWrong.text.slice(0, 200));
  const answer = manyWrong.json() as { error: string; details: string[] };
  assert.ok(manyWrong.text.length < 6_000, `${manyWrong.text.length} characters`);
  assert.equal(answer.details.at(-1), '… and 7980 more problems');
});

test('a deep body over the size limit is still a 413', async () => {
  const binary = await postBinaryText(fn.url, ping, deepJson(40_000, 'array'));
  assert.equal(binary.status, 413, binary.text);
  const structured = await postStructuredText(fn.url, ping, deepJson(40_000, 'object'));
  assert.equal(structured.status, 413, structured.text);
});

test('describing a value is safe against deep nesting and cycles', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const document = { deep: JSON.parse(deepJson(DEPTH, 'array')) as unknown, cyclic };
  const parsed = z.object({ deep: z.string(), cyclic: z.string() }).safeParse(document);
  assert.equal(parsed.success, false);
  const problems = issuesToProblems('data', parsed.error!.issues, document);
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /^data field deep: .*\(got \[\[\[/);
  assert.match(problems[1]!, /^data field cyclic: .*\(got \{"a":1,"self":\[circular\]\}\)/);
  for (const p of problems) assert.ok(p.length < 200, p);
});
