-- KEYS: votes hash, today's counts hash. ARGV: user, vote, today, counts-key prefix (the day is
-- appended for the day of a previous vote), votes ttl, counts expiry (unix seconds).
-- Returns the previous vote ('' when none).
local previous = redis.call('HGET', KEYS[1], ARGV[1])
local previousVote = ''
if previous then
  local bar = string.find(previous, '|', 1, true)
  previousVote = string.sub(previous, 1, bar - 1)
  local previousDay = string.sub(previous, bar + 1)
  if previousVote == ARGV[2] then return previousVote end
  local previousKey = ARGV[4] .. previousDay
  if redis.call('HINCRBY', previousKey, previousVote, -1) < 0 then redis.call('HSET', previousKey, previousVote, 0) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
redis.call('EXPIREAT', KEYS[2], tonumber(ARGV[6]))
return previousVote
