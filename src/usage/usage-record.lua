-- Adds one answer's counters to a day's hash in one step (see usage-store.ts): the fields are read,
-- added to and written back together, so an answer costs three commands whatever its counters.
-- KEYS: the day's hash. ARGV: when the hash expires (unix seconds), then field and increment pairs.
local fields = {}
for i = 2, #ARGV, 2 do fields[#fields + 1] = ARGV[i] end
local current = redis.call('HMGET', KEYS[1], unpack(fields))
local updated = {}
for i, field in ipairs(fields) do
  updated[#updated + 1] = field
  updated[#updated + 1] = string.format('%d', (tonumber(current[i]) or 0) + tonumber(ARGV[2 * i + 1]))
end
redis.call('HSET', KEYS[1], unpack(updated))
redis.call('EXPIREAT', KEYS[1], ARGV[1])
return #fields
