// Lua scripts that apply a healing decision atomically: a compare-and-set on the versions the decision read.
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
if a.unitFailing == 'add' then
  redis.call('HSET', KEYS[3], a.member, a.now)
  redis.call('PEXPIRE', KEYS[3], a.ttl)
elseif a.unitFailing == 'remove' then
  redis.call('HDEL', KEYS[3], a.member)
end
if a.ruleFailing == 'add' then
  redis.call('HSET', KEYS[4], a.member, a.now)
  redis.call('PEXPIRE', KEYS[4], a.ttl)
elseif a.ruleFailing == 'remove' then
  redis.call('HDEL', KEYS[4], a.member)
end
redis.call('XADD', KEYS[5], 'MAXLEN', '~', a.maxLen, '*', unpack(a.history))
redis.call('PEXPIRE', KEYS[5], a.ttl)
redis.call('XADD', KEYS[6], 'MAXLEN', '~', a.globalMaxLen, '*', unpack(a.history))
redis.call('SET', KEYS[7], a.dedupeValue, 'PX', a.dedupeTtl)
for i = 1, #a.stats, 2 do redis.call('HINCRBY', KEYS[9], a.stats[i], a.stats[i + 1]) end
redis.call('ZADD', KEYS[10], a.now, a.member)
redis.call('ZREMRANGEBYSCORE', KEYS[10], '-inf', a.now - a.ttl)
return 'ok'
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
  redis.call('HDEL', KEYS[7], a.forget)
  redis.call('HDEL', KEYS[8], a.forget)
end
-- The event is settled only now: a crash before this line leaves its pending marker, and a redelivery decides again.
if a.settle then
  if a.retry then redis.call('SET', KEYS[6], 'retry', 'KEEPTTL') else redis.call('SET', KEYS[6], 'done', 'KEEPTTL') end
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', a.maxLen, '*', unpack(a.history))
redis.call('XADD', KEYS[3], 'MAXLEN', '~', a.globalMaxLen, '*', unpack(a.history))
for i = 1, #a.stats, 2 do redis.call('HINCRBY', KEYS[5], a.stats[i], a.stats[i + 1]) end
if held then return 'ok' end
return 'lease-lost'
`;
