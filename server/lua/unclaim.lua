-- unclaim: undoes a claim whose conversation could not be stored. Releases the
-- conversation (as release.lua) and, unless the user already waits again or is in
-- another conversation, puts them back in their queue with priority >= 1 (ahead of
-- every priority-0 entry), keeping the entry as given ("since" included).
-- Atomic; safe to run twice (the second run finds the user waiting and stops).
--
-- KEYS[1] <p>:{rs}:seq          string  arrival counter (INCR)
-- KEYS[2] <p>:{rs}:waiting      zset    userId -> -priority * 2^40 + order
-- KEYS[3] <p>:{rs}:entries      hash    userId -> entry JSON
-- KEYS[4] <p>:{rs}:user-conv    hash    userId -> conversationId
-- KEYS[5] <p>:{rs}:held         hash    conversationId -> JSON {userId, advisorId}
-- KEYS[6] <p>:{rs}:adv:idle     hash    advisorId -> idleSince
-- KEYS[7] <p>:{rs}:adv:convs    hash    advisorId -> JSON array of conversation ids
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
local held = redis.call('HGET', KEYS[5], ARGV[1])
if held then
  local h = cjson.decode(held)
  redis.call('HDEL', KEYS[5], ARGV[1])
  if redis.call('HGET', KEYS[4], h.userId) == ARGV[1] then redis.call('HDEL', KEYS[4], h.userId) end
  local list = redis.call('HGET', KEYS[7], h.advisorId)
  if list then
    local kept = {}
    for _, id in ipairs(cjson.decode(list)) do
      if id ~= ARGV[1] then table.insert(kept, id) end
    end
    if #kept == 0 then
      redis.call('HSET', KEYS[7], h.advisorId, '[]')
      redis.call('HSET', KEYS[6], h.advisorId, ARGV[2])
    else
      redis.call('HSET', KEYS[7], h.advisorId, cjson.encode(kept))
    end
  end
end

if redis.call('HEXISTS', KEYS[3], ARGV[3]) == 1 or redis.call('HEXISTS', KEYS[4], ARGV[3]) == 1 then
  return 'not_requeued'
end
local order = redis.call('INCR', KEYS[1])
if order >= 1099511627776 then return redis.error_reply('order_overflow') end
local score = -tonumber(ARGV[4]) * 1099511627776 + order
local body = ARGV[5]
local stored
if body == '{}' then
  stored = '{"order":' .. string.format('%.0f', order) .. '}'
else
  stored = '{"order":' .. string.format('%.0f', order) .. ',' .. string.sub(body, 2)
end
redis.call('ZADD', KEYS[2], string.format('%.0f', score), ARGV[3])
redis.call('HSET', KEYS[3], ARGV[3], stored)
return 'requeued'
