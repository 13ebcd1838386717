-- A job is queued once (Slack redelivers events): its id is claimed and, for a question, it joins
-- its thread's order and gets the time its sign of receipt is due, in one round trip before
-- BullMQ adds the job.
-- KEYS: [1] the id's claim, [2] the thread's questions (sorted set; [1] again for a job that is
--       no question), [3] receipts due (sorted set).
-- ARGV: claim seconds, now (ms), thread member ('' for none), seconds to keep the thread's order,
--       receipt due at (ms, '' for none), job id.
-- Returns 1 when claimed now, 0 for a job queued already.
if not redis.call('SET', KEYS[1], '1', 'EX', ARGV[1], 'NX') then return 0 end
if ARGV[3] ~= '' then
  -- NX keeps the first join time when a job joins again (a retry, a re-check).
  redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[3], ARGV[5], ARGV[6]) end
return 1
