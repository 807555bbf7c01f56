// The healer's decisions per second against a bare node:http server measured in the same run, each in its own
// process, driven by a load generator in a process of its own; Redis round trips and commands per event from
// Redis' own counters. Not a test: figures for the README.
// Run: npm run bench -- mixed | one-deployment | failing   (or node test/bench/throughput.ts <case>)
import { fmt, goal, fail } from './lib/figures.ts';
import { callsBetween, redisCounters, RULES, startBare, startRig } from './lib/healer-rig.ts';
import type { RedisCounters, Rig } from './lib/healer-rig.ts';
import type { LoadReport } from './lib/generator.ts';

const CASES = ['mixed', 'one-deployment', 'failing'] as const;
type Case = (typeof CASES)[number];
const which = process.argv[2] as Case | undefined;
if (!which || !CASES.includes(which)) fail(`usage: node test/bench/throughput.ts <${CASES.join('|')}>`);

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_MS = 1_000;
const RATIO_GOAL = 0.35;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 2);

const line = (label: string, r: LoadReport) =>
  console.log(`  ${label.padEnd(34)} ${fmt(r.rate).padStart(7)} events/s   p50 ${fmt(r.p50, 1).padStart(6)} ms   p99 ${fmt(r.p99, 1).padStart(6)} ms   (${fmt(r.events)} events, all 2xx)`);

/**
 * Bare and healer in turn, REPEATS times each, the best rate of each kept: the machine is shared, and a burst of
 * someone else's work slows one window, never speeds one up. Redis' counters are those of the healer's last window.
 */
async function bareAndHealer(rig: Rig, label: string, targetCount?: number): Promise<{ bare: LoadReport; healer: LoadReport; perEvent: Record<string, number>; events: number }> {
  const spec = { connections: CONNECTIONS, rule: RULES.mixed.name, pattern: 'alternate' as const, warmupMs: WARMUP_MS, durationMs: SECONDS * 1_000, ...(targetCount ? { targetCount } : {}) };
  const best = (a: LoadReport | undefined, b: LoadReport) => (a === undefined || b.rate > a.rate ? b : a);
  let bareBest: LoadReport | undefined;
  let healerBest: LoadReport | undefined;
  let before: RedisCounters | undefined;
  let after: RedisCounters | undefined;
  let healerLast: LoadReport | undefined;
  let firstIndex = 0;
  for (let round = 0; round < REPEATS; round++) {
    const bare = await startBare();
    try {
      bareBest = best(bareBest, await rig.load(bare.ready.url, { ...spec, idPrefix: `bare-${round}` }));
    } finally {
      await bare.stop();
    }
    before = await redisCounters(rig.redis.admin);
    // Each window goes on with the sequence of the last, so every pod keeps alternating.
    healerLast = await rig.load(rig.healer.ready.url, { ...spec, firstIndex, idPrefix: `load-${label}-${round}` });
    after = await redisCounters(rig.redis.admin);
    firstIndex += healerLast.sent;
    healerBest = best(healerBest, healerLast);
  }
  const calls = callsBetween(before!, after!);
  const perEvent = Object.fromEntries(Object.entries(calls).map(([cmd, n]) => [cmd, n / healerLast!.sent]));
  line(`bare node:http (parse JSON, 202), best of ${REPEATS}`, bareBest!);
  line(`healer (${label}), best of ${REPEATS}`, healerBest!);
  printRedisCpu(before!, after!, healerLast!.sent);
  return { bare: bareBest!, healer: healerBest!, perEvent, events: healerLast!.sent };
}

/** Redis' own CPU per event: how many events one Redis core could serve, whatever the healer's speed. */
function printRedisCpu(before: RedisCounters, after: RedisCounters, events: number): void {
  const us = ((after.cpuSeconds - before.cpuSeconds) * 1e6) / events;
  console.log(`  redis CPU per event: ${fmt(us, 1)} µs (INFO cpu), so one Redis core serves at most ${fmt(1e6 / us)} events/s of this mix`);
}

function printCalls(perEvent: Record<string, number>, events: number): number {
  const total = Object.values(perEvent).reduce((a, b) => a + b, 0);
  const parts = Object.entries(perEvent).sort((a, b) => b[1] - a[1]).map(([cmd, n]) => `${cmd} ${n.toFixed(2)}`);
  console.log(`  redis commands per event under load, those run by scripts included: ${total.toFixed(2)} (${parts.join(', ')}; INFO commandstats over ${fmt(events)} events)`);
  return total;
}

/** Round trips of one event, one at a time: each round trip of the healer is one read event of the server. */
async function roundTripsOfPasses(rig: Rig, targets: number): Promise<number> {
  const own = async () => {
    const a = await redisCounters(rig.redis.admin);
    const b = await redisCounters(rig.redis.admin);
    return b.reads - a.reads;
  };
  // Every target passes once (the first result of a target), then again: the second is a pass on a healthy target.
  await rig.load(rig.healer.ready.url, { connections: 1, rule: RULES.mixed.name, pattern: 'pass', events: targets, idPrefix: 'first-pass' });
  const overhead = await own();
  const before = await redisCounters(rig.redis.admin);
  await rig.load(rig.healer.ready.url, { connections: 1, rule: RULES.mixed.name, pattern: 'pass', events: targets, firstIndex: rig.sim.ready.pods, idPrefix: 'second-pass' });
  const after = await redisCounters(rig.redis.admin);
  const perEvent = (after.reads - before.reads - overhead) / targets;
  const calls = callsBetween(before, after);
  const parts = Object.entries(calls).map(([cmd, n]) => `${cmd} ${(n / targets).toFixed(2)}`);
  console.log(`  a pass on a healthy target, one at a time: ${perEvent.toFixed(2)} round trips (server read events), commands ${parts.join(', ')}`);
  return perEvent;
}

async function mixed(): Promise<void> {
  console.log(`mixed: 2,000 pods in 200 Deployments, failures and passes alternating per pod (never 3 in a row), ${CONNECTIONS} connections, ${SECONDS} s after ${WARMUP_MS} ms warm-up, healer LOG_LEVEL=info`);
  const rig = await startRig({ deployments: 200, podsPerDeployment: 10 });
  try {
    if (!rig.redis.private) console.log('  (shared Redis from BENCH_REDIS_URL: its counters include other clients\' commands)');
    const roundTrips = await roundTripsOfPasses(rig, 200);
    const r = await bareAndHealer(rig, 'mixed');
    printCalls(r.perEvent, r.events);
    const ratio = r.healer.rate / r.bare.rate;
    goal('mixed: healer / bare node:http', `${ratio.toFixed(2)} (${fmt(r.healer.rate)} vs ${fmt(r.bare.rate)} events/s)`, `≥ ${RATIO_GOAL}, long-run aim 0.5`, ratio >= RATIO_GOAL);
    goal('pass on a healthy target: Redis round trips', roundTrips.toFixed(2), '≤ 1', roundTrips <= 1.05);
  } finally {
    await rig.close();
  }
}

async function oneDeployment(): Promise<void> {
  console.log(`one Deployment: 200 pods, failures and passes alternating per pod, ${CONNECTIONS} connections`);
  const rig = await startRig({ deployments: 1, podsPerDeployment: 200 });
  try {
    const r = await bareAndHealer(rig, 'one Deployment');
    printCalls(r.perEvent, r.events);
    const ratio = r.healer.rate / r.bare.rate;
    goal('200 pods in one Deployment: healer / bare node:http', `${ratio.toFixed(2)} (${fmt(r.healer.rate)} vs ${fmt(r.bare.rate)} events/s)`, `≥ ${RATIO_GOAL}, as mixed`, ratio >= RATIO_GOAL);
  } finally {
    await rig.close();
  }
}

async function failing(): Promise<void> {
  console.log(`failures only, one Deployment: 20 failing pods, then 2,000 (rule threshold far away: the cost of counting a failure, no action), ${CONNECTIONS} connections`);
  const rig = await startRig({ deployments: 1, podsPerDeployment: 2_000 });
  try {
    const spec = { connections: CONNECTIONS, rule: RULES.failing.name, pattern: 'fail' as const };
    const rates: Record<number, LoadReport> = {};
    for (const n of [20, 2_000]) {
      // Every one of the n pods has failed before the measured window opens.
      await rig.load(rig.healer.ready.url, { ...spec, events: n, targetCount: n, idPrefix: `fill-${n}` });
      const before = await redisCounters(rig.redis.admin);
      const r = await rig.load(rig.healer.ready.url, { ...spec, targetCount: n, firstIndex: n, warmupMs: WARMUP_MS, durationMs: SECONDS * 1_000, idPrefix: `fail-${n}` });
      rates[n] = r;
      const after = await redisCounters(rig.redis.admin);
      line(`healer, ${fmt(n)} failing pods`, r);
      printRedisCpu(before, after, r.sent);
      const calls = callsBetween(before, after);
      printCalls(Object.fromEntries(Object.entries(calls).map(([c, k]) => [c, k / r.sent])), r.sent);
    }
    const ratio = rates[2_000]!.rate / rates[20]!.rate;
    goal('2,000 vs 20 failing pods in one Deployment', `${ratio.toFixed(2)} (${fmt(rates[2_000]!.rate)} vs ${fmt(rates[20]!.rate)} events/s)`, '≥ 0.9', ratio >= 0.9);
  } finally {
    await rig.close();
  }
}

const run: Record<Case, () => Promise<void>> = { mixed, 'one-deployment': oneDeployment, failing };
await run[which]();
