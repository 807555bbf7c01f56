// Reads what `selfheal pause` and `selfheal resume` are given: one selector, a duration and a reason; every mistake
// a message naming the flag and the value.
import { parseDuration } from '../config/duration.ts';
import type { PauseScope } from '../store/keys.ts';

export interface PauseArgs {
  scope: PauseScope;
  /** A namespace, a rule name, or namespace/Kind/name. */
  id: string;
  /** pause only. */
  forMs?: number;
  reason?: string;
  by?: string;
}

/** A pause longer than this is a change of configuration (the allow-list, a rule's dryRun), not maintenance. */
const MAX_PAUSE_MS = 30 * 86_400_000;
const MAX_REASON = 200;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const RULE_NAME = /^[A-Za-z0-9_.-]+$/;
const KIND = /^[A-Z][A-Za-z]*$/;

type Values = Partial<Record<'namespace' | 'rule' | 'workload' | 'for' | 'reason' | 'by', string>>;

function selectorProblem(scope: PauseScope, id: string): string | undefined {
  if (scope === 'namespace' && !DNS_LABEL.test(id)) return `--namespace must be a namespace name (a DNS label: lowercase letters, digits, "-") (got ${JSON.stringify(id)})`;
  if (scope === 'rule' && !RULE_NAME.test(id)) return `--rule must be a rule name (letters, digits, "_", "." and "-") (got ${JSON.stringify(id)})`;
  if (scope === 'workload') {
    const [namespace, kind, name, ...more] = id.split('/');
    if (more.length > 0 || !namespace || !kind || !name || !DNS_LABEL.test(namespace) || !KIND.test(kind) || !DNS_SUBDOMAIN.test(name)) {
      return `--workload must be namespace/Kind/name, e.g. shop/Deployment/web (got ${JSON.stringify(id)})`;
    }
  }
  return undefined;
}

export function parsePauseArgs(command: 'pause' | 'resume', values: Values, env: Readonly<Record<string, string | undefined>>): PauseArgs | { error: string } {
  const given = (['namespace', 'rule', 'workload'] as const).filter((s) => values[s] !== undefined);
  if (given.length !== 1) {
    return { error: `${command} needs exactly one of --namespace, --rule or --workload${given.length > 1 ? ` (got ${given.map((s) => `--${s}`).join(', ')})` : ''}` };
  }
  const scope = given[0]!;
  const id = values[scope]!;
  const problem = selectorProblem(scope, id);
  if (problem) return { error: problem };
  if (command === 'resume') return { scope, id };

  if (values.for === undefined) return { error: 'pause needs --for, how long it lasts (e.g. 30m, 1h, 2h30m)' };
  const forMs = parseDuration(values.for);
  if (forMs === undefined || forMs <= 0 || forMs > MAX_PAUSE_MS) {
    return { error: `--for must be a duration from 1s to 30d such as 30m, 1h or 1h30m (got ${JSON.stringify(values.for)})` };
  }
  const reason = values.reason?.trim();
  if (!reason) return { error: 'pause needs --reason, saying why (e.g. --reason "node upgrade")' };
  if (reason.length > MAX_REASON) return { error: `--reason must be at most ${MAX_REASON} characters (got ${reason.length})` };
  // Who paused: the operator's login unless named; the audit of every skipped action shows it.
  const by = (values.by ?? (env.SELFHEAL_USER || env.USER || env.USERNAME || 'unknown')).trim();
  if (!by || by.length > 100) return { error: `--by must be a name of 1 to 100 characters (got ${JSON.stringify(values.by)})` };
  return { scope, id, forMs, reason, by };
}
