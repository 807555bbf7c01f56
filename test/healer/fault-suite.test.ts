// The fault suite: each fault or forgery tried a bounded number of times on real Redis, the real client and the
// simulator, with results delivered the way the Broker delivers them (a 5xx is redelivered). Per fault: actions
// taken, lost (due and never taken) and duplicated (taken twice) — lost and duplicated must be 0, forged 0 taken.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckResult } from '../../shared/events/schemas.ts';
import { EventType } from '../../shared/events/types.ts';
import type { Answer } from '../support/http.ts';
import { startPrivateRedis } from '../support/redis.ts';
import type { TestRedis } from '../support/redis.ts';
import { OPT_IN, T0, deploy, podTarget, result, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';

/** Redeliveries of one event before the suite calls it lost, as a Broker's retry policy would give up. */
const REDELIVERIES = 8;

/** Delivers until the answer is final (not a 5xx); `between` runs before each redelivery (the fault passes). */
async function deliver(h: Harness, r: CheckResult, id: string, between: () => Promise<void> = async () => {}): Promise<Answer> {
  let answer = await h.send(r, { id });
  for (let i = 0; i < REDELIVERIES && answer.status >= 500; i++) {
    await between();
    answer = await h.send(r, { id });
  }
  return answer;
}

/** Evictions that reached the API server and were served, per pod. */
function evictedPods(h: Harness): string[] {
  return h.sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/eviction') && r.status < 300).map((r) => r.path.split('/').at(-2)!);
}

interface Tally {
  tried: number;
  due: number;
  taken: number;
}

/** Runs `count` rounds, each on a Deployment of its own (own cooldown), failing one pod three times. */
async function rounds(h: Harness, count: number, round: (pod: string, i: number) => Promise<void>): Promise<Tally> {
  for (let i = 0; i < count; i++) {
    await deploy(h, 'shop', `web${i}`, 2, { app: 'web', unit: `web${i}`, ...OPT_IN });
    // deploy() lists by app, which every round shares: this round's pod is found by its own label.
    const pod = h.sim.listPods('shop', { unit: `web${i}` })[0]!.metadata.name;
    h.clock.now = T0 + i * 100_000;
    for (let n = 0; n < 2; n++) await deliver(h, result('web-http', 'http', podTarget('shop', pod, `web${i}`), 'failed', h.clock.now + n), randomUUID());
    await round(pod, i);
  }
  return { tried: count, due: count, taken: evictedPods(h).length };
}

const acting = (pod: string, i: number) => result('web-http', 'http', podTarget('shop', pod, `web${i}`), 'failed', T0 + i * 100_000 + 2);

function check(t: TestContext, name: string, tally: Tally, forged = false): void {
  const lost = Math.max(0, tally.due - tally.taken);
  const duplicated = Math.max(0, tally.taken - tally.due);
  t.diagnostic(`${name}: tried ${tally.tried}, taken ${tally.taken}, lost ${lost}, duplicated ${duplicated}`);
  assert.deepEqual({ lost, duplicated, ...(forged ? { taken: tally.taken } : {}) }, { lost: 0, duplicated: 0, ...(forged ? { taken: 0 } : {}) });
}

const ENV = { BUDGET_MAX_ACTIONS: '1000' };

test('duplicates: every event delivered three times', async (t) => {
  const h = await startHarness(t, { env: ENV });
  const tally = await rounds(h, 5, async (pod, i) => {
    for (let d = 0; d < 3; d++) await deliver(h, acting(pod, i), `dup-${i}`);
  });
  check(t, 'duplicates x3', tally);
});

test('API 500 and 503 on the eviction, then served', async (t) => {
  const h = await startHarness(t, { env: ENV });
  const tally = await rounds(h, 6, async (pod, i) => {
    h.sim.inject('POST', /\/eviction$/, { kind: 'error', code: i % 2 ? 500 : 503 }, 1);
    await deliver(h, acting(pod, i), `err-${i}`);
  });
  check(t, 'API 5xx', tally);
});

test('API throttling (429 without a budget cause) on the eviction', async (t) => {
  const h = await startHarness(t, { env: ENV, rules: undefined });
  const tally = await rounds(h, 5, async (pod, i) => {
    h.sim.inject('POST', /\/eviction$/, { kind: 'throttle', retryAfterSeconds: 1 }, 2);
    await deliver(h, acting(pod, i), `429-${i}`);
  });
  check(t, 'API 429 throttling', tally);
});

test('API answers lost (timeouts): the eviction served, the redelivery does nothing more', async (t) => {
  const h = await startHarness(t, { env: ENV, kubeTimeoutMs: 300 });
  const tally = await rounds(h, 4, async (pod, i) => {
    h.sim.inject('POST', /\/eviction$/, { kind: 'slow', delayMs: 900, served: i % 2 === 0 }, 1);
    await deliver(h, acting(pod, i), `slow-${i}`);
    await deliver(h, acting(pod, i), `slow-${i}`);
  });
  check(t, 'API timeouts', tally);
});

test('a PodDisruptionBudget defers; once it allows, the next failure acts', async (t) => {
  const h = await startHarness(t, { env: ENV });
  const tally = await rounds(h, 3, async (pod, i) => {
    h.sim.createPdb({ namespace: 'shop', name: `web${i}`, selector: { unit: `web${i}` }, minAvailable: 2 });
    await deliver(h, acting(pod, i), `pdb-${i}`);
    h.sim.deletePdb('shop', `web${i}`);
    await deliver(h, result('web-http', 'http', podTarget('shop', pod, `web${i}`), 'failed', T0 + i * 100_000 + 3), `pdb-after-${i}`);
  });
  check(t, 'API 429 PodDisruptionBudget', tally);
});

async function withOwnRedis(t: TestContext): Promise<TestRedis> {
  const redis = await startPrivateRedis({ persist: true });
  t.after(() => redis.close());
  return redis;
}

async function ready(h: Harness): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${h.healer.url}/readyz`);
    await res.arrayBuffer();
    if (res.status === 200) return;
    await sleep(50);
  }
}

test('Redis stopped at the acting event, then restarted', async (t) => {
  const redis = await withOwnRedis(t);
  const h = await startHarness(t, { env: ENV, redis });
  const tally = await rounds(h, 3, async (pod, i) => {
    await redis.stop();
    await deliver(h, acting(pod, i), `down-${i}`, async () => {
      await redis.start();
      await ready(h);
    });
  });
  check(t, 'Redis stopped', tally);
});

test('Redis hung (SIGSTOP) at the acting event, then resumed', async (t) => {
  const redis = await withOwnRedis(t);
  const h = await startHarness(t, { env: ENV, redis });
  const tally = await rounds(h, 3, async (pod, i) => {
    redis.pause();
    await deliver(h, acting(pod, i), `hung-${i}`, async () => {
      redis.resume();
      await ready(h);
    });
  });
  check(t, 'Redis hung', tally);
});

test('Redis lost after the eviction: the outcome is resolved against the cluster once the lease is over', async (t) => {
  const redis = await withOwnRedis(t);
  const h = await startHarness(t, { env: { ...ENV, ACTION_LEASE: '10s' }, redis });
  const tally = await rounds(h, 2, async (pod, i) => {
    h.sim.inject('POST', /\/eviction$/, { kind: 'slow', delayMs: 1_500 }, 1);
    const before = evictedPods(h).length;
    const answered = h.send(acting(pod, i), { id: `lost-${i}` });
    // Redis goes once the eviction was served and before its answer comes back (bounded wait).
    for (let n = 0; n < 200 && evictedPods(h).length === before; n++) await sleep(10);
    await redis.stop();
    await answered;
    await redis.start();
    await ready(h);
    // Past the lease, the redelivery and the sibling's failures find the eviction and its cooldown.
    h.clock.now += 20_000;
    await deliver(h, acting(pod, i), `lost-${i}`);
    const sibling = h.sim.listPods('shop', { unit: `web${i}` }).map((p) => p.metadata.name).find((n) => n !== pod)!;
    for (let n = 0; n < 3; n++) await deliver(h, result('web-http', 'http', podTarget('shop', sibling, `web${i}`), 'failed', h.clock.now + n), randomUUID());
  });
  check(t, 'Redis lost after the action', tally);
});

test('forgeries of every class take no action', async (t) => {
  const h = await startHarness(t, { env: ENV });
  const pods = await deploy(h, 'shop', 'web', 3, { app: 'web', ...OPT_IN });
  const [payments] = await deploy(h, 'shop', 'payments', 1, { app: 'payments', ...OPT_IN });
  const at = (n: number) => T0 + n;
  const forged: Array<[string, CheckResult, { type?: string }?]> = [
    ['unknown rule', result('no-such-rule', 'http', podTarget('shop', pods[0]!), 'failed', at(1))],
    ['namespace outside the rule', result('web-http', 'http', podTarget('kube-system', 'coredns-1'), 'failed', at(2))],
    ['kind other than the rule\'s', result('web-http', 'tcp', podTarget('shop', pods[0]!), 'failed', at(3))],
    ['type disagreeing with the outcome', result('web-http', 'http', podTarget('shop', pods[0]!), 'passed', at(4)), { type: EventType.checkFailed }],
    ['pod outside the selector', result('web-http', 'http', podTarget('shop', payments!, 'payments'), 'failed', at(5))],
    ['pod that does not exist', result('web-http', 'http', podTarget('shop', 'web-ghost-1', 'ghost'), 'failed', at(6))],
    ['dated a year ahead', result('web-http', 'http', podTarget('shop', pods[1]!), 'failed', at(365 * 86_400_000))],
    ['proxy pod that does not exist', result('squid-egress', 'egress', { namespace: 'proxy', kind: 'Proxy', name: 'squid-ghost' }, 'failed', at(7), { proxy: { group: 'squid-egress', role: 'primary' } })],
  ];
  let tried = 0;
  for (const [, r, opts] of forged) {
    // Each forgery three times: a run of failures is what a threshold needs.
    for (let n = 0; n < 3; n++) {
      await h.send({ ...r, observedAt: new Date(Date.parse(r.observedAt) + n).toISOString() }, { id: randomUUID(), ...(opts ?? {}) });
      tried++;
    }
  }
  const patches = h.sim.requests.filter((r) => r.method === 'PATCH' || r.method === 'DELETE').length;
  check(t, `forgeries (${forged.length} classes)`, { tried, due: 0, taken: evictedPods(h).length + patches }, true);
});
