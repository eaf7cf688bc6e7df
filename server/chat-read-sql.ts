/**
 * The two reads every reconnect makes, as raw statements (like the append, no
 * drizzle query building): the person's open conversations (the `welcome`), and
 * what followed a cursor (resume, gap fill). A node restart sends thousands of
 * sockets to the others at once, each making both; built by drizzle, building
 * each query cost more CPU than PostgreSQL's index lookup behind it.
 *
 * Each read also has a form for many at once (`…Many`, one statement over arrays
 * with `unnest`), which the store uses when reads pile up behind one another (see
 * chat-store-sql.ts): in a reconnect storm, sending and answering one statement
 * per socket (a `writev` and a parse each, ~130 µs of the node's CPU) was a
 * quarter of the node's time.
 */
import type { ConversationRecord, StoredMessage } from './chat-store.ts';
import type { SqlRunner, Statement } from './sql-runner.ts';

/** $1 participant id. Both indexes (user, advisor) serve it; oldest first. */
const OPEN_FOR: Statement = {
  name: 'chat_open_for_v2',
  text: `SELECT id, user_id, user_role, user_name, province, audience, topic, entry, context, advisor_id, advisor_name, assigned_at,
  status, outcome, rating, opened_at, closed_at, last_seq, user_read_seq, advisor_read_seq
FROM conversations WHERE status = 'open' AND (user_id = $1 OR advisor_id = $1)
ORDER BY opened_at, id`,
};

/** $1 conversation, $2 after this seq, $3 at most (null: all). */
const AFTER: Statement = {
  name: 'chat_messages_after_v1',
  text: `SELECT seq, sender_id, sender_role, client_msg_id, text, at FROM messages
WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
};

/** $1 participant ids (distinct). Each arm uses its participant's index; `for_id` says whose row it is. */
const OPEN_FOR_MANY: Statement = {
  name: 'chat_open_for_many_v2',
  text: `SELECT p.pid AS for_id, c.id, c.user_id, c.user_role, c.user_name, c.province, c.audience, c.topic, c.entry, c.context,
  c.advisor_id, c.advisor_name, c.assigned_at, c.status, c.outcome, c.rating, c.opened_at, c.closed_at, c.last_seq, c.user_read_seq, c.advisor_read_seq
FROM unnest($1::text[]) AS p(pid) JOIN conversations c ON c.user_id = p.pid WHERE c.status = 'open'
UNION ALL
SELECT p.pid AS for_id, c.id, c.user_id, c.user_role, c.user_name, c.province, c.audience, c.topic, c.entry, c.context,
  c.advisor_id, c.advisor_name, c.assigned_at, c.status, c.outcome, c.rating, c.opened_at, c.closed_at, c.last_seq, c.user_read_seq, c.advisor_read_seq
FROM unnest($1::text[]) AS p(pid) JOIN conversations c ON c.advisor_id = p.pid WHERE c.status = 'open'`,
};

/** $1 conversations, $2 after seqs, $3 limits (null: all), aligned; `i` is the 1-based position of the request. */
const AFTER_MANY: Statement = {
  name: 'chat_messages_after_many_v1',
  text: `SELECT q.i::int AS i, m.seq, m.sender_id, m.sender_role, m.client_msg_id, m.text, m.at
FROM unnest($1::text[], $2::int[], $3::int[]) WITH ORDINALITY AS q(conv, after_seq, lim, i)
CROSS JOIN LATERAL (SELECT seq, sender_id, sender_role, client_msg_id, text, at FROM messages
  WHERE conversation_id = q.conv AND seq > q.after_seq ORDER BY seq LIMIT q.lim) m
ORDER BY q.i, m.seq`,
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
  assigned_at: Date | null;
  status: string;
  outcome: string | null;
  rating: number | null;
  opened_at: Date;
  closed_at: Date | null;
  last_seq: number;
  user_read_seq: number;
  advisor_read_seq: number;
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
  return rows.map(conversationOf);
}

/** `openConversationsFor` of each id, in one statement; answers aligned with `ids`. */
export async function openConversationsForMany(run: SqlRunner, ids: string[]): Promise<ConversationRecord[][]> {
  if (ids.length === 1) return [await openConversationsFor(run, ids[0]!)];
  const distinct = [...new Set(ids)];
  const rows = await run.rows<ConversationSqlRow & { for_id: string }>(OPEN_FOR_MANY, [distinct]);
  const byId = new Map<string, Map<string, ConversationRecord>>(distinct.map((id) => [id, new Map()]));
  // A person on both sides of one conversation would come from both arms: once is enough.
  for (const r of rows) byId.get(r.for_id)?.set(r.id, conversationOf(r));
  const ordered = new Map([...byId].map(([id, convs]) => [id, [...convs.values()].sort(byOpening)]));
  return ids.map((id) => ordered.get(id)!);
}

/** Oldest first, as OPEN_FOR orders them. */
function byOpening(a: ConversationRecord, b: ConversationRecord): number {
  return a.openedAt.getTime() - b.openedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function conversationOf(r: ConversationSqlRow): ConversationRecord {
  return {
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
    assignedAt: r.assigned_at,
    status: r.status as ConversationRecord['status'],
    outcome: r.outcome,
    rating: r.rating,
    openedAt: r.opened_at,
    closedAt: r.closed_at,
    lastSeq: r.last_seq,
    userReadSeq: r.user_read_seq,
    advisorReadSeq: r.advisor_read_seq,
  };
}

export async function messagesAfter(run: SqlRunner, conversationId: string, afterSeq: number, limit?: number): Promise<StoredMessage[]> {
  const rows = await run.rows<MessageSqlRow>(AFTER, [conversationId, afterSeq, limit ?? null]);
  return rows.map((r) => messageOf(conversationId, r));
}

export interface AfterRequest {
  conversationId: string;
  afterSeq: number;
  limit?: number;
}

/** `messagesAfter` of each request, in one statement; answers aligned with `requests`. */
export async function messagesAfterMany(run: SqlRunner, requests: AfterRequest[]): Promise<StoredMessage[][]> {
  if (requests.length === 1) {
    const r = requests[0]!;
    return [await messagesAfter(run, r.conversationId, r.afterSeq, r.limit)];
  }
  const rows = await run.rows<MessageSqlRow & { i: number }>(AFTER_MANY, [
    requests.map((r) => r.conversationId),
    requests.map((r) => r.afterSeq),
    requests.map((r) => r.limit ?? null),
  ]);
  const answers: StoredMessage[][] = requests.map(() => []);
  for (const r of rows) answers[r.i - 1]!.push(messageOf(requests[r.i - 1]!.conversationId, r));
  return answers;
}

function messageOf(conversationId: string, r: MessageSqlRow): StoredMessage {
  return {
    conversationId,
    seq: r.seq,
    senderId: r.sender_id,
    senderRole: r.sender_role,
    clientMsgId: r.client_msg_id,
    text: r.text,
    at: r.at,
  };
}
