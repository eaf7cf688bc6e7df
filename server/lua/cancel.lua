-- cancel: takes a waiting user out of their queue. Atomic; safe to run twice (the
-- second run answers not_waiting).
--
-- KEYS[1] <p>:{rs}:waiting    zset    userId -> score
-- KEYS[2] <p>:{rs}:users      hash    'e:'userId -> entry JSON
-- ARGV[1] userId
--
-- Returns
--   {'cancelled', entryJson}
--   {'not_waiting'}
local field = 'e:' .. ARGV[1]
local entry = redis.call('HGET', KEYS[2], field)
if not entry then return {'not_waiting'} end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], field)
return {'cancelled', entry}
