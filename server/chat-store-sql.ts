/**
 * ChatStore on SQL (PostgreSQL or PGlite).
 *
 * Sequence numbers: `conversations.last_seq` is the per-conversation counter.
 * An append bumps it and inserts the message in the same transaction; the row
 * lock on the conversation serialises writers to one conversation (across nodes
 * too), and a rolled-back append gives its numbers back, so seqs have no gaps.
 *
 * Appends (the hot path) are one raw statement per batch, no drizzle query
 * building (server/chat-append-sql.ts, server/sql-runner.ts), and group-committed
 * by default (server/group-commit.ts, docs/delivery.md): concurrent appends share
 * one statement, and on PostgreSQL a few batches of disjoint conversations are in
 * flight at once. Per item: a stored key (or one earlier in the batch) is a
 * duplicate with the original seq; a closed / unknown conversation, or a sender who
 * is not its user or current advisor (not_participant), is refused for that item
 * alone. A failed statement fails every item of its batch (nothing acknowledged).
 * `groupCommit: false` sends each append on its own (same statement).
 * So are the reads every reconnect makes (server/chat-read-sql.ts), and they are
 * coalesced the same way: a read waits only while earlier reads are in flight, and
 * those that piled up meanwhile go as one statement; so are read marks
 * (server/chat-read-marks-sql.ts). The other methods are rare and stay in drizzle.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { conversations, type ConversationRow } from '../schema/tables.ts';
import { answeredIn, dueUnanswered, takeUnanswered } from './answer-deadline-sql.ts';
import { appendBatch, appendOne, isUnavailable, type AppendResult } from './chat-append-sql.ts';
import { markReadMany, type ReadMark } from './chat-read-marks-sql.ts';
import { messagesAfterMany, openConversationsForMany, type AfterRequest } from './chat-read-sql.ts';
import type { ChatStore, CloseInput, ConversationRecord, NewConversation, NewMessage, ReadingSide, StoredMessage } from './chat-store.ts';
import { sqlConstraint, type Db } from './db.ts';
import { AppError } from './errors.ts';
import { allOk, GroupCommit, GroupCommitOverloaded, type GroupCommitOptions, type GroupCommitStats } from './group-commit.ts';
import { sqlRunnerOf, type SqlRunner, type Statement } from './sql-runner.ts';

export interface SqlChatStoreOptions {
  /** Group commit of appends (default on: see DEFAULT_GROUP_COMMIT); `false`: one statement per append. */
  groupCommit?: Partial<GroupCommitOptions> | false;
  /** How statements reach the driver (default: the driver under `db`); tests wrap it to inject faults. */
  runner?: SqlRunner;
  /** Coalesced reads (default on); `false`: one statement per read. */
  readBatch?: false;
}

/**
 * 256 rows a batch, no linger. PostgreSQL: two batches in flight (of a pool of
 * 10), a burst split between them, so two backends write at once (64 writers on
 * 2 cores: 1 in flight 27–28k rows/s, 2: 28–31k, 4: 21–23k, in the same run);
 * PGlite is one connection, where a second batch in flight would only wait.
 */
export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { maxRows: 256, maxWaitMs: 0 };
const IN_FLIGHT = { postgres: 2, pglite: 1 } as const;

/**
 * Reads: up to 128 per statement, as many in flight as appends (the pool keeps room
 * for the rest). The queue holds a whole storm's sockets (5,000 at once in the
 * bench) rather than refuse a reconnecting client.
 */
const READ_BATCH = { maxRows: 128, maxWaitMs: 0, maxQueued: 20_000 } as const;
/** Read marks ("Letto"): as many a statement as a message batch; the default bound (20 batches). */
const MARK_BATCH = { maxRows: 256, maxWaitMs: 0 } as const;

/** What each batcher of the stores has done so far and holds now (absent when it is off). */
export interface StoreBatchStats {
  append?: GroupCommitStats;
  readMessages?: GroupCommitStats;
  readOpen?: GroupCommitStats;
  readMarks?: GroupCommitStats;
  /** Ticket creations (server/ticket-create-sql.ts), its lanes summed. */
  ticketCreate?: GroupCommitStats;
}

export type SqlChatStore = ChatStore & {
  /** Batches and rows written so far by group commit (null without it). */
  groupCommitStats(): GroupCommitStats | null;
  /** Every batcher's counts, for /metrics. */
  batchStats(): StoreBatchStats;
};

export function createSqlChatStore(db: Db, options: SqlChatStoreOptions = {}): SqlChatStore {
  const run = options.runner ?? sqlRunnerOf(db);
  const batcher =
    options.groupCommit === false
      ? null
      : new GroupCommit<NewMessage, AppendResult>((batch) => appendBatch(run, batch), {
          ...DEFAULT_GROUP_COMMIT,
          maxInFlight: IN_FLIGHT[run.kind],
          ...options.groupCommit,
          // Batches in flight together never share a conversation: seq order stays submission order.
          laneOf: (m) => m.conversationId,
        });
  const reads = options.readBatch === false ? null : readBatchers(run);
  // Every method: an outage becomes AppError('store_unavailable'), so callers answer with a clear error.
  return {
    createConversation: (input) => guardStore(() => createConversation(db, input)),
    getConversation: (id) => guardStore(() => getConversation(db, id)),
    appendMessage: batcher ? (input) => guardStore(() => batcher.submit(input)) : (input) => guardStore(() => appendOne(run, input)),
    messagesAfter: (conversationId, afterSeq, limit) =>
      guardStore(() => (reads ? reads.after.submit({ conversationId, afterSeq, limit }) : messagesAfterMany(run, [{ conversationId, afterSeq, limit }]).then(first))),
    closeConversation: (id, input) => guardStore(() => closeConversation(db, id, input)),
    rateConversation: (id, rating) => guardStore(() => rateConversation(db, id, rating)),
    reassignConversation: (id, advisorId, advisorName, at) => guardStore(() => reassignConversation(db, id, advisorId, advisorName, at)),
    releaseConversation: (id, advisorId) => guardStore(() => releaseConversation(db, id, advisorId)),
    markRead: (conversationId, side, seq) =>
      guardStore(() => (reads ? reads.marks.submit({ conversationId, side, seq }) : markReadMany(run, [{ conversationId, side, seq }]).then(first))),
    openConversationsFor: (participantId) =>
      guardStore(() => (reads ? reads.open.submit(participantId) : openConversationsForMany(run, [participantId]).then(first))),
    answeredIn: (advisorId, ids) => guardStore(() => answeredIn(db, advisorId, ids)),
    dueUnanswered: (assignedBy, limit) => guardStore(() => dueUnanswered(db, assignedBy, limit)),
    takeUnanswered: (id, advisorId, assignedAt) => guardStore(async () => {
      const row = await takeUnanswered(db, id, advisorId, assignedAt);
      return row ? toRecord(row) : null;
    }),
    groupCommitStats: () => batcher?.stats() ?? null,
    batchStats: () => ({
      ...(batcher ? { append: batcher.stats() } : {}),
      ...(reads ? { readMessages: reads.after.stats(), readOpen: reads.open.stats(), readMarks: reads.marks.stats() } : {}),
    }),
  };
}

function readBatchers(run: SqlRunner) {
  const options = { ...READ_BATCH, maxInFlight: IN_FLIGHT[run.kind] };
  return {
    after: new GroupCommit<AfterRequest, StoredMessage[]>((batch) => messagesAfterMany(run, batch).then(allOk), {
      ...options,
      laneOf: (r) => r.conversationId,
    }),
    open: new GroupCommit<string, ConversationRecord[]>((batch) => openConversationsForMany(run, batch).then(allOk), {
      ...options,
      laneOf: (id) => id,
    }),
    // Best effort (chat-service.ts does not wait for them): a storm of marks is refused past the bound, not queued forever.
    marks: new GroupCommit<ReadMark, boolean>((batch) => markReadMany(run, batch).then(allOk), {
      ...MARK_BATCH,
      maxInFlight: IN_FLIGHT[run.kind],
      laneOf: (m) => m.conversationId,
    }),
  };
}

/** The unique index that keeps a user to one open conversation (schema/tables.ts). */
const ONE_OPEN_PER_USER = 'conversations_one_open_per_user';

function first<T>(answers: T[]): T {
  return answers[0]!;
}

function toRecord(row: ConversationRow): ConversationRecord {
  const { closedBy: _closedBy, assignedSeq: _assignedSeq, ...record } = row;
  return record;
}

async function createConversation(db: Db, input: NewConversation): Promise<ConversationRecord> {
  let row: ConversationRow | undefined;
  try {
    [row] = await db.insert(conversations).values({ ...input, ...(input.advisorId === null ? {} : { assignedAt: input.openedAt, assignedSeq: 0 }), status: 'open', lastSeq: 0 }).returning();
  } catch (err) {
    if (sqlConstraint(err) !== ONE_OPEN_PER_USER) throw err;
    const refused = new AppError('already_in_conversation');
    refused.cause = err;
    throw refused;
  }
  if (!row) throw new AppError('internal');
  return toRecord(row);
}

async function getConversation(db: Db, id: string): Promise<ConversationRecord | null> {
  const [row] = await db.select().from(conversations).where(eq(conversations.id, id)).limit(1);
  return row ? toRecord(row) : null;
}

async function whyNotOpen(db: Db, id: string): Promise<AppError> {
  const conversation = await getConversation(db, id);
  return new AppError(conversation ? 'conversation_closed' : 'not_found');
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

/** One statement: a second rating, from another tab at the same instant, finds `rating` set and changes nothing. */
async function rateConversation(db: Db, id: string, rating: number): Promise<boolean> {
  const rows = await db
    .update(conversations)
    .set({ rating })
    .where(and(eq(conversations.id, id), eq(conversations.status, 'closed'), isNull(conversations.rating)))
    .returning({ id: conversations.id });
  return rows.length > 0;
}

async function reassignConversation(
  db: Db,
  id: string,
  advisorId: string,
  advisorName: string | null,
  at = new Date(),
): Promise<ConversationRecord> {
  const [row] = await db
    .update(conversations)
    // Its messages so far (any earlier turn of this advisor's included) do not answer this assignment.
    .set({ advisorId, advisorName, assignedAt: at, assignedSeq: sql`${conversations.lastSeq}` })
    .where(and(eq(conversations.id, id), eq(conversations.status, 'open')))
    .returning();
  if (!row) throw await whyNotOpen(db, id);
  return toRecord(row);
}

async function releaseConversation(db: Db, id: string, advisorId: string): Promise<boolean> {
  const rows = await db
    .update(conversations)
    .set({ advisorId: null, advisorName: null, assignedAt: null, assignedSeq: null })
    .where(and(eq(conversations.id, id), eq(conversations.status, 'open'), eq(conversations.advisorId, advisorId)))
    .returning({ id: conversations.id });
  return rows.length > 0;
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
