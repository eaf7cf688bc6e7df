-- release: the conversation ended; frees the advisor's seat and the user. When the
-- advisor's last conversation ends, idleSince becomes now. Atomic; idempotent.
--
-- KEYS[1] <p>:{rs}:users      hash  'c:'conversationId -> advisorId, 'k:'conversationId -> userId,
--                                   'u:'userId -> conversationId, 't:'conversationId -> since when held
-- KEYS[2] <p>:{rs}:advisors   hash  advisorId':l' load, ':v' JSON array of conversation ids, ':i' idleSince
-- ARGV[1] conversationId
-- ARGV[2] now (ms)
--
-- Returns
--   'released'
--   'unknown_conversation'   nothing held under that id (already released)
local conv = ARGV[1]
local held = redis.call('HMGET', KEYS[1], 'c:' .. conv, 'k:' .. conv)
local adv, user = held[1], held[2]
if not adv then return 'unknown_conversation' end
-- u:<user> is this conversation: only claim sets it, for a waiting user, and a user
-- cannot wait while u:<user> is set (enqueue and unclaim refuse), so it is never
-- overwritten while the conversation is held. No read needed before deleting it.
redis.call('HDEL', KEYS[1], 'c:' .. conv, 'k:' .. conv, 'u:' .. user, 't:' .. conv)
local a = redis.call('HMGET', KEYS[2], adv .. ':l', adv .. ':v')
if not a[2] then return 'released' end
-- Load and list are written together: a load of 1 means the list is this conversation alone.
local kept = {}
if (tonumber(a[1]) or 0) > 1 then
  for _, id in ipairs(cjson.decode(a[2])) do
    if id ~= conv then table.insert(kept, id) end
  end
end
if #kept == 0 then
  -- cjson encodes an empty table as {}; an advisor's conversations are an array.
  redis.call('HSET', KEYS[2], adv .. ':l', 0, adv .. ':v', '[]', adv .. ':i', ARGV[2])
else
  redis.call('HSET', KEYS[2], adv .. ':l', #kept, adv .. ':v', cjson.encode(kept))
end
return 'released'
