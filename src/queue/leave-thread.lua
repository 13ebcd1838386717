-- A question leaves its thread's queue and gives the turn back if it holds it; the questions
-- still there are returned (member, joined at, …) so the caller can wake the next one.
-- KEYS: [1] the thread's questions (sorted set), [2] the thread's turn. ARGV: member, job id.
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
