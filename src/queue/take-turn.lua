-- Takes the turn if it is free, already ours, or held by exactly the holder found dead (ARGV[2]).
-- KEYS: turn. ARGV: job id, dead holder (or ''), seconds.
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] or (ARGV[2] ~= '' and holder == ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
  return 1
end
return 0
