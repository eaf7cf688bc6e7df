/**
 * The two reads every reconnect makes, as raw statements (like the append, no
 * drizzle query building): the person's open conversations (the `welcome`), and
 * what followed a cursor (resume, gap fill). A node restart sends thousands of
 * sockets to the others at once, each making both; built by drizzle, building
 * each query cost more CPU than PostgreSQL's index lookup behind it.
 */
import type { ConversationRecord, StoredMessage } from './chat-store.ts';
import type { SqlRunner, Statement } from './sql-runner.ts';

/** $1 participant id. Both indexes (user, advisor) serve it; oldest first. */
const OPEN_FOR: Statement = {
  name: 'chat_open_for_v1',
  text: `SELECT id, user_id, user_role, user_name, province, audience, topic, entry, context, advisor_id, advisor_name,
  status, outcome, rating, opened_at, closed_at, last_seq
FROM conversations WHERE status = 'open' AND (user_id = $1 OR advisor_id = $1)
ORDER BY opened_at, id`,
};

/** $1 conversation, $2 after this seq, $3 at most (null: all). */
const AFTER: Statement = {
  name: 'chat_messages_after_v1',
  text: `SELECT seq, sender_id, sender_role, client_msg_id, text, at FROM messages
WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
};

interface ConversationSqlRow {
  id: string;
  user_id: string;
  user_role: string;
  user_name: string | null;
  province: string;
  audience: string;
  topic: string;
  entry: string;
  context: Record<string, string>;
  advisor_id: string;
  advisor_name: string | null;
  status: string;
  outcome: string | null;
  rating: number | null;
  opened_at: Date;
  closed_at: Date | null;
  last_seq: number;
}

interface MessageSqlRow {
  seq: number;
  sender_id: string;
  sender_role: string;
  client_msg_id: string;
  text: string;
  at: Date;
}

export async function openConversationsFor(run: SqlRunner, participantId: string): Promise<ConversationRecord[]> {
  const rows = await run.rows<ConversationSqlRow>(OPEN_FOR, [participantId]);
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    userRole: r.user_role as ConversationRecord['userRole'],
    userName: r.user_name,
    province: r.province,
    audience: r.audience as ConversationRecord['audience'],
    topic: r.topic as ConversationRecord['topic'],
    entry: r.entry as ConversationRecord['entry'],
    context: r.context,
    advisorId: r.advisor_id,
    advisorName: r.advisor_name,
    status: r.status as ConversationRecord['status'],
    outcome: r.outcome,
    rating: r.rating,
    openedAt: r.opened_at,
    closedAt: r.closed_at,
    lastSeq: r.last_seq,
  }));
}

export async function messagesAfter(run: SqlRunner, conversationId: string, afterSeq: number, limit?: number): Promise<StoredMessage[]> {
  const rows = await run.rows<MessageSqlRow>(AFTER, [conversationId, afterSeq, limit ?? null]);
  return rows.map((r) => ({
    conversationId,
    seq: r.seq,
    senderId: r.sender_id,
    senderRole: r.sender_role,
    clientMsgId: r.client_msg_id,
    text: r.text,
    at: r.at,
  }));
}
