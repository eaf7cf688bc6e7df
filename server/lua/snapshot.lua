-- snapshot: everything the matching policy needs, read in one atomic step.
-- Read-only.
--
-- KEYS[1] <p>:{rs}:waiting    zset  userId -> score (serving order: ascending)
-- KEYS[2] <p>:{rs}:users      hash  'e:'userId -> entry JSON
-- KEYS[3] <p>:{rs}:advisors   hash  advisorId':'<p|s|c|l|v|i> -> value (see claim.lua)
-- KEYS[4] <p>:{rs}:epoch      string  the state's epoch (init-epoch.lua)
-- (no ARGV)
--
-- Returns
--   {entries, advisors, epoch}
--   entries: entry JSONs in serving order over all queues (priority desc, order asc);
--   advisors: the advisors hash as a flat HGETALL array {field, value, field, value, ...}
--   epoch: the epoch, '' when none is set (the state was lost or never initialised): read
--   here so that checking for a lost state costs no round trip of its own
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local entries = {}
for i, id in ipairs(ids) do
  -- '' rather than false: a false would end the array early (never expected).
  entries[i] = redis.call('HGET', KEYS[2], 'e:' .. id) or ''
end
return {entries, redis.call('HGETALL', KEYS[3]), redis.call('GET', KEYS[4]) or ''}
