// The demo's story, step by step, on a local stack in simulate mode. Each step checks that what should have
// happened did, and throws naming the step otherwise; the end-to-end tests run the same steps.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CloudEvent } from 'cloudevents';
import { request } from 'undici';
import type { Redis } from 'ioredis';
import { EventType } from '../../events/types.ts';
import type { Keys } from '../../store/keys.ts';
import type { SimulatedWorld } from '../stack/simulated-world.ts';
import type { Stack } from '../stack/stack.ts';
import type { Timeline } from './timeline.ts';

export class StepFailed extends Error {
  readonly step: string;
  constructor(step: string, message: string) {
    super(`step "${step}" failed: ${message}`);
    this.name = 'StepFailed';
    this.step = step;
  }
}

export interface DemoContext {
  stack: Stack;
  world: SimulatedWorld;
  redis: Redis;
  keys: Keys;
  timeline: Timeline;
}

type Data = Record<string, unknown>;

/** Fires a PingSource and waits until everything it caused has settled, then prints the healer's events. */
async function tick(ctx: DemoContext, pingSource: string): Promise<CloudEvent<unknown>[]> {
  const before = ctx.stack.router.events.length;
  await ctx.stack.router.fire(pingSource);
  await ctx.stack.router.idle();
  ctx.timeline.showNew(ctx.stack.router.events);
  return ctx.stack.router.events.slice(before);
}

function find(events: readonly CloudEvent<unknown>[], type: string, match: (d: Data) => boolean): CloudEvent<unknown> | undefined {
  return events.find((e) => e.type === type && match((e.data ?? {}) as Data));
}

function expect(step: string, ok: boolean, message: string): void {
  if (!ok) throw new StepFailed(step, message);
}

function targetName(d: Data): string {
  return String((d.target as { name?: string } | undefined)?.name);
}

/** Ticks until an event matches (bounded), for steps where the exact tick depends on probe timing. */
async function tickUntil(ctx: DemoContext, step: string, pingSource: string, type: string, match: (d: Data) => boolean, maxTicks: number, pauseMs = 0): Promise<CloudEvent<unknown>> {
  for (let i = 0; i < maxTicks; i++) {
    const found = find(await tick(ctx, pingSource), type, match);
    if (found) return found;
    if (pauseMs) await sleep(pauseMs);
  }
  throw new StepFailed(step, `no ${type} matching after ${maxTicks} runs of ${pingSource}`);
}

export async function healthyStart(ctx: DemoContext): Promise<void> {
  const step = '0 all healthy';
  ctx.timeline.say('Every check runs once: all targets should pass.');
  for (const source of ['pods-web', 'pods-backend', 'pods-proxy', 'dependencies-backend', 'egress-proxy']) {
    const events = await tick(ctx, source);
    const failed = events.filter((e) => e.type === EventType.checkFailed);
    expect(step, failed.length === 0, `${source}: ${failed.length} checks failed: ${failed.map((e) => JSON.stringify((e.data as Data).probe)).join('; ')}`);
    expect(step, events.some((e) => e.type === EventType.checkPassed), `${source}: no check passed`);
  }
}

export async function restartHeals(ctx: DemoContext): Promise<void> {
  const step = '1 restart heals';
  const [pod] = ctx.world.failApp('web', 'nginx', { pods: 1 });
  ctx.timeline.say(`Step 1: nginx pod web/${pod} is told to fail (/fail); the threshold is 2 failures.`);
  const performed = await tickUntil(ctx, step, 'pods-web', EventType.healPerformed, (d) => targetName(d) === pod, 3);
  const data = performed.data as Data;
  expect(step, data.action === 'restart', `expected a restart, got ${String(data.action)}`);
  expect(step, !ctx.world.pods('web', 'nginx').some((p) => p.metadata.name === pod), `pod ${pod} is still there`);
  const replacement = ctx.world.pods('web', 'nginx').map((p) => p.metadata.name).find((n) => n !== pod);
  ctx.timeline.say(`The pod was evicted; its ReplicaSet replaced it. Checking that the new pods pass…`);
  await sleep(1_100);
  const healed = await tickUntil(ctx, step, 'pods-web', EventType.healSkipped, (d) => d.reason === 'healed', 3, 500);
  expect(step, healed !== undefined, 'the restart was not counted as healed');
  const stats = await ctx.redis.hgetall(ctx.keys.stats('nginx-http'));
  expect(step, stats['restart:healed'] === '1', `restart:healed is ${stats['restart:healed'] ?? 'unset'}`);
  ctx.timeline.say(`Healed: the restart counts as a success (restart:healed = 1); pods now ${replacement ? 'include ' + replacement : 'replaced'}.`);
}

export async function escalation(ctx: DemoContext): Promise<void> {
  const step = '2 escalation';
  ctx.world.failNewPods('backend', 'backend', true);
  const [pod] = ctx.world.failApp('backend', 'backend', { pods: 1 });
  ctx.timeline.say(`Step 2: backend pod backend/${pod} fails, and so will any pod that replaces it: restarts cannot help.`);
  const restart = await tickUntil(ctx, step, 'pods-backend', EventType.healPerformed, (d) => d.action === 'restart', 3);
  expect(step, targetName(restart.data as Data) === pod, `restarted ${targetName(restart.data as Data)}, expected ${pod}`);
  ctx.timeline.say('Restarted. The replacement fails too; after the cooldown and verification window the ladder climbs.');
  await tick(ctx, 'pods-backend');
  await sleep(2_100);
  const scale = await tickUntil(ctx, step, 'pods-backend', EventType.healPerformed, (d) => d.action === 'scale', 4, 700);
  expect(step, (scale.data as Data).reason === 'escalated', `scale reason ${String((scale.data as Data).reason)}`);
  const replicas = ctx.world.pods('backend', 'backend').length;
  expect(step, replicas === 3, `backend has ${replicas} pods after scaling, expected 3`);
  ctx.timeline.say('Scaled from 2 to 3 replicas. Still failing: next rung is an alert.');
  await tick(ctx, 'pods-backend');
  await sleep(2_100);
  await tickUntil(ctx, step, 'pods-backend', EventType.alert, () => true, 4, 700);
  ctx.world.failNewPods('backend', 'backend', false);
  ctx.world.recoverApp('backend', 'backend');
  ctx.timeline.say('Alerted. An operator fixes the backend (/recover); the unit is judged healed and the ladder starts over.');
  await sleep(1_100);
  await tickUntil(ctx, step, 'pods-backend', EventType.healSkipped, (d) => d.reason === 'healed', 4, 500);
  const stats = await ctx.redis.hgetall(ctx.keys.stats('backend-http'));
  expect(step, stats['restart:not-healed'] === '1' && stats['scale:not-healed'] === '1', `stats ${JSON.stringify(stats)}`);
}

async function selectorSays(ctx: DemoContext): Promise<{ status: number; active: string | null }> {
  const res = await request(`${ctx.stack.urls['proxy-selector']}/groups/squid-egress`);
  const body = (await res.body.json()) as { active: string | null };
  return { status: res.statusCode, active: body.active };
}

export async function proxyFailover(ctx: DemoContext): Promise<void> {
  const step = '3 proxy failover';
  const primary = ctx.world.proxyOf('primary');
  expect(step, primary !== undefined, 'no primary proxy');
  const selector = () => (ctx.world.sim.getService('proxy', 'squid') as { spec: { selector: Record<string, string> } }).spec.selector.role;
  await primary!.loseUpstream();
  ctx.timeline.say(
    ctx.world.realSquid
      ? 'Step 3: the primary Squid loses its upstream (reconfigured onto a parent peer that is gone); egress checks through it fail.'
      : 'Step 3: the primary proxy (the stand-in: squid is not installed) loses its upstream; egress checks through it fail.',
  );
  const switched = await tickUntil(ctx, step, 'egress-proxy', EventType.proxySwitched, (d) => d.to === 'secondary', 3);
  expect(step, (switched.data as Data).reason === 'primary-failed', `reason ${String((switched.data as Data).reason)}`);
  expect(step, selector() === 'secondary', `the squid Service selects role=${selector()}`);
  const asked = await selectorSays(ctx);
  expect(step, asked.active === 'secondary', `the proxy selector says ${asked.active}`);
  ctx.timeline.say('The squid Service now selects the secondary; the proxy selector answers "secondary".');
  await primary!.restoreUpstream();
  ctx.timeline.say('The primary recovers; fail-back waits for 2 consecutive passes (hysteresis).');
  const back = await tickUntil(ctx, step, 'egress-proxy', EventType.proxySwitched, (d) => d.to === 'primary', 3);
  expect(step, (back.data as Data).reason === 'primary-recovered', `reason ${String((back.data as Data).reason)}`);
  expect(step, selector() === 'primary', `the squid Service selects role=${selector()}`);
  ctx.timeline.say('Traffic is back on the primary.');
}

export async function squidCheck(ctx: DemoContext): Promise<void> {
  const step = '3b squid -k check';
  if (!ctx.world.realSquid) {
    ctx.timeline.say('Step 3b skipped: squid is not installed (apt-get install squid), so there is no real `squid -k check` to run.');
    return;
  }
  const pod = await ctx.world.shutdownSquid('primary');
  ctx.timeline.say(`Step 3b: \`squid -k shutdown\` in proxy/${pod}. The squid-config rule runs the real \`squid -k check\` in each Squid pod.`);
  const failed = await tickUntil(ctx, step, 'pods-proxy', EventType.checkFailed, (d) => d.rule === 'squid-config' && targetName(d) === pod, 1);
  const probe = (failed.data as Data).probe as { exitCode?: number; output?: string };
  const fatal = (probe.output ?? '').split('\n').find((line) => line.includes('FATAL'));
  expect(step, probe.exitCode === 1 && fatal !== undefined && /failed to open .*squid\.pid/.test(fatal), `squid -k check gave ${JSON.stringify(probe)}`);
  ctx.timeline.say(`squid -k check in proxy/${pod} exits 1: ${fatal!.replace(/^\S+ \S+\s*/, '')}`);
  const restart = await tickUntil(ctx, step, 'pods-proxy', EventType.healPerformed, (d) => d.action === 'restart' && targetName(d) === pod, 2);
  expect(step, restart !== undefined, 'no restart');
  await ctx.world.sim.settle();
  const replacement = ctx.world.pods('proxy', 'squid-primary')[0]?.metadata.name;
  expect(step, replacement !== undefined && replacement !== pod, `the primary proxy pod is ${replacement ?? 'missing'}`);
  const events = await tick(ctx, 'pods-proxy');
  const passed = find(events, EventType.checkPassed, (d) => d.rule === 'squid-config' && targetName(d) === replacement);
  expect(step, passed !== undefined, `squid -k check did not pass in the replacement proxy/${replacement}`);
  ctx.timeline.say(`The replacement pod proxy/${replacement} started a fresh Squid: squid -k check exits 0 there.`);
}

export async function cascadeGuard(ctx: DemoContext): Promise<void> {
  const step = '4 cascade guard';
  ctx.world.setServiceReady('backend', 'database', false);
  ctx.timeline.say('Step 4: the database has no ready endpoints.');
  await tickUntil(ctx, step, 'dependencies-backend', EventType.alert, (d) => d.rule === 'backend-dependencies', 2);
  await sleep(2_100);
  const [pod] = ctx.world.failApp('backend', 'backend', { pods: 1 });
  ctx.timeline.say(`Backend pod backend/${pod} fails because its database is down.`);
  const guarded = await tickUntil(ctx, step, 'pods-backend', EventType.healPerformed, (d) => targetName(d) === pod, 3);
  const data = guarded.data as Data;
  expect(step, data.action === 'alert' && data.reason === 'dependency-failing', `got ${String(data.action)} (${String(data.reason)})`);
  expect(step, ctx.world.pods('backend', 'backend').some((p) => p.metadata.name === pod), `pod ${pod} was restarted`);
  ctx.timeline.say('Not restarted: a dependency is failing, so the healer alerted instead.');
  ctx.world.setServiceReady('backend', 'database', true);
  ctx.world.recoverApp('backend', 'backend');
}
