-- claim: takes a waiting user out of the queue and gives the conversation to the
-- advisor, in one step: the user must still wait, the advisor must be available
-- and below capacity. Atomic. Idempotent per conversation: running the same claim
-- again (a reply lost on a dropped connection, resent by the client) answers 'ok'.
--
-- KEYS[1] <p>:{rs}:waiting      zset  userId -> score
-- KEYS[2] <p>:{rs}:entries      hash  userId -> entry JSON
-- KEYS[3] <p>:{rs}:user-conv    hash  userId -> conversationId
-- KEYS[4] <p>:{rs}:held         hash  conversationId -> JSON {userId, advisorId}
-- KEYS[5] <p>:{rs}:adv:profile  hash  advisorId -> profile JSON (capacity read from it)
-- KEYS[6] <p>:{rs}:adv:status   hash  advisorId -> status
-- KEYS[7] <p>:{rs}:adv:idle     hash  advisorId -> idleSince
-- KEYS[8] <p>:{rs}:adv:convs    hash  advisorId -> JSON array of conversation ids
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
local held = redis.call('HGET', KEYS[4], ARGV[3])
if held then
  local h = cjson.decode(held)
  if h.userId == ARGV[1] and h.advisorId == ARGV[2] then return 'ok' end
  return 'conversation_exists'
end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 'user_gone' end
if redis.call('HGET', KEYS[6], ARGV[2]) ~= 'available' then return 'advisor_unavailable' end
local profile = redis.call('HGET', KEYS[5], ARGV[2])
if not profile then return 'advisor_unavailable' end
local capacity = tonumber(cjson.decode(profile).capacity) or 0
local conversations = cjson.decode(redis.call('HGET', KEYS[8], ARGV[2]) or '[]')
if #conversations >= capacity then return 'advisor_full' end

redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
table.insert(conversations, ARGV[3])
redis.call('HSET', KEYS[8], ARGV[2], cjson.encode(conversations))
redis.call('HSET', KEYS[7], ARGV[2], ARGV[4])
redis.call('HSET', KEYS[4], ARGV[3], cjson.encode({userId = ARGV[1], advisorId = ARGV[2]}))
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return 'ok'
