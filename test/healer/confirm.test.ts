// Before a restart the healer probes the pod itself with the rule's own probe: a pass cancels the restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoApp } from '../../shared/dev/targets/index.ts';
import { EventType } from '../../shared/events/types.ts';
import { OPT_IN, T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';

const rules = (confirm: boolean) => `
rules:
  - name: web-http
    kind: http
    namespace: shop
    labelSelector: app=web
    port: 8080
    path: /health
    failureThreshold: 2
    cooldown: 60s
    timeoutMs: 500
    confirm: ${confirm}
`;

/** A deployment whose first pod really serves the rule's probe (a demo app on its address and port). */
async function healthyPod(t: Parameters<typeof startHarness>[0], h: Harness): Promise<string> {
  const [pod] = await deploy(h, 'shop', 'web', 2, { app: 'web', ...OPT_IN });
  const ip = h.sim.getPod('shop', pod!)!.status.podIP!;
  const app = await startDemoApp({ host: ip, port: 8080 });
  t.after(() => app.close());
  return pod!;
}

async function forgeFailures(h: Harness, pod: string) {
  let answer;
  for (let i = 0; i < 2; i++) {
    h.clock.now = T0 + i * 1_000;
    answer = await h.send(result('web-http', 'http', podTarget('shop', pod), 'failed', h.clock.now));
  }
  return answer!;
}

test('forged failures of a pod that answers its probe: the healer\'s own probe passes and the restart is cancelled', async (t) => {
  const h = await startHarness(t, { rules: rules(true) });
  const pod = await healthyPod(t, h);
  const answer = await forgeFailures(h, pod);
  assert.equal(answer.headers['ce-type'], EventType.healSkipped, answer.text);
  assert.deepEqual([dataOf(answer).reason, dataOf(answer).action], ['confirmed-healthy', 'restart']);
  assert.match(String(dataOf(answer).detail), /passed/);
  assert.equal(h.evictions(), 0);
});

test('with confirm: false the restart goes ahead on the results alone', async (t) => {
  const h = await startHarness(t, { rules: rules(false) });
  const pod = await healthyPod(t, h);
  const answer = await forgeFailures(h, pod);
  assert.equal(answer.headers['ce-type'], EventType.healPerformed, answer.text);
  assert.equal(h.evictions(), 1);
});

test('a pod whose own probe fails too is restarted', async (t) => {
  const h = await startHarness(t, { rules: rules(true) });
  const pod = await healthyPod(t, h);
  const ip = h.sim.getPod('shop', pod)!.status.podIP!;
  // The demo app answers 500 once told to fail.
  await fetch(`http://${ip}:8080/fail`, { method: 'POST' }).then((r) => r.arrayBuffer());
  const answer = await forgeFailures(h, pod);
  assert.equal(answer.headers['ce-type'], EventType.healPerformed, answer.text);
  assert.equal(h.evictions(), 1);
});

test('failures of a pod that is still starting cannot be confirmed: no restart (unconfirmed), the kubelet is at it', async (t) => {
  const h = await startHarness(t, { rules: rules(true) });
  const pod = await healthyPod(t, h);
  h.sim.setContainersStarted('shop', pod, false);
  const answer = await forgeFailures(h, pod);
  assert.equal(answer.headers['ce-type'], EventType.healSkipped, answer.text);
  assert.deepEqual([dataOf(answer).reason, dataOf(answer).action], ['unconfirmed', 'restart']);
  assert.match(String(dataOf(answer).detail), /not-started/);
  assert.equal(h.evictions(), 0);
});
