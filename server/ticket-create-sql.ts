/**
 * Creating tickets on SQL: the ticket, its first reply, the `created` audit row
 * and the `registered` notice (outbox row), all or nothing.
 *
 * - Protocol numbers come from `ticket_protocol(year)` (migration 0003): one
 *   PostgreSQL sequence per local year, so creations never queue on a shared
 *   row. Unique and increasing in the order drawn; a rollback or a crash leaves
 *   a gap; a lower number may commit after a higher one.
 * - Plain creations (no files, not from a chat) are group-committed, in up to
 *   three batches at once: those that arrive while the batches are being
 *   written go together in the next one, as ONE
 *   statement (data-modifying CTEs insert the tickets, replies, audit rows and
 *   notices of the whole batch). A statement is atomic on its own, so a caller
 *   is answered only once its ticket and its notice are committed. When a batch
 *   fails, each of its creations is tried alone, so one bad creation cannot
 *   fail the others.
 * - Creations with files, and escalations (idempotent per conversation, and
 *   perhaps with the advisor's internal note for the sede), take the
 *   transaction below, one at a time.
 * - So do creations with an Idempotency-Key (ticket-idempotency.ts): their
 *   insert is `ON CONFLICT DO NOTHING` on (created_by, idempotency_key), and
 *   a conflict reads the first one's ticket back. Not in a batch: there a
 *   duplicate key would either fail the whole statement (other people's
 *   tickets retried one by one, for one person's retry) or, skipped, leave
 *   the winner to read back while it may not be committed yet; alone, the
 *   insert waits for the winner's commit and the read that follows sees it.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, gt, lte, sql } from 'drizzle-orm';
import { outbox, ticketAudit, ticketNotes, ticketReplies, tickets, type TicketRow } from '../schema/ticket-tables.ts';
import { insertAttachments } from './attachment-store-sql.ts';
import type { AttachmentMeta } from './attachments.ts';
import { queryRows, sqlState, type Db } from './db.ts';
import { AppError } from './errors.ts';
import { idempotencySince } from './ticket-idempotency.ts';
import { auditDetailBy } from './ticket-rules.ts';
import { GroupCommit, GroupCommitOverloaded, type GroupCommitStats, type Outcome } from './group-commit.ts';
import type { NewTicket, TicketRecord } from './ticket-store.ts';

export type Created = { ticket: TicketRecord; created: boolean; attachments?: AttachmentMeta[]; idempotencyHash?: string };

/** Most creations in one statement. */
const BATCH_ROWS = 100;
/**
 * Batches written at once, each on its own connection. Creations have no order
 * to keep between them, so while one batch commits the next can already be
 * written: one at a time left the node waiting on the commit half the time.
 */
const LANES = 3;

/** `create` for the SQL ticket store, and what its lanes did (summed, for /metrics); `byConversation` finds an escalation's ticket. */
export function sqlTicketCreator(
  db: Db,
  byConversation: (conversationId: string) => Promise<TicketRecord | null>,
): ((input: NewTicket) => Promise<Created>) & { stats(): GroupCommitStats } {
  const lanes = Array.from({ length: LANES }, () => new GroupCommit<NewTicket, Created>((items) => commitBatch(db, items), { maxRows: BATCH_ROWS, maxWaitMs: 0 }));
  const create = async (input: NewTicket): Promise<Created> => {
    if (input.conversationId === null && (input.firstReply.attachments ?? []).length === 0 && input.firstNote === undefined && input.idempotency === undefined) {
      return leastBusy(lanes).submit(input).catch((err: unknown) => {
        // A bounded queue: past it, a clear 503 the client may retry, not an unbounded wait or a 500.
        throw err instanceof GroupCommitOverloaded ? new AppError('tickets_busy') : err;
      });
    }
    return createOne(db, input, byConversation);
  };
  return Object.assign(create, { stats: () => sumStats(lanes.map((lane) => lane.stats())) });
}

function sumStats(all: GroupCommitStats[]): GroupCommitStats {
  return all.reduce((a, b) => ({
    batches: a.batches + b.batches,
    items: a.items + b.items,
    largestBatch: Math.max(a.largestBatch, b.largestBatch),
    queued: a.queued + b.queued,
    inFlight: a.inFlight + b.inFlight,
  }));
}

/** An idle lane if there is one, else the one with the fewest creations waiting. */
function leastBusy<T, R>(lanes: GroupCommit<T, R>[]): GroupCommit<T, R> {
  let best = lanes[0]!;
  let bestLoad = Infinity;
  for (const lane of lanes) {
    const { inFlight, queued } = lane.stats();
    const load = inFlight * BATCH_ROWS + queued;
    if (load === 0) return lane;
    if (load < bestLoad) [best, bestLoad] = [lane, load];
  }
  return best;
}

async function commitBatch(db: Db, items: NewTicket[]): Promise<Outcome<Created>[]> {
  try {
    const protocols = await insertBatch(db, items);
    return items.map((item) => {
      const protocol = protocols.get(item.id);
      return protocol === undefined ? { ok: false, error: new AppError('internal') } : { ok: true, value: { ticket: recordOf(item, protocol), created: true } };
    });
  } catch (error) {
    if (items.length === 1) return [{ ok: false, error }];
    // Alone, each creation gets its own outcome (and its own error).
    const outcomes: Outcome<Created>[] = [];
    for (const item of items) outcomes.push(...(await commitBatch(db, [item])));
    return outcomes;
  }
}

/** One statement for the whole batch; the protocol number of each ticket, by id. */
async function insertBatch(db: Db, items: NewTicket[]): Promise<Map<string, string>> {
  const rows = items.map((t, i) => ({
    i,
    id: t.id,
    year: t.year,
    subject: t.subject,
    category: t.category,
    origin: t.origin,
    user_id: t.userId,
    user_role: t.userRole,
    user_name: t.userName,
    user_fiscal_code: t.userFiscalCode,
    matricola: t.matricola,
    province: t.province,
    sede: t.sede,
    status: t.status,
    created_by: t.createdBy.id,
    created_by_role: t.createdBy.role,
    at: t.createdAt.toISOString(),
    taken_by: t.takenBy,
    due_at: t.dueAt?.toISOString() ?? null,
    author_id: t.firstReply.author.id,
    author_role: t.firstReply.author.role,
    author_name: t.firstReply.author.name,
    body: t.firstReply.body,
    audit: auditDetail(t),
    notice_id: randomUUID(),
    notice_kind: t.notice.kind,
    recipient_kind: t.notice.recipientKind,
    recipient_id: t.notice.recipientId,
    payload: t.notice.payload,
    follows_id: t.follows?.id ?? null,
    follows_protocol: t.follows?.protocol ?? null,
  }));
  const created = await queryRows<{ id: string; protocol: string }>(
    db,
    sql`with batch as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
        i int, id uuid, year int, subject text, category text, origin text, user_id text, user_role text, user_name text,
        user_fiscal_code text, matricola text, province text, sede text, status text, created_by text, created_by_role text,
        at timestamptz, taken_by text, due_at timestamptz, author_id text, author_role text, author_name text, body text,
        audit jsonb, notice_id uuid, notice_kind text, recipient_kind text, recipient_id text, payload jsonb,
        follows_id uuid, follows_protocol text)
    ),
    t as (
      insert into tickets (id, protocol, subject, category, origin, user_id, user_role, user_name, user_fiscal_code, matricola,
        province, sede, status, created_by, created_by_role, created_at, updated_at, taken_at, taken_by, due_at, last_reply_seq,
        follows_ticket_id, follows_protocol)
      select id, ticket_protocol(year), subject, category, origin, user_id, user_role, user_name, user_fiscal_code, matricola,
        province, sede, status, created_by, created_by_role, at, at, case when taken_by is null then null else at end, taken_by, due_at, 1,
        follows_id, follows_protocol
      from batch order by i
      returning id, protocol
    ),
    replies as (
      insert into ticket_replies (ticket_id, seq, author_id, author_role, author_name, body, at)
      select t.id, 1, b.author_id, b.author_role, b.author_name, b.body, b.at from t join batch b on b.id = t.id
    ),
    audit as (
      insert into ticket_audit (ticket_id, at, actor_id, actor_role, action, detail)
      select t.id, b.at, b.created_by, b.created_by_role, 'created', b.audit || jsonb_build_object('protocol', t.protocol)
      from t join batch b on b.id = t.id
    ),
    notices as (
      insert into outbox (id, ticket_id, kind, recipient_kind, recipient_id, payload, created_at)
      select b.notice_id, t.id, b.notice_kind, b.recipient_kind, b.recipient_id, b.payload || jsonb_build_object('protocol', t.protocol), b.at
      from t join batch b on b.id = t.id
    )
    select id::text as id, protocol from t`,
  );
  return new Map(created.map((r) => [r.id, r.protocol]));
}

/** What the `created` audit row says (the protocol is added where it is drawn). */
function auditDetail(input: NewTicket, attachments: AttachmentMeta[] = []): Record<string, unknown> {
  return auditDetailBy(input.createdBy, {
    ...input.auditDetail,
    sede: input.sede,
    status: input.status,
    dueAt: input.dueAt?.toISOString() ?? null,
    ...(attachments.length > 0 ? { attachments: attachments.map((a) => ({ id: a.id, mediaType: a.mediaType, size: a.size })) } : {}),
  });
}

/** The row a creation writes: what the batch statement wrote, without reading it back. */
function recordOf(t: NewTicket, protocol: string): TicketRecord {
  const at = t.createdAt;
  return {
    id: t.id,
    protocol,
    subject: t.subject,
    category: t.category,
    origin: t.origin,
    userId: t.userId,
    userRole: t.userRole,
    userName: t.userName,
    userFiscalCode: t.userFiscalCode,
    matricola: t.matricola,
    province: t.province,
    sede: t.sede,
    status: t.status,
    outcome: null,
    createdBy: t.createdBy.id,
    createdByRole: t.createdBy.role,
    createdAt: at,
    updatedAt: at,
    takenAt: t.takenBy === null ? null : at,
    takenBy: t.takenBy,
    respondedAt: null,
    closedAt: null,
    closedBy: null,
    dueAt: t.dueAt,
    conversationId: t.conversationId,
    lastReplySeq: 1,
    followsId: t.follows?.id ?? null,
    followsProtocol: t.follows?.protocol ?? null,
  };
}

/** A creation with files, from a chat or with a note: one transaction of its own. */
async function createOne(db: Db, input: NewTicket, byConversation: (conversationId: string) => Promise<TicketRecord | null>): Promise<Created> {
  if (input.conversationId !== null) {
    const existing = await byConversation(input.conversationId);
    if (existing) return { ticket: existing, created: false };
  }
  const at = input.createdAt;
  const idem = input.idempotency;
  const since = idempotencySince(at);
  try {
    const done = await db.transaction(async (tx): Promise<Created | null> => {
      if (idem) {
        // Past the window the key is the creator's to use again: the old ticket lets go of it.
        await tx
          .update(tickets)
          .set({ idempotencyKey: null, idempotencyHash: null })
          .where(and(eq(tickets.createdBy, input.createdBy.id), eq(tickets.idempotencyKey, idem.key), lte(tickets.createdAt, since)));
      }
      // The same row the batch path writes; only the protocol is drawn here, in the insert.
      const insert = tx
        .insert(tickets)
        .values({ ...recordOf(input, ''), protocol: sql`ticket_protocol(${input.year})`, idempotencyKey: idem?.key ?? null, idempotencyHash: idem?.hash ?? null });
      // A key already taken: nothing is written (the protocol number drawn is a gap, as after a rollback).
      const [row] = idem
        ? await insert.onConflictDoNothing({ target: [tickets.createdBy, tickets.idempotencyKey], where: sql`${tickets.idempotencyKey} is not null` }).returning()
        : await insert.returning();
      if (!row && idem) return null;
      if (!row) throw new AppError('internal');
      const { author, body } = input.firstReply;
      await tx.insert(ticketReplies).values({ ticketId: row.id, seq: 1, authorId: author.id, authorRole: author.role, authorName: author.name, body, at });
      const attachments = await insertAttachments(tx, row.id, 1, input.firstReply.attachments ?? [], author.id, at);
      const { protocol } = row;
      await tx.insert(ticketAudit).values({
        ticketId: row.id,
        at,
        actorId: input.createdBy.id,
        actorRole: input.createdBy.role,
        action: 'created',
        detail: { ...auditDetail(input, attachments), protocol },
      });
      if (input.firstNote) {
        const { author: by, body: text } = input.firstNote;
        await tx.insert(ticketNotes).values({ ticketId: row.id, seq: 1, authorId: by.id, authorRole: by.role, authorName: by.name, body: text, at });
        await tx.insert(ticketAudit).values({ ticketId: row.id, at, actorId: by.id, actorRole: by.role, action: 'noted', detail: auditDetailBy(by, { seq: 1 }) });
      }
      await tx.insert(outbox).values({ id: randomUUID(), ticketId: row.id, ...input.notice, payload: { ...input.notice.payload, protocol }, createdAt: at });
      return { ticket: toTicketRecord(row), created: true, attachments };
    });
    if (done) return done;
    // Lost to a creation with the same key (committed: the insert waited for it).
    const winner = await byIdempotencyKey(db, input.createdBy.id, idem!.key, since);
    if (!winner) throw new AppError('internal');
    return { ticket: winner.ticket, created: false, idempotencyHash: winner.hash };
  } catch (err) {
    if (input.conversationId !== null && sqlState(err) === '23505') {
      const winner = await byConversation(input.conversationId);
      if (winner) return { ticket: winner, created: false };
    }
    throw err;
  }
}

/** The ticket `createdBy` created with `key` after `since`, and the hash of what it asked. */
export async function byIdempotencyKey(db: Db, createdBy: string, key: string, since: Date): Promise<{ ticket: TicketRecord; hash: string } | null> {
  const [row] = await db
    .select()
    .from(tickets)
    .where(and(eq(tickets.createdBy, createdBy), eq(tickets.idempotencyKey, key), gt(tickets.createdAt, since)))
    .limit(1);
  return row?.idempotencyHash ? { ticket: toTicketRecord(row), hash: row.idempotencyHash } : null;
}

/** A stored row as a TicketRecord: the idempotency columns are the store's business, never shown or compared. */
export function toTicketRecord(row: TicketRow): TicketRecord {
  const { idempotencyKey: _key, idempotencyHash: _hash, ...record } = row;
  return record;
}
