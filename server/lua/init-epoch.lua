-- initEpoch: sets the state's epoch unless one is set. A node remembers the epoch it
-- initialised or found; a snapshot with another one (or none) tells it the state was
-- lost and must be rebuilt (server/routing-recovery.ts). Atomic; safe to run twice.
--
-- KEYS[1] <p>:{rs}:epoch      string  the epoch, a random id
-- ARGV[1] candidate epoch
--
-- Returns
--   {'created', epoch}    this call set it
--   {'existing', epoch}   one was set already
local current = redis.call('GET', KEYS[1])
if current then return {'existing', current} end
redis.call('SET', KEYS[1], ARGV[1])
return {'created', ARGV[1]}
