/**
 * ChatStore on SQL (PostgreSQL or PGlite through drizzle).
 *
 * Sequence numbers: `conversations.last_seq` is the per-conversation counter.
 * An append bumps it with `UPDATE … WHERE status = 'open' RETURNING last_seq`
 * and inserts the message in the same transaction; the row lock taken by the
 * UPDATE serialises writers to one conversation (across nodes too), and a
 * rolled-back append gives its number back, so seqs have no gaps.
 */
import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import { conversations, messages, type ConversationRow } from '../schema/tables.ts';
import type {
  ChatStore,
  CloseInput,
  ConversationRecord,
  NewConversation,
  NewMessage,
  StoredMessage,
} from './chat-store.ts';
import { type Db, sqlState } from './db.ts';
import { AppError } from './errors.ts';

/** Thrown inside the append transaction when a concurrent duplicate won the race. */
class ConcurrentDuplicate extends Error {}

export function createSqlChatStore(db: Db): ChatStore {
  return {
    createConversation: (input) => createConversation(db, input),
    getConversation: (id) => getConversation(db, id),
    appendMessage: (input) => guardStore(() => appendMessage(db, input)),
    messagesAfter: (conversationId, afterSeq, limit) => messagesAfter(db, conversationId, afterSeq, limit),
    closeConversation: (id, input) => closeConversation(db, id, input),
    reassignConversation: (id, advisorId, advisorName) => reassignConversation(db, id, advisorId, advisorName),
    openConversationsFor: (participantId) => openConversationsFor(db, participantId),
  };
}

function toRecord(row: ConversationRow): ConversationRecord {
  const { closedBy: _closedBy, ...record } = row;
  return record;
}

async function createConversation(db: Db, input: NewConversation): Promise<ConversationRecord> {
  const [row] = await db.insert(conversations).values({ ...input, status: 'open', lastSeq: 0 }).returning();
  if (!row) throw new AppError('internal');
  return toRecord(row);
}

async function getConversation(db: Db, id: string): Promise<ConversationRecord | null> {
  const [row] = await db.select().from(conversations).where(eq(conversations.id, id)).limit(1);
  return row ? toRecord(row) : null;
}

async function findByClientMsgId(db: Db, input: NewMessage): Promise<StoredMessage | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, input.conversationId),
        eq(messages.senderId, input.senderId),
        eq(messages.clientMsgId, input.clientMsgId),
      ),
    )
    .limit(1);
  return row;
}

async function appendMessage(db: Db, input: NewMessage): Promise<{ message: StoredMessage; duplicate: boolean }> {
  const existing = await findByClientMsgId(db, input);
  if (existing) return { message: existing, duplicate: true };
  let stored: StoredMessage | null;
  try {
    stored = await insertNextSeq(db, input);
  } catch (err) {
    if (!(err instanceof ConcurrentDuplicate) && sqlState(err) !== '23505') throw err;
    const winner = await findByClientMsgId(db, input);
    if (!winner) throw err;
    return { message: winner, duplicate: true };
  }
  if (!stored) throw await whyNotOpen(db, input.conversationId);
  return { message: stored, duplicate: false };
}

/** Bumps last_seq and inserts in one transaction; null when the conversation is not open. */
function insertNextSeq(db: Db, input: NewMessage): Promise<StoredMessage | null> {
  return db.transaction(async (tx) => {
    const [bumped] = await tx
      .update(conversations)
      .set({ lastSeq: sql`${conversations.lastSeq} + 1` })
      .where(and(eq(conversations.id, input.conversationId), eq(conversations.status, 'open')))
      .returning({ seq: conversations.lastSeq });
    if (!bumped) return null;
    const [row] = await tx
      .insert(messages)
      .values({ ...input, seq: bumped.seq, at: sql`clock_timestamp()` })
      .onConflictDoNothing({ target: [messages.conversationId, messages.senderId, messages.clientMsgId] })
      .returning();
    if (!row) throw new ConcurrentDuplicate(); // rolls the bump back
    return row;
  });
}

async function whyNotOpen(db: Db, id: string): Promise<AppError> {
  const conversation = await getConversation(db, id);
  return new AppError(conversation ? 'conversation_closed' : 'not_found');
}

async function messagesAfter(db: Db, conversationId: string, afterSeq: number, limit?: number): Promise<StoredMessage[]> {
  const query = db
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), gt(messages.seq, afterSeq)))
    .orderBy(asc(messages.seq));
  return limit === undefined ? query : query.limit(limit);
}

async function closeConversation(db: Db, id: string, input: CloseInput): Promise<ConversationRecord> {
  const [row] = await db
    .update(conversations)
    .set({ status: 'closed', outcome: input.outcome, rating: input.rating, closedBy: input.closedBy, closedAt: input.at })
    .where(and(eq(conversations.id, id), eq(conversations.status, 'open')))
    .returning();
  if (row) return toRecord(row);
  const current = await getConversation(db, id);
  if (!current) throw new AppError('not_found');
  return current;
}

async function reassignConversation(
  db: Db,
  id: string,
  advisorId: string,
  advisorName: string | null,
): Promise<ConversationRecord> {
  const [row] = await db
    .update(conversations)
    .set({ advisorId, advisorName })
    .where(and(eq(conversations.id, id), eq(conversations.status, 'open')))
    .returning();
  if (!row) throw await whyNotOpen(db, id);
  return toRecord(row);
}

async function openConversationsFor(db: Db, participantId: string): Promise<ConversationRecord[]> {
  const rows = await db
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.status, 'open'),
        or(eq(conversations.userId, participantId), eq(conversations.advisorId, participantId)),
      ),
    )
    .orderBy(asc(conversations.openedAt), asc(conversations.id));
  return rows.map(toRecord);
}

/**
 * Connection-level failures (server gone, timeouts, overload, serialisation)
 * become `store_unavailable`: the message was not acknowledged, and a retry
 * with the same clientMsgId is safe. Other errors pass through unchanged.
 */
async function guardStore<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AppError || !isUnavailable(err)) throw err;
    const wrapped = new AppError('store_unavailable');
    wrapped.cause = err;
    throw wrapped;
  }
}

function isUnavailable(err: unknown): boolean {
  if (err instanceof TypeError || err instanceof RangeError) return false; // bugs, not outages
  const state = sqlState(err);
  if (state === undefined) return true; // socket errors, pool timeouts, closed client
  return /^(08|40|53|57)/.test(state);
}
