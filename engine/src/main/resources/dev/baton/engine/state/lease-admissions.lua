-- One template's queue: moves queued runs into free slots, then leases every admission not yet
-- applied. KEYS: queue, active, admitting. ARGV: max, now, lease
local q, a, adm = KEYS[1], KEYS[2], KEYS[3]
local max = tonumber(ARGV[1])
while redis.call('SCARD', a) < max and redis.call('LLEN', q) > 0 do
  local id = redis.call('LPOP', q)
  redis.call('SADD', a, id); redis.call('ZADD', adm, 0, id)
end
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', adm, '-inf', ARGV[2])) do
  redis.call('ZADD', adm, tonumber(ARGV[2]) + tonumber(ARGV[3]), id)
  table.insert(out, id)
end
return out
