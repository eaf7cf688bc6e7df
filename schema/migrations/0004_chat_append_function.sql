-- chat_append_batch: a whole group-commit batch of messages in one call, the hot
-- path of every `message.send` (server/chat-append-sql.ts says what each step
-- guarantees). A function, not a statement sent as text, for its plan:
--   * plan_cache_mode = force_generic_plan: the plan is made once per connection
--     and reused. Sent as text, the statement was planned at every call, and
--     planning cost more than executing a small batch (PostgreSQL CPU per call,
--     measured: 1 message 570 -> 300 us, 8 messages 670 -> 430 us).
--   * enable_seqscan = off: a generic plan made while a table is small must not
--     keep a sequential scan of `messages` or `conversations` once they grow
--     (every lookup here has its index; nothing here wants a scan).
-- The OUT columns are prefixed (r_) so that no name in the body is ambiguous.
CREATE FUNCTION chat_append_batch(p_conversations text[], p_senders text[], p_roles text[], p_client_ids text[], p_texts text[])
RETURNS TABLE (r_seq integer, r_sender_role text, r_text text, r_at timestamptz, r_status text)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
BEGIN
  RETURN QUERY
  WITH input AS (
    SELECT * FROM unnest(p_conversations, p_senders, p_roles, p_client_ids, p_texts)
      WITH ORDINALITY AS i(conversation_id, sender_id, sender_role, client_msg_id, text, ord)
  ), locked AS (
    -- Every conversation of the batch, locked in id order (one order: no deadlock between batches).
    SELECT c.id, c.status FROM conversations c WHERE c.id = ANY(p_conversations) ORDER BY c.id FOR NO KEY UPDATE
  ), stored AS (
    SELECT i.ord, m.seq, m.sender_role, m.text, m.at FROM input i CROSS JOIN LATERAL (
      SELECT m.seq, m.sender_role, m.text, m.at FROM messages m
      WHERE m.conversation_id = i.conversation_id AND m.sender_id = i.sender_id AND m.client_msg_id = i.client_msg_id LIMIT 1) m
  ), fresh AS (
    -- `(SELECT count(*) FROM locked) >= 0` is always true: it makes the locks come first.
    SELECT i.conversation_id, count(*)::int AS n, array_agg(i.sender_id ORDER BY i.ord) AS senders,
      array_agg(i.sender_role ORDER BY i.ord) AS roles, array_agg(i.client_msg_id ORDER BY i.ord) AS client_msg_ids,
      array_agg(i.text ORDER BY i.ord) AS texts
    FROM input i
    WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.ord = i.ord) AND (SELECT count(*) FROM locked) >= 0
    GROUP BY i.conversation_id
  ), bumped AS (
    -- The row is locked: its status is the latest and cannot change. A closed one keeps its last_seq.
    UPDATE conversations c SET last_seq = c.last_seq + CASE WHEN c.status = 'open' THEN f.n ELSE 0 END
    FROM fresh f WHERE c.id = f.conversation_id
    RETURNING c.id, c.status, c.last_seq - f.n AS base, f.senders, f.roles, f.client_msg_ids, f.texts
  ), inserted AS (
    INSERT INTO messages (conversation_id, seq, sender_id, sender_role, client_msg_id, text, at)
    SELECT b.id, b.base + u.k, u.sender_id, u.sender_role, u.client_msg_id, u.text, clock_timestamp()
    FROM bumped b, unnest(b.senders, b.roles, b.client_msg_ids, b.texts) WITH ORDINALITY AS u(sender_id, sender_role, client_msg_id, text, k)
    WHERE b.status = 'open'
    RETURNING messages.conversation_id, messages.sender_id, messages.client_msg_id, messages.seq, messages.at
  )
  SELECT coalesce(s.seq, n.seq), s.sender_role, s.text, coalesce(s.at, n.at), l.status
  FROM input i
  LEFT JOIN stored s ON s.ord = i.ord
  LEFT JOIN inserted n ON n.conversation_id = i.conversation_id AND n.sender_id = i.sender_id AND n.client_msg_id = i.client_msg_id
  LEFT JOIN locked l ON l.id = i.conversation_id
  ORDER BY i.ord;
END
$$;
