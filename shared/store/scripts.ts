// Lua scripts that apply a healing decision atomically: a compare-and-set on the versions the decision read, and
// the one-call path of a pass that changes nothing but counters.
//
// Failing sets are sorted sets scored by until when a target's latest failure counts (ms): a reader counts the
// members scored at or after its clock, a writer drops the members that ran out, and the key itself expires with
// its newest member, so a target that stops reporting (or never existed) leaves them on its own.

/**
 * KEYS: 1 target, 2 unit (or proxy group), 3 unit-failing, 4 rule-failing, 5 target history, 6 global stream,
 *       7 dedupe, 8 budget, 9 stats, 10 index
 * ARGV[1]: JSON from HistoryStore.commit; optional parts are absent, never null (cjson.null is truthy in Lua).
 * Returns 'ok' | 'duplicate' | 'conflict' | 'budget'.
 */
export const COMMIT = `
local a = cjson.decode(ARGV[1])
local seen = redis.call('GET', KEYS[7])
if seen == 'done' then return 'duplicate' end
if tonumber(redis.call('HGET', KEYS[1], 'version') or '0') ~= a.expectTarget then return 'conflict' end
if tonumber(redis.call('HGET', KEYS[2], 'version') or '0') ~= a.expectUnit then return 'conflict' end
if a.budget then
  redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', a.now - a.budget.window)
  if redis.call('ZCARD', KEYS[8]) >= a.budget.max then return 'budget' end
  redis.call('ZADD', KEYS[8], a.now, a.budget.member)
  redis.call('PEXPIRE', KEYS[8], a.budget.window)
end
redis.call('HSET', KEYS[1], unpack(a.target))
redis.call('PEXPIRE', KEYS[1], a.ttl)
if a.unit then
  redis.call('HSET', KEYS[2], unpack(a.unit))
  redis.call('PEXPIRE', KEYS[2], a.ttl)
end
local function mark(key, how, score, ttl)
  if how == 'add' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. a.now)
    redis.call('ZADD', key, score, a.member)
    redis.call('PEXPIRE', key, ttl)
  elseif how == 'remove' then
    redis.call('ZREM', key, a.member)
  end
end
mark(KEYS[3], a.unitFailing, a.unitUntil, a.unitTtl)
mark(KEYS[4], a.ruleFailing, a.ruleUntil, a.ruleTtl)
if a.history then
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', a.maxLen, '*', unpack(a.history))
  redis.call('PEXPIRE', KEYS[5], a.ttl)
  redis.call('XADD', KEYS[6], 'MAXLEN', '~', a.globalMaxLen, '*', unpack(a.history))
end
redis.call('SET', KEYS[7], a.dedupeValue, 'PX', a.dedupeTtl)
for i = 1, #a.stats, 2 do redis.call('HINCRBY', KEYS[9], a.stats[i], a.stats[i + 1]) end
redis.call('ZADD', KEYS[10], a.now, a.member)
redis.call('ZREMRANGEBYSCORE', KEYS[10], '-inf', a.now - a.ttl)
return 'ok'
`;

/**
 * A pass, in one call: applied here when it is quiet (see shared/healing/quiet-pass.ts, whose conditions this
 * tests against the stored records), else what the full decision reads about the target.
 * KEYS: 1 target, 2 unit, 3 unit-failing, 4 rule-failing, 5 dedupe, 6 stats, 7 index
 * ARGV: 1 observedAt, 2 restarts reported (0: none), 3 now, 4 target TTL, 5 dedupe TTL (unused: a quiet pass keeps no
 * dedupe key), 6 member, 7 stats field, 8 the event (source and id)
 * Returns 'duplicate', 'counted', or {'full', target hash, unit hash, dedupe value or '', other targets failing}.
 */
export const QUIET_PASS = `
local seen = redis.call('GET', KEYS[5])
if seen == 'done' then return 'duplicate' end
local t = redis.call('HMGET', KEYS[1], 'consecutiveFailures', 'lastResultAt', 'restarts', 'lastQuietEvent')
local u = redis.call('HMGET', KEYS[2], 'pendingToken', 'verifyingAction', 'alertOpenSince')
-- A quiet pass keeps no dedupe key of its own (one per pass per target would be most of Redis' memory): the target
-- remembers its last one. A redelivery of that one finds it there, whatever its unit does by then; of an earlier one,
-- finds a newer result (stale).
if not seen and tonumber(ARGV[1]) == (tonumber(t[2]) or 0) and t[4] == ARGV[8] then return 'duplicate' end
local quiet = not seen
  and (tonumber(t[1]) or 0) == 0
  and tonumber(ARGV[1]) >= (tonumber(t[2]) or 0)
  and tonumber(ARGV[2]) <= (tonumber(t[3]) or 0)
  and (u[1] or '') == '' and (u[2] or '') == '' and (tonumber(u[3]) or 0) == 0
if quiet then
  redis.call('HINCRBY', KEYS[1], 'consecutivePasses', 1)
  redis.call('HINCRBY', KEYS[1], 'totalPasses', 1)
  redis.call('HINCRBY', KEYS[1], 'version', 1)
  redis.call('HSET', KEYS[1], 'lastResultAt', ARGV[1], 'lastQuietEvent', ARGV[8])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('ZREM', KEYS[3], ARGV[6])
  redis.call('ZREM', KEYS[4], ARGV[6])
  redis.call('HINCRBY', KEYS[6], ARGV[7], 1)
  redis.call('ZADD', KEYS[7], ARGV[3], ARGV[6])
  redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[4]))
  return 'counted'
end
local others = redis.call('ZCOUNT', KEYS[3], ARGV[3], '+inf')
local own = redis.call('ZSCORE', KEYS[3], ARGV[6])
if own and tonumber(own) >= tonumber(ARGV[3]) then others = others - 1 end
return {'full', redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]), seen or '', others}
`;

/**
 * Records how an action ended. The unit's fields change only if it still holds this action's lease token.
 * KEYS: 1 unit (or proxy group), 2 target history, 3 global stream, 4 budget, 5 stats, 6 dedupe, 7 unit-failing, 8 rule-failing
 * Returns 'ok' or 'lease-lost'.
 */
export const FINALIZE = `
local a = cjson.decode(ARGV[1])
local held = redis.call('HGET', KEYS[1], 'pendingToken') == a.token
-- A run-out lease resolved twice (two healers at once): the second finds it settled and records nothing.
if not held and not a.settle then return 'lease-lost' end
if held then
  if #a.set > 0 then redis.call('HSET', KEYS[1], unpack(a.set)) end
  for i = 1, #a.incr, 2 do redis.call('HINCRBY', KEYS[1], a.incr[i], a.incr[i + 1]) end
  redis.call('HSET', KEYS[1], 'pendingAction', '', 'pendingToken', '', 'pendingUntil', '0', 'pendingSince', '0', 'pendingTarget', '', 'pendingUid', '')
  redis.call('HINCRBY', KEYS[1], 'version', 1)
  redis.call('PEXPIRE', KEYS[1], a.ttl)
end
if a.refund then redis.call('ZREM', KEYS[4], a.refund) end
if a.forget then
  redis.call('ZREM', KEYS[7], a.forget)
  redis.call('ZREM', KEYS[8], a.forget)
end
-- The event is settled only now: a crash before this line leaves its pending marker, and a redelivery decides
-- again. From now on it is recognised for the dedupe window, however long the action took.
if a.settle then
  if a.retry then redis.call('SET', KEYS[6], 'retry', 'PX', a.dedupeTtl) else redis.call('SET', KEYS[6], 'done', 'PX', a.dedupeTtl) end
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', a.maxLen, '*', unpack(a.history))
redis.call('XADD', KEYS[3], 'MAXLEN', '~', a.globalMaxLen, '*', unpack(a.history))
for i = 1, #a.stats, 2 do redis.call('HINCRBY', KEYS[5], a.stats[i], a.stats[i + 1]) end
if held then return 'ok' end
return 'lease-lost'
`;

/**
 * What a decision reads when no action is on the table, in one call (one command rather than five: under load the
 * client's cost is per command). KEYS: 1 target, 2 unit, 3 unit-failing, 4 dedupe. ARGV: 1 now, 2 member.
 * Returns {target hash, unit hash, dedupe value or '', other targets of the unit failing now}.
 */
export const SNAPSHOT = `
local others = redis.call('ZCOUNT', KEYS[3], ARGV[1], '+inf')
local own = redis.call('ZSCORE', KEYS[3], ARGV[2])
if own and tonumber(own) >= tonumber(ARGV[1]) then others = others - 1 end
return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]), redis.call('GET', KEYS[4]) or '', others}
`;
