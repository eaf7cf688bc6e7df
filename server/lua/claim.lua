-- claim: takes a waiting user out of the queue and gives the conversation to the
-- advisor, in one step: the user must still wait, the advisor must be available
-- and below capacity. Atomic. Idempotent per conversation: running the same claim
-- again (a reply lost on a dropped connection, resent by the client) answers 'ok'.
--
-- KEYS[1] <p>:{rs}:waiting    zset  userId -> score
-- KEYS[2] <p>:{rs}:users      hash  'e:'userId -> entry JSON, 'u:'userId -> conversationId,
--                                   'c:'conversationId -> advisorId, 'k:'conversationId -> userId,
--                                   't:'conversationId -> since when held (ms)
-- KEYS[3] <p>:{rs}:advisors   hash  advisorId':s' status, ':c' capacity, ':l' load,
--                                   ':v' JSON array of conversation ids, ':i' idleSince
-- ARGV[1] userId
-- ARGV[2] advisorId
-- ARGV[3] conversationId (fresh, e.g. a UUID)
-- ARGV[4] now (ms)
--
-- Returns
--   'ok'                    claimed (or this very claim was already made)
--   'user_gone'             the user is not waiting any more
--   'advisor_unavailable'   unknown advisor, or away / offline
--   'advisor_full'          the advisor holds capacity conversations already
--   'conversation_exists'   the conversation id is held by another claim (caller bug)
local user, adv, conv = ARGV[1], ARGV[2], ARGV[3]
local got = redis.call('HMGET', KEYS[2], 'c:' .. conv, 'k:' .. conv, 'e:' .. user)
if got[1] then
  if got[1] == adv and got[2] == user then return 'ok' end
  return 'conversation_exists'
end
if not got[3] then return 'user_gone' end
local a = redis.call('HMGET', KEYS[3], adv .. ':s', adv .. ':c', adv .. ':l', adv .. ':v')
if a[1] ~= 'available' or not a[2] then return 'advisor_unavailable' end
local load = tonumber(a[3]) or 0
if load >= (tonumber(a[2]) or 0) then return 'advisor_full' end

-- Append to the JSON array without decoding it: claim order is kept, cjson only encodes the id.
local list = a[4]
if not list or list == '[]' then
  list = '[' .. cjson.encode(conv) .. ']'
else
  list = string.sub(list, 1, -2) .. ',' .. cjson.encode(conv) .. ']'
end
redis.call('ZREM', KEYS[1], user)
redis.call('HDEL', KEYS[2], 'e:' .. user)
redis.call('HSET', KEYS[2], 'c:' .. conv, adv, 'k:' .. conv, user, 'u:' .. user, conv, 't:' .. conv, ARGV[4])
redis.call('HSET', KEYS[3], adv .. ':l', load + 1, adv .. ':v', list, adv .. ':i', ARGV[4])
return 'ok'
