// Which check function runs which rule kind: a ping names rules, and each function probes only its own kinds.
import type { RuleKind } from '../rules/schema.ts';

export type CheckFunctionName = 'check-pods' | 'check-dependencies' | 'check-egress';

export const CHECK_FUNCTION_OF_KIND: Readonly<Record<RuleKind, CheckFunctionName>> = Object.freeze({
  http: 'check-pods',
  tcp: 'check-pods',
  exec: 'check-pods',
  dependency: 'check-dependencies',
  egress: 'check-egress',
});

export function kindsOf(fn: CheckFunctionName): RuleKind[] {
  return (Object.keys(CHECK_FUNCTION_OF_KIND) as RuleKind[]).filter((k) => CHECK_FUNCTION_OF_KIND[k] === fn);
}
