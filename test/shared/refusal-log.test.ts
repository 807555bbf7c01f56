// A refused request's log line carries the event's id, type, rule and target once they are known, as every line
// about an event does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { baseEnvSchema, parseEnv } from '../../shared/config/env.ts';
import { unavailable } from '../../shared/http/http-error.ts';
import { on } from '../../shared/http/function-server.ts';
import { createLogger } from '../../shared/log/logger.ts';
import { startFunction } from '../../shared/runtime/run-function.ts';
import type { RunningFunction } from '../../shared/runtime/run-function.ts';
import { post, postBinary } from '../support/http.ts';

const TYPE = 'io.selfheal.test.refusal';
const lines: Array<Record<string, unknown>> = [];
let fn: RunningFunction;

before(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const env = parseEnv(baseEnvSchema, { PORT: '0', HOST: '127.0.0.1' });
  fn = await startFunction({
    name: 'refuser',
    env,
    logger: createLogger({ name: 'refuser', level: 'info', destination }),
    setup: async () => ({
      handlers: {
        [TYPE]: on(z.object({ rule: z.string(), target: z.string() }), async () => {
          throw unavailable('history store unavailable: Command timed out');
        }),
      },
      describe: (d) => ({ rule: (d as { rule: string }).rule, target: (d as { target: string }).target }),
    }),
  });
});
after(() => fn.stop());

function refusalOf(status: number): Record<string, unknown> {
  const found = lines.filter((l) => l.msg === 'request refused' && l.status === status);
  assert.equal(found.length, 1, JSON.stringify(lines));
  return found[0]!;
}

test('a 503 thrown by a handler is logged with the event id, type, rule and target', async () => {
  const res = await postBinary(fn.url, { id: 'ev-503', type: TYPE, source: '/test' }, { rule: 'web-http', target: 'shop/pod/web-1' });
  assert.equal(res.status, 503);
  const line = refusalOf(503);
  assert.equal(line.level, 'error');
  assert.equal(line.ceId, 'ev-503');
  assert.equal(line.ceType, TYPE);
  assert.equal(line.rule, 'web-http');
  assert.equal(line.target, 'shop/pod/web-1');
});

test('a 400 for bad data is logged with the event id and type', async () => {
  const res = await postBinary(fn.url, { id: 'ev-400', type: TYPE, source: '/test' }, { rule: 7 });
  assert.equal(res.status, 400);
  const line = refusalOf(400);
  assert.equal(line.level, 'warn');
  assert.equal(line.ceId, 'ev-400');
  assert.equal(line.ceType, TYPE);
  assert.match(String(line.err), /invalid data/);
});

test('a request refused before it is an event is logged without event fields', async () => {
  const res = await post(fn.url, 'hello', { 'content-type': 'text/plain' });
  assert.equal(res.status, 415);
  const line = refusalOf(415);
  assert.equal(line.ceId, undefined);
});

test('a binary-mode event whose body does not parse is logged with the id and type of its headers', async () => {
  const res = await post(fn.url, '{"rule": ', { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'ev-bad-json', 'ce-type': TYPE, 'ce-source': '/test' });
  assert.equal(res.status, 400);
  const line = lines.find((l) => l.msg === 'request refused' && l.ceId === 'ev-bad-json');
  assert.ok(line, JSON.stringify(lines));
  assert.equal(line.ceType, TYPE);
});
