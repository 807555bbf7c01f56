import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventType } from '../../shared/events/types.ts';
import { T0, dataOf, podTarget, result, startHarness } from './harness.ts';

async function startWebhook(statuses: number[]) {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bodies.push({ contentType: req.headers['content-type'], body: JSON.parse(text) as unknown });
      res.writeHead(statuses.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const db = { namespace: 'shop', kind: 'Service' as const, name: 'db' };
const dbResult = (at: number) => result('shop-deps', 'dependency', db, 'failed', at, { probe: { latencyMs: 1, readyEndpoints: 0, minReady: 1, error: 'no ready endpoints' } });

test('an alert goes to the sink as io.selfheal.alert and to the webhook as JSON', async (t) => {
  const hook = await startWebhook([]);
  t.after(() => hook.close());
  const h = await startHarness(t, { env: { ALERT_WEBHOOK_URL: hook.url } });
  await h.send(dbResult(T0 + 1));
  const res = await h.send(dbResult(T0 + 2));
  assert.deepEqual([res.headers['ce-type'], dataOf(res).action], [EventType.healPerformed, 'alert']);
  const alerts = h.sink.ofType<{ rule: string; why: string; target: { name: string } }>(EventType.alert);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.data!.target.name, 'db');
  assert.equal(hook.bodies.length, 1);
  assert.deepEqual(hook.bodies[0], { contentType: 'application/json', body: alerts[0]!.data });
});

test('a webhook answering 503 is a transient failure: 503 to the Broker, and the redelivery alerts once', async (t) => {
  const hook = await startWebhook([503]);
  t.after(() => hook.close());
  const h = await startHarness(t, { env: { ALERT_WEBHOOK_URL: hook.url } });
  await h.send(dbResult(T0 + 1));
  const second = dbResult(T0 + 2);
  const failed = await h.send(second, { id: 'second' });
  assert.equal(failed.status, 503);
  const retried = await h.send(second, { id: 'second' });
  assert.equal(retried.headers['ce-type'], EventType.healPerformed);
  assert.equal(hook.bodies.length, 2);
  const stats = await h.client.hgetall(`{${h.prefix}}:stats:shop-deps`);
  assert.deepEqual([stats['alert:failed'], stats['alert:performed']], ['1', '1']);
});
