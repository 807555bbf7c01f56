// Reads every healing unit ({P}:unit:<rule>:<namespace>:<Kind>:<name> hashes): ladder, last action, success rate.
import type { Redis } from 'ioredis';
import { EMPTY_UNIT, fromHash } from '../healing/state.ts';
import type { Keys } from '../store/keys.ts';
import { parseId } from './ids.ts';
import { failingAt, globEscape, pipelined, scanKeys, timeOrNull } from './read-keys.ts';
import type { TargetFilter } from './read-targets.ts';
import { successRate } from './table.ts';

export interface UnitRow {
  id: string;
  rule: string;
  namespace: string;
  kind: string;
  name: string;
  /** Index into the rule's actions of the next action to take. */
  ladderStep: number;
  lastAction: string | null;
  lastActionAt: number | null;
  /** An action decided and not yet finished (its lease ends at pendingUntil). */
  pendingAction: string | null;
  pendingUntil: number | null;
  /** The action waiting to be judged healed or not. */
  verifyingAction: string | null;
  verifyingSince: number | null;
  actionsPerformed: number;
  actionsHealed: number;
  actionsNotHealed: number;
  /** healed / (healed + not healed); null while nothing was judged. */
  successRate: number | null;
  /** Target ids of the unit failing at `now` (its failing set counts them until their latest failure runs out). */
  failingTargets: string[];
}

export async function readUnits(redis: Redis, keys: Keys, filter: TargetFilter = {}, now: number = Date.now()): Promise<UnitRow[]> {
  const base = `${keys.prefix}:unit:`;
  const ruleGlob = filter.rule === undefined ? '' : `${globEscape(filter.rule)}:`;
  // A unit with failing targets and no action yet has a failing set and no record: listed all the same.
  const ids = new Set<string>();
  for (const prefix of [base, keys.unitFailingPrefix]) {
    for (const key of await scanKeys(redis, `${globEscape(prefix)}${ruleGlob}*`)) ids.add(key.slice(prefix.length));
  }
  // A unit id has exactly four parts (a ":failing" companion of an older layout has a fifth).
  const units = [...ids].sort().flatMap((id) => {
    const parsed = parseId(id);
    if (!parsed || (filter.namespace !== undefined && parsed.namespace !== filter.namespace)) return [];
    return [{ key: `${base}${id}`, id, parsed }];
  });
  const replies = await pipelined(redis, (pipe) => {
    for (const u of units) {
      pipe.hgetall(u.key);
      failingAt(keys.unitFailing(u.parsed.rule, u.parsed), now)(pipe);
    }
  });
  return units.map(({ id, parsed }, i): UnitRow => {
    const u = fromHash(EMPTY_UNIT, replies[2 * i] as Record<string, string>);
    const rate = successRate(u.actionsHealed, u.actionsNotHealed);
    // The healer ends a lease or a verification by zeroing its time; the action name may linger in the hash
    // (empty strings are not written back), so the time decides.
    const pending = u.pendingAction !== '' && u.pendingUntil > 0;
    const verifying = u.verifyingAction !== '' && u.verifyingSince > 0;
    return {
      id,
      ...parsed,
      ladderStep: u.ladderStep,
      lastAction: u.lastAction || null,
      lastActionAt: timeOrNull(u.lastActionAt),
      pendingAction: pending ? u.pendingAction : null,
      pendingUntil: pending ? u.pendingUntil : null,
      verifyingAction: verifying ? u.verifyingAction : null,
      verifyingSince: verifying ? u.verifyingSince : null,
      actionsPerformed: u.actionsPerformed,
      actionsHealed: u.actionsHealed,
      actionsNotHealed: u.actionsNotHealed,
      successRate: rate ?? null,
      failingTargets: (replies[2 * i + 1] as string[]).sort(),
    };
  });
}
