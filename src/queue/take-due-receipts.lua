-- Takes up to ARGV[2] questions whose sign of receipt is due by ARGV[1] (ms): each is taken by
-- one worker process only. Also returns when the earliest one left falls due (false: none left),
-- so that the taker looks again then rather than on a fixed period.
-- KEYS: receipts due (sorted set: question job ids by due time).
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
local earliest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
return {due, earliest or false}
