// What follows the commit for an open alert: re-posted to Alertmanager while its condition lasts, resolved once
// healed. Never throws: a post that fails is logged (Alertmanager resolves an alert not re-sent in resolve_timeout).
import { firingAlert, postToAlertmanager, resolvedAlert } from '../../shared/actions/alertmanager.ts';
import type { Target } from '../../shared/events/schemas.ts';
import type { OpenAlertStep } from '../../shared/healing/target-plan.ts';
import type { Logger } from '../../shared/log/logger.ts';
import type { HealerDeps } from './deps.ts';

export interface FollowUp {
  step: OpenAlertStep;
  rule: string;
  target: Target;
  why: string;
  lastError?: string | undefined;
  now: number;
}

export async function followOpenAlert(deps: HealerDeps, f: FollowUp, log: Logger): Promise<void> {
  const url = deps.config.alertmanagerUrl;
  if (!url) return;
  const since = new Date(f.step.since).toISOString();
  const at = new Date(f.now).toISOString();
  const posted =
    f.step.kind === 'resolve'
      ? resolvedAlert(f.rule, f.target, 'critical', since, at, f.why)
      : firingAlert({ rule: f.rule, target: f.target, why: f.why, severity: 'critical', at }, f.lastError, since);
  const outcome = await postToAlertmanager(url, [posted], deps.config.alertTimeoutMs);
  if (outcome.kind === 'performed') log.info({ alert: f.step.kind }, f.step.kind === 'resolve' ? 'alert resolved in Alertmanager' : 'open alert re-posted to Alertmanager');
  else log.warn({ alert: f.step.kind, detail: outcome.detail }, 'Alertmanager post failed: not retried now');
}
