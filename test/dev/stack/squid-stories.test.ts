// The Squid stories on the local stack with real Squids as the proxy pods (squid must be installed): the primary
// loses its upstream and the healer switches the squid Service to the secondary and back; `squid -k shutdown` in the
// primary makes the exec rule fail with Squid's FATAL, the healer restarts the pod and the fresh Squid passes.
// The demo's own steps are run, so a step that does not happen fails naming it; the tests add what Squid answered.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { proxyFailover, squidCheck } from '../../../shared/dev/demo/scenarios.ts';
import type { DemoContext } from '../../../shared/dev/demo/scenarios.ts';
import { createTimeline } from '../../../shared/dev/demo/timeline.ts';
import { PROJECT_ROOT, startStack } from '../../../shared/dev/stack/stack.ts';
import type { Stack } from '../../../shared/dev/stack/stack.ts';
import { SQUID_MISSING, squidBinary } from '../../../shared/dev/targets/index.ts';
import { EventType } from '../../../shared/events/types.ts';
import { createKeys } from '../../../shared/store/keys.ts';
import { useRedis } from '../../support/redis.ts';
import type { TestRedis } from '../../support/redis.ts';

let redis: TestRedis;
let client: Redis;
let stack: Stack;
let ctx: DemoContext;
const said: string[] = [];
const lines: string[] = [];

before(async () => {
  assert.ok(squidBinary() !== undefined, SQUID_MISSING);
  redis = await useRedis();
  const prefix = `${redis.prefix}-squid`;
  stack = await startStack({
    simulate: true,
    pingSchedules: false,
    redisUrl: redis.url,
    redisKeyPrefix: prefix,
    rulesFile: `${PROJECT_ROOT}/shared/dev/demo/rules.yaml`,
    logLevel: 'warn',
    output: { write: (line) => void lines.push(line) },
  });
  client = new Redis(redis.url);
  ctx = { stack, world: stack.world!, redis: client, keys: createKeys(prefix), timeline: createTimeline((line) => void said.push(line)) };
});

after(async () => {
  client?.disconnect();
  await stack?.stop();
  await redis?.close();
});

const logs = () => `\n--- told ---\n${said.join('\n')}\n--- stack logs ---\n${lines.slice(-40).join('\n')}`;
type Data = { rule?: string; probe?: Record<string, unknown>; target?: { name?: string }; proxy?: { role?: string } };

test('the proxy pods are real Squids, one per pod address', () => {
  assert.equal(stack.world!.realSquid, true);
  for (const role of ['primary', 'secondary'] as const) {
    const pod = stack.world!.pods('proxy', `squid-${role}`)[0]!;
    const proxy = stack.world!.proxyOf(role)!;
    assert.equal(proxy.host, pod.status.podIP);
    assert.equal(proxy.port, 3128);
    assert.ok('pid' in proxy && proxy.pid !== undefined, `${role} has no Squid process`);
  }
});

test('failover: the primary Squid loses its upstream, its egress fails with Squid\'s 502, the Service moves to the secondary and back', async () => {
  const before = stack.router.events.length;
  await proxyFailover(ctx);
  const egress = stack.router.events.slice(before).filter((e) => (e.data as Data).rule === 'squid-egress');
  const failed = egress.filter((e) => e.type === EventType.checkFailed).map((e) => e.data as Data);
  assert.ok(failed.length > 0, logs());
  assert.ok(failed.every((d) => d.proxy?.role === 'primary'), 'only the primary failed');
  assert.deepEqual([failed[0]!.probe?.url, failed[0]!.probe?.status], ['http://example.com/', 502], logs());
  const secondary = egress.filter((e) => (e.data as Data).proxy?.role === 'secondary');
  assert.ok(secondary.length > 0 && secondary.every((e) => e.type === EventType.checkPassed), logs());
});

test('squid -k check: fails with Squid\'s FATAL after squid -k shutdown; the healer restarts the pod; the fresh Squid passes', async () => {
  const before = stack.router.events.length;
  const pod = stack.world!.pods('proxy', 'squid-primary')[0]!.metadata.name;
  await squidCheck(ctx);
  const fatal = stack.router.events
    .slice(before)
    .filter((e) => e.type === EventType.checkFailed && (e.data as Data).rule === 'squid-config')
    .map((e) => e.data as Data);
  assert.ok(fatal.length >= 2 && fatal.every((d) => d.target?.name === pod), logs());
  assert.match(String(fatal[0]!.probe?.output), /FATAL: failed to open \S+squid\.pid: \(2\) No such file or directory/);
  const replacement = stack.world!.proxyOf('primary')!;
  assert.ok('running' in replacement && replacement.running, 'the replacement runs its own Squid');
});
