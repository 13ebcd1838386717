-- Gives a thread's turn back, if this job holds it. KEYS: turn. ARGV: job id.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
