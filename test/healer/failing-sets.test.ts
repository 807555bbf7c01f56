// Targets leave the failing sets promptly: a pod the API server does not know, and one that stopped reporting,
// neither hold back their workload's healed judgement nor show as failing for days.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import { T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';

async function send(h: Harness, pod: string, outcome: 'passed' | 'failed', at: number) {
  h.clock.now = at;
  const answer = await h.send(result('web-http', 'http', podTarget('shop', pod), outcome, at));
  assert.ok(answer.status < 300, answer.text);
  return answer;
}

/** Three failures of a real pod restart it; two passes of its replacement after the verify window judge the unit. */
async function restartAndJudge(h: Harness, pod: string, from: number) {
  const before = new Set(h.podsOf('shop', 'web'));
  for (const s of [0, 1, 2]) await send(h, pod, 'failed', from + s * 1_000);
  assert.equal(h.evictions(), 1);
  await h.sim.settle();
  const replacement = h.podsOf('shop', 'web').find((p) => !before.has(p));
  assert.ok(replacement, 'the evicted pod was replaced');
  await send(h, replacement, 'passed', from + 40_000);
  return send(h, replacement, 'passed', from + 45_000);
}

test('a pod the API server does not know leaves the failing sets when the healer finds it gone', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 4);
  // Results sent by hand for a pod that never existed: at the threshold the re-read finds nothing.
  let last;
  for (const s of [1, 2, 3]) last = await send(h, 'web-ghost', 'failed', T0 + s * 1_000);
  assert.deepEqual([last!.headers['ce-type'], dataOf(last!).reason], [EventType.healSkipped, 'target-gone']);

  // Were the ghost still counted, the real pod's replacement passing would not prove the unit healed.
  const judged = await restartAndJudge(h, pod!, T0 + 4_000);
  assert.equal(judged.headers['ce-type'], EventType.healSkipped, 'the second pass settles the restart: an audited judgement');
  assert.equal(dataOf(judged).reason, 'healed');
});

test('a pod that stopped reporting no longer counts as failing once verification and cooldown ran out', async (t) => {
  const h = await startHarness(t);
  const [pod, silent] = await deploy(h, 'shop', 'web', 4);
  // One failure, then nothing more: deleted by hand, say, and replaced under another name.
  await send(h, silent!, 'failed', T0);
  // 90 s later (verifyWindow 30 s + cooldown 60 s) its failure no longer counts.
  const judged = await restartAndJudge(h, pod!, T0 + 51_000);
  assert.deepEqual([judged.headers['ce-type'], dataOf(judged).reason], [EventType.healSkipped, 'healed']);
});
