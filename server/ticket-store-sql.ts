/**
 * TicketStore on SQL (PostgreSQL or PGlite through drizzle).
 *
 * - Replies: `tickets.last_reply_seq` is the per-ticket counter. A reply bumps
 *   it with `UPDATE … WHERE status <> 'closed' RETURNING last_reply_seq` and
 *   inserts in the same transaction; the row lock serialises writers (across
 *   nodes too) and a rollback gives the number back: no gaps.
 * - Changes: `UPDATE … WHERE id = $1 AND status = <from>` is the compare-and-set
 *   (an office's also `AND sede = <its sede>`); the audit row and the outbox
 *   row are inserted in the same transaction.
 * - Transfers: `UPDATE … WHERE id = $1 AND sede = <from> AND status <> 'closed'`,
 *   the same technique, so a transfer and a close (or two transfers) cannot
 *   both succeed.
 * - Creations (protocol numbers, group commit): ticket-create-sql.ts.
 * - Internal notes (staff only): ticket-notes-sql.ts.
 * - The chain of follow-ups held at a sede: ticket-follow-up-sql.ts.
 * - A reply with an Idempotency-Key: thread-keys-sql.ts says how; the unique
 *   index decides, and the ticket row's lock (the bump) makes the loser wait
 *   for the winner's commit, then roll back its bump and answer the winner.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, count, desc, eq, gt, gte, ilike, inArray, isNull, lt, ne, not, or, sql, type SQL } from 'drizzle-orm';
import { outbox, ticketAudit, ticketReplies, tickets, matricolaSedi, type TicketRow } from '../schema/ticket-tables.ts';
import { messages, officeProvinces, offices } from '../schema/tables.ts';
import { attachmentsOfReply, insertAttachments } from './attachment-store-sql.ts';
import type { AttachmentMeta } from './attachments.ts';
import type { Db } from './db.ts';
import type { GroupCommitStats } from './group-commit.ts';
import { byIdempotencyKey, sqlTicketCreator, toTicketRecord } from './ticket-create-sql.ts';
import { followUpsAtSede } from './ticket-follow-up-sql.ts';
import { addTicketNote, noteByIdempotencyKey, ticketNotesOf } from './ticket-notes-sql.ts';
import { idempotencySince } from './ticket-idempotency.ts';
import { auditDetailBy } from './ticket-rules.ts';
import { entryColumns, KeyTaken, keyColumns, keyConflict, keyedEntry, releaseStaleKey } from './thread-keys-sql.ts';
import { AppError } from './errors.ts';
import {
  type Actor,
  type AddedReply,
  type AuditAction,
  type AuditEntry,
  type ChatUserRequests,
  type NewNotice,
  type NewReply,
  type OutboxEntry,
  type TicketFilters,
  type TicketPage,
  type TicketPageRequest,
  type TicketRecord,
  type TicketReply,
  type TicketScope,
  type TicketStore,
  type Transfer,
  type Transition,
} from './ticket-store.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Most transcript messages returned with a ticket. */
const TRANSCRIPT_LIMIT = 5000;
/** Most replies and audit rows returned with a ticket. */
const THREAD_LIMIT = 5000;
/** A reply as the service reads it: not its Idempotency-Key or hash. */
const replyColumns = entryColumns(ticketReplies);

/** `now` (default Date.now) times how long office-map answers are reused. */
export function createSqlTicketStore(db: Db, options: { now?: () => number } = {}): TicketStore & { creationStats(): GroupCommitStats } {
  const now = options.now ?? Date.now;
  const create = sqlTicketCreator(db, (conversationId) => byConversation(db, conversationId));
  return {
    creationStats: () => create.stats(),
    sedeOfMatricola: async (matricola) => {
      const [row] = await db.select({ sede: matricolaSedi.officeCode }).from(matricolaSedi).where(eq(matricolaSedi.matricola, matricola)).limit(1);
      return row?.sede ?? null;
    },
    sedeOfProvince: remembered(now, async (province) => {
      const [row] = await db.select({ sede: officeProvinces.officeCode }).from(officeProvinces).where(eq(officeProvinces.province, province)).limit(1);
      return row?.sede ?? null;
    }),
    provinceOfSede: remembered(now, async (sede) => {
      const [row] = await db.select({ province: offices.province }).from(offices).where(eq(offices.code, sede)).limit(1);
      return row?.province ?? null;
    }),
    create,
    get: (id) => get(db, id),
    byConversation: (conversationId) => byConversation(db, conversationId),
    byIdempotencyKey: (createdBy, key, since) => byIdempotencyKey(db, createdBy, key, since),
    openedBy: async (userId, since) => {
      const [row] = await db.select({ n: count() }).from(tickets).where(and(eq(tickets.userId, userId), eq(tickets.origin, 'user'), gte(tickets.createdAt, since)));
      return Number(row?.n ?? 0);
    },
    repliedBy: async (userId, matricole, since) => {
      // Through the tickets the user may reply to (tickets_user_idx, tickets_matricola_idx),
      // then their replies by primary key: no index on replies' author is needed.
      const theirs = matricole.length > 0 ? or(eq(tickets.userId, userId), inArray(tickets.matricola, [...matricole])) : eq(tickets.userId, userId);
      const [row] = await db
        .select({ n: count() })
        .from(ticketReplies)
        .innerJoin(tickets, eq(tickets.id, ticketReplies.ticketId))
        // seq 1 is a request's own body, which the daily request limit counts.
        .where(and(theirs, eq(ticketReplies.authorId, userId), gt(ticketReplies.seq, 1), gte(ticketReplies.at, since)));
      return Number(row?.n ?? 0);
    },
    list: (scope, filters, now, page) => list(db, scope, filters, now, page),
    ofChatUser: (q) => ofChatUser(db, q),
    replies: async (ticketId) =>
      db.select(replyColumns).from(ticketReplies).where(eq(ticketReplies.ticketId, ticketId)).orderBy(asc(ticketReplies.seq)).limit(THREAD_LIMIT),
    followUps: async (ticketId) =>
      // tickets_follows_idx
      (await db.select().from(tickets).where(eq(tickets.followsId, ticketId)).orderBy(asc(tickets.createdAt), asc(tickets.id)).limit(THREAD_LIMIT)).map(toRecord),
    followUpsAtSede: (ticketId, sede) => followUpsAtSede(db, ticketId, sede),
    audit: async (ticketId): Promise<AuditEntry[]> =>
      db.select().from(ticketAudit).where(eq(ticketAudit.ticketId, ticketId)).orderBy(asc(ticketAudit.id)).limit(THREAD_LIMIT),
    notes: (ticketId) => ticketNotesOf(db, ticketId),
    addNote: (ticketId, input) => addTicketNote(db, ticketId, input),
    noteByIdempotencyKey: (ticketId, authorId, key, since) => noteByIdempotencyKey(db, ticketId, authorId, key, since),
    outbox: async (ticketId): Promise<OutboxEntry[]> => {
      const rows = await db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(asc(outbox.createdAt), asc(outbox.id));
      // Rows of a ticket: never a digest (ticket_id null), so ticketId and kind are a ticket's.
      return rows.map(({ nextAttemptAt: _n, lastError: _l, ...entry }) => ({ ...entry, ticketId, kind: entry.kind as OutboxEntry['kind'] }));
    },
    transcript: async (conversationId) =>
      db
        .select({ seq: messages.seq, senderId: messages.senderId, senderRole: messages.senderRole, text: messages.text, at: messages.at })
        .from(messages)
        .where(eq(messages.conversationId, conversationId))
        .orderBy(asc(messages.seq))
        .limit(TRANSCRIPT_LIMIT),
    addReply: (ticketId, input) => addReply(db, ticketId, input),
    replyByIdempotencyKey: (ticketId, authorId, key, since) => replyByIdempotencyKey(db, ticketId, authorId, key, since),
    transition: (ticketId, input) => transition(db, ticketId, input),
    transfer: (ticketId, input) => transfer(db, ticketId, input),
    offices: async () => db.select({ code: offices.code, name: offices.name }).from(offices).orderBy(asc(offices.name), asc(offices.code)),
  };
}

/** How long an answer about the office map is reused. */
export const OFFICE_MAP_TTL_MS = 5_000;

/**
 * The office map (`office_provinces`, `offices`) is reference data, edited by
 * hand and rarely, yet read twice by every creation: each answer is reused for
 * OFFICE_MAP_TTL_MS (concurrent askers share one read), so an edit reaches new
 * tickets within that time. `matricola_sedi` is always read afresh.
 */
function remembered(now: () => number, read: (key: string) => Promise<string | null>): (key: string) => Promise<string | null> {
  const answers = new Map<string, { value: Promise<string | null>; until: number }>();
  return (key) => {
    const at = now();
    const hit = answers.get(key);
    if (hit && hit.until > at) return hit.value;
    if (answers.size >= 1_000) answers.clear(); // keys come from tokens too: a bound
    const value = read(key);
    answers.set(key, { value, until: at + OFFICE_MAP_TTL_MS });
    value.catch(() => {
      if (answers.get(key)?.value === value) answers.delete(key); // a failed read is not an answer
    });
    return value;
  };
}

function toRecord(row: TicketRow): TicketRecord {
  return toTicketRecord(row);
}

async function get(db: Db | Tx, id: string): Promise<TicketRecord | null> {
  const [row] = await db.select().from(tickets).where(eq(tickets.id, id)).limit(1);
  return row ? toRecord(row) : null;
}

async function byConversation(db: Db, conversationId: string): Promise<TicketRecord | null> {
  const [row] = await db.select().from(tickets).where(eq(tickets.conversationId, conversationId)).limit(1);
  return row ? toRecord(row) : null;
}

async function writeNotice(tx: Tx, ticketId: string, notice: NewNotice, at: Date): Promise<void> {
  await tx.insert(outbox).values({ id: randomUUID(), ticketId, ...notice, createdAt: at });
}

/** What every change leaves behind in its own transaction: its audit row and its notice. */
async function audited(tx: Tx, ticketId: string, at: Date, actor: Actor, action: AuditAction, detail: Record<string, unknown>, notice: NewNotice): Promise<void> {
  await tx.insert(ticketAudit).values({ ticketId, at, actorId: actor.id, actorRole: actor.role, action, detail: auditDetailBy(actor, detail) });
  await writeNotice(tx, ticketId, notice, at);
}

/** `%`, `_` and `\` taken literally inside an ILIKE pattern. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function overdueExpr(now: Date): SQL<boolean> {
  return sql<boolean>`(${tickets.status} <> 'closed' and ${tickets.respondedAt} is null and ${tickets.dueAt} is not null and ${tickets.dueAt} < ${now.toISOString()}::timestamptz)`;
}

function scopeCondition(scope: TicketScope): SQL | undefined {
  switch (scope.kind) {
    case 'all':
      return undefined;
    case 'sede':
      return eq(tickets.sede, scope.sede);
    case 'user':
      return scope.matricole.length === 0
        ? eq(tickets.userId, scope.userId)
        : or(eq(tickets.userId, scope.userId), inArray(tickets.matricola, [...scope.matricole]));
  }
}

async function list(db: Db, scope: TicketScope, f: TicketFilters, now: Date, page: TicketPageRequest): Promise<TicketPage> {
  const overdue = overdueExpr(now);
  const conditions: (SQL | undefined)[] = [
    scopeCondition(scope),
    f.status === undefined ? undefined : eq(tickets.status, f.status),
    f.matricola === undefined ? undefined : eq(tickets.matricola, f.matricola),
    f.subject === undefined ? undefined : ilike(tickets.subject, `%${escapeLike(f.subject)}%`),
    f.sede === undefined ? undefined : eq(tickets.sede, f.sede),
    f.createdFrom === undefined ? undefined : gte(tickets.createdAt, f.createdFrom),
    f.createdBefore === undefined ? undefined : lt(tickets.createdAt, f.createdBefore),
    f.updatedFrom === undefined ? undefined : gte(tickets.updatedAt, f.updatedFrom),
    f.updatedBefore === undefined ? undefined : lt(tickets.updatedAt, f.updatedBefore),
    f.overdue === undefined ? undefined : f.overdue ? overdue : not(overdue),
    f.notUser === undefined ? undefined : or(isNull(tickets.userId), ne(tickets.userId, f.notUser)),
  ];
  const where = and(...conditions);
  const [counted] = await db.select({ n: count() }).from(tickets).where(where);
  // The id last in both orders: rows that tie keep one order from page to page.
  const order =
    page.order === 'updated'
      ? [desc(tickets.updatedAt), desc(tickets.id)]
      : [desc(overdue), sql`${tickets.dueAt} asc nulls last`, asc(tickets.createdAt), asc(tickets.id)];
  const rows = await db
    .select()
    .from(tickets)
    .where(where)
    .orderBy(...order)
    .offset(page.offset)
    .limit(page.limit);
  return { items: rows.map(toRecord), total: Number(counted?.n ?? 0) };
}

/**
 * A chat user's requests for the advisor's card. `user_id = $u` and `matricola = $m`
 * are each on an index (tickets_user_idx, tickets_matricola_idx): the planner ORs the
 * two bitmaps, so the rows read are the person's and the company's tickets only, and
 * the top ten by activity are sorted from those (a company has hundreds, not millions).
 */
async function ofChatUser(db: Db, q: ChatUserRequests): Promise<TicketRecord[]> {
  // A company user's own requests about another of their companies belong to that company: not this chat's.
  const own = q.company ? and(eq(tickets.userId, q.userId), isNull(tickets.matricola)) : eq(tickets.userId, q.userId);
  const whose = q.matricola === null ? own : or(own, eq(tickets.matricola, q.matricola));
  const recent = or(ne(tickets.status, 'closed'), gte(tickets.closedAt, q.closedSince));
  const rows = await db.select().from(tickets).where(and(whose, recent)).orderBy(desc(tickets.updatedAt), desc(tickets.id)).limit(q.limit);
  return rows.map(toRecord);
}

async function addReply(db: Db, ticketId: string, input: NewReply): Promise<AddedReply> {
  const { at, idempotency: idem } = input;
  const since = idempotencySince(at);
  const write = db.transaction(async (tx): Promise<AddedReply | null> => {
    const [bumped] = await tx
      .update(tickets)
      .set({
        lastReplySeq: sql`${tickets.lastReplySeq} + 1`,
        updatedAt: at,
        ...(input.marksResponse ? { respondedAt: sql`coalesce(${tickets.respondedAt}, ${at.toISOString()}::timestamptz)` } : {}),
      })
      .where(and(eq(tickets.id, ticketId), ne(tickets.status, 'closed'), atSede(input.atSede)))
      .returning();
    if (!bumped) return null;
    if (idem) await releaseStaleKey(tx, ticketReplies, ticketId, input.author.id, idem.key, since);
    const insert = tx.insert(ticketReplies).values({
      ticketId,
      seq: bumped.lastReplySeq,
      authorId: input.author.id,
      authorRole: input.author.role,
      authorName: input.author.name,
      body: input.body,
      at,
      ...keyColumns(idem),
    });
    const [reply] = idem ? await insert.onConflictDoNothing(keyConflict(ticketReplies)).returning(replyColumns) : await insert.returning(replyColumns);
    if (!reply) throw idem ? new KeyTaken() : new AppError('internal');
    const files = input.attachments ?? [];
    const attachments = await insertAttachments(tx, ticketId, reply.seq, files, input.author.id, at);
    const detail = { seq: reply.seq, ...(files.length > 0 ? { attachments: attachments.map((a) => ({ id: a.id, mediaType: a.mediaType, size: a.size })) } : {}) };
    await audited(tx, ticketId, at, input.author, 'replied', detail, input.notice);
    return { ticket: toRecord(bumped), reply, attachments, created: true };
  });
  // KeyTaken: the same author's reply with this key committed first; everything here rolled back.
  const done = await write.catch((err: unknown) => (err instanceof KeyTaken ? null : Promise.reject(err)));
  if (done) return done;
  // Closed or transferred, or the key taken: a reply this key already wrote is the answer in all three cases.
  const winner = idem ? await replyByIdempotencyKey(db, ticketId, input.author.id, idem.key, since) : null;
  const current = await get(db, ticketId);
  if (!current) throw new AppError('not_found');
  if (winner) return { ticket: current, reply: winner.reply, attachments: winner.attachments, created: false, idempotencyHash: winner.hash };
  throw new AppError(input.atSede !== undefined && current.sede !== input.atSede ? 'ticket_transferred' : 'ticket_closed');
}

async function replyByIdempotencyKey(db: Db, ticketId: string, authorId: string, key: string, since: Date): Promise<{ reply: TicketReply; attachments: AttachmentMeta[]; hash: string } | null> {
  const found = await keyedEntry(db, ticketReplies, ticketId, authorId, key, since);
  return found ? { reply: found.entry, attachments: await attachmentsOfReply(db, ticketId, found.entry.seq), hash: found.hash } : null;
}

/** An office acts only on a ticket still at its sede: a transfer that committed first wins. */
function atSede(sede: string | undefined): SQL | undefined {
  return sede === undefined ? undefined : eq(tickets.sede, sede);
}

async function transition(db: Db, ticketId: string, input: Transition): Promise<TicketRecord | null> {
  const { at, actor } = input;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(tickets)
      .set({
        status: input.to,
        updatedAt: at,
        ...(input.to === 'in_progress' ? { takenAt: at, takenBy: actor.id } : {}),
        ...(input.to === 'closed' ? { closedAt: at, closedBy: actor.id, outcome: input.outcome } : {}),
      })
      .where(and(eq(tickets.id, ticketId), eq(tickets.status, input.from), atSede(input.atSede)))
      .returning();
    if (!row) return null;
    const detail = { from: input.from, to: input.to, ...(input.outcome === null ? {} : { outcome: input.outcome }) };
    await audited(tx, ticketId, at, actor, input.action, detail, input.notice);
    return toRecord(row);
  });
}

/**
 * The new sede takes the ticket in charge itself: back to `open`, nobody's.
 * `due_at` is left as it is on purpose: the promise made to the citizen does
 * not restart because the institute routed the request to the wrong office.
 */
async function transfer(db: Db, ticketId: string, input: Transfer): Promise<TicketRecord | null> {
  const { at, actor } = input;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(tickets)
      .set({ sede: input.to, status: 'open', takenAt: null, takenBy: null, updatedAt: at })
      .where(and(eq(tickets.id, ticketId), eq(tickets.sede, input.from), ne(tickets.status, 'closed')))
      .returning();
    if (!row) return null;
    await audited(tx, ticketId, at, actor, 'transferred', { from: input.from, to: input.to, reason: input.reason }, input.notice);
    return toRecord(row);
  });
}
