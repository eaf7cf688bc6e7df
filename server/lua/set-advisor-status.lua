-- setAdvisorStatus: changes a known advisor's status. Becoming available after
-- being away or offline resets idleSince to now; staying available does not.
-- Atomic; safe to run twice.
--
-- KEYS[1] <p>:{rs}:adv:profile  hash  advisorId -> profile JSON
-- KEYS[2] <p>:{rs}:adv:status   hash  advisorId -> status
-- KEYS[3] <p>:{rs}:adv:idle     hash  advisorId -> idleSince
-- KEYS[4] <p>:{rs}:adv:convs    hash  advisorId -> JSON array of conversation ids
-- ARGV[1] advisorId
-- ARGV[2] status: 'available' | 'away' | 'offline'
-- ARGV[3] now (ms)
--
-- Returns
--   {'ok', profileJson, status, idleSince, conversationsJson}
--   {'unknown_advisor'}
local profile = redis.call('HGET', KEYS[1], ARGV[1])
if not profile then return {'unknown_advisor'} end
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current ~= 'available' and ARGV[2] == 'available' then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return {'ok', profile, ARGV[2], redis.call('HGET', KEYS[3], ARGV[1]), redis.call('HGET', KEYS[4], ARGV[1]) or '[]'}
