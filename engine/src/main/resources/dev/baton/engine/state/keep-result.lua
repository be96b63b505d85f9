-- A cached result's place in its template's index (one key: Redis Cluster-safe).
-- KEYS[1] the template's index (sorted set: "<job>/<key hash>" by expiry, ms)
-- ARGV[1] now (ms), ARGV[2] member, ARGV[3] its expiry (ms), ARGV[4] most entries kept
-- Drops expired members, adds this one unless it is there, and returns the members evicted to
-- stay within the bound (the oldest expiry first): the caller deletes their results.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[2])
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if over <= 0 then
  return {}
end
local evicted = redis.call('ZRANGE', KEYS[1], 0, over - 1)
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1)
return evicted
