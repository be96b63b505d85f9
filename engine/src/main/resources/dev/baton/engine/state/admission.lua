-- A run's place in its template's admission queue. KEYS: queue, active, admitting. ARGV: op, run id
local op, runId = ARGV[1], ARGV[2]
if op == 'ENQUEUE' then
  if redis.call('SISMEMBER', KEYS[2], runId) == 0 and not redis.call('LPOS', KEYS[1], runId) then
    redis.call('RPUSH', KEYS[1], runId)
  end
elseif op == 'ADMITTED' then
  redis.call('ZREM', KEYS[3], runId)
elseif op == 'RELEASE' then
  redis.call('SREM', KEYS[2], runId); redis.call('LREM', KEYS[1], 0, runId); redis.call('ZREM', KEYS[3], runId)
end
return 1
