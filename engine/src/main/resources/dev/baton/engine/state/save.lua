-- A compare-and-set on version, fenced by the writer's epoch; then state, applied id and instances
-- together. Only the run's own keys (one hash tag): timers, index and admission follow the save
-- (FollowUp). Four commands in the common case (HMGET, HSET, RPUSH and the epoch's HGET).
-- The records an event produced are kept apart (produced:<id>), the newest only, within a byte
-- budget and the applied ids' count: they are needed only until the transaction that carried them
-- commits, when the same record may come again; the applied record (its coordinates) stays longer.
-- ARGV: version, state, event id, applied record, max applied ids, ttl, outputs, n, (field, item)*,
--       produced records, produced budget, epoch
local cur = redis.call('HMGET', KEYS[1], 'version', 'applied:' .. ARGV[3], 'epoch')
local epoch = tonumber(ARGV[#ARGV])
if epoch > 0 and cur[3] and tonumber(cur[3]) > epoch then return -1 end
local current = cur[1] or '0'
if current ~= ARGV[1] then return 0 end
if cur[2] then return 2 end
local fields = {'version', tostring(tonumber(ARGV[1]) + 1), 'state', ARGV[2], 'applied:' .. ARGV[3], ARGV[4]}
if ARGV[7] ~= '' then table.insert(fields, 'outputs'); table.insert(fields, ARGV[7]) end
if epoch > 0 then table.insert(fields, 'epoch'); table.insert(fields, ARGV[#ARGV]) end
redis.call('HSET', KEYS[1], unpack(fields))
local excess = redis.call('RPUSH', KEYS[2], ARGV[3]) - tonumber(ARGV[5])
for k = 1, excess do redis.call('HDEL', KEYS[1], 'applied:' .. redis.call('LPOP', KEYS[2])) end
local produced = ARGV[#ARGV - 2]
if produced ~= '' then
  redis.call('HSET', KEYS[1], 'produced:' .. ARGV[3], produced)
  local size = string.len(produced)
  redis.call('RPUSH', KEYS[4], size .. '|' .. ARGV[3])
  local total = redis.call('HINCRBY', KEYS[1], 'produced-bytes', size)
  local budget = tonumber(ARGV[#ARGV - 1])
  local most = tonumber(ARGV[5])
  while redis.call('LLEN', KEYS[4]) > 1 and (total > budget or redis.call('LLEN', KEYS[4]) > most) do
    local e = redis.call('LPOP', KEYS[4])
    local bar = string.find(e, '|', 1, true)
    redis.call('HDEL', KEYS[1], 'produced:' .. string.sub(e, bar + 1))
    total = redis.call('HINCRBY', KEYS[1], 'produced-bytes', -tonumber(string.sub(e, 1, bar - 1)))
  end
end
local n = tonumber(ARGV[8])
for k = 1, n do redis.call('HSET', KEYS[3], ARGV[7 + 2 * k], ARGV[8 + 2 * k]) end
local ttl = tonumber(ARGV[6])
if ttl > 0 then for k = 1, 4 do redis.call('EXPIRE', KEYS[k], ttl) end end
return 1
