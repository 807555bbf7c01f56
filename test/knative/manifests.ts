// Loads the manifests under knative/ for the tests: every YAML document, with typed views (zod) of the parts the tests read.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const KNATIVE_DIR = join(ROOT, 'knative');
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
export const RULES_FILE = 'rules.yaml';
export const NAMESPACE = 'selfheal';
export const FUNCTION_IMAGE = 'ghcr.io/selfheal/selfheal';

export interface Manifest {
  /** Path relative to knative/, with forward slashes. */
  file: string;
  /** Index of the document in its file. */
  index: number;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  doc: Record<string, unknown>;
}

export function describe(m: Pick<Manifest, 'file' | 'index' | 'kind' | 'name'>): string {
  return `${m.file}#${m.index} ${m.kind}/${m.name}`;
}

/** Every *.yaml / *.yml file under knative/, relative, sorted. */
export async function yamlFiles(): Promise<string[]> {
  const entries = await readdir(KNATIVE_DIR, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => relative(KNATIVE_DIR, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** Parses every document of a YAML file; YAML errors throw, naming the file. Empty documents are dropped. */
export async function parseYamlFile(file: string): Promise<unknown[]> {
  const text = await readFile(join(KNATIVE_DIR, file), 'utf8');
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  const out: unknown[] = [];
  docs.forEach((d, i) => {
    if (d.errors.length > 0) throw new Error(`${file}#${i}: ${d.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = d.toJS();
    if (value !== null && value !== undefined) out.push(value);
  });
  return out;
}

const typeMeta = z.object({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1).optional() }),
});

/** The Kubernetes manifests: every YAML file under knative/ except the kustomization and the rules file. */
export async function loadManifests(): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const file of await yamlFiles()) {
    if (file === KUSTOMIZATION_FILE || file === RULES_FILE) continue;
    const docs = await parseYamlFile(file);
    if (docs.length === 0) throw new Error(`${file}: no YAML document`);
    docs.forEach((doc, index) => {
      const meta = typeMeta.safeParse(doc);
      if (!meta.success) throw new Error(`${file}#${index}: not a Kubernetes object: ${meta.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      out.push({
        file,
        index,
        apiVersion: meta.data.apiVersion,
        kind: meta.data.kind,
        name: meta.data.metadata.name,
        namespace: meta.data.metadata.namespace,
        doc: doc as Record<string, unknown>,
      });
    });
  }
  return out;
}

export function ofKind(manifests: readonly Manifest[], apiVersion: string, kind: string): Manifest[] {
  return manifests.filter((m) => m.apiVersion === apiVersion && m.kind === kind);
}

/** Parses a manifest with a view schema; a mismatch throws naming the manifest and the fields. */
export function view<S extends z.ZodType>(schema: S, m: Manifest): z.infer<S> {
  const result = schema.safeParse(m.doc);
  if (!result.success) {
    throw new Error(`${describe(m)}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

// --- views (only the fields the tests read; the kubernetes-models classes validate the rest) ----------

const stringMap = z.record(z.string(), z.string());

export const metadataView = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  labels: stringMap.default({}),
  annotations: stringMap.default({}),
});

export const refView = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});

export const destinationView = z.object({ ref: refView.optional(), uri: z.string().optional() });

export const deliveryView = z.object({
  retry: z.number().int().optional(),
  backoffPolicy: z.string().optional(),
  backoffDelay: z.string().optional(),
  deadLetterSink: destinationView.optional(),
});

const quantity = z.union([z.string(), z.number()]);
const resourceList = z.object({ cpu: quantity.optional(), memory: quantity.optional() });

const httpProbe = z.object({
  httpGet: z.object({ path: z.string(), port: z.union([z.number(), z.string()]).optional() }).optional(),
});

export const containerView = z.object({
  name: z.string(),
  image: z.string(),
  args: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  ports: z.array(z.object({ containerPort: z.number().int(), name: z.string().optional() })).default([]),
  env: z.array(z.object({ name: z.string(), value: z.unknown().optional(), valueFrom: z.unknown().optional() })).default([]),
  resources: z.object({ requests: resourceList.optional(), limits: resourceList.optional() }).default({}),
  readinessProbe: httpProbe.optional(),
  livenessProbe: httpProbe.optional(),
  securityContext: z
    .object({
      runAsNonRoot: z.boolean().optional(),
      runAsUser: z.number().int().optional(),
      readOnlyRootFilesystem: z.boolean().optional(),
      allowPrivilegeEscalation: z.boolean().optional(),
      privileged: z.boolean().optional(),
      capabilities: z.object({ drop: z.array(z.string()).default([]), add: z.array(z.string()).default([]) }).optional(),
      seccompProfile: z.object({ type: z.string() }).optional(),
    })
    .optional(),
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string(), readOnly: z.boolean().optional() })).default([]),
});
export type ContainerView = z.infer<typeof containerView>;

export const knativeServiceView = z.object({
  metadata: metadataView,
  spec: z.object({
    template: z.object({
      metadata: z.object({ labels: stringMap.default({}), annotations: stringMap.default({}) }).default({ labels: {}, annotations: {} }),
      spec: z.object({
        serviceAccountName: z.string().optional(),
        automountServiceAccountToken: z.boolean().optional(),
        containerConcurrency: z.number().int().optional(),
        timeoutSeconds: z.number().int().optional(),
        containers: z.array(containerView).min(1),
        volumes: z
          .array(z.object({ name: z.string(), configMap: z.object({ name: z.string() }).optional() }))
          .default([]),
      }),
    }),
  }),
});
export type KnativeServiceView = z.infer<typeof knativeServiceView>;

export const pingSourceView = z.object({
  metadata: metadataView,
  spec: z.object({
    schedule: z.string(),
    timezone: z.string().optional(),
    contentType: z.string().optional(),
    data: z.string().optional(),
    dataBase64: z.string().optional(),
    sink: destinationView,
  }),
});

export const triggerView = z.object({
  metadata: metadataView,
  spec: z.object({
    broker: z.string(),
    filter: z.object({ attributes: stringMap.default({}) }).optional(),
    filters: z.array(z.unknown()).optional(),
    subscriber: destinationView,
    delivery: deliveryView.optional(),
  }),
});

export const brokerView = z.object({
  metadata: metadataView,
  spec: z.object({ delivery: deliveryView.optional() }).default({}),
});

export const sinkBindingView = z.object({
  metadata: metadataView,
  spec: z.object({
    subject: z.object({
      apiVersion: z.string(),
      kind: z.string(),
      name: z.string().optional(),
      namespace: z.string().optional(),
      selector: z
        .object({
          matchLabels: stringMap.default({}),
          matchExpressions: z.array(z.unknown()).default([]),
        })
        .optional(),
    }),
    sink: destinationView,
  }),
});

export const serviceAccountView = z.object({
  metadata: metadataView,
  automountServiceAccountToken: z.boolean().optional(),
});

export const policyRuleView = z.object({
  apiGroups: z.array(z.string()).default([]),
  resources: z.array(z.string()).default([]),
  verbs: z.array(z.string()),
  resourceNames: z.array(z.string()).optional(),
  nonResourceURLs: z.array(z.string()).optional(),
});

export const roleView = z.object({
  metadata: metadataView,
  rules: z.array(policyRuleView).default([]),
  aggregationRule: z.unknown().optional(),
});

export const bindingView = z.object({
  metadata: metadataView,
  roleRef: z.object({ apiGroup: z.string(), kind: z.enum(['Role', 'ClusterRole']), name: z.string() }),
  subjects: z.array(z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional(), apiGroup: z.string().optional() })).default([]),
});

export const coreServiceView = z.object({
  metadata: metadataView,
  spec: z.object({ ports: z.array(z.object({ port: z.number().int(), name: z.string().optional() })).min(1) }),
});

export const kustomizationView = z.object({
  apiVersion: z.literal('kustomize.config.k8s.io/v1beta1'),
  kind: z.literal('Kustomization'),
  namespace: z.string().optional(),
  resources: z.array(z.string()).default([]),
  configMapGenerator: z
    .array(
      z.object({
        name: z.string(),
        namespace: z.string().optional(),
        behavior: z.string().optional(),
        files: z.array(z.string()).default([]),
        literals: z.array(z.string()).default([]),
        envs: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  generatorOptions: z.object({ disableNameSuffixHash: z.boolean().optional() }).default({}),
  images: z.array(z.object({ name: z.string(), newName: z.string().optional(), newTag: z.string().optional(), digest: z.string().optional() })).default([]),
});

export async function loadKustomization(): Promise<z.infer<typeof kustomizationView>> {
  const docs = await parseYamlFile(KUSTOMIZATION_FILE);
  if (docs.length !== 1) throw new Error(`${KUSTOMIZATION_FILE}: expected one document, found ${docs.length}`);
  return kustomizationView.parse(docs[0]);
}

/** The Knative Services that run selfheal functions (the selfheal image), by name. */
export function functionServices(manifests: readonly Manifest[]): Map<string, { manifest: Manifest; svc: KnativeServiceView; container: ContainerView }> {
  const out = new Map<string, { manifest: Manifest; svc: KnativeServiceView; container: ContainerView }>();
  for (const m of ofKind(manifests, 'serving.knative.dev/v1', 'Service')) {
    const svc = view(knativeServiceView, m);
    const container = svc.spec.template.spec.containers[0];
    if (container === undefined) throw new Error(`${describe(m)}: no container`);
    if (imageName(container.image) !== FUNCTION_IMAGE) continue;
    if (out.has(m.name)) throw new Error(`${describe(m)}: a second Knative Service with this name`);
    out.set(m.name, { manifest: m, svc, container });
  }
  return out;
}

/** The repository part of an image reference (no tag, no digest). */
export function imageName(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

export function envOf(container: ContainerView): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env) {
    if (typeof e.value !== 'string') throw new Error(`env ${e.name}: only literal string values are expected (got ${JSON.stringify(e.value ?? e.valueFrom)})`);
    env[e.name] = e.value;
  }
  return env;
}

/** Does a label selector ({matchLabels}) select these labels? matchExpressions are not used in these manifests. */
export function selects(selector: { matchLabels: Record<string, string>; matchExpressions: unknown[] }, labels: Record<string, string>): boolean {
  if (selector.matchExpressions.length > 0) throw new Error('matchExpressions are not supported by this test');
  return Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v);
}

/** Knative Services the SinkBindings inject K_SINK into: name → the sinks (as "apiVersion/kind/name") bound to it. */
export function sinkBoundServices(manifests: readonly Manifest[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of ofKind(manifests, 'sources.knative.dev/v1', 'SinkBinding')) {
    const sb = view(sinkBindingView, m);
    const s = sb.spec.subject;
    if (s.apiVersion !== 'serving.knative.dev/v1' || s.kind !== 'Service') throw new Error(`${describe(m)}: subject must be Knative Services`);
    if ((s.name === undefined) === (s.selector === undefined)) throw new Error(`${describe(m)}: subject needs a name or a selector, not both`);
    const sink = sb.spec.sink.ref;
    const sinkKey = sink ? `${sink.apiVersion}/${sink.kind}/${sink.name}` : `uri:${sb.spec.sink.uri ?? ''}`;
    for (const ksvc of ofKind(manifests, 'serving.knative.dev/v1', 'Service')) {
      if ((s.namespace ?? m.namespace) !== ksvc.namespace) continue;
      const labels = view(knativeServiceView, ksvc).metadata.labels;
      if (s.name === ksvc.name || (s.selector !== undefined && selects(s.selector, labels))) out.set(ksvc.name, [...(out.get(ksvc.name) ?? []), sinkKey]);
    }
  }
  return out;
}

// --- monitoring.coreos.com (Prometheus Operator): no kubernetes-models class, so these views validate them -----

const labelSelectorView = z.object({
  matchLabels: stringMap.default({}),
  matchExpressions: z.array(z.object({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).default([]) }).strict()).default([]),
});

export const podMonitorView = z.object({
  apiVersion: z.literal('monitoring.coreos.com/v1'),
  kind: z.literal('PodMonitor'),
  metadata: metadataView,
  spec: z
    .object({
      jobLabel: z.string().optional(),
      namespaceSelector: z.object({ any: z.boolean().optional(), matchNames: z.array(z.string()).optional() }).strict().optional(),
      selector: labelSelectorView,
      podMetricsEndpoints: z
        .array(z.object({ port: z.string().min(1), path: z.string().startsWith('/').optional(), interval: z.string().regex(/^\d+(ms|s|m|h)$/).optional(), scheme: z.enum(['http', 'https']).optional() }).strict())
        .min(1),
    })
    .strict(),
});

const ruleView = z.union([
  z.object({ alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), expr: z.string().min(1), for: z.string().optional(), labels: stringMap.optional(), annotations: stringMap.optional() }).strict(),
  z.object({ record: z.string().min(1), expr: z.string().min(1), labels: stringMap.optional() }).strict(),
]);

export const prometheusRuleView = z.object({
  apiVersion: z.literal('monitoring.coreos.com/v1'),
  kind: z.literal('PrometheusRule'),
  metadata: metadataView,
  spec: z.object({ groups: z.array(z.object({ name: z.string().min(1), interval: z.string().optional(), rules: z.array(ruleView).min(1) }).strict()).min(1) }).strict(),
});

/** apiVersion/kind → the view that validates a kind kubernetes-models has no class for. */
export const VIEW_VALIDATED: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  ['monitoring.coreos.com/v1/PodMonitor', podMonitorView],
  ['monitoring.coreos.com/v1/PrometheusRule', prometheusRuleView],
]);
