import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { EventType } from '../../shared/events/types.ts';
import { PROJECT_ROOT, startStack } from '../../shared/dev/stack/stack.ts';
import type { Stack } from '../../shared/dev/stack/stack.ts';
import { createKeys } from '../../shared/store/keys.ts';
import { postBinary, postStructured } from '../support/http.ts';
import { useRedis } from '../support/redis.ts';
import type { TestRedis } from '../support/redis.ts';

let stack: Stack;
let redis: TestRedis;
let client: Redis;
const prefix = `e2e-${randomUUID().slice(0, 8)}`;
const keys = createKeys(prefix);

before(async () => {
  redis = await useRedis();
  stack = await startStack({
    simulate: true,
    pingSchedules: false,
    redisUrl: redis.url,
    redisKeyPrefix: prefix,
    rulesFile: `${PROJECT_ROOT}/shared/dev/demo/rules.yaml`,
    logLevel: 'error',
    output: { write: () => {} },
  });
  client = new Redis(redis.url);
});
after(async () => {
  client.disconnect();
  await stack.stop();
  await redis.close();
});

function failure(pod: string, at: number) {
  return {
    rule: 'nginx-http',
    ruleKind: 'http',
    outcome: 'failed',
    target: { namespace: 'web', kind: 'Pod', name: pod, workload: { kind: 'Deployment', name: 'nginx' } },
    probe: { latencyMs: 2, status: 500, error: 'status 500' },
    observedAt: new Date(at).toISOString(),
    runId: 'by-hand',
  };
}

test('a failure POSTed by hand for a pod that answers its probe restarts nothing: the healer confirms first', async () => {
  const pod = stack.world!.pods('web', 'nginx').map((p) => p.metadata.name).at(-1);
  const now = Date.now() + 10;
  let answer;
  for (let i = 0; i < 3; i++) {
    answer = await postStructured(stack.urls.healer!, { id: randomUUID(), type: EventType.checkFailed, source: '/selfheal/check-pods/nginx-http' }, failure(pod!, now + i));
  }
  assert.equal(answer!.headers['ce-type'], EventType.healSkipped, answer!.text);
  assert.equal((answer!.json() as { reason: string }).reason, 'confirmed-healthy', answer!.text);
  assert.ok(stack.world!.pods('web', 'nginx').some((p) => p.metadata.name === pod), 'the pod is still there');
  // Its pass takes it out of the failing sets again, as the next check run would.
  const pass = { ...failure(pod!, now + 3), outcome: 'passed', probe: { latencyMs: 2, status: 200 } };
  assert.equal((await postStructured(stack.urls.healer!, { id: randomUUID(), type: EventType.checkPassed, source: '/selfheal/check-pods/nginx-http' }, pass)).status, 202);
});

test('a CloudEvent POSTed by hand to the healer acts exactly as one delivered by the Broker', async () => {
  // The pod really fails: the healer confirms a failure with the rule's own probe before it restarts anything.
  const [pod] = stack.world!.failApp('web', 'nginx', { pods: 1 });
  const now = Date.now();
  // the first failure through the Broker (the router), as a check function would send it
  const routed = await postBinary(stack.router.url, { id: randomUUID(), type: EventType.checkFailed, source: '/selfheal/check-pods/nginx-http' }, failure(pod!, now));
  assert.equal(routed.status, 202);
  await stack.router.idle();
  const afterRouted = await client.hgetall(`${keys.target('nginx-http', { namespace: 'web', kind: 'Pod', name: pod! })}`);
  assert.equal(afterRouted.consecutiveFailures, '1');
  // the second one by hand, straight to the healer, in structured mode: same history, same decision
  const byHand = await postStructured(stack.urls.healer!, { id: randomUUID(), type: EventType.checkFailed, source: '/selfheal/check-pods/nginx-http' }, failure(pod!, now + 1));
  assert.equal(byHand.status, 200, byHand.text);
  assert.equal(byHand.headers['ce-type'], EventType.healPerformed);
  assert.deepEqual([(byHand.json() as { action: string }).action, (byHand.json() as { reason: string }).reason], ['restart', 'threshold-reached']);
  await stack.world!.sim.settle();
  assert.ok(!stack.world!.pods('web', 'nginx').some((p) => p.metadata.name === pod), 'the pod was evicted');
  stack.world!.recoverApp('web', 'nginx');
});

test('a healer restarted mid-scenario loses nothing: the count survives, the next failure acts', async () => {
  const [pod] = stack.world!.failApp('backend', 'backend', { pods: 1 });
  const before = stack.router.events.length;
  await stack.router.fire('pods-backend');
  await stack.router.idle();
  const id = keys.target('backend-http', { namespace: 'backend', kind: 'Pod', name: pod! });
  assert.equal((await client.hgetall(id)).consecutiveFailures, '1');

  await stack.restart('healer');

  await stack.router.fire('pods-backend');
  await stack.router.idle();
  const performed = stack.router.events
    .slice(before)
    .filter((e) => e.type === EventType.healPerformed && (e.data as { target: { name: string } }).target.name === pod);
  assert.equal(performed.length, 1, 'one restart after the healer restart');
  assert.equal((performed[0]!.data as { action: string }).action, 'restart');
  assert.equal((await client.hgetall(id)).consecutiveFailures, '2');
  assert.equal(stack.router.deadLetters.length, 0, JSON.stringify(stack.router.deadLetters));
  stack.world!.recoverApp('backend', 'backend');
});
