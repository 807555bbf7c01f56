// Rule fields more than one kind uses: how the healer may heal, which pods a rule targets, and the value forms they share.
import { z } from 'zod';
import { durationMs } from '../config/duration.ts';
import { ACTIONS } from '../actions/catalog.ts';
import { parseLabelSelector } from './label-selector.ts';

export const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label (lowercase letters, digits, "-")');

export const labelSelector = z.string().superRefine((text, ctx) => {
  try {
    if (parseLabelSelector(text).length === 0) ctx.addIssue({ code: 'custom', message: 'must not be empty: it would match every pod' });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/** "200", "200-399", or a number; parsed into inclusive ranges. */
const statusRange = z.union([z.number().int(), z.string()]).transform((value, ctx) => {
  const text = String(value).trim();
  const m = text.match(/^(\d{3})(?:\s*-\s*(\d{3}))?$/);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `invalid status ${JSON.stringify(value)} (use 200 or "200-399")` });
    return z.NEVER;
  }
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (min < 100 || max > 599 || min > max) {
    ctx.addIssue({ code: 'custom', message: `invalid status range ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return { min, max };
});
export type StatusRange = { min: number; max: number };

/** The kubelet's notion of success for HTTP probes. */
const KUBELET_STATUS: StatusRange[] = [{ min: 200, max: 399 }];
// One value or a list; normalised to a list first so a bad entry gets its own message, not a union's.
export const expectedStatus = z
  .preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(statusRange).min(1).optional())
  .transform((v) => v ?? KUBELET_STATUS);

const scaleBounds = z
  .strictObject({
    replicas: z.number().int().min(1).optional(),
    step: z.number().int().min(1).default(1),
    max: z.number().int().min(1),
  })
  .refine((s) => s.replicas === undefined || s.replicas <= s.max, { message: 'replicas must not exceed max', path: ['replicas'] });

/** What every rule carries about healing, whatever its kind. */
export const healing = {
  failureThreshold: z.number().int().min(1).default(3),
  successThreshold: z.number().int().min(1).default(2),
  cooldown: durationMs.default(300_000),
  /** How long after an action the target may keep failing before the next rung of the ladder. */
  verifyWindow: durationMs.default(120_000),
  actions: z.array(z.enum(ACTIONS)).min(1).optional(),
  dryRun: z.boolean().default(false),
  timeoutMs: z.number().int().min(1).max(120_000).default(2_000),
  description: z.string().optional(),
};

/** What the rules of pod kinds carry: the pods they probe, and how the pod actions may treat them. */
export const podTarget = {
  namespace: dnsLabel,
  labelSelector,
  /** Names of dependency rules: while one of them fails, this rule's pods are not restarted. */
  dependsOn: z.array(z.string()).default([]),
  scale: scaleBounds.optional(),
  /** Fall back to DELETE when eviction is not possible (off by default: eviction honours PodDisruptionBudgets). */
  deleteFallback: z.boolean().default(false),
  /** Before a restart the healer runs the rule's probe against the pod itself; a pass cancels the restart. */
  confirm: z.boolean().default(true),
  /** After a pod starts, how long its failures do not count (like the kubelet's initialDelaySeconds). */
  startupGrace: durationMs.default(0),
  /** What a restart becomes when more of a workload's pods fail together than MAX_RESTART_SHARE allows. */
  sharedCause: z.enum(['alert', 'rollout-restart']).default('alert'),
};

/** TLS to a pod IP: the name its certificate carries, or no verification at all (what the kubelet does). */
export const tlsOptions = z.strictObject({
  serverName: z.string().min(1).optional(),
  insecureSkipVerify: z.boolean().default(false),
});
