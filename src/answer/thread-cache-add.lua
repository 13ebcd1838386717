-- Adds fields to the hash only while it exists: an expired copy must not come back partial.
-- KEYS: the cached thread. ARGV: ts, message JSON.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
