-- enqueue: puts a user at the tail of their priority in the waiting set, unless they
-- already wait or are in a conversation. Atomic; safe to run twice (the second run
-- answers already_waiting with the same entry).
--
-- KEYS[1] <p>:{rs}:seq        string  arrival counter (INCR)
-- KEYS[2] <p>:{rs}:waiting    zset    userId -> -priority * 2^40 + order
-- KEYS[3] <p>:{rs}:entries    hash    userId -> entry JSON (with "order")
-- KEYS[4] <p>:{rs}:user-conv  hash    userId -> conversationId
-- ARGV[1] userId
-- ARGV[2] priority: an integer, |priority| <= 4095 (checked by the caller)
-- ARGV[3] the entry as a JSON object without "order", starting with '{'
--
-- Returns
--   {'ok', entryJson}                 queued; entryJson carries the new order
--   {'already_waiting', entryJson}    the entry already queued for this user
--   {'in_conversation', conversationId}
--   error 'order_overflow'            2^40 arrivals: reset the prefix
local conversation = redis.call('HGET', KEYS[4], ARGV[1])
if conversation then return {'in_conversation', conversation} end
local existing = redis.call('HGET', KEYS[3], ARGV[1])
if existing then return {'already_waiting', existing} end

local order = redis.call('INCR', KEYS[1])
if order >= 1099511627776 then return redis.error_reply('order_overflow') end
local score = -tonumber(ARGV[2]) * 1099511627776 + order
local body = ARGV[3]
local stored
if body == '{}' then
  stored = '{"order":' .. string.format('%.0f', order) .. '}'
else
  stored = '{"order":' .. string.format('%.0f', order) .. ',' .. string.sub(body, 2)
end
-- Scores are written as exact integers: tostring() would round to 14 digits.
redis.call('ZADD', KEYS[2], string.format('%.0f', score), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], stored)
return {'ok', stored}
