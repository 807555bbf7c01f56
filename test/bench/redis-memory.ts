// Redis memory of healthy targets: the healer is driven with passes for 10,000 targets, round after round as the
// check functions would every 10 s, and Redis' used_memory is read after rounds. Not a test: figures for the README.
// Run: npm run bench -- memory   (BENCH_MEMORY_TARGETS, BENCH_MEMORY_ROUNDS, BENCH_MEMORY_BUDGET_S to change it)
import { fmt, goal } from './lib/figures.ts';
import { RULES, startRig, usedMemory } from './lib/healer-rig.ts';

const TARGETS = Number(process.env.BENCH_MEMORY_TARGETS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_MEMORY_ROUNDS ?? 100);
/** Rounds stop when this much time is spent: the whole bench must stay within minutes. */
const BUDGET_S = Number(process.env.BENCH_MEMORY_BUDGET_S ?? 75);
const PER_TARGET_GOAL = 1_024;

// 100 pods a Deployment: the simulator settles a hundred Deployments in seconds, a thousand in minutes.
const deployments = Math.max(1, Math.round(TARGETS / 100));
console.log(`redis memory: ${fmt(TARGETS)} healthy pods in ${fmt(deployments)} Deployments, one pass each per round, up to ${ROUNDS} rounds or ${BUDGET_S} s; healer LOG_LEVEL=warn`);
const rig = await startRig({ deployments, podsPerDeployment: Math.ceil(TARGETS / deployments), logLevel: 'warn' });
try {
  const admin = rig.redis.admin;
  const base = await usedMemory(admin);
  const started = performance.now();
  const after: Array<{ round: number; bytes: number; keys: number }> = [];
  let round = 0;
  let rate = 0;
  while (round < ROUNDS && (performance.now() - started) / 1000 < BUDGET_S) {
    const r = await rig.load(rig.healer.ready.url, { connections: 32, rule: RULES.mixed.name, pattern: 'pass', events: TARGETS, firstIndex: round * TARGETS, idPrefix: `mem-${round}` });
    rate = r.rate;
    round++;
    if (round === 1 || round === 10 || round % 25 === 0 || round === ROUNDS) {
      const keys = rig.redis.private ? await admin.dbsize() : NaN;
      after.push({ round, bytes: (await usedMemory(admin)) - base, keys });
    }
  }
  const last = { round, bytes: (await usedMemory(admin)) - base, keys: rig.redis.private ? await admin.dbsize() : NaN };
  if (after.at(-1)?.round !== round) after.push(last);
  for (const a of after) {
    console.log(`  after ${String(a.round).padStart(3)} rounds: used_memory +${fmt(a.bytes / 1_048_576, 1)} MB, ${fmt(a.bytes / TARGETS)} B per target, ${fmt(a.keys)} keys`);
  }
  const first = after[0]!;
  const growth = round > 1 ? (last.bytes - first.bytes) / TARGETS / (round - 1) : 0;
  const note = round < ROUNDS ? `, ${round} of ${ROUNDS} rounds in the ${BUDGET_S} s budget (${fmt(rate)} events/s); at this growth 100 rounds would hold ${fmt((first.bytes / TARGETS + growth * 99))} B per target` : '';
  console.log(`  growth per round: ${fmt(growth, 1)} B per target${note}`);
  goal(`redis memory per healthy target after ${round} rounds`, `${fmt(last.bytes / TARGETS)} B (${fmt(last.bytes / 1_048_576, 1)} MB for ${fmt(TARGETS)})`, `≤ ${fmt(PER_TARGET_GOAL)} B`, last.bytes / TARGETS <= PER_TARGET_GOAL);
  goal('redis memory growth per round of passes', `${fmt(growth, 1)} B per target`, '≤ 8 B (bounded: passes that change nothing are counted, not appended)', growth <= 8);
} finally {
  await rig.close();
}
