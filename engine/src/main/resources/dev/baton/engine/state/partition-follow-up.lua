-- What a saved event writes in its partition's keys: timers set and cancelled, and the run index.
-- KEYS: epoch, timers, timer data, run index
-- ARGV: epoch, run id, created at (0: not new), n, (timer id, due, json)*, m, cancelled id*
local epoch = tonumber(ARGV[1])
if epoch > 0 and tonumber(redis.call('GET', KEYS[1]) or '0') > epoch then return -1 end
if ARGV[3] ~= '0' then
  redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -100001)
end
local i = 4
local n = tonumber(ARGV[i]); i = i + 1
for k = 1, n do
  redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i]); redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 2]); i = i + 3
end
n = tonumber(ARGV[i]); i = i + 1
for k = 1, n do redis.call('ZREM', KEYS[2], ARGV[i]); redis.call('HDEL', KEYS[3], ARGV[i]); i = i + 1 end
return 1
