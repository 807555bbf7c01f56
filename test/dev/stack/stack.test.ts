// The whole local stack on the simulated cluster: functions as processes, the router as their Broker, real Redis.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack } from '../../../shared/dev/stack/stack.ts';
import type { Stack } from '../../../shared/dev/stack/stack.ts';
import { useRedis } from '../../support/redis.ts';
import type { TestRedis } from '../../support/redis.ts';

let redis: TestRedis;
let stack: Stack;
/** Every log line of the stack and its children, shown when a test fails. */
const lines: string[] = [];

before(async () => {
  redis = await useRedis();
  stack = await startStack({
    simulate: true,
    pingSchedules: false,
    redisUrl: redis.url,
    redisKeyPrefix: `${redis.prefix}-stack`,
    logLevel: 'warn',
    output: { write: (line) => void lines.push(line) },
  });
});

after(async () => {
  await stack?.stop();
  await redis?.close();
});

const logs = () => `\n--- stack logs ---\n${lines.join('\n')}`;

test('a pods-web ping: check-pods passes each nginx pod, and the healer takes every result', async () => {
  const record = await stack.router.fire('pods-web');
  assert.equal(record.outcome, 'delivered', logs());
  const nginx = stack.world!.pods('web', 'nginx').map((p) => p.metadata.name);
  assert.equal(nginx.length, 2);
  const passed = stack.router.events.filter((e) => e.type === 'io.selfheal.check.passed');
  assert.deepEqual(passed.map((e) => (e.data as { target: { name: string } }).target.name).sort(), nginx, logs());
  const toHealer = stack.router.deliveries.filter((d) => d.via === 'check-passed-to-healer');
  assert.deepEqual(toHealer.map((d) => [d.subscriber, d.outcome, d.status]), [['healer', 'delivered', 202], ['healer', 'delivered', 202]], logs());
  assert.equal(stack.router.deadLetters.length, 0, logs());
});

test('a failing nginx pod is restarted after three ticks; the healer reply is routed back into the Broker', async () => {
  const [failing] = stack.world!.failApp('web', 'nginx');
  assert.ok(failing);
  for (let tick = 0; tick < 3; tick++) await stack.router.fire('pods-web');
  const performed = stack.router.events.find((e) => e.type === 'io.selfheal.heal.performed');
  assert.ok(performed, logs());
  const data = performed.data as { action: string; target: { name: string } };
  assert.deepEqual([data.action, data.target.name], ['restart', failing], logs());
  assert.ok(!stack.world!.pods('web', 'nginx').some((p) => p.metadata.name === failing), 'the failing pod is gone');
});

test('restart(fn) brings a function back on the same URL', async () => {
  const url = stack.urls.healer;
  await stack.restart('healer');
  assert.equal(stack.urls.healer, url);
  const before = stack.router.deliveries.length;
  await stack.router.fire('pods-web');
  const fresh = stack.router.deliveries.slice(before).filter((d) => d.subscriber === 'healer');
  assert.ok(fresh.length >= 2 && fresh.every((d) => d.outcome === 'delivered'), logs());
});

test('egress checks reach example.com through each simulated Squid, over http and https', async () => {
  const served = stack.world!.site.requests.length;
  await stack.router.fire('egress-proxy');
  const results = stack.router.events.filter((e) => (e.data as { rule?: string }).rule === 'squid-egress');
  assert.deepEqual(results.map((e) => e.type), ['io.selfheal.check.passed', 'io.selfheal.check.passed'], logs());
  for (const role of ['primary', 'secondary'] as const) {
    // A real Squid logs a tunnel when it closes, which can be after the run: its access log is read again (bounded).
    const seen = () => stack.world!.proxyOf(role)!.requests.map((r) => `${r.method} ${r.target}`).sort();
    for (let i = 0; i < 50 && seen().length < 2; i++) await sleep(100);
    assert.deepEqual(seen(), ['CONNECT example.com:443', 'GET http://example.com/']);
  }
  assert.deepEqual(stack.world!.site.requests.slice(served), ['GET /', 'GET /', 'GET /', 'GET /']);
});
