-- A question looks for its turn: it joins its thread's queue (keeping the first join time) and,
-- when it is the only question there, takes the thread's turn if the turn is free or already its
-- own. One round trip for the usual case.
-- KEYS: [1] the thread's questions (sorted set), [2] the thread's turn.
-- ARGV: now (ms), member, job id, seconds to keep both.
-- Returns {1}: the turn is this job's; {0, holder}: alone, but another job holds the turn;
-- {2}: earlier questions may be waiting (the caller looks at their jobs).
redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
if redis.call('ZCARD', KEYS[1]) > 1 then return {2} end
local holder = redis.call('GET', KEYS[2])
if holder == false or holder == ARGV[3] then
  redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
  return {1}
end
return {0, holder}
