-- release: the conversation ended; frees the advisor's seat and the user. When the
-- advisor's last conversation ends, idleSince becomes now. Atomic; idempotent.
--
-- KEYS[1] <p>:{rs}:user-conv    hash  userId -> conversationId
-- KEYS[2] <p>:{rs}:held         hash  conversationId -> JSON {userId, advisorId}
-- KEYS[3] <p>:{rs}:adv:idle     hash  advisorId -> idleSince
-- KEYS[4] <p>:{rs}:adv:convs    hash  advisorId -> JSON array of conversation ids
-- ARGV[1] conversationId
-- ARGV[2] now (ms)
--
-- Returns
--   'released'
--   'unknown_conversation'   nothing held under that id (already released)
local held = redis.call('HGET', KEYS[2], ARGV[1])
if not held then return 'unknown_conversation' end
local h = cjson.decode(held)
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[1], h.userId) == ARGV[1] then redis.call('HDEL', KEYS[1], h.userId) end
local list = redis.call('HGET', KEYS[4], h.advisorId)
if list then
  local kept = {}
  for _, id in ipairs(cjson.decode(list)) do
    if id ~= ARGV[1] then table.insert(kept, id) end
  end
  -- cjson encodes an empty table as {}; an advisor's conversations are an array.
  if #kept == 0 then
    redis.call('HSET', KEYS[4], h.advisorId, '[]')
    redis.call('HSET', KEYS[3], h.advisorId, ARGV[2])
  else
    redis.call('HSET', KEYS[4], h.advisorId, cjson.encode(kept))
  end
end
return 'released'
