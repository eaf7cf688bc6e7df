-- unclaim: undoes a claim whose conversation could not be stored. Releases the
-- conversation (as release.lua) and, unless the user already waits again or is in
-- another conversation, puts them back in their queue with priority >= 1 (ahead of
-- every priority-0 entry), keeping the entry as given ("since" included).
-- Atomic; safe to run twice (the second run finds the user waiting and stops).
--
-- KEYS[1] <p>:{rs}:seq        string  arrival counter (INCR)
-- KEYS[2] <p>:{rs}:waiting    zset    userId -> -priority * 2^40 + order
-- KEYS[3] <p>:{rs}:users      hash    'e:'userId -> entry JSON, 'u:'userId -> conversationId,
--                                     'c:'conversationId -> advisorId, 'k:'conversationId -> userId,
--                                     't:'conversationId -> since when held
-- KEYS[4] <p>:{rs}:advisors   hash    advisorId':l' load, ':v' JSON array of conversation ids, ':i' idleSince
-- ARGV[1] conversationId
-- ARGV[2] now (ms)
-- ARGV[3] userId of the entry to put back
-- ARGV[4] priority, already max(entry.priority, 1); |priority| <= 4095
-- ARGV[5] the entry as a JSON object without "order", with that priority
--
-- Returns
--   'requeued'
--   'not_requeued'           the user already waits or is in a conversation
--   error 'order_overflow'
local conv = ARGV[1]
local held = redis.call('HMGET', KEYS[3], 'c:' .. conv, 'k:' .. conv)
local adv, holder = held[1], held[2]
if adv then
  -- u:<holder> is this conversation (see release.lua).
  redis.call('HDEL', KEYS[3], 'c:' .. conv, 'k:' .. conv, 'u:' .. holder, 't:' .. conv)
  local a = redis.call('HMGET', KEYS[4], adv .. ':l', adv .. ':v')
  if a[2] then
    local kept = {}
    for _, id in ipairs(cjson.decode(a[2])) do
      if id ~= conv then table.insert(kept, id) end
    end
    if #kept == 0 then
      redis.call('HSET', KEYS[4], adv .. ':l', 0, adv .. ':v', '[]', adv .. ':i', ARGV[2])
    else
      redis.call('HSET', KEYS[4], adv .. ':l', #kept, adv .. ':v', cjson.encode(kept))
    end
  end
end

local user = ARGV[3]
local now = redis.call('HMGET', KEYS[3], 'e:' .. user, 'u:' .. user)
if now[1] or now[2] then return 'not_requeued' end
local order = redis.call('INCR', KEYS[1])
if order >= 1099511627776 then return redis.error_reply('order_overflow') end
-- Exact without string.format: see enqueue.lua.
local body = ARGV[5]
local stored
if body == '{}' then
  stored = '{"order":' .. order .. '}'
else
  stored = '{"order":' .. order .. ',' .. string.sub(body, 2)
end
redis.call('ZADD', KEYS[2], -tonumber(ARGV[4]) * 1099511627776 + order, user)
redis.call('HSET', KEYS[3], 'e:' .. user, stored)
return 'requeued'
