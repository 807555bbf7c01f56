// End to end: a real healer fills a private Redis, then the selfheal CLI reads it back as a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProxyRole, Target } from '../../shared/events/schemas.ts';
import { T0, deploy, podTarget, result, startHarness } from '../healer/harness.ts';
import type { Harness } from '../healer/harness.ts';
import { runCli } from './run-cli.ts';

const NOW = new Date(T0 + 60_000).toISOString();

function lineWith(text: string, needle: string): string {
  const line = text.split('\n').find((l) => l.includes(needle));
  assert.ok(line, `no line with ${JSON.stringify(needle)} in:\n${text}`);
  return line;
}

/** Three failures restart the pod (threshold 3); two passes of the replacement after the verify window judge it healed. */
async function healOnce(h: Harness): Promise<{ pod: string; replacement: string }> {
  const [pod] = await deploy(h, 'shop', 'web', 2);
  for (const s of [1, 2, 3]) {
    h.clock.now = T0 + s * 1000;
    await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', h.clock.now));
  }
  assert.equal(h.evictions(), 1);
  await h.sim.settle();
  const replacement = h.podsOf('shop', 'web').find((p) => p !== pod)!;
  for (const s of [40, 45]) {
    h.clock.now = T0 + s * 1000;
    await h.send(result('web-http', 'http', podTarget('shop', replacement), 'passed', h.clock.now));
  }
  return { pod: pod!, replacement };
}

test('targets, units, stats and history of a real restart, as tables and as JSON', async (t) => {
  const h = await startHarness(t);
  const { pod, replacement } = await healOnce(h);
  const cli = (...args: string[]) => runCli([...args, '--redis', h.redis.url, '--prefix', h.prefix, '--now', NOW]);
  const podId = `web-http:shop:Pod:${pod}`;

  await t.test('targets', async () => {
    const table = await cli('targets');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout.split('\n')[0]!, /^RULE\s+TARGET\s+STATE\s+FAILURES\s+LAST FAILURE\s+LAST RESULT\s+FAILING IN UNIT$/);
    assert.match(lineWith(table.stdout, pod), /web-http\s+shop\/Pod\/\S+\s+failing 3\s+3\s+57s ago: status 500\s+57s ago\s+–$/);
    assert.match(lineWith(table.stdout, replacement), /passing\s+0\s+–\s+15s ago\s+–$/);

    const json = await cli('targets', '--json');
    const rows = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(rows.map((r) => r.id).sort(), [podId, `web-http:shop:Pod:${replacement}`].sort());
    const failing = rows.find((r) => r.id === podId)!;
    assert.deepEqual(
      { state: failing.state, overThreshold: failing.overThreshold, consecutiveFailures: failing.consecutiveFailures, lastFailureAt: failing.lastFailureAt, lastError: failing.lastError, unit: failing.unit },
      { state: 'failing', overThreshold: false, consecutiveFailures: 3, lastFailureAt: T0 + 3000, lastError: 'status 500', unit: null },
    );

    assert.equal((await cli('targets', '--namespace', 'shop', '--json')).stdout, json.stdout);
    const none = await cli('targets', '--rule', 'dry-http');
    assert.deepEqual([none.code, none.stdout], [0, `no targets under {${h.prefix}}:targets for rule dry-http\n`]);
    assert.deepEqual(JSON.parse((await cli('targets', '--rule', 'dry-http', '--json')).stdout), []);
  });

  await t.test('units', async () => {
    const table = await cli('units');
    assert.equal(table.code, 0, table.stderr);
    assert.match(lineWith(table.stdout, 'shop/Deployment/web'), /^web-http\s+shop\/Deployment\/web\s+0\s+restart 57s ago\s+–\s+–\s+1\s+1\s+0\s+100%\s+0$/);
    const [unit, ...more] = JSON.parse((await cli('units', '--json')).stdout) as Array<Record<string, unknown>>;
    assert.equal(more.length, 0);
    assert.deepEqual(
      { ...unit, failingTargets: undefined },
      {
        id: 'web-http:shop:Deployment:web', rule: 'web-http', namespace: 'shop', kind: 'Deployment', name: 'web',
        ladderStep: 0, lastAction: 'restart', lastActionAt: T0 + 3000, pendingAction: null, pendingUntil: null,
        verifyingAction: null, verifyingSince: null, actionsPerformed: 1, actionsHealed: 1, actionsNotHealed: 0, successRate: 1,
        failingTargets: undefined,
      },
    );
    assert.deepEqual(unit!.failingTargets, [], "the evicted pod left the failing set with its eviction");
  });

  await t.test('stats', async () => {
    const table = await cli('stats', '--rule', 'web-http');
    assert.equal(table.code, 0, table.stderr);
    assert.match(lineWith(table.stdout, 'restart'), /^web-http\s+restart\s+1\s+1\s+0\s+0\s+0\s+100%$/);
    assert.match(lineWith(table.stdout, 'below-threshold'), /^web-http\s+below-threshold\s+2$/);
    const stats = JSON.parse((await cli('stats', '--json')).stdout) as unknown;
    assert.deepEqual(stats, [
      {
        rule: 'web-http',
        actions: [{ action: 'restart', performed: 1, healed: 1, notHealed: 0, failed: 0, deferred: 0, successRate: 1 }],
        reasons: [
          { reason: 'below-threshold', count: 2 },
          { reason: 'healed', count: 1 },
          { reason: 'passing', count: 1 },
          { reason: 'threshold-reached', count: 1 },
        ],
      },
    ]);
  });

  await t.test('a target history, newest first, by id or by namespace/kind/name', async () => {
    const table = await cli('history', `shop/pod/${pod}`);
    assert.equal(table.code, 0, table.stderr);
    const [title, header, ...lines] = table.stdout.trimEnd().split('\n');
    assert.equal(title, podId);
    assert.match(header!, /^TIME\s+AGO\s+RESULT\s+DECISION\s+REASON\s+ACTION\s+FAILURES\s+DETAIL$/);
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^2026-11-23 12:00:03Z\s+57s ago\s+–\s+performed\s+threshold-reached\s+restart\s+–\s+evicted pod/);
    assert.match(lines[3]!, /^2026-11-23 12:00:01Z\s+59s ago\s+failed\s+skip\s+below-threshold\s+–\s+1\s+status 500$/);

    const json = JSON.parse((await cli('history', podId, '--json')).stdout) as { target: string; stream: string; entries: Array<Record<string, unknown>> };
    assert.equal(json.target, podId);
    assert.equal(json.stream, `{${h.prefix}}:history:${podId}`);
    const stored = await h.client.xrevrange(json.stream, '+', '-');
    assert.deepEqual(json.entries.map((e) => e.id), stored.map(([id]) => id));
    assert.deepEqual(json.entries.map((e) => [e.decision, e.reason, e.action, e.failures]), [
      ['performed', 'threshold-reached', 'restart', null],
      ['act', 'threshold-reached', 'restart', 3],
      ['skip', 'below-threshold', null, 2],
      ['skip', 'below-threshold', null, 1],
    ]);
    assert.equal(json.entries[1]!.at, T0 + 3000);

    const limited = JSON.parse((await cli('history', podId, '--limit', '2', '--json')).stdout) as { entries: unknown[] };
    assert.equal(limited.entries.length, 2);
  });

  await t.test('the global stream names every target', async () => {
    const table = await cli('history');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout.split('\n')[0]!, /^TIME\s+AGO\s+TARGET\s+RESULT\s+DECISION\s+REASON\s+ACTION\s+FAILURES\s+JUDGED\s+DETAIL$/);
    assert.match(table.stdout.split('\n')[1]!, new RegExp(`15s ago\\s+web-http shop/Pod/${replacement}\\s+passed\\s+skip\\s+healed\\s+–\\s+0\\s+healed\\s+–$`));
    const json = JSON.parse((await cli('history', '--json')).stdout) as { target: null; entries: Array<Record<string, unknown>> };
    assert.equal(json.target, null);
    assert.equal(json.entries.length, 6);
    assert.deepEqual(new Set(json.entries.map((e) => e.target)), new Set([podId, `web-http:shop:Pod:${replacement}`]));
  });

  await t.test('a target without history: a message on stderr, exit 1', async () => {
    const unknown = await cli('history', 'shop/Pod/nope');
    assert.deepEqual([unknown.code, unknown.stdout], [1, '']);
    assert.equal(unknown.stderr, `selfheal: no history for shop/Pod/nope under {${h.prefix}} (never seen, or expired)\n`);
    const otherRule = await cli('history', `shop/Pod/${pod}`, '--rule', 'dry-http');
    assert.equal(otherRule.code, 1);
    const unreadable = await cli('history', 'just-a-name');
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stderr, /is not a target: write rule:namespace:Kind:name or namespace\/kind\/name/);
  });

  await t.test('a path two rules share needs --rule', async () => {
    h.clock.now = T0 + 50_000;
    await h.send(result('dry-http', 'http', podTarget('shop', pod), 'failed', h.clock.now));
    const ambiguous = await cli('history', `shop/Pod/${pod}`);
    assert.equal(ambiguous.code, 1);
    assert.equal(ambiguous.stderr, `selfheal: "shop/Pod/${pod}" is a target of several rules; add --rule, or name one of:\n  dry-http:shop:Pod:${pod}\n  ${podId}\n`);
    const chosen = JSON.parse((await cli('history', `shop/Pod/${pod}`, '--rule', 'dry-http', '--json')).stdout) as { target: string; entries: Array<Record<string, unknown>> };
    assert.equal(chosen.target, `dry-http:shop:Pod:${pod}`);
    // the restarted pod is gone from the cluster, so the other rule's one entry says so
    assert.deepEqual(chosen.entries.map((e) => [e.decision, e.reason]), [['skip', 'target-gone']]);
  });

  await t.test('REDIS_URL and REDIS_KEY_PREFIX are the defaults', async () => {
    const viaEnv = await runCli(['units', '--json'], { REDIS_URL: h.redis.url, REDIS_KEY_PREFIX: h.prefix });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.equal((JSON.parse(viaEnv.stdout) as unknown[]).length, 1);
  });
});

test('proxies: a real failover shows in the group table and in the timeline', async (t) => {
  const h = await startHarness(t);
  for (const role of ['primary', 'secondary'] as const) {
    await h.sim.createDeployment({ namespace: 'proxy', name: `squid-${role}`, replicas: 1, podLabels: { app: 'squid', role } });
  }
  h.sim.createService({ namespace: 'proxy', name: 'squid', selector: { app: 'squid', role: 'primary' }, ports: [{ port: 3128 }] });
  const target = (role: ProxyRole): Target => ({ namespace: 'proxy', kind: 'Proxy', name: h.sim.listPods('proxy', { role })[0]!.metadata!.name!, workload: { kind: 'Deployment', name: `squid-${role}` } });
  const send = (role: ProxyRole, outcome: 'passed' | 'failed', s: number) => {
    h.clock.now = T0 + s * 1000;
    const probe = outcome === 'failed' ? { probe: { latencyMs: 5, status: 503, error: 'upstream lost' } } : {};
    return h.send(result('squid-egress', 'egress', target(role), outcome, h.clock.now, { proxy: { group: 'squid-egress', role }, ...probe }));
  };
  await send('secondary', 'passed', 1);
  await send('primary', 'failed', 2);
  await send('primary', 'failed', 3);
  const cli = (...args: string[]) => runCli([...args, '--redis', h.redis.url, '--prefix', h.prefix, '--now', NOW]);

  const table = await cli('proxies');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout.split('\n')[0]!, /^GROUP\s+STATUS\s+ACTIVE\s+PRIMARY\s+SECONDARY\s+SWITCHES\s+LAST SWITCH$/);
  assert.match(lineWith(table.stdout, 'squid-egress'), /^squid-egress\s+SecondaryActive\s+secondary\s+2 failed, 0 passed \(57s ago\)\s+0 failed, 1 passed \(59s ago\)\s+1\s+57s ago$/);
  const [group] = JSON.parse((await cli('proxies', '--json')).stdout) as Array<Record<string, unknown>>;
  assert.deepEqual([group!.group, group!.status, group!.active, group!.switches, group!.primaryFailures], ['squid-egress', 'SecondaryActive', 'secondary', 1, 2]);

  const history = await cli('history', `proxy/Proxy/${target('primary').name}`);
  assert.equal(history.code, 0, history.stderr);
  assert.match(history.stdout.split('\n')[1]!, /\bROLE\b.*\bSTATUS\b/);
  // The decision records the status it saw; the switch sets SecondaryActive when it completes (the performed entry).
  assert.match(lineWith(history.stdout, 'switch-proxy'), /primary\s+failed\s+act\s+primary-failed\s+switch-proxy\s+PrimaryActive\s+upstream lost$/);
});

test('units and targets show a target failing while its failure counts, and no longer once it ran out', async (t) => {
  const h = await startHarness(t);
  // Not opted in: three failures reach the threshold and nothing is done, so the target stays failing.
  const [pod] = await deploy(h, 'shop', 'web', 2, { app: 'web' });
  for (const s of [1, 2, 3]) {
    h.clock.now = T0 + s * 1000;
    await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', h.clock.now));
  }
  const podId = `web-http:shop:Pod:${pod}`;
  const at = (ms: number) => async (...args: string[]) => JSON.parse((await runCli([...args, '--json', '--redis', h.redis.url, '--prefix', h.prefix, '--now', new Date(ms).toISOString()])).stdout) as Array<Record<string, unknown>>;
  const view = async (ms: number) => {
    const [unit] = await at(ms)('units');
    const target = (await at(ms)('targets')).find((r) => r.id === podId)!;
    return { failingTargets: unit!.failingTargets, overThreshold: target.overThreshold, unit: target.unit };
  };
  assert.deepEqual(await view(T0 + 10_000), { failingTargets: [podId], overThreshold: true, unit: 'web-http:shop:Deployment:web' });
  // Past verifyWindow (30 s) it no longer holds back dependents; past verifyWindow + cooldown (90 s) it is no
  // longer failing in its unit: it stopped reporting.
  assert.deepEqual(await view(T0 + 3_000 + 30_001), { failingTargets: [podId], overThreshold: false, unit: 'web-http:shop:Deployment:web' });
  assert.deepEqual(await view(T0 + 3_000 + 90_001), { failingTargets: [], overThreshold: false, unit: null });
  const table = await runCli(['units', '--redis', h.redis.url, '--prefix', h.prefix, '--now', new Date(T0 + 10_000).toISOString()]);
  assert.match(lineWith(table.stdout, 'shop/Deployment/web'), /\s1$/);
});

test('history of a healthy target: its passes are counted on its record, not listed one by one', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 1);
  for (const s of [1, 2, 3]) {
    h.clock.now = T0 + s * 1000;
    await h.send(result('web-http', 'http', podTarget('shop', pod!), 'passed', h.clock.now));
  }
  const cli = (...args: string[]) => runCli([...args, '--redis', h.redis.url, '--prefix', h.prefix, '--now', NOW]);
  const table = await cli('history', `shop/pod/${pod}`);
  assert.equal(table.code, 0, table.stderr);
  assert.equal(table.stdout, `web-http:shop:Pod:${pod}\npassing: 3 passes in a row, the last 57s ago (a pass that changes nothing is counted, not listed)\n`);
  const json = JSON.parse((await cli('history', `shop/pod/${pod}`, '--json')).stdout) as Record<string, unknown>;
  assert.deepEqual([json.passing, json.entries], [{ consecutivePasses: 3, lastResultAt: T0 + 3000 }, []]);
  // One failure: recorded, and the run is over.
  h.clock.now = T0 + 4000;
  await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', h.clock.now));
  const after = JSON.parse((await cli('history', `shop/pod/${pod}`, '--json')).stdout) as { passing: unknown; entries: Array<Record<string, unknown>> };
  assert.deepEqual([after.passing, after.entries.map((e) => e.reason)], [null, ['below-threshold']]);
});
