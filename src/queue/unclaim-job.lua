-- Undoes claim-job.lua for a job BullMQ could not add: the id's claim, the question's place in its
-- thread's order and its receipt's due time go, so that Slack's next redelivery queues it again
-- and nothing waits for a job that does not exist. One round trip, the same keys as the claim.
-- KEYS: [1] the id's claim, [2] the thread's questions ([1] again for a job that is no question),
--       [3] receipts due.
-- ARGV: thread member ('' for none), job id.
redis.call('DEL', KEYS[1])
if ARGV[1] ~= '' then redis.call('ZREM', KEYS[2], ARGV[1]) end
redis.call('ZREM', KEYS[3], ARGV[2])
return 1
