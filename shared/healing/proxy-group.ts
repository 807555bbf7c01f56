// The proxy-group state machine: PrimaryActive → SecondaryActive on primary failure, AllFailed when both fail,
// and back to the primary only after successThreshold consecutive passes (hysteresis). No I/O.
import type { Reason } from './reasons.ts';
import type { ProxyGroupState, ProxyGroupStatus } from './state.ts';

export type Role = 'primary' | 'secondary';

export interface ProxyPolicy {
  failureThreshold: number;
  successThreshold: number;
  /** Minimum time between a switch and a fail-back; failing over is never delayed. */
  cooldown: number;
}

export type ProxyVerdict =
  | { kind: 'switch'; to: Role; status: ProxyGroupStatus; reason: Reason }
  | { kind: 'enter-all-failed'; reason: 'all-proxies-failed' }
  | { kind: 'skip'; reason: Reason };

export interface ProxyDecision {
  group: ProxyGroupState;
  verdict: ProxyVerdict;
}

/** Applies one proxy pod's result to its role: a role fails a run when any of its pods fails, and counts once per run. */
function countRun(g: ProxyGroupState, role: Role, outcome: 'passed' | 'failed', runId: string, observedAt: number): void {
  const p = role === 'primary' ? 'primary' : 'secondary';
  const sameRun = g[`${p}Run`] === runId;
  if (sameRun && (g[`${p}RunOutcome`] === 'failed' || outcome === 'passed')) return;
  if (!sameRun) {
    g[`${p}RunFailuresBefore`] = g[`${p}Failures`];
    g[`${p}RunPassesBefore`] = g[`${p}Passes`];
    g[`${p}Run`] = runId;
  }
  const failed = outcome === 'failed';
  g[`${p}Failures`] = failed ? g[`${p}RunFailuresBefore`] + 1 : 0;
  g[`${p}Passes`] = failed ? 0 : g[`${p}RunPassesBefore`] + 1;
  g[`${p}RunOutcome`] = outcome;
  g[`${p}LastResultAt`] = Math.max(g[`${p}LastResultAt`], observedAt);
}

export function decideProxy(input: {
  group: ProxyGroupState;
  result: { role: Role; outcome: 'passed' | 'failed'; observedAt: number; runId?: string };
  policy: ProxyPolicy;
  now: number;
  alreadyCounted?: boolean;
}): ProxyDecision {
  const { result, policy, now } = input;
  const runId = result.runId ?? String(result.observedAt);
  const role = result.role;
  const lastAt = role === 'primary' ? input.group.primaryLastResultAt : input.group.secondaryLastResultAt;
  const lastRun = role === 'primary' ? input.group.primaryRun : input.group.secondaryRun;
  // Results of one run arrive in any order; only a result of an older run is stale.
  if (result.observedAt < lastAt && runId !== lastRun) return { group: input.group, verdict: { kind: 'skip', reason: 'stale-result' } };

  const g: ProxyGroupState = { ...input.group };
  if (!input.alreadyCounted) countRun(g, role, result.outcome, runId, result.observedAt);
  if (g.pendingToken !== '' && g.pendingUntil > now) return { group: g, verdict: { kind: 'skip', reason: 'action-in-progress' } };

  const primaryDown = g.primaryFailures >= policy.failureThreshold;
  const secondaryDown = g.secondaryFailures >= policy.failureThreshold;
  const primaryHealthy = g.primaryFailures === 0 && g.primaryPasses >= 1;
  const secondaryHealthy = g.secondaryFailures === 0 && g.secondaryPasses >= 1;
  const primaryRecovered = g.primaryPasses >= policy.successThreshold;
  const secondaryRecovered = g.secondaryPasses >= policy.successThreshold;
  const verdict = (v: ProxyVerdict): ProxyDecision => ({ group: g, verdict: v });

  switch (g.status) {
    case 'PrimaryActive':
      if (!primaryDown) return verdict({ kind: 'skip', reason: result.outcome === 'passed' ? 'passing' : 'below-threshold' });
      if (secondaryDown) return verdict({ kind: 'enter-all-failed', reason: 'all-proxies-failed' });
      if (secondaryHealthy) return verdict({ kind: 'switch', to: 'secondary', status: 'SecondaryActive', reason: 'primary-failed' });
      return verdict({ kind: 'skip', reason: 'secondary-unverified' });
    case 'SecondaryActive':
      if (secondaryDown) {
        if (primaryDown) return verdict({ kind: 'enter-all-failed', reason: 'all-proxies-failed' });
        if (primaryHealthy) return verdict({ kind: 'switch', to: 'primary', status: 'PrimaryActive', reason: 'secondary-failed' });
        return verdict({ kind: 'skip', reason: 'below-threshold' });
      }
      if (primaryRecovered) {
        if (now < g.lastSwitchAt + policy.cooldown) return verdict({ kind: 'skip', reason: 'cooldown' });
        return verdict({ kind: 'switch', to: 'primary', status: 'PrimaryActive', reason: 'primary-recovered' });
      }
      return verdict({ kind: 'skip', reason: result.outcome === 'passed' ? 'passing' : 'below-threshold' });
    case 'AllFailed':
      if (primaryRecovered) return verdict({ kind: 'switch', to: 'primary', status: 'PrimaryActive', reason: 'primary-recovered' });
      if (secondaryRecovered) return verdict({ kind: 'switch', to: 'secondary', status: 'SecondaryActive', reason: 'secondary-recovered' });
      return verdict({ kind: 'skip', reason: 'all-proxies-failed' });
  }
}
