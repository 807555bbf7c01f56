// Loads and validates the rules file: every problem is reported at once, naming the file, the rule and the field.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { Problems, issuesToProblems } from '../config/problems.ts';
import { ALLOWED_ACTIONS, DEFAULT_ACTIONS } from '../kinds/catalog.ts';
import { ruleSchema, rulesFileSchema } from './schema.ts';
import type { Action, Rule, RuleKind } from './schema.ts';

export type ResolvedRule = Rule & { readonly actions: readonly Action[] };

/** A rules file with problems: every one of them, naming the file. */
export const rulesProblems = (source: string, problems: string[]): Problems => new Problems(`invalid rules in ${source}`, problems);

export interface RuleSet {
  readonly source: string;
  readonly rules: readonly ResolvedRule[];
  get(name: string): ResolvedRule | undefined;
  ofKinds(kinds: readonly RuleKind[]): readonly ResolvedRule[];
}

function nameOf(raw: unknown): unknown {
  return typeof raw === 'object' && raw !== null ? (raw as { name?: unknown }).name : undefined;
}

/** `rule "web"`, or `rule "web" (#2)` when more than one rule has that name, or `rule #3` for one without a name. */
function ruleLabel(raw: unknown, index: number, duplicated: ReadonlySet<string>): string {
  const name = nameOf(raw);
  if (typeof name !== 'string') return `rule #${index + 1}`;
  return duplicated.has(name) ? `rule "${name}" (#${index + 1})` : `rule "${name}"`;
}

/** Validates an already-parsed document; `source` names it in errors. */
export function parseRules(document: unknown, source: string): RuleSet {
  const file = rulesFileSchema.safeParse(document);
  if (!file.success) throw rulesProblems(source, issuesToProblems('file', file.error.issues, document));

  const problems: string[] = [];
  const rules: ResolvedRule[] = [];
  const names = file.data.rules.map(nameOf).filter((n): n is string => typeof n === 'string');
  const duplicated = new Set(names.filter((n, i) => names.indexOf(n) !== i));
  file.data.rules.forEach((raw, index) => {
    const label = ruleLabel(raw, index, duplicated);
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...issuesToProblems(label, parsed.error.issues, raw));
      return;
    }
    const rule = parsed.data;
    const actions = rule.actions ?? DEFAULT_ACTIONS[rule.kind];
    for (const action of actions) {
      if (!ALLOWED_ACTIONS[rule.kind].includes(action)) {
        problems.push(`${label} field actions: "${action}" is not an action for a ${rule.kind} rule (allowed: ${ALLOWED_ACTIONS[rule.kind].join(', ')})`);
      }
    }
    if (actions.includes('scale') && !('scale' in rule && rule.scale)) {
      problems.push(`${label} field scale: required when actions include "scale" (give at least max)`);
    }
    rules.push(Object.freeze({ ...rule, actions: Object.freeze([...actions]) }) as ResolvedRule);
  });

  const seen = new Set<string>();
  file.data.rules.forEach((raw, index) => {
    const name = nameOf(raw);
    if (typeof name !== 'string') return;
    if (seen.has(name)) problems.push(`${ruleLabel(raw, index, duplicated)} field name: duplicate rule name`);
    seen.add(name);
  });
  const byName = new Map<string, ResolvedRule>(rules.map((r) => [r.name, r]));
  for (const rule of rules) {
    if (!('dependsOn' in rule)) continue;
    for (const dep of rule.dependsOn) {
      const target = byName.get(dep);
      if (!target) problems.push(`rule "${rule.name}" field dependsOn: no rule named "${dep}"`);
      else if (target.kind !== 'dependency') problems.push(`rule "${rule.name}" field dependsOn: "${dep}" is a ${target.kind} rule, not a dependency rule`);
    }
  }
  if (problems.length > 0) throw rulesProblems(source, problems);

  const frozen = Object.freeze(rules);
  return Object.freeze({
    source,
    rules: frozen,
    get: (name: string) => byName.get(name),
    ofKinds: (kinds: readonly RuleKind[]) => frozen.filter((r) => kinds.includes(r.kind)),
  });
}

export function parseRulesYaml(text: string, source: string): RuleSet {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw rulesProblems(source, [`not valid YAML: ${(error as Error).message}`]);
  }
  return parseRules(document, source);
}

export async function loadRulesFile(path: string): Promise<RuleSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw rulesProblems(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  return parseRulesYaml(text, path);
}
