// The manifests under knative/ are valid Kubernetes and Knative objects, and kustomization.yaml lists exactly them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Service as CoreService } from 'kubernetes-models/v1/Service';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service as KnativeService } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';
import { Broker } from '@kubernetes-models/knative/eventing.knative.dev/v1/Broker';
import { Trigger } from '@kubernetes-models/knative/eventing.knative.dev/v1/Trigger';
import { PingSource } from '@kubernetes-models/knative/sources.knative.dev/v1/PingSource';
import { SinkBinding } from '@kubernetes-models/knative/sources.knative.dev/v1/SinkBinding';
import {
  FUNCTION_IMAGE,
  KNATIVE_DIR,
  KUSTOMIZATION_FILE,
  NAMESPACE,
  ROOT,
  RULES_FILE,
  VIEW_VALIDATED,
  describe,
  envOf,
  functionServices,
  imageName,
  loadKustomization,
  loadManifests,
  ofKind,
  parseYamlFile,
  yamlFiles,
} from './manifests.ts';
import type { Manifest } from './manifests.ts';
import { FUNCTION_PERMISSIONS } from '../../shared/kubernetes/permissions.ts';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

/** apiVersion/kind → the model class that validates it. A kind missing here fails the test: add its class. */
const MODELS: ReadonlyMap<string, ModelClass> = new Map<string, ModelClass>([
  ['v1/Namespace', Namespace],
  ['v1/ServiceAccount', ServiceAccount],
  ['v1/Service', CoreService],
  ['v1/ConfigMap', ConfigMap],
  ['v1/Secret', Secret],
  ['apps/v1/Deployment', Deployment],
  ['rbac.authorization.k8s.io/v1/Role', Role],
  ['rbac.authorization.k8s.io/v1/ClusterRole', ClusterRole],
  ['rbac.authorization.k8s.io/v1/RoleBinding', RoleBinding],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', ClusterRoleBinding],
  ['networking.k8s.io/v1/NetworkPolicy', NetworkPolicy],
  ['policy/v1/PodDisruptionBudget', PodDisruptionBudget],
  ['serving.knative.dev/v1/Service', KnativeService],
  ['eventing.knative.dev/v1/Broker', Broker],
  ['eventing.knative.dev/v1/Trigger', Trigger],
  ['sources.knative.dev/v1/PingSource', PingSource],
  ['sources.knative.dev/v1/SinkBinding', SinkBinding],
]);

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

/**
 * Kinds whose generated schema marks `status` as required (the Go type lacks omitempty). Status is written by the
 * controllers, never by a manifest: the model gets an empty status, the manifest itself must have none (tested below).
 */
const STATUS_REQUIRED_BY_SCHEMA = new Set(['sources.knative.dev/v1/SinkBinding']);

function validationErrors(m: Pick<Manifest, 'apiVersion' | 'kind' | 'doc'>): string | undefined {
  const viewOnly = VIEW_VALIDATED.get(`${m.apiVersion}/${m.kind}`);
  if (viewOnly) {
    const parsed = viewOnly.safeParse(m.doc);
    return parsed.success ? undefined : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  }
  const Model = MODELS.get(`${m.apiVersion}/${m.kind}`);
  if (!Model) return `no model for apiVersion ${m.apiVersion} kind ${m.kind}: unknown kind (add its kubernetes-models class to MODELS)`;
  const data = structuredClone(m.doc);
  if (STATUS_REQUIRED_BY_SCHEMA.has(`${m.apiVersion}/${m.kind}`) && data.status === undefined) data.status = {};
  try {
    new Model(data as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

test('every YAML document under knative/ validates against the Kubernetes / Knative schema of its kind', async () => {
  const manifests = await loadManifests();
  assert.ok(manifests.length > 0, 'no manifests found');
  const problems = manifests.flatMap((m) => {
    const error = validationErrors(m);
    return error === undefined ? [] : [`${describe(m)}: ${error}`];
  });
  assert.deepEqual(problems, []);
});

test('the validation is live: a broken copy of each kind used is rejected, an unknown kind is not skipped', async () => {
  const manifests = await loadManifests();
  const seen = new Set<string>();
  for (const m of manifests) {
    const key = `${m.apiVersion}/${m.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const broken = { ...m, doc: { ...m.doc, metadata: { name: 42 } } };
    assert.ok(validationErrors(broken) !== undefined, `${key}: a metadata.name that is a number was accepted`);
  }
  assert.match(validationErrors({ apiVersion: 'example.com/v1', kind: 'Gadget', doc: {} }) ?? '', /unknown kind/);
});

test('every manifest has a unique kind/namespace/name, no status, and namespaced objects name their namespace', async () => {
  const manifests = await loadManifests();
  const keys = new Map<string, string>();
  const problems: string[] = [];
  for (const m of manifests) {
    if (m.doc.status !== undefined) problems.push(`${describe(m)}: sets status, which only controllers write`);
    const key = `${m.apiVersion}/${m.kind}/${m.namespace ?? ''}/${m.name}`;
    const previous = keys.get(key);
    if (previous) problems.push(`${describe(m)} duplicates ${previous}`);
    keys.set(key, describe(m));
    if (CLUSTER_SCOPED.has(m.kind)) {
      if (m.namespace !== undefined) problems.push(`${describe(m)}: cluster-scoped, must not set a namespace`);
    } else if (m.namespace === undefined) {
      problems.push(`${describe(m)}: no namespace (kustomization.yaml sets none globally)`);
    } else if (m.namespace !== NAMESPACE && m.kind !== 'RoleBinding') {
      problems.push(`${describe(m)}: in namespace ${m.namespace}; only RoleBindings live outside ${NAMESPACE}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(
    manifests.some((m) => m.kind === 'Namespace' && m.name === NAMESPACE),
    `no Namespace ${NAMESPACE}`,
  );
});

test('kustomization.yaml lists every manifest file, and every file it lists exists', async () => {
  const k = await loadKustomization();
  const files = (await yamlFiles()).filter((f) => f !== KUSTOMIZATION_FILE && f !== RULES_FILE);
  assert.equal(new Set(k.resources).size, k.resources.length, `duplicate entries in resources: ${k.resources.join(', ')}`);
  for (const r of k.resources) {
    await access(join(KNATIVE_DIR, r)).catch(() => assert.fail(`kustomization.yaml lists ${r}, which does not exist`));
  }
  assert.deepEqual([...k.resources].sort(), files, 'resources must be exactly the manifest files under knative/');
  assert.ok(!k.resources.includes(RULES_FILE), 'rules.yaml is not a manifest: it feeds the configMapGenerator');
  // A global namespace would move the RoleBindings out of the target namespaces (see rbac.yaml).
  assert.equal(k.namespace, undefined, 'kustomization.yaml must not set a global namespace');
});

test('the rules ConfigMap is generated from knative/rules.yaml only, under a fixed name', async () => {
  const k = await loadKustomization();
  const manifests = await loadManifests();
  const gens = k.configMapGenerator.filter((g) => g.name === 'selfheal-rules');
  assert.equal(gens.length, 1, 'exactly one configMapGenerator named selfheal-rules');
  const gen = gens[0]!;
  assert.equal(gen.namespace, NAMESPACE);
  // A bare file name gives the key rules.yaml, which RULES_FILE=/etc/selfheal/rules.yaml reads.
  assert.deepEqual(gen.files, [RULES_FILE]);
  assert.deepEqual(gen.literals, []);
  assert.deepEqual(gen.envs, []);
  // Knative Services are not rewritten by kustomize's name references: the name must not get a hash suffix.
  assert.equal(k.generatorOptions.disableNameSuffixHash, true);
  const copies = ofKind(manifests, 'v1', 'ConfigMap').filter((m) => m.name === 'selfheal-rules');
  assert.deepEqual(copies.map(describe), [], 'the rules must not be duplicated in a second file');
  // The generated ConfigMap must validate too.
  const text = await readFile(join(KNATIVE_DIR, RULES_FILE), 'utf8');
  const generated = { apiVersion: 'v1', kind: 'ConfigMap', doc: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: gen.name, namespace: gen.namespace }, data: { [RULES_FILE]: text } } };
  assert.equal(validationErrors(generated), undefined);
});

test('the images transformer of kustomization.yaml names the functions image', async () => {
  const k = await loadKustomization();
  const manifests = await loadManifests();
  assert.ok(k.images.some((i) => i.name === FUNCTION_IMAGE), `kustomization.yaml images: has no entry for ${FUNCTION_IMAGE}`);
  const fns = functionServices(manifests);
  assert.ok(fns.size > 0);
  for (const [name, { container }] of fns) {
    assert.equal(imageName(container.image), FUNCTION_IMAGE, name);
    const entry = k.images.find((i) => i.name === FUNCTION_IMAGE);
    if (entry?.newTag !== undefined) assert.equal(container.image, `${FUNCTION_IMAGE}:${entry.newTag}`, `${name}: image tag differs from kustomization.yaml images`);
  }
});

test('the Dockerfile builds the one image every function runs, as the user the manifests expect', async () => {
  const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
  const lines = dockerfile.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const froms = lines.filter((l) => /^FROM\s/i.test(l));
  assert.ok(froms.length > 0 && froms.every((l) => /^FROM\s+node:24-slim(\s|$)/.test(l)), `base images: ${froms.join(' | ')}`);
  assert.ok(lines.some((l) => /^RUN\s.*npm ci\b.*--omit=dev/.test(l)), 'npm ci --omit=dev');
  assert.ok(lines.includes('ENTRYPOINT ["node"]'), 'ENTRYPOINT ["node"]');
  for (const dir of ['build/', 'shared/', 'functions/']) assert.ok(lines.some((l) => new RegExp(`^COPY\\s+${dir}\\s`).test(l)), `COPY ${dir}`);
  // Every function bundled in the build stage, and the bundles (not the sources) in the image that runs.
  assert.ok(lines.some((l) => /^RUN\s+node\s+build\/bundle\.ts\s/.test(l)), 'RUN node build/bundle.ts');
  const finalStage = lines.slice(lines.findLastIndex((l) => /^FROM\s/.test(l)));
  assert.ok(finalStage.some((l) => /^COPY\s+--from=build\s+\/app\/dist\s/.test(l)), 'the final stage copies dist/ from the build stage');
  assert.ok(!finalStage.some((l) => /^COPY\s+(shared|functions)\//.test(l)), 'the final stage ships no sources');
  assert.ok(lines.some((l) => /^COPY\s+knative\/rules\.yaml\s+\/etc\/selfheal\/rules\.yaml$/.test(l)), 'COPY knative/rules.yaml /etc/selfheal/rules.yaml');

  const users = lines.filter((l) => /^USER\s/.test(l));
  const user = users.at(-1)?.match(/^USER\s+(\d+)(?::(\d+))?$/);
  assert.ok(user, `the last USER must be numeric (runAsNonRoot cannot verify a user name): ${users.join(' | ')}`);
  const uid = Number(user[1]);
  assert.ok(uid > 0, 'USER must not be root');

  const cmd = lines.find((l) => l.startsWith('CMD '));
  const fns = functionServices(await loadManifests());
  const defaultFn = cmd?.match(/^CMD \["dist\/([a-z-]+)\/index\.mjs"\]$/)?.[1];
  assert.ok(defaultFn !== undefined && fns.has(defaultFn), `CMD must run one of the functions: ${cmd}`);
  for (const [name, { container }] of fns) {
    assert.equal(container.securityContext?.runAsUser ?? uid, uid, `${name}: runAsUser differs from the Dockerfile's USER`);
    assert.equal(envOf(container).RULES_FILE, '/etc/selfheal/rules.yaml', `${name}: RULES_FILE`);
  }

  // The allow-list .dockerignore must keep what the Dockerfile copies.
  const ignore = (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim());
  for (const kept of ['package.json', 'package-lock.json', 'build/', 'shared/', 'functions/', 'knative/rules.yaml']) {
    assert.ok(!ignore.includes('*') || ignore.includes(`!${kept}`), `.dockerignore excludes ${kept}`);
    assert.ok(!ignore.includes(kept) && !ignore.includes(kept.replace(/\/$/, '')), `.dockerignore excludes ${kept}`);
  }
});

test('rules.yaml is one YAML document (the configMapGenerator mounts the whole file as rules.yaml)', async () => {
  const files = await yamlFiles();
  assert.ok(files.includes(KUSTOMIZATION_FILE) && files.includes(RULES_FILE));
  const docs = await parseYamlFile(RULES_FILE);
  assert.equal(docs.length, 1, 'rules.yaml must be one YAML document');
});

test('every container image in knative/ names a tag or a digest, never latest: what is deployed is what was tested', async () => {
  const images: string[] = [];
  for (const file of await yamlFiles()) {
    const text = await readFile(join(KNATIVE_DIR, file), 'utf8');
    for (const m of text.matchAll(/^\s*image:\s*(\S+)\s*$/gm)) images.push(`${file}: ${m[1]}`);
  }
  assert.ok(images.length >= 6, images.join('\n'));
  const loose = images.filter((entry) => {
    const image = entry.slice(entry.indexOf(': ') + 2);
    if (/@sha256:[0-9a-f]{64}$/.test(image)) return false;
    const tag = /:([\w][\w.-]{0,127})$/.exec(image.slice(image.lastIndexOf('/') + 1))?.[1];
    return tag === undefined || tag === 'latest';
  });
  assert.deepEqual(loose, []);
});
