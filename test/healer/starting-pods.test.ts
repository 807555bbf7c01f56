// The healer and pods that restarted or are starting: a restart by the kubelet starts the failure count over, and a
// result that was not a probe (skipped) never reaches a decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import { OPT_IN, T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';

test('when the kubelet restarted the container, the consecutive failures start over', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2, { app: 'web', ...OPT_IN });
  const target = podTarget('shop', pod!);
  h.clock.now = T0;
  await h.send(result('web-http', 'http', target, 'failed', T0));
  await h.send(result('web-http', 'http', target, 'failed', T0 + 1_000));
  const afterRestart = await h.send(result('web-http', 'http', { ...target, restarts: 1 }, 'failed', T0 + 2_000));
  assert.deepEqual([dataOf(afterRestart).reason, dataOf(afterRestart).consecutiveFailures], ['below-threshold', 1], afterRestart.text);
  // The same count again is no new restart: the failures add up.
  await h.send(result('web-http', 'http', { ...target, restarts: 1 }, 'failed', T0 + 3_000));
  const third = await h.send(result('web-http', 'http', { ...target, restarts: 1 }, 'failed', T0 + 4_000));
  assert.equal(third.headers['ce-type'], EventType.healPerformed, third.text);
  assert.equal(h.evictions(), 1);
});

test('a skipped result is no failure and no pass: refused whatever type it is sent as, nothing recorded', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 1, { app: 'web', ...OPT_IN });
  const skipped = { ...result('web-http', 'http', podTarget('shop', pod!), 'passed', T0), outcome: 'skipped' as never, notProbed: 'not-started' as const };
  for (const type of [EventType.checkFailed, EventType.checkPassed, EventType.checkSkipped]) {
    const answer = await h.send(skipped, { type });
    assert.equal(answer.status, 400, `${type}: ${answer.text}`);
  }
  assert.equal(await h.client.exists(`{${h.prefix}}:target:web-http:shop:Pod:${pod}`), 0);
});
