-- A job attempt asks for one of the deployment's job slots (BATON_JOB_CAPACITY). One hash tag:
-- KEYS: running (attempt -> tenant), per-tenant running counts, dispatch (attempt -> record),
-- granted (attempt -> lease end), tenants with queued attempts, this tenant's queue, sequence.
-- ARGV: attempt, tenant, record, capacity, now, lease, the tenant's maxJobs (0: none), the run's
-- priority (-1000 to 1000: a higher one is granted first within the tenant, then arrival order).
-- Returns 1 when the attempt holds a slot (its dispatch goes out now), 0 when it is queued (the
-- slot publisher sends it when it is granted one). Idempotent: asking again answers the same.
local running, counts, dispatch, granted, tenants, queue, seq =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local a, t = ARGV[1], ARGV[2]
if redis.call('HEXISTS', running, a) == 1 then return 1 end
if redis.call('ZSCORE', queue, a) then return 0 end
local mine = tonumber(redis.call('HGET', counts, t) or '0')
local max = tonumber(ARGV[7])
redis.call('HSET', dispatch, a, ARGV[3])
if redis.call('HLEN', running) < tonumber(ARGV[4]) and redis.call('SCARD', tenants) == 0
    and (max == 0 or mine < max) then
  redis.call('HSET', running, a, t)
  redis.call('HINCRBY', counts, t, 1)
  redis.call('ZADD', granted, tonumber(ARGV[5]) + tonumber(ARGV[6]), a)
  return 1
end
redis.call('ZADD', queue, (1000 - tonumber(ARGV[8])) * 1e12 + redis.call('INCR', seq), a)
redis.call('SADD', tenants, t)
return 0
