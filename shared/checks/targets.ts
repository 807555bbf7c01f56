// Finds the targets of a ping's rules: each rule goes to the planner of its kind in the catalog.
import { KIND_OF } from '../kinds/catalog.ts';
import type { CheckKind } from '../kinds/kind.ts';
import type { ResolvedRule } from '../rules/load.ts';
import type { PlanDeps, PlannedCheck } from './planned-check.ts';

/** One list of checks, rule by rule in the order given, each rule's in the order its planner laid them out. */
export async function planChecks(rules: readonly ResolvedRule[], deps: PlanDeps): Promise<PlannedCheck[]> {
  const perRule = await Promise.all(
    rules.map((rule) => {
      // The catalog keys each kind by the name its rule schema holds, so this kind's planner takes this rule; the
      // compiler cannot follow a lookup by a union key, hence the widening.
      const kind = KIND_OF[rule.kind] as CheckKind;
      return kind.plan(rule, deps);
    }),
  );
  return perRule.flat();
}
