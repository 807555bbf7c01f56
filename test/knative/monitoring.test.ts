// knative/monitoring.yaml agrees with the code: promtool accepts the rules, they name only metrics the code defines,
// and the PodMonitor reaches every function's pods on the port that serves /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { METRIC_NAMES } from '../../shared/metrics/metrics.ts';
import { FUNCTION_PERMISSIONS } from '../../shared/kubernetes/permissions.ts';
import { promtool } from '../support/promtool.ts';
import { NAMESPACE, functionServices, loadManifests, ofKind, podMonitorView, prometheusRuleView, selects, view } from './manifests.ts';

const API = 'monitoring.coreos.com/v1';

async function rulesFile(t: { after: (fn: () => Promise<void>) => void }, spec: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'selfheal-rules-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'rules.yaml');
  await writeFile(file, stringify(spec));
  return file;
}

async function prometheusRules() {
  const manifests = ofKind(await loadManifests(), API, 'PrometheusRule');
  assert.equal(manifests.length, 1, 'one PrometheusRule');
  return view(prometheusRuleView, manifests[0]!);
}

test('promtool check rules accepts the PrometheusRule spec, and the alerts the README promises are there', async (t) => {
  const rule = await prometheusRules();
  const file = await rulesFile(t, rule.spec);
  const run = promtool(['check', 'rules', file]);
  assert.equal(run.status, 0, run.output);
  const alerts = rule.spec.groups.flatMap((g) => g.rules.flatMap((r) => ('alert' in r ? [r.alert] : [])));
  for (const name of ['HighHealingRate', 'ProxyGroupAllFailed', 'HealthChecksFailing', 'HealerRedisErrors', 'HealerKubernetesApiErrors']) assert.ok(alerts.includes(name), name);
});

test('every metric an alert expression names is one the code defines', async () => {
  const rule = await prometheusRules();
  const defined = new Set<string>(METRIC_NAMES);
  const unknown: string[] = [];
  for (const r of rule.spec.groups.flatMap((g) => g.rules)) {
    for (const [name] of r.expr.matchAll(/\bselfheal_[a-z0-9_]+/g)) {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      if (!defined.has(name) && !defined.has(base)) unknown.push(`${'alert' in r ? r.alert : r.record}: ${name}`);
    }
  }
  assert.deepEqual(unknown, []);
});

test('HighHealingRate fires on more than one action per second for 5 minutes, summed over replicas (promtool test rules)', async (t) => {
  const rule = await prometheusRules();
  const rules = await rulesFile(t, rule.spec);
  // Two replicas, 40 actions a minute each: 80/60 ≈ 1.33 per second together, neither above 1 alone.
  const tests = {
    rule_files: [rules],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [
          { series: 'selfheal_healing_actions_total{action="restart",result="performed",pod="healer-a"}', values: '0+40x20' },
          { series: 'selfheal_healing_actions_total{action="restart",result="performed",pod="healer-b"}', values: '0+40x20' },
        ],
        alert_rule_test: [
          { eval_time: '3m', alertname: 'HighHealingRate', exp_alerts: [] },
          {
            eval_time: '15m',
            alertname: 'HighHealingRate',
            exp_alerts: [
              {
                exp_labels: { severity: 'warning' },
                exp_annotations: { summary: 'selfheal heals faster than one action per second', description: "1.333 healing actions per second over 5 minutes, summed over the healer's replicas." },
              },
            ],
          },
        ],
      },
    ],
  };
  const file = join(rules, '..', 'tests.yaml');
  await writeFile(file, stringify(tests));
  const run = promtool(['test', 'rules', file]);
  assert.equal(run.status, 0, run.output);
});

test('the PodMonitor selects the pods of every function, in their namespace, on the port Knative gives the function', async () => {
  const manifests = await loadManifests();
  const monitors = ofKind(manifests, API, 'PodMonitor').map((m) => view(podMonitorView, m));
  assert.equal(monitors.length, 1);
  const monitor = monitors[0]!;
  assert.deepEqual(monitor.spec.namespaceSelector?.matchNames, [NAMESPACE]);
  assert.deepEqual(monitor.spec.podMetricsEndpoints.map((e) => [e.port, e.path]), [['user-port', '/metrics']]);
  const services = functionServices(manifests);
  assert.deepEqual([...services.keys()].sort(), Object.keys(FUNCTION_PERMISSIONS).sort());
  for (const [name, { svc, manifest }] of services) {
    const podLabels = svc.spec.template.metadata.labels;
    assert.equal(manifest.namespace, NAMESPACE, name);
    assert.equal(podLabels[monitor.spec.jobLabel ?? ''], name, `${name}: its pods carry the job label`);
    const expressions = monitor.spec.selector.matchExpressions;
    const matched = expressions.every((e) => e.operator === 'In' && e.values.includes(podLabels[e.key] ?? '')) && selects({ matchLabels: monitor.spec.selector.matchLabels, matchExpressions: [] }, podLabels);
    assert.ok(matched, `${name}: the PodMonitor does not select its pods`);
    assert.equal(svc.spec.template.spec.containers[0]!.ports.length, 1, `${name}: one container port, which serves /metrics too`);
  }
});
