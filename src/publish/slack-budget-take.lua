-- Takes a token from a workspace's bucket for one Slack write method (see slack-budget.ts).
-- KEYS: bucket, backoff-until, answers-in-flight. ARGV: now, ratePerMs, capacity, kind, answer, inFlightTtl.
-- Returns -1 (skip this intermediate write) or how many ms to wait before sending.
local key = KEYS[1]
local now = tonumber(ARGV[1])
local ratePerMs = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local final = ARGV[4] == 'final'
local answer = ARGV[5]
local inFlightTtl = tonumber(ARGV[6])
local blockedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
if now > at then tokens = math.min(capacity, tokens + (now - at) * ratePerMs) end
local inFlight = 0
if answer ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if final then
    redis.call('ZREM', KEYS[3], answer)
  else
    redis.call('ZADD', KEYS[3], now + inFlightTtl, answer)
    redis.call('PEXPIRE', KEYS[3], inFlightTtl)
    inFlight = redis.call('ZCARD', KEYS[3])
  end
end
local waitMs = -1
if final then
  tokens = tokens - 1
  waitMs = 0
  if tokens < 0 then waitMs = math.ceil(-tokens / ratePerMs) end
  if blockedUntil > now + waitMs then waitMs = blockedUntil - now end
else
  -- One token per answer in flight (this one included) stays for the finals; with more answers
  -- than the bucket holds, intermediate updates only use a full bucket's last token.
  local reserve = math.max(1, math.min(inFlight, capacity - 1))
  if blockedUntil <= now and tokens - 1 >= reserve then
    tokens = tokens - 1
    waitMs = 0
  end
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', key, 600000)
return waitMs
