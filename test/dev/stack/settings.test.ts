// The user's environment wins over the manifests in knative/ (REDIS_KEY_PREFIX above all: the CLI reads it too),
// and the stack says where its history is and how to read it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { startStack } from '../../../shared/dev/stack/stack.ts';
import type { Stack } from '../../../shared/dev/stack/stack.ts';
import { useRedis } from '../../support/redis.ts';
import type { TestRedis } from '../../support/redis.ts';

let redis: TestRedis;
let stack: Stack;
const lines: string[] = [];
let prefix: string;

before(async () => {
  redis = await useRedis();
  prefix = `${redis.prefix}-user`;
  stack = await startStack({
    simulate: true,
    pingSchedules: false,
    redisUrl: redis.url,
    userEnv: { REDIS_KEY_PREFIX: prefix, BUDGET_MAX_ACTIONS: '0', UNRELATED: 'x' },
    logLevel: 'info',
    output: { write: (line) => void lines.push(line) },
  });
});

after(async () => {
  await stack?.stop();
  await redis?.close();
});

const logs = () => `\n--- stack logs ---\n${lines.join('\n')}`;

test("the user's REDIS_KEY_PREFIX is the one the healer writes under", async () => {
  assert.equal(stack.redisKeyPrefix, prefix);
  await stack.router.fire('pods-web');
  const client = new Redis(redis.url);
  try {
    assert.equal(await client.zcard(`{${prefix}}:targets`), 2, logs());
    assert.equal(await client.exists('{selfheal}:targets', `{${redis.prefix}}:targets`), 0);
  } finally {
    client.disconnect();
  }
});

test("the user's value of a setting the manifest sets wins: BUDGET_MAX_ACTIONS 0 lets no restart through", async () => {
  const [failing] = stack.world!.failApp('web', 'nginx');
  for (let tick = 0; tick < 3; tick++) await stack.router.fire('pods-web');
  const decided = stack.router.events.filter((e) => (e.data as { target?: { name?: string } }).target?.name === failing && e.type.startsWith('io.selfheal.heal.'));
  assert.ok(decided.some((e) => (e.data as { reason?: string }).reason === 'budget-exhausted'), logs());
  assert.ok(stack.world!.pods('web', 'nginx').some((p) => p.metadata.name === failing), 'the pod was not evicted');
});

test('the stack says when ready which prefix it uses and the CLI commands that read and clear it', () => {
  const said = lines.map((l) => JSON.parse(l) as { msg?: string }).map((l) => l.msg ?? '');
  assert.ok(said.some((m) => m.includes(`npx selfheal units --redis ${redis.url} --prefix ${prefix}`) && m.includes(`npx selfheal reset --redis ${redis.url} --prefix ${prefix}`)), logs());
  assert.ok(said.some((m) => m.startsWith('simulated pods') && stack.world!.allPods().every((p) => m.includes(p.name) && m.includes(p.address))), logs());
});
