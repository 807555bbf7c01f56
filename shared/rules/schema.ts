// The rules file schema: how each rule checks its targets and how the healer may heal them.
import { z } from 'zod';
import { durationMs } from '../config/duration.ts';
import { parseLabelSelector } from './label-selector.ts';

export const RULE_KINDS = ['http', 'tcp', 'exec', 'dependency', 'egress'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

import { ACTIONS } from '../actions/catalog.ts';
import type { Action } from '../actions/catalog.ts';
export { ACTIONS };
export type { Action };

const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label (lowercase letters, digits, "-")');

const labelSelector = z.string().superRefine((text, ctx) => {
  try {
    if (parseLabelSelector(text).length === 0) ctx.addIssue({ code: 'custom', message: 'must not be empty: it would match every pod' });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

const labelMap = z.record(z.string().min(1), z.string());

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
const expectedStatus = z
  .preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(statusRange).min(1).optional())
  .transform((v) => v ?? KUBELET_STATUS);

const scaleBounds = z
  .strictObject({
    replicas: z.number().int().min(1).optional(),
    step: z.number().int().min(1).default(1),
    max: z.number().int().min(1),
  })
  .refine((s) => s.replicas === undefined || s.replicas <= s.max, { message: 'replicas must not exceed max', path: ['replicas'] });

const healing = {
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

const podTarget = {
  namespace: dnsLabel,
  labelSelector,
  /** Names of dependency rules: while one of them fails, this rule's pods are not restarted. */
  dependsOn: z.array(z.string()).default([]),
  scale: scaleBounds.optional(),
  /** Fall back to DELETE when eviction is not possible (off by default: eviction honours PodDisruptionBudgets). */
  deleteFallback: z.boolean().default(false),
};

const httpRule = z.strictObject({
  name: z.string(),
  kind: z.literal('http'),
  ...healing,
  ...podTarget,
  scheme: z.enum(['http', 'https']).default('http'),
  port: z.number().int().min(1).max(65535),
  path: z.string().startsWith('/').default('/'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS']).default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  expectedStatus,
  body: z
    .strictObject({
      regex: z
        .string()
        .refine((r) => {
          try {
            new RegExp(r);
            return true;
          } catch {
            return false;
          }
        }, 'must be a valid regular expression')
        .optional(),
      json: z
        .strictObject({
          field: z.string().min(1),
          equals: z.union([z.string(), z.number(), z.boolean(), z.null()]),
        })
        .optional(),
    })
    .optional(),
  slowMs: z.number().int().min(1).optional(),
  /** HTTPS to a pod IP: the name its certificate carries, or no verification at all (what the kubelet does). */
  tls: z
    .strictObject({
      serverName: z.string().min(1).optional(),
      insecureSkipVerify: z.boolean().default(false),
    })
    .optional(),
});

const tcpRule = z.strictObject({
  name: z.string(),
  kind: z.literal('tcp'),
  ...healing,
  ...podTarget,
  port: z.number().int().min(1).max(65535),
  slowMs: z.number().int().min(1).optional(),
});

const execRule = z.strictObject({
  name: z.string(),
  kind: z.literal('exec'),
  ...healing,
  ...podTarget,
  container: z.string().optional(),
  command: z.array(z.string().min(1)).min(1),
  /** Bytes of the command's output kept in the result. */
  outputLimit: z.number().int().min(0).max(4096).default(512),
});

const dependencyRule = z.strictObject({
  name: z.string(),
  kind: z.literal('dependency'),
  ...healing,
  namespace: dnsLabel,
  services: z.array(dnsLabel).min(1),
  minReady: z.number().int().min(1).default(1),
});

const proxy = z.strictObject({
  /** The proxy's pods, and the selector the switched Service gets while this proxy is active. */
  selector: labelMap.refine((m) => Object.keys(m).length > 0, 'must name at least one label'),
  port: z.number().int().min(1).max(65535).default(3128),
  /** Address the proxy selector hands out for this proxy. */
  url: z.url().optional(),
});

const egressRule = z.strictObject({
  name: z.string(),
  kind: z.literal('egress'),
  ...healing,
  namespace: dnsLabel,
  /** The Service whose selector is switched between the proxies. */
  service: dnsLabel,
  proxies: z.strictObject({ primary: proxy, secondary: proxy }),
  urls: z.array(z.url({ protocol: /^https?$/ })).min(1),
  expectedStatus,
});

export const ruleSchema = z.discriminatedUnion('kind', [httpRule, tcpRule, execRule, dependencyRule, egressRule]);

export type HttpRule = z.infer<typeof httpRule>;
export type TcpRule = z.infer<typeof tcpRule>;
export type ExecRule = z.infer<typeof execRule>;
export type DependencyRule = z.infer<typeof dependencyRule>;
export type EgressRule = z.infer<typeof egressRule>;
export type ProxyConfig = z.infer<typeof proxy>;
export type Rule = z.infer<typeof ruleSchema>;
export type PodRule = HttpRule | TcpRule | ExecRule;

export const DEFAULT_ACTIONS: Record<RuleKind, readonly Action[]> = {
  http: ['restart', 'alert'],
  tcp: ['restart', 'alert'],
  exec: ['restart', 'alert'],
  dependency: ['alert'],
  egress: ['switch-proxy'],
};

const ALLOWED_ACTIONS: Record<RuleKind, readonly Action[]> = {
  http: ['restart', 'scale', 'alert'],
  tcp: ['restart', 'scale', 'alert'],
  exec: ['restart', 'scale', 'alert'],
  dependency: ['alert'],
  egress: ['switch-proxy', 'alert'],
};

export function isPodRule(rule: Rule): rule is PodRule {
  return rule.kind === 'http' || rule.kind === 'tcp' || rule.kind === 'exec';
}

export const rulesFileSchema = z
  .strictObject({
    rules: z.array(z.unknown()).min(1, 'must list at least one rule'),
  });

export { ALLOWED_ACTIONS };
