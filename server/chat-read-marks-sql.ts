/**
 * Read positions ("Letto"), kept on the conversation (`user_read_seq`, `advisor_read_seq`).
 *
 * A mark follows nearly every message seen, so on a busy afternoon there are about as
 * many as messages. They are coalesced like the reads (chat-store-sql.ts): one goes at
 * once when none is in flight, and those that pile up meanwhile go as one statement over
 * arrays, instead of one UPDATE each queueing on the conversation's row lock behind its
 * message batches. Marks of one conversation never sit in two statements in flight, and
 * within a statement only the highest mark per side counts.
 *
 * Forward only, within the messages that exist, on open chats; the columns are in no
 * index (HOT updates).
 */
import type { ReadingSide } from './chat-store.ts';
import type { SqlRunner, Statement } from './sql-runner.ts';

export interface ReadMark {
  conversationId: string;
  side: ReadingSide;
  seq: number;
}

/**
 * $1 conversations, $2 sides, $3 seqs, aligned. The rows are locked first, in id order, as the
 * message batches lock them (migration 0004, `chat_append_batch`): a statement over many
 * conversations that locked them in another order could deadlock with a batch, and the one
 * PostgreSQL aborts might be the batch of messages. The lock also reads each position as it
 * is, so a returned row says, per side, whether this statement moved it. Marks past a chat's
 * last message are dropped before the highest is taken: one bad mark must not hide the good
 * ones sent with it.
 */
const MARK_READ_MANY: Statement = {
  name: 'chat_mark_read_many_v1',
  text: `WITH r AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) AS r(conv, side, seq)
), l AS (
  SELECT c.id, c.user_read_seq AS u0, c.advisor_read_seq AS a0, c.last_seq FROM conversations c
  WHERE c.id IN (SELECT conv FROM r) AND c.status = 'open' ORDER BY c.id FOR NO KEY UPDATE
), m AS (
  SELECT l.id, max(r.seq) FILTER (WHERE r.side = 'user') AS u, max(r.seq) FILTER (WHERE r.side = 'advisor') AS a,
    min(l.u0) AS u0, min(l.a0) AS a0
  FROM l JOIN r ON r.conv = l.id AND r.seq <= l.last_seq GROUP BY l.id
)
UPDATE conversations c SET
  user_read_seq = CASE WHEN m.u > m.u0 THEN m.u ELSE c.user_read_seq END,
  advisor_read_seq = CASE WHEN m.a > m.a0 THEN m.a ELSE c.advisor_read_seq END
FROM m WHERE c.id = m.id AND (m.u > m.u0 OR m.a > m.a0)
RETURNING c.id, coalesce(m.u > m.u0, false) AS moved_user, coalesce(m.a > m.a0, false) AS moved_advisor, m.u, m.a`,
};

interface MovedRow {
  id: string;
  moved_user: boolean;
  moved_advisor: boolean;
  u: number | null;
  a: number | null;
}

/**
 * Keeps the marks; per mark, true when its side's position is now that mark (this
 * statement moved the conversation): an older or repeated mark, one past the last
 * message, or one on a closed or unknown chat is false.
 */
export async function markReadMany(run: SqlRunner, marks: readonly ReadMark[]): Promise<boolean[]> {
  const rows = await run.rows<MovedRow>(MARK_READ_MANY, [marks.map((m) => m.conversationId), marks.map((m) => m.side), marks.map((m) => m.seq)]);
  const moved = new Map<string, number>();
  for (const r of rows) {
    if (r.moved_user) moved.set(`user:${r.id}`, Number(r.u));
    if (r.moved_advisor) moved.set(`advisor:${r.id}`, Number(r.a));
  }
  // The first mark of the seq its side moved to is the one that moved it; a repeat of it did not.
  return marks.map((m) => {
    const key = `${m.side}:${m.conversationId}`;
    if (moved.get(key) !== m.seq) return false;
    moved.delete(key);
    return true;
  });
}
