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
--   {'ok', order}                     queued (order an integer); the caller adds it to the entry it sent
--   {'already_waiting', entryJson}    the entry already queued for this user
--   {'in_conversation', conversationId}
--   error 'order_overflow'            2^40 arrivals: reset the prefix
local user = ARGV[1]
local got = redis.call('HMGET', KEYS[3], 'u:' .. user, 'e:' .. user)
if got[1] then return {'in_conversation', got[1]} end
if got[2] then return {'already_waiting', got[2]} end

local order = redis.call('INCR', KEYS[1])
if order >= 1099511627776 then return redis.error_reply('order_overflow') end
-- Exact without string.format: order < 2^40 has at most 13 digits, which Lua's %.14g
-- keeps, and redis.call writes a number argument (the score, up to ~2^52) in full.
local body = ARGV[3]
local stored
if body == '{}' then
  stored = '{"order":' .. order .. '}'
else
  stored = '{"order":' .. order .. ',' .. string.sub(body, 2)
end
redis.call('ZADD', KEYS[2], -tonumber(ARGV[2]) * 1099511627776 + order, user)
redis.call('HSET', KEYS[3], 'e:' .. user, stored)
-- A Lua number reaches the client as an integer reply.
return {'ok', order}
