-- A top-level run's place among its tenant's runs (tenant run quotas). One hash tag:
-- KEYS: this tenant's running runs, its queue, tenants with queued runs, tenants with running runs,
-- admissions not yet applied (run -> lease end), sequence.
-- ARGV: op (ENQUEUE, START, END), run id, tenant, priority (-1000 to 1000), queued ('1': the run
-- was queued, so its queue entry and admission are cleared too). Idempotent: an ENQUEUE applied
-- again after the run started changes nothing.
local active, queue, queued, running, admitting, seq =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local op, id, t = ARGV[1], ARGV[2], ARGV[3]
if op == 'ENQUEUE' then
  if redis.call('SISMEMBER', active, id) == 0 and not redis.call('ZSCORE', queue, id) then
    redis.call('ZADD', queue, (1000 - tonumber(ARGV[4])) * 1e12 + redis.call('INCR', seq), id)
    redis.call('SADD', queued, t)
  end
  return 1
end
if ARGV[5] == '1' then
  redis.call('ZREM', admitting, id)
  if redis.call('ZREM', queue, id) == 1 and redis.call('ZCARD', queue) == 0 then
    redis.call('SREM', queued, t)
  end
end
if op == 'START' then
  if redis.call('SADD', active, id) == 1 then redis.call('SADD', running, t) end
elseif redis.call('SREM', active, id) == 1 and redis.call('SCARD', active) == 0 then
  redis.call('SREM', running, t)
end
return 1
