-- An identical question follows the one being answered: it leaves word for the leader (who
-- writes its stream only once followed) and learns which stream to read.
-- KEYS: [1] claim, [2] who follows. ARGV: how long the word lasts (ms; the leader looks sooner).
-- Returns the leader's stream id, or nil when nobody holds the claim any more.
local streamId = redis.call('GET', KEYS[1])
if not streamId then return false end
redis.call('SET', KEYS[2], streamId, 'PX', ARGV[1])
return streamId
