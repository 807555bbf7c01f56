// Measures the healer on this machine: events per second through real HTTP and real Redis, latency, and Redis
// round trips per event (from Redis' own command counters). Figures for the README, not a test.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { EventType } from '../../shared/events/types.ts';
import { postBinary } from '../support/http.ts';
import { startPrivateRedis } from '../support/redis.ts';
import { deploy, podTarget, result, startHarness } from '../healer/harness.ts';
import type { TestContext } from 'node:test';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 4000);
const TARGETS = 200;
const CONCURRENCY = 32;

const cleanups: Array<() => unknown> = [];
const fakeContext = { after: (fn: () => unknown) => cleanups.push(fn) } as unknown as TestContext;

const redis = await startPrivateRedis();
// A rule nothing crosses the threshold of (failures alternate with passes), so every event is a full decision
// without a Kubernetes call: the cost measured is the healer's own.
const h = await startHarness(fakeContext, { redis, env: { LOG_LEVEL: 'silent' } });
const pods = await deploy(h, 'shop', 'web', 4);
const admin = new Redis(redis.url);
await admin.config('RESETSTAT');

async function commandCalls(): Promise<Record<string, number>> {
  const info = await admin.info('commandstats');
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) calls[m[1]!] = Number(m[2]);
  return calls;
}

const latencies: number[] = [];
let next = 0;
const base = Date.now();
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < EVENTS; i = next++) {
      const pod = `${pods[0]}-t${i % TARGETS}`;
      const outcome = Math.floor(i / TARGETS) % 2 === 0 ? 'failed' : 'passed';
      const t0 = performance.now();
      const res = await postBinary(h.healer.url, { id: randomUUID(), type: outcome === 'failed' ? EventType.checkFailed : EventType.checkPassed, source: '/bench' }, result('web-http', 'http', podTarget('shop', pod), outcome, base + i));
      latencies.push(performance.now() - t0);
      if (res.status >= 300) throw new Error(`healer answered ${res.status}: ${res.text}`);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const calls = await commandCalls();
// A decision reads with one pipeline (one ZCOUNT of the budget among its commands) and commits with one script call.
const loads = calls.zcount ?? 0;
const scripts = (calls.evalsha ?? 0) + (calls.eval ?? 0);
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(1);
console.log(`healer: ${EVENTS} events over ${TARGETS} targets, ${CONCURRENCY} concurrent, in ${seconds.toFixed(2)} s`);
console.log(`  throughput      ${(EVENTS / seconds).toFixed(0)} events/s`);
console.log(`  latency         p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
console.log(`  redis           ${((loads + scripts) / EVENTS).toFixed(2)} round trips per event (${loads} reads, ${scripts} script calls)`);
console.log(`  memory          rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB (bench process: healer, simulator and load generator)`);
admin.disconnect();
for (const fn of cleanups.reverse()) await fn();
await redis.close();
