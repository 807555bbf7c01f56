// Detection to action on the local stack: pods-web's schedule from knative/pingsources.yaml played by the stack's
// scheduler, an nginx pod broken just after a tick, and the time until the healer has evicted it.
// Run: npm run bench (or npx node test/bench/detection.ts [--speed N] [--trials N] alone). Not a test: figures for the README.
// It starts the simulated cluster, whose pods listen on fixed 127.0.0.x addresses: not alongside the end-to-end tests.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startScheduler } from '../../shared/dev/stack/scheduler.ts';
import { startStack } from '../../shared/dev/stack/stack.ts';
import { createLogger } from '../../shared/log/logger.ts';
import { loadRulesFile } from '../../shared/rules/load.ts';
import { PROJECT_ROOT } from '../../shared/dev/stack/stack.ts';
import { scheduleGaps } from '../knative/schedule-gaps.ts';
import { useRedis } from '../support/redis.ts';

const { values } = parseArgs({ options: { speed: { type: 'string', default: '10' }, trials: { type: 'string', default: '3' } } });
const speed = Number(values.speed);
const trials = Number(values.trials);
if (!(speed > 0) || !(trials >= 1 && trials <= 10)) throw new Error('--speed must be positive, --trials 1-10');

const PING = 'pods-web';
const RULE = 'nginx-http';
const rules = await loadRulesFile(`${PROJECT_ROOT}/knative/rules.yaml`);
const rule = rules.get(RULE);
if (!rule) throw new Error(`no rule ${RULE} in knative/rules.yaml`);

const redis = await useRedis();
const prefix = `bench-detect-${randomUUID().slice(0, 8)}`;
const stack = await startStack({ simulate: true, pingSchedules: false, redisUrl: redis.url, redisKeyPrefix: prefix, logLevel: 'error', output: { write: () => {} } });
const client = new Redis(redis.url);
const source = stack.pingSources.find((p) => p.name === PING);
if (!source) throw new Error(`no PingSource ${PING}`);
const gaps = scheduleGaps(source.schedule.source);
if (gaps.shortestMs !== gaps.longestMs) throw new Error(`${source.schedule.source}: ticks are not evenly spaced; this bench assumes they are`);
const periodMs = gaps.shortestMs / speed;
const thresholdMs = rule.failureThreshold * periodMs;

/** When each tick fired and when its check run answered (real ms, performance.now()). */
const ticks: Array<{ firedAt: number; answeredAt?: number }> = [];
let tickAnswered: (() => void) | undefined;
const scheduler = startScheduler({
  pingSources: [source],
  speed,
  logger: createLogger({ name: 'bench', level: 'silent' }),
  fire: async (name) => {
    const tick: { firedAt: number; answeredAt?: number } = { firedAt: performance.now() };
    ticks.push(tick);
    const record = await stack.router.firePing(name);
    tick.answeredAt = performance.now();
    tickAnswered?.();
    return record;
  },
});
const nextAnsweredTick = () => new Promise<void>((resolve) => (tickAnswered = resolve));

console.log(`${PING}: "${source.schedule.source}" (every ${gaps.shortestMs / 1000} s), ${RULE}: failureThreshold ${rule.failureThreshold}, --speed ${speed}: a tick every ${periodMs} ms real`);
console.log(`failureThreshold × period = ${rule.failureThreshold} × ${periodMs} ms = ${thresholdMs} ms real (${(thresholdMs * speed) / 1000} s of schedule time)`);
const results: Array<{ breakToEvictMs: number; lastTickToEvictMs: number }> = [];
try {
  // The first run imports the Kubernetes client and lists the pods: not part of what is measured.
  await nextAnsweredTick();
  let repeated = 0;
  for (let trial = 0; trial <= trials; trial++) {
    // Each trial starts from an empty history (no cooldown or budget left by the one before).
    for (const key of await client.keys(`{${prefix}}*`)) await client.del(key);
    await nextAnsweredTick();
    // Just after a run answered: the worst case, the next failure is a whole period away.
    const [pod] = stack.world!.failApp('web', 'nginx', { pods: 1 });
    const brokeAt = performance.now();
    const limit = brokeAt + thresholdMs * 3 + 10_000;
    while (stack.world!.pods('web', 'nginx').some((p) => p.metadata.name === pod)) {
      if (performance.now() > limit) throw new Error(`trial ${trial}: pod ${pod} not evicted within ${Math.round(limit - brokeAt)} ms`);
      await sleep(2);
    }
    const evictedAt = performance.now();
    // Every tick after the break fails: the one that reaches the threshold is the failureThreshold-th after it.
    const acting = ticks.filter((t) => t.firedAt > brokeAt)[rule.failureThreshold - 1];
    if (!acting || acting.firedAt > evictedAt) {
      // A run the schedule did not fire counted too (the Broker retried a ping that was answered late, on a loaded
      // machine): this trial measured no tick, so it is run again, a bounded number of times.
      if (++repeated > 3) throw new Error(`trial ${trial}: evicted before the ${rule.failureThreshold}th tick after the break, ${repeated} times`);
      console.log(`trial ${trial}: ${pod} evicted before the ${rule.failureThreshold}th tick after the break (a run outside the schedule counted): run again`);
      trial--;
      continue;
    }
    const r = { breakToEvictMs: evictedAt - brokeAt, lastTickToEvictMs: evictedAt - acting.firedAt };
    const label = trial === 0 ? 'warm-up (the healer process\'s first action, slower), not counted' : `trial ${trial}`;
    if (trial > 0) results.push(r);
    console.log(
      `${label}: ${pod} broken → evicted ${r.breakToEvictMs.toFixed(0)} ms (failureThreshold × period ${thresholdMs} ms, difference ${(r.breakToEvictMs - thresholdMs).toFixed(0)} ms); ` +
        `tick ${rule.failureThreshold} after the break → evicted ${r.lastTickToEvictMs.toFixed(0)} ms`,
    );
  }
} finally {
  scheduler.stop();
  client.disconnect();
  await stack.stop();
  await redis.close();
}
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const mid = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const after = results.map((r) => r.lastTickToEvictMs);
console.log(
  `detection to action: failureThreshold × period + ${mid(after).toFixed(0)} ms (median of ${results.length} trials; ${sorted(after).map((x) => x.toFixed(0)).join(', ')} ms from the tick that found the failure that reached the threshold to the eviction). ` +
    `The period is scaled by --speed ${speed}; the added time is real (probe, Broker, healer's confirming probe, eviction), so unscaled: ${rule.failureThreshold} × ${gaps.shortestMs / 1000} s + the same.`,
);
