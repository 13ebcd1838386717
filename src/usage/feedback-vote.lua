-- Casts one person's vote on one answer and moves the day counts with it (see feedback-store.ts).
-- KEYS: votes hash of the answer, today's counts hash, the counts hash of the day of the vote
-- being replaced (today's again when there is none). Every key is declared, so it runs on Redis
-- Cluster; the caller read the previous vote to name its day's key, and it is checked here.
-- ARGV: user, vote, today, previous vote as read ('' when none), votes ttl (s), counts expiry (unix s).
-- Returns the previous vote ('' when none), or 'moved' when the vote changed since it was read.
local previous = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if previous ~= ARGV[4] then return 'moved' end
local previousVote = ''
if previous ~= '' then
  local bar = string.find(previous, '|', 1, true)
  previousVote = string.sub(previous, 1, bar - 1)
  if previousVote == ARGV[2] then return previousVote end
  if redis.call('HINCRBY', KEYS[3], previousVote, -1) < 0 then redis.call('HSET', KEYS[3], previousVote, 0) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
redis.call('EXPIREAT', KEYS[2], tonumber(ARGV[6]))
return previousVote
