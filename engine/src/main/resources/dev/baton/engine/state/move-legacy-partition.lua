-- One Redis only: moves a partition's epoch and timers from the keys Baton used before partitions had
-- their own hash tag. KEYS: old epoch, old timers, old timer data, new epoch, new timers, new timer data
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
if old > tonumber(redis.call('GET', KEYS[4]) or '0') then redis.call('SET', KEYS[4], old) end
local entries = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for k = 1, #entries, 2 do redis.call('ZADD', KEYS[5], entries[k + 1], entries[k]) end
local data = redis.call('HGETALL', KEYS[3])
for k = 1, #data, 2 do redis.call('HSET', KEYS[6], data[k], data[k + 1]) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return #entries / 2
