import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventType } from '../../shared/events/types.ts';
import { postBinary } from '../support/http.ts';
import { startChild } from '../support/process.ts';

const run = promisify(execFile);
const entry = new URL('../support/echo-function.ts', import.meta.url).pathname;

test('curl POSTs reach a function process in both modes; a malformed one is refused and it keeps serving', async () => {
  const child = await startChild(entry, { PORT: '0', HOST: '127.0.0.1' });
  try {
    const binary = await run('curl', ['-s', '-i', '-X', 'POST', child.url, '-H', 'content-type: application/json', '-H', 'ce-specversion: 1.0', '-H', 'ce-id: c-1', '-H', `ce-type: ${EventType.ping}`, '-H', 'ce-source: /curl', '-d', '{"rules":["from-curl"]}']);
    assert.match(binary.stdout, /^HTTP\/1.1 200/);
    assert.match(binary.stdout, /ce-type: io.selfheal.alert/i);
    assert.match(binary.stdout, /"echoed":\["from-curl"\]/);

    const structured = await run('curl', ['-s', '-i', '-X', 'POST', child.url, '-H', 'content-type: application/cloudevents+json', '-d', JSON.stringify({ specversion: '1.0', id: 'c-2', type: EventType.ping, source: '/curl', data: { rules: ['s'] } })]);
    assert.match(structured.stdout, /^HTTP\/1.1 200/);
    assert.match(structured.stdout, /"from":"c-2"/);

    const malformed = await run('curl', ['-s', '-i', '-X', 'POST', child.url, '-H', 'content-type: application/cloudevents+json', '-d', '{"specversion":"1.0","id":"c-3"']);
    assert.match(malformed.stdout, /^HTTP\/1.1 400/);
    assert.match(malformed.stdout, /not valid JSON/);

    const after = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${child.url}/healthz`]);
    assert.equal(after.stdout, '200');
  } finally {
    child.proc.kill('SIGKILL');
  }
});

test('SIGTERM with a request in flight: the request is answered, then the process exits 0', async () => {
  const child = await startChild(entry, { PORT: '0', HOST: '127.0.0.1' });
  const pending = postBinary(child.url, { id: 'slow-1', type: EventType.ping, source: '/test' }, { rules: ['slow'], delayMs: 800 });
  await sleep(200);
  child.proc.kill('SIGTERM');
  const res = await pending;
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), { echoed: ['slow'], from: 'slow-1' });
  assert.equal(await child.exited, 0);
  const refused = await postBinary(child.url, { id: 'late', type: EventType.ping, source: '/test' }, { rules: ['late'] }).then(
    () => 'answered',
    (error: Error & { code?: string }) => error.code,
  );
  assert.equal(refused, 'ECONNREFUSED');
  assert.ok(child.lines.some((l) => l.includes('stopping: finishing in-flight requests')), child.lines.join('\n'));
});

test('a bad environment stops the process with every problem listed', async () => {
  const child = startChild(entry, { PORT: 'eighty', LOG_LEVEL: 'loud', K_SINK: 'not a url' });
  await assert.rejects(child, (error: Error) => {
    assert.match(error.message, /exited with 1/);
    assert.match(error.message, /PORT: .*\(got \\"eighty\\"\)/);
    assert.match(error.message, /LOG_LEVEL/);
    assert.match(error.message, /K_SINK/);
    return true;
  });
});
