-- Lets queued runs out while their tenant runs fewer than its quota (in queue order: priority,
-- then arrival), counting each as running at once; then leases every admission not yet applied, so
-- a lost ADMIT is sent again. KEYS: tenants with queued runs, tenants with running runs, admissions
-- (run -> lease end), then per tenant of ARGV: its running runs, its queue.
-- ARGV: now, lease, most runs let out this call, n, then n times: tenant, maxRuns (0: no limit).
-- Returns the run ids to send an ADMIT for.
local queued, running, admitting = KEYS[1], KEYS[2], KEYS[3]
local now, lease, budget, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 1, n do
  local active, queue = KEYS[2 + 2 * i], KEYS[3 + 2 * i]
  local t, max = ARGV[3 + 2 * i], tonumber(ARGV[4 + 2 * i])
  while budget > 0 and (max == 0 or redis.call('SCARD', active) < max) do
    local head = redis.call('ZPOPMIN', queue)
    if #head == 0 then break end
    redis.call('SADD', active, head[1])
    redis.call('SADD', running, t)
    redis.call('ZADD', admitting, 0, head[1])
    budget = budget - 1
  end
  if redis.call('ZCARD', queue) == 0 then redis.call('SREM', queued, t) end
end
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', admitting, '-inf', now, 'LIMIT', 0, 1000)) do
  redis.call('ZADD', admitting, now + lease, id)
  table.insert(out, id)
end
return out
