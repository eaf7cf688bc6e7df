-- restoreHeld: puts conversations open in the database back in the state after it was
-- lost (a Redis restarted empty) or found missing by reconciliation, each with its
-- advisor's seat. Capacity is not checked: the conversations exist, and a load above
-- capacity only refuses claims until seats free up. An advisor not registered yet gets
-- ':l' and ':v' alone; upsertAdvisor keeps them. Atomic for the whole batch; idempotent.
--
-- KEYS[1] <p>:{rs}:waiting    zset  userId -> score
-- KEYS[2] <p>:{rs}:users      hash  'e:'userId -> entry JSON, 'u:'userId -> conversationId,
--                                   'c:'conversationId -> advisorId, 'k:'conversationId -> userId,
--                                   't:'conversationId -> since when held (ms)
-- KEYS[3] <p>:{rs}:advisors   hash  advisorId':l' load, ':v' JSON array of conversation ids
-- ARGV[1] now (ms)
-- ARGV[2], ARGV[3], ARGV[4]   conversationId, userId, advisorId of the first conversation;
--                             then the same three for each next one
--
-- Returns one code per conversation, in order:
--   'restored'   now held; a user waiting with a fresh request (no conversationId) was
--                taken out of the queue: the database says they are in this conversation
--   'held'       already held for this advisor and user: nothing changed
--   'waiting'    the user waits to be handed over with this conversation: left waiting
--   'conflict'   held for another advisor or user, or the user is in another conversation
--                or waits with another one: nothing changed
local now = ARGV[1]
local out = {}
for i = 2, #ARGV - 2, 3 do
  local conv, user, adv = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local got = redis.call('HMGET', KEYS[2], 'c:' .. conv, 'k:' .. conv, 'u:' .. user, 'e:' .. user)
  local code
  if got[1] then
    if got[1] == adv and got[2] == user then code = 'held' else code = 'conflict' end
  elseif got[3] then
    code = 'conflict'
  elseif got[4] then
    local waiting = cjson.decode(got[4]).conversationId
    if waiting == conv then
      code = 'waiting'
    elseif waiting then
      code = 'conflict'
    else
      redis.call('ZREM', KEYS[1], user)
      redis.call('HDEL', KEYS[2], 'e:' .. user)
    end
  end
  if not code then
    local a = redis.call('HMGET', KEYS[3], adv .. ':l', adv .. ':v')
    -- Appended as in claim.lua: the list keeps its order, cjson only encodes the id.
    local list = a[2]
    if not list or list == '[]' then
      list = '[' .. cjson.encode(conv) .. ']'
    else
      list = string.sub(list, 1, -2) .. ',' .. cjson.encode(conv) .. ']'
    end
    redis.call('HSET', KEYS[2], 'c:' .. conv, adv, 'k:' .. conv, user, 'u:' .. user, conv, 't:' .. conv, now)
    redis.call('HSET', KEYS[3], adv .. ':l', (tonumber(a[1]) or 0) + 1, adv .. ':v', list)
    code = 'restored'
  end
  out[#out + 1] = code
end
return out
