// The rules file schema: one rule per entry, its kind telling which kind's schema (shared/kinds/) it follows.
import { z } from 'zod';
import { POD_KINDS, RULE_SCHEMAS } from '../kinds/catalog.ts';
import type { PodKind, RuleKind } from '../kinds/catalog.ts';

export { ACTIONS } from '../actions/catalog.ts';
export type { Action } from '../actions/catalog.ts';
export { RULE_KINDS } from '../kinds/catalog.ts';
export type { RuleKind } from '../kinds/catalog.ts';

export const ruleSchema = z.discriminatedUnion('kind', RULE_SCHEMAS);

export type Rule = z.infer<typeof ruleSchema>;
export type RuleOf<K extends RuleKind> = Extract<Rule, { kind: K }>;
export type PodRule = RuleOf<PodKind>;
export type EgressRule = RuleOf<'egress'>;

export function isPodRule(rule: Rule): rule is PodRule {
  return (POD_KINDS as readonly RuleKind[]).includes(rule.kind);
}

export const rulesFileSchema = z.strictObject({
  rules: z.array(z.unknown()).min(1, 'must list at least one rule'),
});
