-- upsertAdvisor: registers an advisor or updates their profile and status, keeping
-- the conversations they hold and their idleSince (set to now only when new).
-- Atomic; safe to run twice.
--
-- KEYS[1] <p>:{rs}:adv:profile  hash  advisorId -> profile JSON {id, name, capacity, skills}
-- KEYS[2] <p>:{rs}:adv:status   hash  advisorId -> 'available' | 'away' | 'offline'
-- KEYS[3] <p>:{rs}:adv:idle     hash  advisorId -> idleSince (ms, as given)
-- KEYS[4] <p>:{rs}:adv:convs    hash  advisorId -> JSON array of conversation ids
-- ARGV[1] advisorId
-- ARGV[2] profile JSON
-- ARGV[3] status
-- ARGV[4] now (ms)
--
-- Returns
--   {'ok', profileJson, status, idleSince, conversationsJson}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[4])
redis.call('HSETNX', KEYS[4], ARGV[1], '[]')
return {'ok', ARGV[2], ARGV[3], redis.call('HGET', KEYS[3], ARGV[1]), redis.call('HGET', KEYS[4], ARGV[1])}
