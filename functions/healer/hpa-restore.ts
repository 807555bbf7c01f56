// After a judgement of a unit whose ladder can raise an HPA's minimum: put the original back once the unit is healed,
// or once the raise has been held long enough without healing it (the bound is written on the HPA by the raise).
import { restoreMinReplicas } from '../../shared/actions/hpa.ts';
import type { Target } from '../../shared/events/schemas.ts';
import type { TargetPlan } from '../../shared/healing/target-plan.ts';
import type { Logger } from '../../shared/log/logger.ts';
import type { ResolvedRule } from '../../shared/rules/load.ts';
import type { HealerDeps } from './deps.ts';

/** Only judgements look: they are rare (one per action), so the HPA list costs nothing on the hot path of passes. */
export async function restoreAfterJudgement(deps: HealerDeps, rule: ResolvedRule, target: Target, plan: TargetPlan, log: Logger): Promise<void> {
  const workload = target.workload;
  if (plan.judged === undefined || !rule.actions.includes('scale') || workload?.kind !== 'Deployment') return;
  try {
    const kube = await deps.kube();
    const done = await restoreMinReplicas(kube, rule.namespace, workload.name, { healed: plan.judged === 'healed', now: deps.now() });
    if (done) log.info({ detail: done, judged: plan.judged }, 'HPA minimum restored');
  } catch (error) {
    log.warn({ error: (error as Error).message }, 'the HPA minimum could not be restored now: it stays raised until the next judgement of the unit');
  }
}
