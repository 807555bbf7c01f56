// zod schemas for the data of every event type: the contract between the checks and the healer.
import { z } from 'zod';
import { PROBE_FIELDS, RULE_KINDS } from '../kinds/catalog.ts';
import { ACTIONS } from '../rules/schema.ts';

const isoTime = z.iso.datetime({ offset: true });

export const targetSchema = z.strictObject({
  namespace: z.string().min(1),
  kind: z.enum(['Pod', 'Service', 'Proxy']),
  name: z.string().min(1),
  /** The owning workload (a Deployment, or the ReplicaSet when it has no Deployment). */
  workload: z.strictObject({ kind: z.string().min(1), name: z.string().min(1) }).optional(),
  address: z.string().optional(),
  /** A pod's container restarts by the kubelet (summed), when any: a rise starts its failure count over. */
  restarts: z.number().int().positive().optional(),
});
export type Target = z.infer<typeof targetSchema>;

/** Strict: a field no kind declares (shared/kinds/<kind>/kind.ts, probeFields) is refused. */
export const probeSchema = z.strictObject({
  latencyMs: z.number().nonnegative(),
  error: z.string().optional(),
  ...PROBE_FIELDS,
});
export type ProbeDetail = z.infer<typeof probeSchema>;

export const proxyRoleSchema = z.enum(['primary', 'secondary']);
export type ProxyRole = z.infer<typeof proxyRoleSchema>;

export const checkResultSchema = z.strictObject({
  rule: z.string().min(1),
  ruleKind: z.enum(RULE_KINDS),
  /** 'skipped': the pod was not probed on purpose (notProbed says why); it neither passes nor fails. */
  outcome: z.enum(['passed', 'failed', 'skipped']),
  notProbed: z.enum(['not-started', 'terminating', 'startup-grace']).optional(),
  target: targetSchema,
  probe: probeSchema,
  proxy: z.strictObject({ group: z.string().min(1), role: proxyRoleSchema }).optional(),
  observedAt: isoTime,
  runId: z.string().min(1),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

/** What the healer decides on: a result that passed or failed (a skipped one never reaches a decision). */
export const judgedResultSchema = checkResultSchema.extend({ outcome: z.enum(['passed', 'failed']) });
export type JudgedResult = z.infer<typeof judgedResultSchema>;

export const pingSchema = z.strictObject({
  rules: z.array(z.string().min(1)).min(1, 'must name at least one rule'),
});
export type PingData = z.infer<typeof pingSchema>;

export const healSchema = z.strictObject({
  rule: z.string(),
  target: targetSchema,
  action: z.enum([...ACTIONS, 'none']),
  reason: z.string(),
  dryRun: z.boolean(),
  consecutiveFailures: z.number().int().nonnegative(),
  attempt: z.number().int().nonnegative().optional(),
  detail: z.string().optional(),
  causeId: z.string(),
  at: isoTime,
});
export type HealData = z.infer<typeof healSchema>;

export const proxySwitchedSchema = z.strictObject({
  group: z.string(),
  namespace: z.string(),
  service: z.string(),
  from: z.enum(['primary', 'secondary', 'none']),
  to: z.enum(['primary', 'secondary', 'none']),
  state: z.enum(['PrimaryActive', 'SecondaryActive', 'AllFailed']),
  reason: z.string(),
  dryRun: z.boolean(),
  at: isoTime,
});
export type ProxySwitchedData = z.infer<typeof proxySwitchedSchema>;

export const alertSchema = z.strictObject({
  rule: z.string(),
  target: targetSchema,
  why: z.string(),
  severity: z.enum(['warning', 'critical']),
  at: isoTime,
});
export type AlertData = z.infer<typeof alertSchema>;
