-- A compare-and-set on version; then state, applied id, instances, timers and admission together.
-- Four commands in the common case (GET, HMGET, HSET, RPUSH): the applied records are fields of the
-- run's own hash, and RPUSH answers the length that bounds them.
local epoch = ARGV[#ARGV]
if epoch ~= '0' and redis.call('GET', KEYS[11]) ~= epoch then return -1 end
local cur = redis.call('HMGET', KEYS[1], 'version', 'applied:' .. ARGV[3])
local current = cur[1] or '0'
if current ~= ARGV[1] then return 0 end
if cur[2] then return 2 end
if current == '0' then
  redis.call('ZADD', KEYS[12], ARGV[#ARGV - 1], ARGV[#ARGV - 4])
  redis.call('ZREMRANGEBYRANK', KEYS[12], 0, -100001)
end
local fields = {'version', tostring(tonumber(ARGV[1]) + 1), 'state', ARGV[2], 'applied:' .. ARGV[3], ARGV[4]}
if ARGV[7] ~= '' then fields[7] = 'outputs'; fields[8] = ARGV[7] end
redis.call('HSET', KEYS[1], unpack(fields))
local excess = redis.call('RPUSH', KEYS[2], ARGV[3]) - tonumber(ARGV[5])
for k = 1, excess do redis.call('HDEL', KEYS[1], 'applied:' .. redis.call('LPOP', KEYS[2])) end
local i = 8
local n = tonumber(ARGV[i]); i = i + 1
for k = 1, n do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]); i = i + 2 end
n = tonumber(ARGV[i]); i = i + 1
for k = 1, n do
  redis.call('ZADD', KEYS[4], ARGV[i + 1], ARGV[i]); redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 2]); i = i + 3
end
n = tonumber(ARGV[i]); i = i + 1
for k = 1, n do redis.call('ZREM', KEYS[4], ARGV[i]); redis.call('HDEL', KEYS[5], ARGV[i]); i = i + 1 end
local op, runId, template, limit = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
if op == 'ENQUEUE' then
  redis.call('SADD', KEYS[9], template); redis.call('HSET', KEYS[10], template, limit)
  if redis.call('SISMEMBER', KEYS[7], runId) == 0 and not redis.call('LPOS', KEYS[6], runId) then
    redis.call('RPUSH', KEYS[6], runId)
  end
elseif op == 'ADMITTED' then
  redis.call('ZREM', KEYS[8], runId)
elseif op == 'RELEASE' then
  redis.call('SREM', KEYS[7], runId); redis.call('LREM', KEYS[6], 0, runId); redis.call('ZREM', KEYS[8], runId)
end
local ttl = tonumber(ARGV[6])
if ttl > 0 then for k = 1, 3 do redis.call('EXPIRE', KEYS[k], ttl) end end
return 1
