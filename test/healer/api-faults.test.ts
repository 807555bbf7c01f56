// The healer under API faults: an answer that never came is resolved against the cluster, never read as an HTTP
// status; a read that times out is a 503 (the Broker retries), never a decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import { OPT_IN, T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';

const TIMEOUT_MS = 300;

test('a timed-out eviction that happened is performed: no heal.failed, no climb of the ladder, no cooldown faked', async (t) => {
  const h = await startHarness(t, { kubeTimeoutMs: TIMEOUT_MS });
  const [pod] = await deploy(h, 'shop', 'web', 3, { app: 'web', ...OPT_IN });
  h.sim.inject('POST', /\/eviction$/, { kind: 'slow', delayMs: TIMEOUT_MS * 3 }, 1);
  let answer;
  for (let i = 0; i < 3; i++) {
    h.clock.now = T0 + i * 10_000;
    answer = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', h.clock.now));
  }
  assert.equal(answer!.headers['ce-type'], EventType.healPerformed, answer!.text);
  assert.deepEqual([dataOf(answer!).action, dataOf(answer!).reason], ['restart', 'threshold-reached']);
  assert.match(String(dataOf(answer!).detail), /no answer came, but the pod is gone/);
  const unit = await h.client.hgetall(`{${h.prefix}}:unit:web-http:shop:Deployment:web`);
  assert.deepEqual([unit.ladderStep, unit.verifyingAction, unit.actionsPerformed], ['0', 'restart', '1']);
});

test('a pod read that times out answers 503, so the event is retried, not acknowledged as unreadable', async (t) => {
  const h = await startHarness(t, { kubeTimeoutMs: TIMEOUT_MS });
  const [pod] = await deploy(h, 'shop', 'web', 3, { app: 'web', ...OPT_IN });
  h.sim.inject('GET', new RegExp(`/pods/${pod}$`), { kind: 'slow', delayMs: TIMEOUT_MS * 3 }, 1);
  let answer;
  for (let i = 0; i < 3; i++) {
    h.clock.now = T0 + i * 10_000;
    answer = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', h.clock.now), { id: `e-${i}` });
  }
  assert.equal(answer!.status, 503, answer!.text);
  assert.match(answer!.text, /cannot read the target/);
  // The redelivery, once the API server answers again, acts.
  const again = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', h.clock.now), { id: 'e-2' });
  assert.equal(again.headers['ce-type'], EventType.healPerformed, again.text);
  assert.equal(h.evictions(), 1);
});

test('a throttled eviction answers 503 and deletes nothing, even with deleteFallback; the redelivery evicts once', async (t) => {
  const rules = `
rules:
  - name: web-http
    kind: http
    namespace: shop
    labelSelector: app=web
    port: 8080
    failureThreshold: 1
    deleteFallback: true
`;
  const h = await startHarness(t, { rules });
  const [pod] = await deploy(h, 'shop', 'web', 3, { app: 'web', ...OPT_IN });
  h.sim.inject('POST', /\/eviction$/, { kind: 'throttle', retryAfterSeconds: 1 }, 1);
  const first = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0), { id: 'e-1' });
  assert.equal(first.status, 503, first.text);
  assert.equal(h.sim.requests.filter((r) => r.method === 'DELETE').length, 0);
  const again = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0), { id: 'e-1' });
  assert.equal(again.headers['ce-type'], EventType.healPerformed, again.text);
  assert.equal(h.evictions(), 1);
});
