-- A leader gives its question's claim back, if it still holds it, and learns whether anyone
-- followed it (their stream must then be written).
-- KEYS: [1] claim, [2] who follows (the stream id followed). ARGV: the leader's stream id.
-- Returns 1 when followed, 0 otherwise.
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  return 1
end
return 0
