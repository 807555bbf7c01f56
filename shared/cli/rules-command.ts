// `selfheal rules validate|list FILE`: the rules file checked and shown without starting a function or Redis.
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Problems } from '../config/problems.ts';
import { loadRulesFile } from '../rules/load.ts';
import type { ResolvedRule, RuleSet } from '../rules/load.ts';
import type { Outcome } from './commands.ts';
import { readSchedules } from './pingsources.ts';
import type { Schedule } from './pingsources.ts';
import { formatTable } from './table.ts';

export interface RulesRequest {
  action: 'validate' | 'list';
  file: string;
  pingSources?: string;
  json: boolean;
}

export interface RuleRow {
  name: string;
  kind: string;
  namespace: string;
  /** What the rule probes: a label selector, Services, or a switched Service and its proxies' selectors. */
  targets: { labelSelector: string } | { services: readonly string[] } | { service: string; primary: string; secondary: string };
  /** The PingSources that name the rule, from the pingsources file; empty when none does or none was read. */
  schedules: readonly Schedule[];
  actions: readonly string[];
}

const labels = (m: Readonly<Record<string, string>>) => Object.entries(m).map(([k, v]) => `${k}=${v}`).join(',');

function targetsOf(rule: ResolvedRule): RuleRow['targets'] {
  if ('labelSelector' in rule) return { labelSelector: rule.labelSelector };
  if ('services' in rule) return { services: rule.services };
  if ('proxies' in rule) return { service: rule.service, primary: labels(rule.proxies.primary.selector), secondary: labels(rule.proxies.secondary.selector) };
  // A kind added later without one of these fields still lists, with its namespace alone.
  return { services: [] };
}

function targetsText(t: RuleRow['targets']): string {
  if ('labelSelector' in t) return t.labelSelector;
  if ('services' in t) return `services ${t.services.join(', ')}`;
  return `service ${t.service}: primary ${t.primary}, secondary ${t.secondary}`;
}

/** A rules (or PingSources) file with problems: each once, one per line, exit 1. */
function problemsOutcome(error: Problems): Outcome {
  const unique = [...new Set(error.problems)];
  const head = error.message.split('\n')[0]!.replace(/:$/, '');
  const count = `${unique.length} problem${unique.length === 1 ? '' : 's'}`;
  return { stdout: '', stderr: `selfheal: ${head} (${count}):\n${unique.map((p) => `  - ${p}\n`).join('')}`, code: 1 };
}

/** The pingsources file next to the rules file when none is named (knative/ keeps both). */
async function schedulesFor(req: RulesRequest): Promise<Map<string, Schedule[]> | undefined> {
  if (req.pingSources !== undefined) return readSchedules(req.pingSources);
  const beside = join(dirname(req.file), 'pingsources.yaml');
  const found = await access(beside).then(() => true, () => false);
  return found ? readSchedules(beside) : undefined;
}

export function ruleRows(set: RuleSet, schedules: Map<string, Schedule[]> | undefined): RuleRow[] {
  return set.rules.map((rule) => ({
    name: rule.name,
    kind: rule.kind,
    namespace: rule.namespace,
    targets: targetsOf(rule),
    schedules: schedules?.get(rule.name) ?? [],
    actions: rule.actions,
  }));
}

export function rulesTable(rows: readonly RuleRow[], withSchedules: boolean): string {
  return formatTable<RuleRow>(
    [
      { header: 'NAME', cell: (r) => r.name },
      { header: 'KIND', cell: (r) => r.kind },
      { header: 'NAMESPACE', cell: (r) => r.namespace },
      { header: 'TARGETS', cell: (r) => targetsText(r.targets) },
      ...(withSchedules ? [{ header: 'SCHEDULE', cell: (r: RuleRow) => (r.schedules.length === 0 ? 'no PingSource' : r.schedules.map((s) => `${s.schedule} (${s.pingSource})`).join('; ')) }] : []),
      { header: 'ACTIONS', cell: (r) => r.actions.join(' → ') },
    ],
    rows,
  );
}

export async function runRulesCommand(req: RulesRequest): Promise<Outcome> {
  try {
    const set = await loadRulesFile(req.file);
    if (req.action === 'validate') {
      const text = `${req.file}: ${set.rules.length} rule${set.rules.length === 1 ? '' : 's'}, valid\n`;
      return { stdout: req.json ? `${JSON.stringify({ file: req.file, valid: true, rules: set.rules.length, problems: [] }, null, 2)}\n` : text, stderr: '', code: 0 };
    }
    const schedules = await schedulesFor(req);
    const rows = ruleRows(set, schedules);
    if (req.json) return { stdout: `${JSON.stringify(rows, null, 2)}\n`, stderr: '', code: 0 };
    return { stdout: `${rulesTable(rows, schedules !== undefined)}\n`, stderr: '', code: 0 };
  } catch (error) {
    if (!(error instanceof Problems)) throw error;
    if (req.json && req.action === 'validate') {
      return { stdout: `${JSON.stringify({ file: req.file, valid: false, problems: [...new Set(error.problems)] }, null, 2)}\n`, stderr: '', code: 1 };
    }
    return problemsOutcome(error);
  }
}
