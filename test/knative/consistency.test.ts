// The manifests agree with the rules and the code: schedules name existing rules and reach the function of their kind,
// Triggers carry the types the checks emit to the healer (and alerts elsewhere), the functions' env fits their env schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import { loadRulesFile } from '../../shared/rules/load.ts';
import type { RuleSet } from '../../shared/rules/load.ts';
import { pingSchema } from '../../shared/events/schemas.ts';
import { CHECK_RESULT_TYPES, EventType, HEALER_EMITTED_TYPES } from '../../shared/events/types.ts';
import { checkEnvSchema, healerEnvSchema, parseEnv, redisEnvSchema } from '../../shared/config/env.ts';
import { DEFAULT_BACKOFF_MS } from '../../shared/emit/emitter.ts';
import { FUNCTION_PERMISSIONS } from '../../shared/kubernetes/permissions.ts';
import { RULE_KINDS } from '../../shared/rules/schema.ts';
import { FUNCTION_OF_KIND } from '../../shared/kinds/catalog.ts';
import {
  KNATIVE_DIR,
  NAMESPACE,
  ROOT,
  RULES_FILE,
  brokerView,
  coreServiceView,
  describe,
  envOf,
  functionServices,
  knativeServiceView,
  loadManifests,
  ofKind,
  pingSourceView,
  serviceAccountView,
  sinkBoundServices,
  sinkBindingView,
  triggerView,
  view,
} from './manifests.ts';
import type { Manifest } from './manifests.ts';
import { scheduleGaps } from './schedule-gaps.ts';

const KSVC = { apiVersion: 'serving.knative.dev/v1', kind: 'Service' } as const;
const CHECK_FUNCTIONS: readonly string[] = [...new Set(Object.values(FUNCTION_OF_KIND))].sort();
const ENV_SCHEMAS: Readonly<Record<string, z.ZodObject>> = {
  'check-pods': checkEnvSchema,
  'check-dependencies': checkEnvSchema,
  'check-egress': checkEnvSchema,
  healer: healerEnvSchema,
  'proxy-selector': redisEnvSchema,
};
/** Set by Knative (PORT, K_*) or by the SinkBinding (K_SINK): a Service must not set them itself. */
const RESERVED_ENV = ['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION', 'K_SINK'];
/** What the SinkBinding gives the functions that emit (the Broker's ingress address looks like this). */
const SIMULATED_K_SINK = 'http://broker-ingress.knative-eventing.svc.cluster.local/selfheal/default';

let manifestsPromise: Promise<Manifest[]> | undefined;
const manifests = () => (manifestsPromise ??= loadManifests());
const sorted = (s: Iterable<string>) => [...s].sort();
const rules = (): Promise<RuleSet> => loadRulesFile(join(KNATIVE_DIR, RULES_FILE));

function knativeServiceNamed(all: readonly Manifest[], name: string, namespace: string | undefined): Manifest | undefined {
  return ofKind(all, KSVC.apiVersion, KSVC.kind).find((m) => m.name === name && (m.namespace ?? NAMESPACE) === (namespace ?? NAMESPACE));
}

async function pingSources() {
  const all = await manifests();
  return ofKind(all, 'sources.knative.dev/v1', 'PingSource').map((m) => {
    const p = view(pingSourceView, m);
    assert.equal(p.spec.contentType, 'application/json', `${describe(m)}: contentType`);
    assert.equal(p.spec.dataBase64, undefined, `${describe(m)}: use data, not dataBase64`);
    assert.ok(p.spec.data !== undefined, `${describe(m)}: no data`);
    let json: unknown;
    try {
      json = JSON.parse(p.spec.data);
    } catch (error) {
      assert.fail(`${describe(m)}: data is not JSON: ${(error as Error).message}`);
    }
    const parsed = pingSchema.safeParse(json);
    assert.ok(parsed.success, `${describe(m)}: data does not match pingSchema: ${parsed.error?.message}`);
    return { manifest: m, ping: p, ruleNames: parsed.data.rules, gaps: scheduleGaps(p.spec.schedule) };
  });
}

test('the rules of the ConfigMap (knative/rules.yaml) load with loadRulesFile', async () => {
  const set = await rules();
  assert.ok(set.rules.length > 0);
});

test('every PingSource sends {"rules":[...]} naming existing rules to the Knative Service of their kind', async () => {
  const all = await manifests();
  const set = await rules();
  const pings = await pingSources();
  assert.ok(pings.length > 0, 'no PingSource');
  const problems: string[] = [];
  for (const { manifest, ping, ruleNames } of pings) {
    const ref = ping.spec.sink.ref;
    if (!ref || ref.apiVersion !== KSVC.apiVersion || ref.kind !== KSVC.kind) {
      problems.push(`${describe(manifest)}: the sink must be a ref to a Knative Service`);
      continue;
    }
    if (!knativeServiceNamed(all, ref.name, ref.namespace ?? manifest.namespace)) problems.push(`${describe(manifest)}: sink ${ref.name} is not a Knative Service in knative/`);
    if (new Set(ruleNames).size !== ruleNames.length) problems.push(`${describe(manifest)}: names a rule twice`);
    for (const name of ruleNames) {
      const rule = set.get(name);
      if (!rule) {
        problems.push(`${describe(manifest)}: no rule named "${name}" in rules.yaml`);
        continue;
      }
      const fn = FUNCTION_OF_KIND[rule.kind];
      if (ref.name !== fn) problems.push(`${describe(manifest)}: rule "${name}" is a ${rule.kind} rule, run by ${fn}, but the sink is ${ref.name}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('every rule is run by exactly one PingSource', async () => {
  const set = await rules();
  const pings = await pingSources();
  const count = new Map<string, string[]>(set.rules.map((r) => [r.name, []]));
  for (const { manifest, ruleNames } of pings) for (const n of ruleNames) count.get(n)?.push(manifest.name);
  const uncovered = [...count].filter(([, by]) => by.length === 0).map(([n]) => n);
  assert.deepEqual(uncovered, [], 'rules no PingSource names');
  // Twice would double the results per period, and with them the failure counts.
  const twice = [...count].filter(([, by]) => by.length > 1).map(([n, by]) => `${n}: ${by.join(', ')}`);
  assert.deepEqual(twice, [], 'rules named by more than one PingSource');
});

test('schedules: a run ends before the next tick, and dependency rules are at least as fresh as the rules that depend on them', async () => {
  const set = await rules();
  const pings = await pingSources();
  const fns = functionServices(await manifests());
  const gapsOf = new Map<string, { shortestMs: number; longestMs: number; by: string }>();
  const problems: string[] = [];
  for (const { manifest, ping, ruleNames, gaps } of pings) {
    const fn = ping.spec.sink.ref?.name ?? '';
    const entry = fns.get(fn);
    assert.ok(entry, `${describe(manifest)}: sink ${fn} is not a function`);
    const env = parseEnv(checkEnvSchema, envOf(entry.container));
    const timeoutMs = (entry.svc.spec.template.spec.timeoutSeconds ?? Infinity) * 1000;
    const every = `${gaps.shortestMs / 1000} s between ticks of ${manifest.name} (${ping.spec.schedule})`;
    if (env.RUN_DEADLINE >= gaps.shortestMs) problems.push(`${fn}: RUN_DEADLINE ${env.RUN_DEADLINE / 1000} s is not below the ${every}`);
    // Knative ends a request at timeoutSeconds: below the gap, no run of this schedule overlaps the next one.
    if (timeoutMs >= gaps.shortestMs) problems.push(`${fn}: timeoutSeconds ${timeoutMs / 1000} is not below the ${every}`);
    for (const n of ruleNames) {
      gapsOf.set(n, { ...gaps, by: manifest.name });
      const rule = set.get(n);
      assert.ok(rule);
      if (rule.timeoutMs >= env.RUN_DEADLINE) problems.push(`rule ${n}: timeoutMs ${rule.timeoutMs} does not fit in ${fn}'s RUN_DEADLINE ${env.RUN_DEADLINE}`);
    }
  }
  for (const rule of set.rules) {
    if (!('dependsOn' in rule)) continue;
    for (const dep of rule.dependsOn) {
      const mine = gapsOf.get(rule.name);
      const theirs = gapsOf.get(dep);
      assert.ok(mine !== undefined && theirs !== undefined, `${rule.name} / ${dep}: not scheduled`);
      // At every moment, the dependency's latest result is no older than the longest wait between two of its ticks,
      // which must not exceed the shortest wait between two ticks of the rule it guards.
      if (theirs.longestMs > mine.shortestMs) {
        problems.push(`${dep} (${theirs.by}) can go ${theirs.longestMs / 1000} s without a result, longer than the ${mine.shortestMs / 1000} s between ticks of ${rule.name} (${mine.by}), which depends on it`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('every Trigger filters on a type the code emits: check results to the healer, alerts to a sink other than the healer, with retries and a dead-letter sink', async () => {
  const all = await manifests();
  const brokers = ofKind(all, 'eventing.knative.dev/v1', 'Broker');
  const triggers = ofKind(all, 'eventing.knative.dev/v1', 'Trigger');
  assert.ok(triggers.length > 0, 'no Trigger');
  const covered = new Set<string>();
  let alerted = false;
  for (const m of triggers) {
    const t = view(triggerView, m);
    assert.ok(
      brokers.some((b) => b.name === t.spec.broker && b.namespace === m.namespace),
      `${describe(m)}: broker ${t.spec.broker} is not in knative/`,
    );
    assert.equal(t.spec.filters, undefined, `${describe(m)}: use filter.attributes (checked here), not filters`);
    const type = t.spec.filter?.attributes.type;
    assert.ok(type !== undefined, `${describe(m)}: no type filter: it would deliver every event, the healer's own included`);
    const sub = t.spec.subscriber.ref;
    if (type === EventType.alert) {
      // The healer's alerts go to a sink of their own, never back to the healer.
      alerted = true;
      assert.ok(sub && sub.kind === KSVC.kind && sub.apiVersion === KSVC.apiVersion && knativeServiceNamed(all, sub.name, sub.namespace ?? m.namespace), `${describe(m)}: the alert sink is not a Knative Service in knative/`);
      assert.notEqual(sub.name, 'healer', `${describe(m)}: the healer would receive its own alerts`);
    } else {
      assert.ok((CHECK_RESULT_TYPES as readonly string[]).includes(type), `${describe(m)}: type ${type} is not a check result type (${CHECK_RESULT_TYPES.join(', ')}) nor ${EventType.alert}`);
      assert.ok(!(HEALER_EMITTED_TYPES as readonly string[]).includes(type), `${describe(m)}: the healer would receive its own events`);
      covered.add(type);
      assert.deepEqual(sub && { apiVersion: sub.apiVersion, kind: sub.kind, name: sub.name }, { ...KSVC, name: 'healer' }, `${describe(m)}: subscriber`);
      assert.ok(knativeServiceNamed(all, 'healer', m.namespace), 'no Knative Service healer');
    }
    const d = t.spec.delivery;
    assert.ok(d, `${describe(m)}: no delivery`);
    assert.equal(d.retry, 5, `${describe(m)}: retry`);
    assert.equal(d.backoffPolicy, 'exponential', `${describe(m)}: backoffPolicy`);
    assert.equal(d.backoffDelay, 'PT0.5S', `${describe(m)}: backoffDelay`);
    const dls = d.deadLetterSink?.ref;
    assert.ok(dls, `${describe(m)}: no deadLetterSink ref`);
    assert.ok(dls.kind === KSVC.kind && dls.apiVersion === KSVC.apiVersion && knativeServiceNamed(all, dls.name, dls.namespace ?? m.namespace), `${describe(m)}: dead-letter sink ${dls.name} is not a Knative Service in knative/`);
    assert.notEqual(dls.name, 'healer', `${describe(m)}: dead letters must not go back to the healer`);
  }
  assert.deepEqual([...covered].sort(), [...CHECK_RESULT_TYPES].sort(), 'every check result type reaches the healer');
  assert.ok(alerted, `no Trigger delivers ${EventType.alert}: alerts in the Broker would go nowhere`);
});

test('the Broker "default" has delivery defaults with a dead-letter sink that exists', async () => {
  const all = await manifests();
  const brokers = ofKind(all, 'eventing.knative.dev/v1', 'Broker');
  assert.deepEqual(brokers.map((b) => `${b.namespace}/${b.name}`), [`${NAMESPACE}/default`]);
  const b = view(brokerView, brokers[0]!);
  const d = b.spec.delivery;
  assert.ok(d && d.retry !== undefined && d.retry > 0, 'Broker delivery.retry');
  assert.ok(d.backoffPolicy === 'exponential' || d.backoffPolicy === 'linear', 'Broker delivery.backoffPolicy');
  const dls = d.deadLetterSink?.ref;
  assert.ok(dls && knativeServiceNamed(all, dls.name, dls.namespace ?? NAMESPACE), 'Broker deadLetterSink must be a Knative Service in knative/');
});

test('the SinkBinding gives K_SINK = the Broker to exactly the check functions and the healer', async () => {
  const all = await manifests();
  const bindings = ofKind(all, 'sources.knative.dev/v1', 'SinkBinding');
  assert.ok(bindings.length > 0, 'no SinkBinding');
  for (const m of bindings) {
    const sink = view(sinkBindingView, m).spec.sink.ref;
    assert.ok(sink, `${describe(m)}: sink must be a ref`);
    assert.ok(
      ofKind(all, 'eventing.knative.dev/v1', 'Broker').some((b) => b.name === sink.name && b.namespace === (sink.namespace ?? m.namespace)),
      `${describe(m)}: sink Broker ${sink.name} is not in knative/`,
    );
  }
  const bound = sinkBoundServices(all);
  assert.deepEqual(sorted(bound.keys()), [...CHECK_FUNCTIONS, 'healer'].sort(), 'Services that get K_SINK');
  for (const [name, sinks] of bound) assert.deepEqual(sinks, ['eventing.knative.dev/v1/Broker/default'], `${name}: K_SINK must be the Broker "default", bound once`);
});

test('the Knative Services are exactly the functions of FUNCTION_PERMISSIONS, and each runs its bundle of functions/<name>/index.ts', async () => {
  const fns = functionServices(await manifests());
  assert.deepEqual([...fns.keys()].sort(), Object.keys(FUNCTION_PERMISSIONS).sort());
  for (const fn of CHECK_FUNCTIONS) assert.ok(fns.has(fn), `no Knative Service for ${fn}`);
  const missing: string[] = [];
  for (const [name, { container }] of fns) {
    // The image's build stage bundles functions/<name>/index.ts into dist/<name>/index.mjs (build/bundle.ts).
    assert.deepEqual(container.args, [`dist/${name}/index.mjs`], `${name}: args`);
    assert.equal(container.command, undefined, `${name}: the image's ENTRYPOINT (node) must stay`);
    // The functions are written by others in parallel: this fails until functions/<name>/index.ts lands.
    await access(join(ROOT, 'functions', name, 'index.ts')).catch(() => missing.push(`functions/${name}/index.ts`));
  }
  assert.deepEqual(missing, [], 'the Knative Services run files that do not exist');
  assert.equal(new Set([...fns.values()].map((f) => f.container.image)).size, 1, 'one image for every function');
});

test('every env var a function sets is a key of its env schema, and the values parse', async () => {
  const all = await manifests();
  const fns = functionServices(all);
  const bound = sinkBoundServices(all);
  for (const [name, { container }] of fns) {
    const schema = ENV_SCHEMAS[name];
    assert.ok(schema, `${name}: no env schema known for this function`);
    const env = envOf(container);
    const keys = new Set(Object.keys(schema.shape));
    const unknown = Object.keys(env).filter((k) => !keys.has(k));
    assert.deepEqual(unknown, [], `${name}: env vars its schema does not know`);
    const reserved = Object.keys(env).filter((k) => RESERVED_ENV.includes(k));
    assert.deepEqual(reserved, [], `${name}: env vars set by Knative or the SinkBinding`);
    assert.equal(new Set(container.env.map((e) => e.name)).size, container.env.length, `${name}: an env var is set twice`);
    // What the platform adds at run time, so that required values are filled as in the cluster.
    const runtime: Record<string, string> = { PORT: String(container.ports[0]?.containerPort ?? 8080), K_SERVICE: name, K_REVISION: `${name}-00001` };
    if (bound.has(name)) runtime.K_SINK = SIMULATED_K_SINK;
    assert.doesNotThrow(() => parseEnv(schema, { ...runtime, ...env }), `${name}: env does not parse`);
  }
});

test('timeouts: SHUTDOWN_GRACE ends before Knative kills the pod (timeoutSeconds), a check run (probes, then sending) before either', async () => {
  const fns = functionServices(await manifests());
  for (const [name, { svc, container }] of fns) {
    const timeoutSeconds = svc.spec.template.spec.timeoutSeconds;
    assert.ok(timeoutSeconds !== undefined && timeoutSeconds > 0, `${name}: timeoutSeconds`);
    const schema = ENV_SCHEMAS[name];
    assert.ok(schema);
    const env = parseEnv(schema, envOf(container)) as { SHUTDOWN_GRACE: number; KUBE_TIMEOUT: number };
    assert.ok(env.SHUTDOWN_GRACE < timeoutSeconds * 1000, `${name}: SHUTDOWN_GRACE ${env.SHUTDOWN_GRACE}ms is not below timeoutSeconds ${timeoutSeconds}s`);
    assert.ok(env.SHUTDOWN_GRACE >= timeoutSeconds * 1000 * 0.6, `${name}: SHUTDOWN_GRACE ${env.SHUTDOWN_GRACE}ms is far below timeoutSeconds ${timeoutSeconds}s`);
    if (CHECK_FUNCTIONS.includes(name)) {
      const check = parseEnv(checkEnvSchema, envOf(container));
      assert.ok(check.RUN_DEADLINE < check.SHUTDOWN_GRACE, `${name}: a run in flight (RUN_DEADLINE) must end within SHUTDOWN_GRACE`);
      assert.ok(envOf(container).RUN_DEADLINE !== undefined, `${name}: RUN_DEADLINE must be set explicitly`);
      // Listing the targets counts against RUN_DEADLINE but is bounded only by KUBE_TIMEOUT.
      assert.ok(check.KUBE_TIMEOUT < check.RUN_DEADLINE, `${name}: KUBE_TIMEOUT ${check.KUBE_TIMEOUT}ms is not below RUN_DEADLINE ${check.RUN_DEADLINE}ms`);
      // After the probes, the results go to the Broker: an event whose every attempt times out, with the backoffs
      // (at most DEFAULT_BACKOFF_MS × 2^i each), must still fit in the request before Knative cuts it off.
      const sendWorstMs = (check.SINK_RETRIES + 1) * check.SINK_TIMEOUT + DEFAULT_BACKOFF_MS * (2 ** check.SINK_RETRIES - 1);
      assert.ok(
        check.RUN_DEADLINE + sendWorstMs < timeoutSeconds * 1000,
        `${name}: RUN_DEADLINE ${check.RUN_DEADLINE}ms + sending at worst ${sendWorstMs}ms (SINK_TIMEOUT × ${check.SINK_RETRIES + 1} attempts + backoff) is not below timeoutSeconds ${timeoutSeconds}s`,
      );
    }
  }
});

test('the healer and the proxy-selector share one Redis: the in-namespace selfheal-redis Service, same key prefix', async () => {
  const all = await manifests();
  const fns = functionServices(all);
  const redisServices = ofKind(all, 'v1', 'Service');
  const seen: string[] = [];
  for (const name of ['healer', 'proxy-selector']) {
    const entry = fns.get(name);
    assert.ok(entry, `no ${name}`);
    const env = parseEnv(redisEnvSchema, envOf(entry.container));
    assert.ok(envOf(entry.container).REDIS_URL !== undefined, `${name}: REDIS_URL must be set`);
    const url = new URL(env.REDIS_URL);
    const [svcName, ns = NAMESPACE, ...rest] = url.hostname.split('.');
    assert.ok(rest.length === 0 || rest[0] === 'svc', `${name}: REDIS_URL host ${url.hostname}`);
    const target = redisServices.find((m) => m.name === svcName && m.namespace === ns);
    assert.ok(target, `${name}: REDIS_URL names ${svcName}.${ns}, not a Service in knative/`);
    const ports = view(coreServiceView, target).spec.ports.map((p) => p.port);
    assert.ok(ports.includes(Number(url.port || 6379)), `${name}: REDIS_URL port ${url.port} is not a port of ${svcName}`);
    seen.push(`${env.REDIS_URL} ${env.REDIS_KEY_PREFIX}`);
  }
  assert.equal(new Set(seen).size, 1, `healer and proxy-selector disagree: ${seen.join(' | ')}`);
  for (const [name, { container }] of fns) {
    if (name !== 'healer' && name !== 'proxy-selector') assert.equal(envOf(container).REDIS_URL, undefined, `${name} has no use for Redis`);
  }
});

test('every function mounts the rules ConfigMap where RULES_FILE points', async () => {
  const fns = functionServices(await manifests());
  for (const [name, { svc, container }] of fns) {
    const rulesFile = envOf(container).RULES_FILE;
    assert.equal(rulesFile, '/etc/selfheal/rules.yaml', `${name}: RULES_FILE`);
    const volume = svc.spec.template.spec.volumes.find((v) => v.configMap?.name === 'selfheal-rules');
    assert.ok(volume, `${name}: no volume of the ConfigMap selfheal-rules`);
    const mount = container.volumeMounts.find((m) => m.name === volume.name);
    assert.ok(mount, `${name}: the rules volume is not mounted`);
    assert.equal(mount.mountPath, dirname(rulesFile), `${name}: mountPath`);
    assert.equal(mount.readOnly, true, `${name}: rules mount must be read-only`);
  }
});

test('Knative Services: probes, resources, security context, in-cluster visibility, concurrency', async () => {
  const all = await manifests();
  const problems: string[] = [];
  for (const m of ofKind(all, KSVC.apiVersion, KSVC.kind)) {
    const svc = view(knativeServiceView, m);
    const spec = svc.spec.template.spec;
    const at = describe(m);
    if (svc.metadata.labels['networking.knative.dev/visibility'] !== 'cluster-local') problems.push(`${at}: not cluster-local`);
    if (spec.containerConcurrency === undefined) problems.push(`${at}: no containerConcurrency`);
    if (spec.timeoutSeconds === undefined) problems.push(`${at}: no timeoutSeconds`);
    if (spec.containers.length !== 1) problems.push(`${at}: one container expected`);
    for (const c of spec.containers) {
      for (const kind of ['requests', 'limits'] as const) {
        if (c.resources[kind]?.cpu === undefined || c.resources[kind]?.memory === undefined) problems.push(`${at}: resources.${kind} needs cpu and memory`);
      }
      const sc = c.securityContext;
      if (sc?.runAsNonRoot !== true) problems.push(`${at}: runAsNonRoot`);
      if (sc?.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem`);
      if (sc?.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation must be false`);
      if (sc?.privileged === true) problems.push(`${at}: privileged`);
      if (!sc?.capabilities?.drop.includes('ALL') || (sc.capabilities.add.length ?? 0) > 0) problems.push(`${at}: capabilities must drop ALL and add none`);
      if (sc?.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${at}: seccompProfile RuntimeDefault`);
    }
  }
  const fns = functionServices(all);
  for (const [name, { container }] of fns) {
    const port = container.ports[0]?.containerPort;
    if (container.ports.length !== 1) problems.push(`${name}: Knative needs exactly one container port`);
    for (const [probe, path] of [['readinessProbe', '/readyz'], ['livenessProbe', '/healthz']] as const) {
      const get = container[probe]?.httpGet;
      if (get?.path !== path) problems.push(`${name}: ${probe} must GET ${path}`);
      if (get?.port !== undefined && get.port !== port) problems.push(`${name}: ${probe} port ${get.port} is not the container port ${port}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('scale annotations: checks scale to zero with a small max, the healer and the proxy-selector stay warm', async () => {
  const fns = functionServices(await manifests());
  const scale = (name: string) => {
    const a = fns.get(name)?.svc.spec.template.metadata.annotations ?? {};
    const min = a['autoscaling.knative.dev/min-scale'];
    const max = a['autoscaling.knative.dev/max-scale'];
    assert.ok(min !== undefined && max !== undefined, `${name}: min-scale and max-scale must be set on purpose`);
    assert.ok(/^\d+$/.test(min) && /^\d+$/.test(max), `${name}: scale annotations must be integers`);
    assert.ok(Number(max) >= Math.max(1, Number(min)), `${name}: max-scale below min-scale`);
    return { min: Number(min), max: Number(max) };
  };
  for (const fn of CHECK_FUNCTIONS) {
    const s = scale(fn);
    assert.equal(s.min, 0, `${fn}: stateless, fired by schedule: scale to zero`);
    assert.ok(s.max <= 5, `${fn}: max-scale should stay small`);
  }
  assert.ok(scale('healer').min >= 1, 'healer: min-scale 1 (no cold start in a failure burst, warm Redis connections)');
  assert.ok(scale('proxy-selector').min >= 1, 'proxy-selector: min-scale 1 (clients ask it on their request path)');
});

test('each function runs as its own ServiceAccount; the proxy-selector gets no token', async () => {
  const all = await manifests();
  const fns = functionServices(all);
  const accounts = ofKind(all, 'v1', 'ServiceAccount');
  const used = new Map<string, string>();
  for (const [name, { svc }] of fns) {
    const sa = svc.spec.template.spec.serviceAccountName;
    assert.ok(sa !== undefined && sa !== 'default', `${name}: serviceAccountName`);
    assert.ok(accounts.some((a) => a.name === sa && a.namespace === NAMESPACE), `${name}: ServiceAccount ${sa} is not in knative/`);
    assert.equal(used.get(sa), undefined, `${name} shares ServiceAccount ${sa} with ${used.get(sa)}`);
    used.set(sa, name);
  }
  const ps = fns.get('proxy-selector');
  assert.ok(ps);
  assert.equal(ps.svc.spec.template.spec.automountServiceAccountToken, false, 'proxy-selector: automountServiceAccountToken');
  const psAccount = accounts.find((a) => a.name === ps.svc.spec.template.spec.serviceAccountName);
  assert.ok(psAccount);
  assert.equal(view(serviceAccountView, psAccount).automountServiceAccountToken, false, 'proxy-selector ServiceAccount: automountServiceAccountToken');
});

test('FUNCTION_OF_KIND covers every rule kind with a function that has a Knative Service', async () => {
  const fns = functionServices(await manifests());
  for (const kind of RULE_KINDS) assert.ok(fns.has(FUNCTION_OF_KIND[kind]), `${kind}: ${FUNCTION_OF_KIND[kind]} has no Knative Service`);
});
