// Reads every target the healer has seen: the {P}:targets index, each target hash, and which unit it fails in now.
import type { Redis } from 'ioredis';
import { EMPTY_TARGET, fromHash } from '../healing/state.ts';
import type { Keys } from '../store/keys.ts';
import { parseId } from './ids.ts';
import { failingAt, globEscape, pipelined, scanKeys, timeOrNull } from './read-keys.ts';

export interface TargetFilter {
  rule?: string;
  namespace?: string;
}

export interface TargetRow {
  id: string;
  rule: string;
  namespace: string;
  kind: string;
  name: string;
  /** failing: its last result failed; passing: it passed; unknown: no result counted; expired: the hash is gone. */
  state: 'failing' | 'passing' | 'unknown' | 'expired';
  /** In the rule's set of targets at or over the failure threshold, and still counted there at `now`. */
  overThreshold: boolean;
  consecutiveFailures: number;
  consecutivePasses: number;
  totalFailures: number;
  totalPasses: number;
  lastFailureAt: number | null;
  lastError: string | null;
  lastResultAt: number | null;
  /** When the healer last wrote about it (the index score). */
  lastSeenAt: number;
  /** The healing unit id while the target is failing now (the unit's failing set counts it at `now`), else null. */
  unit: string | null;
}

export async function readTargets(redis: Redis, keys: Keys, filter: TargetFilter = {}, now: number = Date.now()): Promise<TargetRow[]> {
  const flat = await redis.zrange(keys.index, '0', '-1', 'WITHSCORES');
  const seen: Array<{ id: string; score: number }> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) seen.push({ id: flat[i]!, score: Number(flat[i + 1]) });
  const wanted = seen.flatMap(({ id, score }) => {
    const parsed = parseId(id);
    if (!parsed) return [];
    if (filter.rule !== undefined && parsed.rule !== filter.rule) return [];
    if (filter.namespace !== undefined && parsed.namespace !== filter.namespace) return [];
    return [{ id, score, parsed }];
  });
  if (wanted.length === 0) return [];

  const rules = [...new Set(wanted.map((w) => w.parsed.rule))];
  const unitBase = keys.unitFailingPrefix;
  const failingUnitKeys = (await scanKeys(redis, `${globEscape(unitBase)}${filter.rule === undefined ? '' : `${globEscape(filter.rule)}:`}*`)).filter(
    (key) => parseId(key.slice(unitBase.length)) !== undefined,
  );
  const replies = await pipelined(redis, (pipe) => {
    for (const w of wanted) pipe.hgetall(`${keys.prefix}:target:${w.id}`);
    for (const rule of rules) failingAt(keys.ruleFailing(rule), now)(pipe);
    for (const key of failingUnitKeys) failingAt(key, now)(pipe);
  });
  const hashes = replies.slice(0, wanted.length) as Array<Record<string, string>>;
  const overThreshold = new Set((replies.slice(wanted.length, wanted.length + rules.length) as string[][]).flat());
  const unitOf = new Map<string, string>();
  (replies.slice(wanted.length + rules.length) as string[][]).forEach((members, i) => {
    const unit = failingUnitKeys[i]!.slice(unitBase.length);
    for (const member of members) unitOf.set(member, unit);
  });

  return wanted
    .map(({ id, score, parsed }, i): TargetRow => {
      const hash = hashes[i]!;
      const t = fromHash(EMPTY_TARGET, hash);
      const state = Object.keys(hash).length === 0 ? 'expired' : t.consecutiveFailures > 0 ? 'failing' : t.consecutivePasses > 0 ? 'passing' : 'unknown';
      return {
        id,
        ...parsed,
        state,
        overThreshold: overThreshold.has(id),
        consecutiveFailures: t.consecutiveFailures,
        consecutivePasses: t.consecutivePasses,
        totalFailures: t.totalFailures,
        totalPasses: t.totalPasses,
        lastFailureAt: timeOrNull(t.lastFailureAt),
        lastError: t.lastError === '' ? null : t.lastError,
        lastResultAt: timeOrNull(t.lastResultAt),
        lastSeenAt: score,
        unit: unitOf.get(id) ?? null,
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}
