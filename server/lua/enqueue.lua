-- enqueue: puts a user at the tail of their priority in the waiting set, unless they
-- already wait or are in a conversation. Atomic; safe to run twice (the second run
-- answers already_waiting with the same entry).
--
-- KEYS[1] <p>:{rs}:seq        string  arrival counter (INCR)
-- KEYS[2] <p>:{rs}:waiting    zset    userId -> -priority * 2^40 + order
-- KEYS[3] <p>:{rs}:users      hash    'e:'userId -> entry JSON (with "order"),
--                                     'u:'userId -> conversationId
-- ARGV[1] userId
-- ARGV[2] priority: an integer, |priority| <= 4095 (checked by the caller)
-- ARGV[3] the entry as a JSON object without "order", starting with '{'
--
-- Returns
--   {'ok', order}                     queued; the caller adds order to the entry it sent
--   {'already_waiting', entryJson}    the entry already queued for this user
--   {'in_conversation', conversationId}
--   error 'order_overflow'            2^40 arrivals: reset the prefix
local user = ARGV[1]
local got = redis.call('HMGET', KEYS[3], 'u:' .. user, 'e:' .. user)
if got[1] then return {'in_conversation', got[1]} end
if got[2] then return {'already_waiting', got[2]} end

local order = redis.call('INCR', KEYS[1])
if order >= 1099511627776 then return redis.error_reply('order_overflow') end
-- Scores and orders are written as exact integers: tostring() would round to 14 digits.
local digits = string.format('%.0f', order)
local body = ARGV[3]
local stored
if body == '{}' then
  stored = '{"order":' .. digits .. '}'
else
  stored = '{"order":' .. digits .. ',' .. string.sub(body, 2)
end
redis.call('ZADD', KEYS[2], string.format('%.0f', -tonumber(ARGV[2]) * 1099511627776 + order), user)
redis.call('HSET', KEYS[3], 'e:' .. user, stored)
-- The order as a string: a Lua number would reach the client as a truncated integer too,
-- but a string keeps the reply one shape.
return {'ok', digits}
