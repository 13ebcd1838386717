-- Registers an answer being written in a workspace: it owes a final write and, unless it already
-- shows text, a first text (see slack-budget.ts).
-- KEYS: answers in flight, answers showing no text yet. ARGV: now, answer, registration ttl (ms), shows text (0 | 1).
local lapses = tonumber(ARGV[1]) + tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], lapses, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[4] == '0' then
  redis.call('ZADD', KEYS[2], lapses, ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return 1
