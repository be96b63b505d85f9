-- Moves queued runs into free slots, then leases every admission not yet applied.
local out = {}
for _, t in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local tag = 'baton:limit:{' .. ARGV[3] .. '/' .. t .. '}:'
  local q, a, adm = tag .. 'queue', tag .. 'active', tag .. 'admitting'
  local max = tonumber(redis.call('HGET', KEYS[2], t) or '0')
  while redis.call('SCARD', a) < max and redis.call('LLEN', q) > 0 do
    local id = redis.call('LPOP', q)
    redis.call('SADD', a, id); redis.call('ZADD', adm, 0, id)
  end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', adm, '-inf', ARGV[1])) do
    redis.call('ZADD', adm, tonumber(ARGV[1]) + tonumber(ARGV[2]), id)
    table.insert(out, id)
  end
end
return out
