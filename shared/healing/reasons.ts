// Every reason a healing decision can give, acted or not: what the audit event, the log line and the stream say.
export const REASONS = [
  // acted
  'threshold-reached',
  'escalated',
  'dependency-failing',
  'shared-cause',
  'primary-failed',
  'secondary-failed',
  'primary-recovered',
  'secondary-recovered',
  'all-proxies-failed',
  'failed-over',
  // not acted, expected
  'passing',
  'healed',
  'below-threshold',
  'cooldown',
  'verifying',
  'action-in-progress',
  'stale-result',
  'duplicate-event',
  'budget-exhausted',
  'dry-run',
  'namespace-not-allowed',
  'not-opted-in',
  'target-gone',
  'target-not-in-rule',
  'unknown-rule',
  'secondary-unverified',
  'no-switch-needed',
  'disruption-budget',
  'target-unreadable',
  'confirmed-healthy',
  'unconfirmed',
  // an operator paused healing for the namespace, the rule or the workload (selfheal pause)
  'paused',
  // an action put itself off (not now): a rollout is already replacing the workload's pods
  'rollout-in-progress',
  // an action declined (it cannot help here): the next rung after the cooldown
  'hpa-at-max',
  'hpa-owned-by-keda',
  'deployment-paused',
  // an action's lease ran out before its outcome was recorded: resolved against the cluster
  'lease-expired',
] as const;

export type Reason = (typeof REASONS)[number];
