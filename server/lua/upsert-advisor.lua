-- upsertAdvisor: registers an advisor or updates their profile and status, keeping
-- the conversations they hold and their idleSince (set to now only when new).
-- Atomic; safe to run twice.
--
-- KEYS[1] <p>:{rs}:advisors  hash  advisorId':p' profile JSON {id, name, capacity, skills},
--                                  ':s' 'available' | 'away' | 'offline', ':c' capacity,
--                                  ':l' load, ':v' JSON array of conversation ids,
--                                  ':i' idleSince (ms, as given)
-- ARGV[1] advisorId
-- ARGV[2] profile JSON
-- ARGV[3] status
-- ARGV[4] now (ms)
-- ARGV[5] capacity (the profile's, a finite number: claim reads it without decoding the profile)
--
-- Returns
--   {'ok', profileJson, status, idleSince, conversationsJson}
local adv = ARGV[1]
redis.call('HSET', KEYS[1], adv .. ':p', ARGV[2], adv .. ':s', ARGV[3], adv .. ':c', ARGV[5])
redis.call('HSETNX', KEYS[1], adv .. ':i', ARGV[4])
if redis.call('HSETNX', KEYS[1], adv .. ':v', '[]') == 1 then redis.call('HSET', KEYS[1], adv .. ':l', 0) end
local got = redis.call('HMGET', KEYS[1], adv .. ':i', adv .. ':v')
return {'ok', ARGV[2], ARGV[3], got[1], got[2]}
