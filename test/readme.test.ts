// The README points at the code as it is: every relative link resolves, and the test command it gives is CI's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

test('every relative link of the README names a file or folder that exists', () => {
  const links = [...README.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
  assert.ok(links.length > 20, `only ${links.length} links found`);
  assert.deepEqual(links.filter((l) => !existsSync(join(ROOT, l))), []);
});

test('the code layout names every top-level folder of shared/', () => {
  const layout = README.slice(README.indexOf('## Code layout'), README.indexOf('## Events'));
  const dirs = readdirSync(join(ROOT, 'shared'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  assert.ok(dirs.length > 10);
  for (const dir of dirs) {
    assert.match(layout, new RegExp(`\\b${dir}/`), `shared/${dir}/ is not in the layout`);
  }
});

test("CI runs the README's test command", () => {
  assert.match(README, /```sh\nnpm test\n```/);
  assert.match(readFileSync(join(ROOT, '.ci/run'), 'utf8'), /^npm test$/m);
});

test('the CLI examples name rules, namespaces, workloads and keys that knative/ defines, and the Redis Service it deploys', async () => {
  const { loadRulesFile } = await import('../shared/rules/load.ts');
  const rules = await loadRulesFile(join(ROOT, 'knative', 'rules.yaml'));
  const names = new Set(rules.rules.map((r) => r.name));
  const namespaces = new Set(rules.rules.map((r) => r.namespace));
  const section = (from: string, to: string) => README.slice(README.indexOf(from), README.indexOf(to, README.indexOf(from)));
  const text = section('## Inspecting the history', '## The demo');
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).join('\n');
  const named = (re: RegExp) => [...blocks.matchAll(re)].map((m) => m[1]!);
  const ruleFlags = named(/--rule (\S+)/g);
  assert.ok(ruleFlags.length >= 3, blocks);
  assert.deepEqual(ruleFlags.filter((r) => !names.has(r)), [], 'rules named with --rule');
  assert.deepEqual(named(/--namespace (\S+)/g).filter((n) => !namespaces.has(n)), [], 'namespaces named with --namespace');
  // Keys and target ids: {selfheal}:<kind>:<rule>…, <rule>:<namespace>:Kind:…, <namespace>/pod/…
  const keyRules = named(/\{selfheal\}:(?:target|history|unit|failing:unit|failing:rule|stats):([a-z0-9-]+)/g);
  assert.ok(keyRules.length >= 6, blocks);
  assert.deepEqual(keyRules.filter((r) => !names.has(r)), [], 'rules in key names');
  assert.deepEqual(named(/\{selfheal\}:proxy:([a-z0-9-]+)/g).filter((g) => !names.has(g)), [], 'proxy groups (egress rules)');
  for (const [, rule, ns] of blocks.matchAll(/\b([a-z0-9-]+):([a-z0-9-]+):(?:Pod|Deployment):/g)) {
    assert.equal(rules.get(rule!)?.namespace, ns, `${rule}:${ns}`);
  }
  for (const [, ns] of blocks.matchAll(/"([a-z0-9-]+)\/pod\//g)) assert.ok(namespaces.has(ns!), ns);
  for (const [, ns, , name] of blocks.matchAll(/--workload ([a-z0-9-]+)\/(Deployment)\/([a-z0-9-]+)/g)) {
    assert.ok(rules.rules.some((r) => r.namespace === ns && 'labelSelector' in r && String(r.labelSelector).includes(`app=${name}`)), `${ns}/${name}`);
  }
  // The in-cluster example: the Service and namespace knative/redis.yaml defines, reached through a port-forward.
  const redisYaml = readFileSync(join(ROOT, 'knative', 'redis.yaml'), 'utf8');
  const forward = /kubectl -n (\S+) port-forward svc\/(\S+) /.exec(blocks);
  assert.ok(forward, 'a port-forward to the Redis Service');
  const [, namespace, service] = forward;
  assert.match(redisYaml, new RegExp(`kind: Service\\nmetadata:\\n  name: ${service}\\n  namespace: ${namespace}\\n`), `Service ${namespace}/${service} in knative/redis.yaml`);
  assert.match(readFileSync(join(ROOT, 'knative', 'healer.yaml'), 'utf8'), new RegExp(`redis://${service}\\.${namespace}\\.svc:6379`));
});
