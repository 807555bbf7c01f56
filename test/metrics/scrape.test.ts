// Every function type answers /metrics with the Prometheus text format that promtool accepts; the proxy metrics follow the group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectorParts } from '../../functions/proxy-selector/handler.ts';
import { parseEnv, redisEnvSchema } from '../../shared/config/env.ts';
import type { ProxyRole, Target } from '../../shared/events/schemas.ts';
import { unavailable } from '../../shared/http/http-error.ts';
import { createLogger } from '../../shared/log/logger.ts';
import { countDependencyError, createMetrics } from '../../shared/metrics/metrics.ts';
import { startFunction } from '../../shared/runtime/run-function.ts';
import { deployBackend, runRule, startLab } from '../support/check-lab.ts';
import { sample, scrape } from '../support/promtool.ts';
import { T0, result, startHarness } from '../healer/harness.ts';

const dependencyRules = [{ name: 'backend-dependencies', kind: 'dependency', namespace: 'backend', services: ['database', 'redis'], minReady: 1 }];

test('the check functions: each scrape passes promtool; a run counts its results, its probes and itself', async (t) => {
  const lab = await startLab();
  t.after(() => lab.close());
  await deployBackend(lab);
  for (const fn of ['check-pods', 'check-egress'] as const) await scrape((await lab.start(fn, dependencyRules)).url);
  const deps = await lab.start('check-dependencies', dependencyRules);
  await runRule(lab, deps, 'backend-dependencies');
  const text = await scrape(deps.url);
  assert.equal(sample(text, 'selfheal_health_checks_total{rule="backend-dependencies",result="passed"}'), 2);
  assert.equal(sample(text, 'selfheal_probe_duration_seconds_count{rule="backend-dependencies",kind="dependency"}'), 2);
  assert.equal(sample(text, 'selfheal_check_runs_total{result="ok"}'), 1);
  assert.equal(sample(text, 'selfheal_check_run_duration_seconds_count'), 1);
});

test('the healer and the proxy selector: a failover counts one switch and moves the active proxy gauge', async (t) => {
  const h = await startHarness(t);
  for (const role of ['primary', 'secondary'] as const) {
    await h.sim.createDeployment({ namespace: 'proxy', name: `squid-${role}`, replicas: 1, podLabels: { app: 'squid', role } });
  }
  h.sim.createService({ namespace: 'proxy', name: 'squid', selector: { app: 'squid', role: 'primary' }, ports: [{ port: 3128 }] });
  const target = (role: ProxyRole): Target => ({ namespace: 'proxy', kind: 'Proxy', name: h.sim.listPods('proxy', { role })[0]!.metadata!.name!, workload: { kind: 'Deployment', name: `squid-${role}` } });
  let at = T0;
  const send = (role: ProxyRole, outcome: 'passed' | 'failed') => h.send(result('squid-egress', 'egress', target(role), outcome, (at += 1000), { proxy: { group: 'squid-egress', role } }));
  await send('secondary', 'passed');
  await send('primary', 'failed');
  await send('primary', 'failed');
  const text = await scrape(h.healer.url);
  assert.equal(sample(text, 'selfheal_proxy_switches_total{group="squid-egress"}'), 1);
  assert.equal(sample(text, 'selfheal_proxy_active{group="squid-egress",role="secondary"}'), 1);
  assert.equal(sample(text, 'selfheal_proxy_active{group="squid-egress",role="primary"}'), 0);
  assert.equal(sample(text, 'selfheal_decisions_total{rule="squid-egress",reason="primary-failed"}'), 1);
  await send('secondary', 'failed');
  await send('secondary', 'failed');
  const allFailed = await scrape(h.healer.url);
  for (const role of ['primary', 'secondary']) assert.equal(sample(allFailed, `selfheal_proxy_active{group="squid-egress",role="${role}"}`), 0, role);
  assert.equal(sample(allFailed, 'selfheal_proxy_switches_total{group="squid-egress"}'), 1, 'AllFailed moves no selector');

  const env = parseEnv(redisEnvSchema, { PORT: '0', HOST: '127.0.0.1' });
  const selector = await startFunction({ name: 'proxy-selector', env, logger: createLogger({ name: 's', level: 'silent' }), setup: async () => selectorParts({ rules: h.rules, store: h.store }) });
  t.after(() => selector.stop());
  assert.match(await scrape(selector.url), /^selfheal_build_info\{/m);
});

test('a 503 names the dependency that failed: Redis and Kubernetes API errors are counted apart, other errors not at all', async () => {
  const metrics = createMetrics();
  countDependencyError(metrics, unavailable('history store unavailable: timeout', { kind: 'redis' }));
  countDependencyError(metrics, unavailable('cannot read the pod', { kind: 'kubernetes', verb: 'get' }));
  countDependencyError(metrics, unavailable('busy'));
  const text = await metrics.registry.metrics();
  assert.equal(sample(text, 'selfheal_redis_errors_total'), 1);
  assert.equal(sample(text, 'selfheal_kubernetes_api_errors_total{verb="get"}'), 1);
});

test('two functions in one process keep separate registries', async () => {
  const [a, b] = [createMetrics(), createMetrics()];
  a.decisions.inc({ rule: 'r', reason: 'cooldown' });
  assert.equal(sample(await a.registry.metrics(), 'selfheal_decisions_total{rule="r",reason="cooldown"}'), 1);
  assert.equal(sample(await b.registry.metrics(), 'selfheal_decisions_total{rule="r",reason="cooldown"}'), undefined);
});
