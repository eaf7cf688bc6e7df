-- snapshot: everything the matching policy needs, read in one atomic step.
-- Read-only.
--
-- KEYS[1] <p>:{rs}:waiting    zset  userId -> score (serving order: ascending)
-- KEYS[2] <p>:{rs}:users      hash  'e:'userId -> entry JSON
-- KEYS[3] <p>:{rs}:advisors   hash  advisorId':'<p|s|c|l|v|i> -> value (see claim.lua)
-- (no ARGV)
--
-- Returns
--   {entries, advisors}
--   entries: entry JSONs in serving order over all queues (priority desc, order asc);
--   advisors: the advisors hash as a flat HGETALL array {field, value, field, value, ...}
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local entries = {}
for i, id in ipairs(ids) do
  -- '' rather than false: a false would end the array early (never expected).
  entries[i] = redis.call('HGET', KEYS[2], 'e:' .. id) or ''
end
return {entries, redis.call('HGETALL', KEYS[3])}
