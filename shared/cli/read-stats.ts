// Reads the per-rule counters ({P}:stats:<rule> hashes): "<action>:<outcome>" per action, "reason:<reason>" per decision.
import type { Redis } from 'ioredis';
import type { Keys } from '../store/keys.ts';
import { globEscape, pipelined, scanKeys } from './read-keys.ts';
import { successRate } from './table.ts';

export interface ActionStats {
  action: string;
  performed: number;
  healed: number;
  notHealed: number;
  failed: number;
  deferred: number;
  /** healed / (healed + not healed); null while nothing was judged. */
  successRate: number | null;
}

export interface RuleStats {
  rule: string;
  actions: ActionStats[];
  /** How often each decision reason was given, most frequent first. */
  reasons: Array<{ reason: string; count: number }>;
}

const OUTCOME_FIELD = { performed: 'performed', healed: 'healed', 'not-healed': 'notHealed', failed: 'failed', deferred: 'deferred' } as const;

function isOutcome(word: string): word is keyof typeof OUTCOME_FIELD {
  return Object.hasOwn(OUTCOME_FIELD, word);
}

/** Turns one stats hash into per-action counters and reason counts; fields of another shape are left out. */
export function summarizeStats(rule: string, hash: Readonly<Record<string, string>>): RuleStats {
  const actions = new Map<string, ActionStats>();
  const reasons: Array<{ reason: string; count: number }> = [];
  for (const [field, raw] of Object.entries(hash)) {
    const count = Number(raw);
    const colon = field.indexOf(':');
    if (colon < 0 || !Number.isFinite(count)) continue;
    const head = field.slice(0, colon);
    const tail = field.slice(colon + 1);
    if (head === 'reason') reasons.push({ reason: tail, count });
    else if (isOutcome(tail)) {
      const a = actions.get(head) ?? { action: head, performed: 0, healed: 0, notHealed: 0, failed: 0, deferred: 0, successRate: null };
      a[OUTCOME_FIELD[tail]] += count;
      actions.set(head, a);
    }
  }
  for (const a of actions.values()) a.successRate = successRate(a.healed, a.notHealed) ?? null;
  return {
    rule,
    actions: [...actions.values()].sort((a, b) => a.action.localeCompare(b.action)),
    reasons: reasons.sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}

export async function readStats(redis: Redis, keys: Keys, rule?: string): Promise<RuleStats[]> {
  const base = `${keys.prefix}:stats:`;
  const rules = rule === undefined ? (await scanKeys(redis, `${globEscape(base)}*`)).map((k) => k.slice(base.length)) : [rule];
  const hashes = (await pipelined(redis, (pipe) => {
    for (const r of rules) pipe.hgetall(keys.stats(r));
  })) as Array<Record<string, string>>;
  return rules.flatMap((r, i) => (Object.keys(hashes[i]!).length === 0 ? [] : [summarizeStats(r, hashes[i]!)]));
}
