-- Admits a question or says which limit it is over (see limits.ts).
local rateKey = KEYS[1]
local usageKey = KEYS[2]
local askedAt = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local perMinute = tonumber(ARGV[3])
local member = ARGV[4]
local userBudget = tonumber(ARGV[7])
local workspaceBudget = tonumber(ARGV[8])
local now = tonumber(ARGV[9])
if perMinute > 0 and redis.call('ZSCORE', rateKey, member) then return {1, 0} end
if userBudget > 0 and tonumber(redis.call('HGET', usageKey, ARGV[5]) or '0') >= userBudget then return {3, 0} end
if workspaceBudget > 0 and tonumber(redis.call('HGET', usageKey, ARGV[6]) or '0') >= workspaceBudget then return {4, 0} end
if perMinute > 0 then
  local keepMs = windowMs * 10
  redis.call('ZREMRANGEBYSCORE', rateKey, '-inf', '(' .. (now - keepMs))
  local from = '(' .. (askedAt - windowMs)
  local to = '(' .. (askedAt + windowMs)
  local count = redis.call('ZCOUNT', rateKey, from, to)
  if count >= perMinute then
    -- A new question fits once all but perMinute - 1 of these have left the window.
    local nth = redis.call('ZRANGEBYSCORE', rateKey, from, to, 'WITHSCORES', 'LIMIT', count - perMinute, 1)
    return {2, tonumber(nth[2]) + windowMs}
  end
  redis.call('ZADD', rateKey, askedAt, member)
  redis.call('PEXPIRE', rateKey, keepMs)
end
return {0, 0}
