-- held: every held conversation with its advisor, its user and since when it is held,
-- for the periodic reconciliation with the database. Read-only; O(advisors + held).
--
-- KEYS[1] <p>:{rs}:users      hash  'k:'conversationId -> userId, 't:'conversationId -> since (ms)
-- KEYS[2] <p>:{rs}:advisors   hash  advisorId':v' JSON array of the conversation ids held
-- (no ARGV)
--
-- Returns
--   a flat array {conversationId, advisorId, userId, since, ...}; userId and since are ''
--   when missing (never expected: claim and restoreHeld write them with the seat)
local fields = redis.call('HGETALL', KEYS[2])
local out = {}
for i = 1, #fields, 2 do
  local field, value = fields[i], fields[i + 1]
  if string.sub(field, -2) == ':v' and value ~= '[]' then
    local adv = string.sub(field, 1, -3)
    for _, conv in ipairs(cjson.decode(value)) do
      local got = redis.call('HMGET', KEYS[1], 'k:' .. conv, 't:' .. conv)
      out[#out + 1] = conv
      out[#out + 1] = adv
      out[#out + 1] = got[1] or ''
      out[#out + 1] = got[2] or ''
    end
  end
end
return out
