-- Gives a question's claim back, if this leader still holds it. KEYS: claim. ARGV: stream id.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
