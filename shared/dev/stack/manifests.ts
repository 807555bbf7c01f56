// Reads what the local stack plays from the real Knative manifests: PingSources, Triggers and the functions' Services.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { Problems, issuesToProblems } from '../../config/problems.ts';
import { parseCron } from './cron.ts';
import type { Cron } from './cron.ts';

/** The manifests cannot be played: every problem at once. */
const manifestProblems = (problems: string[]): Problems => new Problems('the Knative manifests cannot be played locally', problems);

const serviceRef = z.object({
  apiVersion: z.literal('serving.knative.dev/v1'),
  kind: z.literal('Service'),
  name: z.string().min(1),
});

const metadata = z.object({ name: z.string().min(1), namespace: z.string().min(1).default('default'), labels: z.record(z.string(), z.string()).default({}) });

const pingSourceDoc = z.object({
  kind: z.literal('PingSource'),
  metadata,
  spec: z.object({
    schedule: z.string().min(1),
    contentType: z.string().default('text/plain'),
    data: z.string().default(''),
    sink: z.object({ ref: serviceRef }),
  }).superRefine((spec, ctx) => {
    // Found at load time rather than at the first tick, where it would stop the stack.
    if (!/[/+]json\b/.test(spec.contentType) || spec.data === '') return;
    try {
      JSON.parse(spec.data);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['data'], message: `is not valid JSON (${(error as Error).message}) though contentType is ${spec.contentType}` });
    }
  }),
});

const triggerDoc = z.object({
  kind: z.literal('Trigger'),
  metadata,
  spec: z.object({
    broker: z.string().min(1),
    filter: z.object({ attributes: z.record(z.string(), z.string()).default({}) }).default({ attributes: {} }),
    subscriber: z.object({ ref: serviceRef }),
    delivery: z
      .object({
        retry: z.number().int().min(0).default(0),
        backoffPolicy: z.enum(['linear', 'exponential']).default('exponential'),
        backoffDelay: z.string().optional(),
        deadLetterSink: z.object({ ref: z.object({ name: z.string() }) }).optional(),
      })
      .default({ retry: 0, backoffPolicy: 'exponential' }),
  }),
});

const knativeServiceDoc = z.object({
  kind: z.literal('Service'),
  apiVersion: z.literal('serving.knative.dev/v1'),
  metadata,
  spec: z.object({
    template: z.object({
      spec: z.object({
        containers: z
          .array(
            z.object({
              args: z.array(z.string()).optional(),
              env: z.array(z.object({ name: z.string(), value: z.string().optional() })).default([]),
            }),
          )
          .min(1),
      }),
    }),
  }),
});

export interface PingSourceSpec {
  readonly name: string;
  readonly namespace: string;
  readonly schedule: Cron;
  readonly contentType: string;
  readonly data: string;
  /** The Knative Service the ping goes to. */
  readonly sink: string;
}

export interface DeliverySpec {
  /** Retries after the first attempt. */
  readonly retry: number;
  readonly backoffPolicy: 'linear' | 'exponential';
  readonly backoffDelayMs: number;
  readonly deadLetterSink: string | undefined;
}

export interface TriggerSpec {
  readonly name: string;
  readonly filter: Readonly<Record<string, string>>;
  readonly subscriber: string;
  readonly delivery: DeliverySpec;
}

export interface FunctionService {
  readonly name: string;
  /** The entry module, relative to the project root (the container's argument). */
  readonly entry: string;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** ISO-8601 durations as Knative's backoffDelay takes them: PT0.5S, PT1M30S, P1D. */
export function parseIsoDuration(text: string): number | undefined {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  return Math.round(((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1_000);
}

async function readDocuments(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw manifestProblems([`${file}: not valid YAML: ${doc.errors[0]!.message}`]);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function kindOf(doc: unknown): string | undefined {
  const kind = (doc as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? kind : undefined;
}

function parseDoc<S extends z.ZodType>(schema: S, doc: unknown, label: string, problems: string[]): z.infer<S> | undefined {
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  problems.push(...issuesToProblems(label, result.error.issues, doc));
  return undefined;
}

export function toPingSource(doc: z.infer<typeof pingSourceDoc>): PingSourceSpec {
  return Object.freeze({
    name: doc.metadata.name,
    namespace: doc.metadata.namespace,
    schedule: parseCron(doc.spec.schedule),
    contentType: doc.spec.contentType,
    data: doc.spec.data,
    sink: doc.spec.sink.ref.name,
  });
}

export function toTrigger(doc: z.infer<typeof triggerDoc>, problems: string[]): TriggerSpec {
  const delay = doc.spec.delivery.backoffDelay;
  const backoffDelayMs = delay === undefined ? 0 : parseIsoDuration(delay);
  if (backoffDelayMs === undefined) problems.push(`Trigger ${doc.metadata.name}: backoffDelay "${delay}" is not an ISO-8601 duration (e.g. PT0.5S)`);
  return Object.freeze({
    name: doc.metadata.name,
    filter: Object.freeze({ ...doc.spec.filter.attributes }),
    subscriber: doc.spec.subscriber.ref.name,
    delivery: Object.freeze({
      retry: doc.spec.delivery.retry,
      backoffPolicy: doc.spec.delivery.backoffPolicy,
      backoffDelayMs: backoffDelayMs ?? 0,
      deadLetterSink: doc.spec.delivery.deadLetterSink?.ref.name,
    }),
  });
}

export interface Manifests {
  readonly pingSources: readonly PingSourceSpec[];
  readonly triggers: readonly TriggerSpec[];
  /** Knative Services that run one of the project's functions (an entry module under functions/). */
  readonly functions: readonly FunctionService[];
}

/** Every YAML file of `dir`, or `pingSourcesFile` instead of the PingSources found there. */
export async function loadManifests(dir: string, opts: { pingSourcesFile?: string | undefined } = {}): Promise<Manifests> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
  const problems: string[] = [];
  const pingSources: PingSourceSpec[] = [];
  const triggers: TriggerSpec[] = [];
  const functions: FunctionService[] = [];
  /** Knative Services that are no function of the project (the event display): the router's own log plays them. */
  const displays = new Set<string>();
  const pingDocs: Array<{ doc: unknown; label: string }> = [];
  for (const file of files) {
    for (const doc of await readDocuments(file)) {
      const label = `${file} ${kindOf(doc) ?? '?'} ${(doc as { metadata?: { name?: string } }).metadata?.name ?? ''}`.trim();
      switch (kindOf(doc)) {
        case 'PingSource':
          if (opts.pingSourcesFile === undefined) pingDocs.push({ doc, label });
          break;
        case 'Trigger': {
          const t = parseDoc(triggerDoc, doc, label, problems);
          if (t) triggers.push(toTrigger(t, problems));
          break;
        }
        case 'Service': {
          if ((doc as { apiVersion?: unknown }).apiVersion !== 'serving.knative.dev/v1') break;
          const s = parseDoc(knativeServiceDoc, doc, label, problems);
          const container = s?.spec.template.spec.containers[0];
          const entry = sourceEntry(container?.args?.[0]);
          // Services without a functions/ entry (the dead-letter event display) are played by the router itself.
          if (s && (!container || entry === undefined || !entry.startsWith('functions/'))) displays.add(s.metadata.name);
          if (!s || !container || entry === undefined || !entry.startsWith('functions/')) break;
          const env: Record<string, string> = {};
          for (const e of container.env) if (e.value !== undefined) env[e.name] = e.value;
          functions.push(Object.freeze({ name: s.metadata.name, entry, env: Object.freeze(env), labels: Object.freeze({ ...s.metadata.labels }) }));
          break;
        }
      }
    }
  }
  if (opts.pingSourcesFile !== undefined) {
    for (const doc of await readDocuments(opts.pingSourcesFile)) {
      if (kindOf(doc) === 'PingSource') pingDocs.push({ doc, label: `${opts.pingSourcesFile} PingSource` });
    }
  }
  for (const { doc, label } of pingDocs) {
    const p = parseDoc(pingSourceDoc, doc, label, problems);
    if (!p) continue;
    try {
      pingSources.push(toPingSource(p));
    } catch (error) {
      problems.push(`${label}: ${(error as Error).message}`);
    }
  }
  const names = new Set(functions.map((f) => f.name));
  for (const p of pingSources) if (!names.has(p.sink)) problems.push(`PingSource ${p.name}: sink ${p.sink} is not one of the functions (${[...names].join(', ')})`);
  for (const t of triggers) if (!names.has(t.subscriber) && !displays.has(t.subscriber)) problems.push(`Trigger ${t.name}: subscriber ${t.subscriber} is not one of the functions`);
  if (problems.length > 0) throw manifestProblems(problems);
  // A Trigger to the event display (alerts) is not played: every event the local Broker takes is in its own log.
  const played = triggers.filter((t) => names.has(t.subscriber));
  return Object.freeze({ pingSources: Object.freeze(pingSources), triggers: Object.freeze(played), functions: Object.freeze(functions) });
}

/** The image runs each function's bundle, dist/<name>/index.mjs (build/bundle.ts); the local stack runs its sources. */
export function sourceEntry(arg: string | undefined): string | undefined {
  const bundled = arg?.match(/^dist\/([a-z0-9-]+)\/index\.mjs$/);
  return bundled ? `functions/${bundled[1]}/index.ts` : arg;
}
