-- chat_append_batch (0004) also checks WHO writes: a message is stored only from the chat's user or the advisor it
-- names now. A node that missed a hand-over, a requeue or a release (its participant cache, server/conversation-cache.ts,
-- trusts events for up to a minute) still lets the advisor the chat left send; the row locked here is the latest, so it
-- decides. The refused item is answered r_status = 'not_participant' (server/chat-append-sql.ts), stores nothing and
-- takes no seq: the others of its conversation in the batch are numbered without it, gap-free. The cost on the hot
-- path is comparisons of each sender with the two ids, no extra read nor round trip; the renumbering (a count over
-- the items before it) runs only for a conversation that had one refused, the CASE not evaluating it otherwise.
-- A retry of a message stored while its sender took part is still answered as that message (nothing accepted is lost).
-- Same signature and answer columns as 0004, so the prepared call (chat_append_batch_v2) is unchanged.
CREATE OR REPLACE FUNCTION chat_append_batch(p_conversations text[], p_senders text[], p_roles text[], p_client_ids text[], p_texts text[])
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
    -- The row is locked: its status and participants are the latest and cannot change. A closed one keeps its last_seq.
    -- `accepted`: the items from its user or its advisor (array_positions of a NULL advisor finds nothing: a sender
    -- is never NULL); `last_seq` moves by them alone.
    UPDATE conversations c SET last_seq = c.last_seq + CASE WHEN c.status = 'open'
        THEN cardinality(array_positions(f.senders, c.user_id)) + cardinality(array_positions(f.senders, c.advisor_id)) ELSE 0 END
    FROM fresh f WHERE c.id = f.conversation_id
    RETURNING c.id, c.status, c.user_id, c.advisor_id, f.n,
      cardinality(array_positions(f.senders, c.user_id)) + cardinality(array_positions(f.senders, c.advisor_id)) AS accepted,
      c.last_seq AS top, f.senders, f.roles, f.client_msg_ids, f.texts
  ), inserted AS (
    -- seq = base + the item's rank among the accepted ones: its ordinal k when none was refused (the hot path).
    INSERT INTO messages (conversation_id, seq, sender_id, sender_role, client_msg_id, text, at)
    SELECT b.id, b.top - b.accepted + CASE WHEN b.accepted = b.n THEN u.k
        ELSE (SELECT count(*)::int FROM unnest(b.senders[1:u.k::int]) AS e(sender_id) WHERE e.sender_id = b.user_id OR e.sender_id = b.advisor_id) END,
      u.sender_id, u.sender_role, u.client_msg_id, u.text, clock_timestamp()
    FROM bumped b, unnest(b.senders, b.roles, b.client_msg_ids, b.texts) WITH ORDINALITY AS u(sender_id, sender_role, client_msg_id, text, k)
    WHERE b.status = 'open' AND (u.sender_id = b.user_id OR u.sender_id = b.advisor_id)
    RETURNING messages.conversation_id, messages.sender_id, messages.client_msg_id, messages.seq, messages.at
  )
  SELECT coalesce(s.seq, n.seq), s.sender_role, s.text, coalesce(s.at, n.at),
    -- Open, neither stored before nor now: its sender is not (or no longer) the chat's user or advisor.
    CASE WHEN s.seq IS NULL AND n.seq IS NULL AND l.status = 'open' THEN 'not_participant' ELSE l.status END
  FROM input i
  LEFT JOIN stored s ON s.ord = i.ord
  LEFT JOIN inserted n ON n.conversation_id = i.conversation_id AND n.sender_id = i.sender_id AND n.client_msg_id = i.client_msg_id
  LEFT JOIN locked l ON l.id = i.conversation_id
  ORDER BY i.ord;
END
$$;
