// The healer's scrape: a healed pod is counted as a performed restart, every decision by its reason, API faults by verb.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPT_IN, T0, deploy, podTarget, result, startHarness } from '../healer/harness.ts';
import { sample, scrape } from '../support/promtool.ts';

test('three failures evict a pod: the scrape shows one performed restart and the decisions that led to it', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  for (const i of [1, 2, 3]) {
    h.clock.now = T0 + i * 1000;
    await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', h.clock.now));
  }
  assert.equal(h.evictions(), 1);
  const text = await scrape(h.healer.url);
  assert.equal(sample(text, 'selfheal_healing_actions_total{action="restart",result="performed"}'), 1);
  assert.equal(sample(text, 'selfheal_decisions_total{rule="web-http",reason="below-threshold"}'), 2);
  assert.equal(sample(text, 'selfheal_decisions_total{rule="web-http",reason="threshold-reached"}'), 1);
  assert.match(text, /^selfheal_build_info\{version="[^"]+",node="[^"]+"\} 1$/m);
  assert.match(text, /^process_cpu_user_seconds_total /m);
  assert.doesNotMatch(text, new RegExp(pod!), 'no pod name in any label');
});

test('a throttled eviction answers 503 and counts as a Kubernetes API error of its action', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 3, { app: 'web', ...OPT_IN });
  h.sim.inject('POST', /\/eviction$/, { kind: 'throttle', retryAfterSeconds: 1 }, 1);
  let status = 0;
  for (const i of [1, 2, 3]) {
    h.clock.now = T0 + i * 1000;
    status = (await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', h.clock.now))).status;
  }
  assert.equal(status, 503);
  const text = await scrape(h.healer.url);
  assert.equal(sample(text, 'selfheal_kubernetes_api_errors_total{verb="restart"}'), 1);
  assert.equal(sample(text, 'selfheal_healing_actions_total{action="restart",result="failed"}'), 1);
});
