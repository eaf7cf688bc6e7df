-- setAdvisorStatus: changes a known advisor's status. Becoming available after
-- being away or offline resets idleSince to now; staying available does not.
-- Atomic; safe to run twice.
--
-- KEYS[1] <p>:{rs}:advisors  hash  advisorId':p' profile JSON, ':s' status, ':i' idleSince,
--                                  ':v' JSON array of conversation ids
-- ARGV[1] advisorId
-- ARGV[2] status: 'available' | 'away' | 'offline'
-- ARGV[3] now (ms)
--
-- Returns
--   {'ok', profileJson, status, idleSince, conversationsJson}
--   {'unknown_advisor'}
local adv = ARGV[1]
local a = redis.call('HMGET', KEYS[1], adv .. ':p', adv .. ':s', adv .. ':i', adv .. ':v')
if not a[1] then return {'unknown_advisor'} end
local idle = a[3]
if a[2] ~= 'available' and ARGV[2] == 'available' then
  idle = ARGV[3]
  redis.call('HSET', KEYS[1], adv .. ':s', ARGV[2], adv .. ':i', idle)
else
  redis.call('HSET', KEYS[1], adv .. ':s', ARGV[2])
end
return {'ok', a[1], ARGV[2], idle, a[4] or '[]'}
