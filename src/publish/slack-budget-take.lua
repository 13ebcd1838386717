-- One write to Slack asks for its slot (the policy is written out in slack-budget.ts).
-- KEYS: [1] send times of one method in one scope (sorted set, score = ms epoch; a score in the
--       future is a slot reserved by a final write), [2] until when Slack asked to hold (ms epoch),
--       [3] answers in flight in the workspace (each owes a final), [4] those showing no text yet
--       (each owes a first text); both scored by when their registration lapses.
-- ARGV: now, priority (final | final-front | first | intermediate), member (unique), answer ('' for none),
--       effect on the answer's registration ('' | posted | posted-receipt | shown | done),
--       registration ttl (ms), window count, then a limit and a length (ms, margin included) per
--       window; the first window's room is what the priorities share.
-- Returns {granted, ms, paceMs}: granted 1: send after ms (a final's reserved slot; 0 otherwise);
-- granted 0: skipped, worth asking again after ms. paceMs: least time between two intermediate
-- writes of one answer, so that all answers in flight together fit the first window.
local now = tonumber(ARGV[1])
local priority = ARGV[2]
local member = ARGV[3]
local answer = ARGV[4]
local effect = ARGV[5]
local ttl = tonumber(ARGV[6])
local windows = tonumber(ARGV[7])
local limits, spans = {}, {}
local longest = 0
for i = 1, windows do
  limits[i] = tonumber(ARGV[6 + 2 * i])
  spans[i] = tonumber(ARGV[7 + 2 * i])
  if spans[i] > longest then longest = spans[i] end
end

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
local blockedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
local lastSlot = tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2] or '0')

-- The answer's message now exists (it owes a final, and a first text if it shows none), shows
-- text, or has its final.
local function settle()
  if answer == '' or effect == '' then return end
  if effect == 'posted' or effect == 'posted-receipt' then
    redis.call('ZADD', KEYS[3], now + ttl, answer)
    redis.call('PEXPIRE', KEYS[3], ttl)
    if effect == 'posted-receipt' then
      redis.call('ZADD', KEYS[4], now + ttl, answer)
      redis.call('PEXPIRE', KEYS[4], ttl)
    end
  elseif effect == 'done' then
    redis.call('ZREM', KEYS[3], answer)
    redis.call('ZREM', KEYS[4], answer)
  elseif effect == 'shown' then
    redis.call('ZREM', KEYS[4], answer)
  end
end

-- Whether a call at p keeps every window ending at or after it (those that hold it) within its
-- limit, given the calls taken and reserved so far (sorted); the count changes only where a call
-- enters or leaves a window.
local function fits(slots, p)
  for i = 1, windows do
    local span, limit = spans[i], limits[i]
    local count = 0
    local events = {}
    for _, s in ipairs(slots) do
      if s > p - span and s <= p then count = count + 1 end
      if s > p and s < p + span then events[#events + 1] = {s, 1} end
      if s + span > p and s + span < p + span then events[#events + 1] = {s + span, -1} end
    end
    if count + 1 > limit then return false end
    table.sort(events, function(a, b) if a[1] == b[1] then return a[2] < b[2] end return a[1] < b[1] end)
    for _, event in ipairs(events) do
      count = count + event[2]
      if count + 1 > limit then return false end
    end
  end
  return true
end

if priority == 'final-front' then
  -- A final that already had its turn (Slack refused it anyway): the earliest slot that fits,
  -- ahead of the finals that asked after it.
  local raw = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  local slots = {}
  for i = 2, #raw, 2 do slots[#slots + 1] = tonumber(raw[i]) end
  local start = math.max(now, blockedUntil)
  local candidates = {start}
  for _, s in ipairs(slots) do
    for i = 1, windows do
      if s + spans[i] > start then candidates[#candidates + 1] = s + spans[i] end
    end
  end
  table.sort(candidates)
  local at = candidates[#candidates]
  for _, p in ipairs(candidates) do
    if fits(slots, p) then at = p break end
  end
  redis.call('ZADD', KEYS[1], at, member)
  redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(at, lastSlot) - now + longest))
  settle()
  return {1, at - now, 0}
end

if priority == 'final' then
  -- The earliest slot after every slot taken or reserved so far (finals in the order they ask,
  -- the schedule Slack's bound assumes) where each window holds fewer than its limit.
  local at = math.max(now, blockedUntil, lastSlot)
  for i = 1, windows do
    local kth = redis.call('ZRANGE', KEYS[1], -limits[i], -limits[i], 'WITHSCORES')[2]
    if kth and tonumber(kth) + spans[i] > at then at = tonumber(kth) + spans[i] end
  end
  redis.call('ZADD', KEYS[1], at, member)
  redis.call('PEXPIRE', KEYS[1], math.ceil(at - now + longest))
  settle()
  return {1, at - now, 0}
end

local function owed(key)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  return redis.call('ZCARD', key)
end
local finalsOwed = 0
local firstsOwed = 0
if answer ~= '' then
  finalsOwed = owed(KEYS[3])
  if priority == 'intermediate' then firstsOwed = owed(KEYS[4]) end
end
local pace = math.ceil(spans[1] * math.max(1, finalsOwed) / limits[1])

-- A 429's Retry-After, or a final waiting for its slot: nothing else goes before them.
if blockedUntil > now then return {0, math.max(pace, blockedUntil - now), pace} end
if lastSlot > now then return {0, math.max(pace, lastSlot - now), pace} end
for i = 1, windows do
  local needed = redis.call('ZCOUNT', KEYS[1], '(' .. (now - spans[i]), '+inf') + 1
  -- One slot stays free for the final of every answer in flight (this one's included) and,
  -- for an intermediate write, one for the first text of every answer still showing none.
  if i == 1 then needed = needed + finalsOwed + firstsOwed end
  if needed > limits[i] then return {0, pace, pace} end
end
redis.call('ZADD', KEYS[1], now, member)
redis.call('PEXPIRE', KEYS[1], math.ceil(longest))
settle()
return {1, 0, pace}
