// Resolves the rule names of a ping for one function: every unknown name or foreign kind is reported at once.
import { badRequest } from '../http/http-error.ts';
import type { ResolvedRule, RuleSet } from '../rules/load.ts';
import { FUNCTION_OF_KIND } from '../kinds/catalog.ts';
import type { CheckFunctionName } from '../kinds/kind.ts';

/** The problems with the names, one line each; empty when every name is a rule this function runs. */
export function ruleNameProblems(rules: RuleSet, names: readonly string[], fn: CheckFunctionName): string[] {
  const problems: string[] = [];
  for (const name of new Set(names)) {
    const rule = rules.get(name);
    if (!rule) problems.push(`no rule named "${name}" in ${rules.source}`);
    else if (FUNCTION_OF_KIND[rule.kind] !== fn) {
      problems.push(`rule "${name}" is of kind ${rule.kind}: ${FUNCTION_OF_KIND[rule.kind]} runs it, not ${fn}`);
    }
  }
  return problems;
}

/** Throws a 400 naming every bad name before anything is probed. */
export function selectRules(rules: RuleSet, names: readonly string[], fn: CheckFunctionName): ResolvedRule[] {
  const problems = ruleNameProblems(rules, names, fn);
  if (problems.length > 0) throw badRequest(`cannot run the ping: ${problems.join('; ')}`, problems);
  return [...new Set(names)].map((n) => rules.get(n)!);
}
