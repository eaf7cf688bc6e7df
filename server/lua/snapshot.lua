-- snapshot: everything the matching policy needs, read in one atomic step.
-- Read-only.
--
-- KEYS[1] <p>:{rs}:waiting      zset  userId -> score (serving order: ascending)
-- KEYS[2] <p>:{rs}:entries      hash  userId -> entry JSON
-- KEYS[3] <p>:{rs}:adv:profile  hash  advisorId -> profile JSON
-- KEYS[4] <p>:{rs}:adv:status   hash  advisorId -> status
-- KEYS[5] <p>:{rs}:adv:idle     hash  advisorId -> idleSince
-- KEYS[6] <p>:{rs}:adv:convs    hash  advisorId -> JSON array of conversation ids
-- (no ARGV)
--
-- Returns
--   {entries, profiles, statuses, idles, conversations}
--   entries: entry JSONs in serving order over all queues (priority desc, order asc);
--   the others: flat HGETALL arrays {advisorId, value, advisorId, value, ...}
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local entries = {}
for i, id in ipairs(ids) do
  -- '' rather than false: a false would end the array early (never expected).
  entries[i] = redis.call('HGET', KEYS[2], id) or ''
end
return {
  entries,
  redis.call('HGETALL', KEYS[3]),
  redis.call('HGETALL', KEYS[4]),
  redis.call('HGETALL', KEYS[5]),
  redis.call('HGETALL', KEYS[6]),
}
