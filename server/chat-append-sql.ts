/**
 * Appending messages in ONE statement per batch (one round trip, its own
 * transaction): the hot path of every `message.send`.
 *
 * The statement (`chat_append_batch`: migration 0004, its sender check 0024), over
 * the batch as arrays (`unnest … WITH ORDINALITY` keeps the submission order):
 *   locked   `SELECT … FOR NO KEY UPDATE` the batch's conversations in id order.
 *            Always one order, so two batches (one node or two) never deadlock;
 *            under READ COMMITTED a row lock returns the row's latest committed
 *            version, so `status` is current, and it cannot change until commit.
 *   stored   the batch's keys already in `messages` (statement snapshot): one
 *            unique-index probe per item (LATERAL … LIMIT 1, never a hash join
 *            over a scan of the whole table, whatever the table's statistics).
 *   fresh    per conversation, its items not stored, in submission order (as
 *            arrays: the rows below are numbered k = 1, 2, … by unnest, with no
 *            join back to the input, which the planner would nest-loop). It waits
 *            for `locked` (a one-time filter on it) but does not join it: joined,
 *            the generic plan nest-looped the two, n² comparisons per batch.
 *   bumped   `last_seq += n` per open conversation (n = its fresh items from its
 *            user or the advisor it names now: migration 0024); the UPDATE re-reads
 *            the latest row version, so `base` (= new top − n) and the participants
 *            are exact even when another node committed after our snapshot.
 *   inserted the accepted fresh items of open conversations with seq = base + their
 *            rank among them (k when none was refused). No ON CONFLICT: seqs
 *            base+1 … base+n are inserted exactly when last_seq moved by n, all or
 *            nothing. Another sender's item (an advisor the chat left, on a node whose
 *            cache missed it) is answered `not_participant`, stores nothing, takes no seq.
 * The one snapshot-shaped hole: a message with the same key committed by another
 * node after this statement's snapshot is not in `stored`; the INSERT then fails
 * on the unique key (23505), the whole statement rolls back (no gap, nothing
 * stored) and its items are written one by one (each sees the winner and answers
 * as a duplicate with the winner's seq).
 *
 * Repeats of a key inside a batch are sent once; the repeats get the first's
 * message with `duplicate: true`.
 */
import type { NewMessage, StoredMessage } from './chat-store.ts';
import { sqlState } from './db.ts';
import { AppError } from './errors.ts';
import type { Outcome } from './group-commit.ts';
import type { SqlRunner, Statement } from './sql-runner.ts';

export type AppendResult = { message: StoredMessage; duplicate: boolean };

/**
 * $1 conversation ids, $2 sender ids, $3 sender roles, $4 client message ids, $5 texts: one element per item, in order.
 * The statement is the function `chat_append_batch` (migration 0004), so that its
 * plan is made once per connection: planned at every call, as text, planning cost
 * more than executing a small batch.
 */
export const APPEND_BATCH: Statement = {
  name: 'chat_append_batch_v2',
  // `at` as whole milliseconds since the epoch (exact: numeric, then an integer float8),
  // which the driver reads with parseFloat: parsing timestamp text was ~1.5 % of a node's CPU.
  text: `SELECT r_seq AS seq, r_sender_role AS sender_role, r_text AS text, floor(extract(epoch FROM r_at) * 1000)::float8 AS at_ms, r_status AS status
FROM chat_append_batch($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
};

const FIND_MESSAGE: Statement = {
  name: 'chat_find_message_v1',
  text: `SELECT seq, sender_role, text, at FROM messages WHERE conversation_id = $1 AND sender_id = $2 AND client_msg_id = $3`,
};

/** One answer row of APPEND_BATCH: seq null = not stored (then status says why); sender_role/text set = already stored. */
interface AnswerRow {
  seq: number | null;
  sender_role: string | null;
  text: string | null;
  at_ms: number | null;
  status: string | null;
}

const keyOf = (m: NewMessage) => `${m.conversationId}\u0000${m.senderId}\u0000${m.clientMsgId}`;

/**
 * One statement for a whole batch. Resolves with one outcome per item, in order;
 * rejects when the database is unavailable (then nothing of the batch was stored,
 * or — answer lost after commit — all of it, and a retry answers as duplicates).
 * A batch that fails for another reason (a concurrent duplicate, a row the
 * database refuses) is written one item at a time, so one item cannot refuse the others.
 */
export async function appendBatch(run: SqlRunner, batch: NewMessage[]): Promise<Outcome<AppendResult>[]> {
  const firstOf = new Map<string, number>();
  const unique: NewMessage[] = [];
  const slot = batch.map((input) => {
    const key = keyOf(input);
    let i = firstOf.get(key);
    if (i === undefined) firstOf.set(key, (i = unique.push(input) - 1));
    return i;
  });
  let answers: Outcome<AppendResult>[];
  try {
    answers = await appendUnique(run, unique);
  } catch (err) {
    if (isUnavailable(err) || (unique.length === 1 && sqlState(err) !== '23505')) throw err;
    answers = [];
    for (const input of unique) answers.push(await settle(appendOne(run, input)));
  }
  const seen = new Set<number>();
  return slot.map((i) => {
    const answer = answers[i]!;
    if (seen.has(i) && answer.ok) return { ok: true, value: { message: answer.value.message, duplicate: true } };
    seen.add(i);
    return answer;
  });
}

/** One message on its own (no group commit, or a batch's fallback): the same statement, and the winner when it lost a race. */
export async function appendOne(run: SqlRunner, input: NewMessage): Promise<AppendResult> {
  try {
    const [answer] = await appendUnique(run, [input]);
    if (answer?.ok) return answer.value;
    throw answer?.error;
  } catch (err) {
    if (sqlState(err) !== '23505') throw err;
    const winner = await findMessage(run, input);
    if (!winner) throw err;
    return { message: winner, duplicate: true };
  }
}

async function appendUnique(run: SqlRunner, items: NewMessage[]): Promise<Outcome<AppendResult>[]> {
  const rows = await run.rows<AnswerRow>(APPEND_BATCH, [
    items.map((m) => m.conversationId),
    items.map((m) => m.senderId),
    items.map((m) => m.senderRole),
    items.map((m) => m.clientMsgId),
    items.map((m) => m.text),
  ]);
  if (rows.length !== items.length) throw new Error(`append: ${rows.length} answers for ${items.length} messages`);
  return rows.map((row, i) => answerOf(items[i]!, row));
}

function answerOf(input: NewMessage, row: AnswerRow): Outcome<AppendResult> {
  if (row.seq === null) {
    // Not stored: the conversation is absent, closed, or its sender is not (or no longer) its user or advisor (0024).
    return { ok: false, error: new AppError(row.status === null ? 'not_found' : row.status === 'not_participant' ? 'not_participant' : 'conversation_closed') };
  }
  const duplicate = row.text !== null;
  const message: StoredMessage = {
    conversationId: input.conversationId,
    seq: row.seq,
    senderId: input.senderId,
    senderRole: duplicate ? row.sender_role! : input.senderRole,
    clientMsgId: input.clientMsgId,
    text: duplicate ? row.text! : input.text,
    at: new Date(row.at_ms!),
  };
  return { ok: true, value: { message, duplicate } };
}

async function findMessage(run: SqlRunner, input: NewMessage): Promise<StoredMessage | undefined> {
  const [row] = await run.rows<{ seq: number; sender_role: string; text: string; at: Date }>(FIND_MESSAGE, [
    input.conversationId,
    input.senderId,
    input.clientMsgId,
  ]);
  if (!row) return undefined;
  const { conversationId, senderId, clientMsgId } = input;
  return { conversationId, seq: row.seq, senderId, senderRole: row.sender_role, clientMsgId, text: row.text, at: row.at };
}

async function settle<T>(work: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Connection-level failures (server gone, timeouts, overload, serialisation):
 * the message was not acknowledged, and a retry with the same clientMsgId is safe.
 */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof TypeError || err instanceof RangeError) return false; // bugs, not outages
  const state = sqlState(err);
  if (state === undefined) return true; // socket errors, pool timeouts, closed client
  return /^(08|40|53|57)/.test(state);
}
