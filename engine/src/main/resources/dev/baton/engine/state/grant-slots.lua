-- Hands free job slots to queued attempts, each to the tenant whose running jobs are the fewest
-- for its weight ((running + 1) / weight; the older head first on a tie), skipping tenants at their
-- maxJobs; and sends again grants whose dispatch no dispatcher reported started within the lease.
-- First it adds the slot time each tenant held since the last call (by any engine, at most 1 s) to
-- the current 10-second bucket, for the share over the last minute.
-- KEYS: running, counts, dispatch, granted, tenants, time of the last call, current bucket, then
-- one queue per tenant of ARGV.
-- ARGV: capacity, now, lease, n, then n times: tenant, weight, maxJobs (0: none).
-- Returns attempt, record, attempt, record, ...
local running, counts, dispatch, granted, tenants = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local cap, now, lease, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local last = tonumber(redis.call('GET', KEYS[6]) or '0')
if now > last then
  if last > 0 then
    local dt = math.min(now - last, 1000)
    local held = redis.call('HGETALL', counts)
    for i = 1, #held, 2 do
      redis.call('HINCRBY', KEYS[7], held[i], tonumber(held[i + 1]) * dt)
    end
    redis.call('HINCRBY', KEYS[7], '*', dt)
    redis.call('PEXPIRE', KEYS[7], 80000)
  end
  redis.call('SET', KEYS[6], now)
end
local out = {}
for _, a in ipairs(redis.call('ZRANGEBYSCORE', granted, '-inf', now)) do
  local record = redis.call('HGET', dispatch, a)
  if record and redis.call('HEXISTS', running, a) == 1 then
    redis.call('ZADD', granted, now + lease, a)
    table.insert(out, a); table.insert(out, record)
  else
    redis.call('ZREM', granted, a)
  end
end
local total = redis.call('HLEN', running)
while total < cap do
  local best, bestScore, bestHead = nil, nil, nil
  for i = 1, n do
    local q = KEYS[7 + i]
    local head = redis.call('ZRANGE', q, 0, 0, 'WITHSCORES')
    if #head > 0 then
      local t = ARGV[3 * i + 2]
      local w = tonumber(ARGV[3 * i + 3])
      local max = tonumber(ARGV[3 * i + 4])
      local r = tonumber(redis.call('HGET', counts, t) or '0')
      if max == 0 or r < max then
        local score = (r + 1) / w
        local seq = tonumber(head[2])
        if best == nil or score < bestScore or (score == bestScore and seq < bestHead) then
          best, bestScore, bestHead = i, score, seq
        end
      end
    end
  end
  if best == nil then break end
  local q, t = KEYS[7 + best], ARGV[3 * best + 2]
  local a = redis.call('ZPOPMIN', q)[1]
  if redis.call('ZCARD', q) == 0 then redis.call('SREM', tenants, t) end
  redis.call('HSET', running, a, t)
  redis.call('HINCRBY', counts, t, 1)
  redis.call('ZADD', granted, now + lease, a)
  table.insert(out, a); table.insert(out, redis.call('HGET', dispatch, a))
  total = total + 1
end
return out
