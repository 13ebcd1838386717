-- Claims the final writes whose slot has come (see slack-budget.ts, pending finals): each is leased
-- (its score moved to now + lease) so that another worker takes it over only if this one dies.
-- KEYS: pending finals. ARGV: now, lease (ms), most to claim.
-- Returns the claimed members, then the score of the next one still waiting ('' when none).
local now = tonumber(ARGV[1])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, member in ipairs(due) do
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), member)
end
local nextDue = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or ''
table.insert(due, nextDue)
return due
