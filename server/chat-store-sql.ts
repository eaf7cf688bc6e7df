/**
 * ChatStore on SQL (PostgreSQL or PGlite through drizzle).
 *
 * Sequence numbers: `conversations.last_seq` is the per-conversation counter.
 * An append bumps it and inserts the message in the same transaction; the row
 * lock on the conversation serialises writers to one conversation (across nodes
 * too), and a rolled-back append gives its numbers back, so seqs have no gaps.
 *
 * Appends are group-committed by default (server/group-commit.ts, docs/delivery.md):
 * concurrent appends share one transaction —
 *   1. `SELECT … FOR NO KEY UPDATE` the batch's conversations in id order (the
 *      same lock an UPDATE takes, always taken in one order: two batches, on one
 *      node or two, never deadlock), which also says which are open;
 *   2. one `SELECT` of the batch's (conversation, sender, clientMsgId) keys
 *      already stored — exact, because every writer holds the conversation lock
 *      before it inserts, and this statement's snapshot starts after ours was granted;
 *   3. one `UPDATE conversations … FROM unnest(…)` bumping `last_seq` by each
 *      conversation's count of new messages, returning the new tops: the batch's
 *      range per conversation is (top − n, top];
 *   4. one multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING`, seqs given
 *      in arrival order.
 * Per item: a stored key (or one earlier in the batch) is a duplicate with the
 * original seq; a closed / unknown conversation is refused for that item alone.
 * A failed transaction fails every item of the batch (nothing acknowledged).
 * `groupCommit: false` gives the one-row-per-transaction path (the baseline).
 */
import { and, asc, eq, gt, or, sql, type SQL } from 'drizzle-orm';
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
import { GroupCommit, GroupCommitOverloaded, type GroupCommitOptions, type GroupCommitStats, type Outcome } from './group-commit.ts';

export interface SqlChatStoreOptions {
  /** Group commit of appends (default on, 256 rows, no linger); `false`: one transaction per append. */
  groupCommit?: Partial<GroupCommitOptions> | false;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { maxRows: 256, maxWaitMs: 0 };

export type SqlChatStore = ChatStore & {
  /** Batches and rows written so far by group commit (null without it). */
  groupCommitStats(): GroupCommitStats | null;
};

type AppendResult = { message: StoredMessage; duplicate: boolean };

/** Thrown inside the append transaction when a concurrent duplicate won the race. */
class ConcurrentDuplicate extends Error {}
/** A batch found the database other than its locks promised: rolled back, its items are then written one by one. */
class BatchInconsistent extends Error {}

export function createSqlChatStore(db: Db, options: SqlChatStoreOptions = {}): SqlChatStore {
  const batcher =
    options.groupCommit === false
      ? null
      : new GroupCommit<NewMessage, AppendResult>((batch) => appendBatch(db, batch), { ...DEFAULT_GROUP_COMMIT, ...options.groupCommit });
  // Every method: an outage becomes AppError('store_unavailable'), so callers answer with a clear error.
  return {
    createConversation: (input) => guardStore(() => createConversation(db, input)),
    getConversation: (id) => guardStore(() => getConversation(db, id)),
    appendMessage: batcher
      ? (input) => guardStore(() => batcher.submit(input))
      : (input) => guardStore(() => appendMessage(db, input)),
    messagesAfter: (conversationId, afterSeq, limit) => guardStore(() => messagesAfter(db, conversationId, afterSeq, limit)),
    closeConversation: (id, input) => guardStore(() => closeConversation(db, id, input)),
    reassignConversation: (id, advisorId, advisorName) => guardStore(() => reassignConversation(db, id, advisorId, advisorName)),
    openConversationsFor: (participantId) => guardStore(() => openConversationsFor(db, participantId)),
    groupCommitStats: () => batcher?.stats() ?? null,
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

const keyOf = (m: { conversationId: string; senderId: string; clientMsgId: string }) =>
  `${m.conversationId}\u0000${m.senderId}\u0000${m.clientMsgId}`;

/** A text[] / int[] parameter (drizzle would otherwise expand a JS array into a list). */
const array = (values: readonly (string | number)[], type: 'text' | 'int') =>
  type === 'text' ? sql`${sql.param(values)}::text[]` : sql`${sql.param(values)}::int[]`;

async function rowsOf<T>(tx: Pick<Db, 'execute'>, query: SQL): Promise<T[]> {
  return ((await tx.execute(query)) as unknown as { rows: T[] }).rows;
}

/** What one batch item turned out to be, before the rows are written. */
type Plan =
  | { kind: 'stored'; message: StoredMessage }
  | { kind: 'refused'; error: AppError }
  | { kind: 'new'; index: number; k: number }
  | { kind: 'same-as'; index: number };

/**
 * One transaction for a whole batch (see the header). Resolves with one outcome
 * per item, in order; rejects when the transaction failed, and then nothing of
 * the batch is stored. When it fails for a reason that is not an outage (a bad
 * row, a bug) and holds several items, each item is retried on its own so one
 * poisonous message cannot refuse the others.
 */
async function appendBatch(db: Db, batch: NewMessage[]): Promise<Outcome<AppendResult>[]> {
  try {
    return await db.transaction((tx) => writeBatch(tx as unknown as Db, batch));
  } catch (err) {
    const oneByOne = err instanceof ConcurrentDuplicate || err instanceof BatchInconsistent;
    if (!oneByOne && (batch.length === 1 || isUnavailable(err))) throw err;
    const outcomes: Outcome<AppendResult>[] = [];
    for (const input of batch) {
      try {
        outcomes.push({ ok: true, value: await appendMessage(db, input) });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }
}

async function writeBatch(tx: Db, batch: NewMessage[]): Promise<Outcome<AppendResult>[]> {
  const ids = [...new Set(batch.map((m) => m.conversationId))];
  const locked = await rowsOf<{ id: string; status: string }>(
    tx,
    sql`SELECT id, status FROM conversations WHERE id = ANY(${array(ids, 'text')}) ORDER BY id FOR NO KEY UPDATE`,
  );
  const status = new Map(locked.map((r) => [r.id, r.status]));
  const stored = await tx
    .select()
    .from(messages)
    .where(
      sql`(${messages.conversationId}, ${messages.senderId}, ${messages.clientMsgId}) IN (SELECT * FROM unnest(${array(
        batch.map((m) => m.conversationId),
        'text',
      )}, ${array(batch.map((m) => m.senderId), 'text')}, ${array(batch.map((m) => m.clientMsgId), 'text')}))`,
    );
  const storedByKey = new Map(stored.map((m) => [keyOf(m), m]));

  const firstByKey = new Map<string, number>();
  const counts = new Map<string, number>();
  const plans: Plan[] = batch.map((input, index) => {
    const key = keyOf(input);
    const existing = storedByKey.get(key);
    if (existing) return { kind: 'stored', message: existing };
    const state = status.get(input.conversationId);
    if (state !== 'open') return { kind: 'refused', error: new AppError(state ? 'conversation_closed' : 'not_found') };
    const first = firstByKey.get(key);
    if (first !== undefined) return { kind: 'same-as', index: first };
    firstByKey.set(key, index);
    const k = (counts.get(input.conversationId) ?? 0) + 1;
    counts.set(input.conversationId, k);
    return { kind: 'new', index, k };
  });

  const fresh = plans.flatMap((p) => (p.kind === 'new' ? [p] : []));
  const inserted = new Map<number, StoredMessage>();
  if (fresh.length > 0) {
    const bumpIds = [...counts.keys()];
    const tops = await rowsOf<{ id: string; last_seq: number }>(
      tx,
      sql`UPDATE conversations AS c SET last_seq = c.last_seq + v.n
          FROM unnest(${array(bumpIds, 'text')}, ${array(bumpIds.map((id) => counts.get(id)!), 'int')}) AS v(id, n)
          WHERE c.id = v.id RETURNING c.id, c.last_seq`,
    );
    const base = new Map(tops.map((t) => [t.id, Number(t.last_seq) - counts.get(t.id)!]));
    if (base.size !== bumpIds.length) throw new BatchInconsistent('a locked conversation was not bumped');
    const rows = fresh.map((p) => ({ ...batch[p.index]!, seq: base.get(batch[p.index]!.conversationId)! + p.k }));
    const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k] as string | number);
    const written = await tx
      .insert(messages)
      .select(
        sql`SELECT conversation_id, seq, sender_id, sender_role, client_msg_id, text, clock_timestamp()
            FROM unnest(${array(col('conversationId'), 'text')}, ${array(col('seq'), 'int')}, ${array(col('senderId'), 'text')},
                        ${array(col('senderRole'), 'text')}, ${array(col('clientMsgId'), 'text')}, ${array(col('text'), 'text')})
                 WITH ORDINALITY AS v(conversation_id, seq, sender_id, sender_role, client_msg_id, text, ord)
            ORDER BY ord`,
      )
      .onConflictDoNothing({ target: [messages.conversationId, messages.senderId, messages.clientMsgId] })
      .returning();
    // Cannot happen while every writer locks the conversation first; if it does, roll back rather than leave a gap.
    if (written.length !== rows.length) throw new ConcurrentDuplicate();
    const byKey = new Map(written.map((m) => [keyOf(m), m]));
    for (const p of fresh) inserted.set(p.index, byKey.get(keyOf(batch[p.index]!))!);
  }

  return plans.map((p): Outcome<AppendResult> => {
    switch (p.kind) {
      case 'stored':
        return { ok: true, value: { message: p.message, duplicate: true } };
      case 'refused':
        return { ok: false, error: p.error };
      case 'new':
        return { ok: true, value: { message: inserted.get(p.index)!, duplicate: false } };
      case 'same-as':
        return { ok: true, value: { message: inserted.get(p.index)!, duplicate: true } };
    }
  });
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
 * Connection-level failures (server gone, timeouts, overload, serialisation,
 * a full group-commit queue)
 * become `store_unavailable`: the message was not acknowledged, and a retry
 * with the same clientMsgId is safe. Other errors pass through unchanged.
 */
async function guardStore<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AppError || !(err instanceof GroupCommitOverloaded || isUnavailable(err))) throw err;
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
