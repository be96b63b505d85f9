-- A run's version, state, whether this event was applied (its record, and the records it produced
-- while they are kept), and its fan-out outputs.
local v = redis.call('HMGET', KEYS[1], 'version', 'state', 'outputs', 'applied:' .. ARGV[1], 'produced:' .. ARGV[1])
return {v[1] or '0', v[2] or '', v[4] or '', v[3] or '', v[5] or ''}
