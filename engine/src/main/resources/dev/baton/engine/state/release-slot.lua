-- A job attempt ended, or was stopped: its slot (or its place in a queue) is free. Same keys as
-- take-slot.lua; KEYS[6] is the queue of the tenant the caller names ("" when not known: an attempt
-- that reports an end held a slot). ARGV: attempt, tenant ("" when not known). Idempotent.
local running, counts, dispatch, granted, tenants, queue =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local a = ARGV[1]
local t = redis.call('HGET', running, a)
if t then
  redis.call('HDEL', running, a)
  if redis.call('HINCRBY', counts, t, -1) <= 0 then redis.call('HDEL', counts, t) end
elseif redis.call('ZREM', queue, a) == 1 and redis.call('ZCARD', queue) == 0 then
  redis.call('SREM', tenants, ARGV[2])
end
redis.call('HDEL', dispatch, a)
redis.call('ZREM', granted, a)
return 1
