// Failing sets as earlier versions kept them: hashes (field = target id, value = when the failure was recorded, ms)
// named {P}:failing:<rule> and {P}:unit:<unit id>:failing. The healer moves them into today's scored sets once, at
// start, so failures recorded just before an upgrade still hold the guards (a failing dependency, a shared cause).
import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

export interface FailingWindows {
  /** Until when a failure recorded at `at` counts, in the unit's set and in the rule's (shared/healing's
   *  failingUntil). */
  until(rule: string, at: number): { unit: number; rule: number } | undefined;
}

// KEYS[1] the old hash, KEYS[2] the new sorted set; ARGV: now, then the window (ms) a failure counts for. An entry
// whose window has run out is dropped; the old key goes either way, in the same step, so no entry is moved twice.
const MOVE = `
local entries = redis.call('HGETALL', KEYS[1])
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local latest = 0
for i = 1, #entries, 2 do
  local at = tonumber(entries[i + 1])
  if at and at + window >= now then
    redis.call('ZADD', KEYS[2], 'GT', at + window, entries[i])
    if at + window > latest then latest = at + window end
  end
end
if latest > 0 then
  -- Relative to the healer's clock, as every other expiry the healer sets.
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl < latest - now then redis.call('PEXPIRE', KEYS[2], latest - now + 1) end
end
redis.call('DEL', KEYS[1])
return latest > 0 and 1 or 0
`;

type MoveRedis = Redis & { selfhealMoveFailing(oldKey: string, newKey: string, now: string, window: string): Promise<number> };

async function* scanHashes(redis: Redis, match: string): AsyncGenerator<string> {
  let cursor = '0';
  // Bounded by the keyspace: SCAN visits every key once per full pass.
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500, 'TYPE', 'hash');
    cursor = next;
    yield* keys;
  } while (cursor !== '0');
}

/** Moves every earlier failing hash of the rules the healer knows; returns how many sets it moved. */
export async function moveEarlierFailingSets(redis: Redis, keys: Keys, windows: FailingWindows, now: number): Promise<number> {
  if (!('selfhealMoveFailing' in redis)) redis.defineCommand('selfhealMoveFailing', { numberOfKeys: 2, lua: MOVE });
  const r = redis as MoveRedis;
  let moved = 0;
  const escaped = keys.prefix.replace(/[{}*?[\]\\]/g, (c) => `\\${c}`);
  for await (const old of scanHashes(redis, `${escaped}:failing:*`)) {
    const rule = old.slice(`${keys.prefix}:failing:`.length);
    // Today's keys under :failing: are sorted sets (TYPE hash leaves them out); a rule name has no colon.
    const window = rule.includes(':') ? undefined : windows.until(rule, 0)?.rule;
    if (window !== undefined) moved += await r.selfhealMoveFailing(old, keys.ruleFailing(rule), String(now), String(window));
  }
  for await (const old of scanHashes(redis, `${escaped}:unit:*:failing`)) {
    const unitId = old.slice(`${keys.prefix}:unit:`.length, -':failing'.length);
    const rule = unitId.slice(0, unitId.indexOf(':'));
    const window = windows.until(rule, 0)?.unit;
    if (window !== undefined) moved += await r.selfhealMoveFailing(old, `${keys.unitFailingPrefix}${unitId}`, String(now), String(window));
  }
  return moved;
}
