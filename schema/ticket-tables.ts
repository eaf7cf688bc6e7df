/**
 * Linea INPS tickets: the requests a chat could not settle, those users open
 * directly and the office's own "interlocuzioni". See docs/tickets.md.
 *
 * - `tickets`: one row per request; `last_reply_seq` is the counter of its
 *   chained replies (same technique as `conversations.last_seq`).
 * - `ticket_replies`: the thread, `(ticket_id, seq)` gap-free from 1.
 * - `ticket_audit`: one row for every change (who, when, what), append-only.
 * - `ticket_notes`: the staff's internal notes, `(ticket_id, seq)` from 1; a
 *   table of their own, never joined into what users read (docs/tickets.md).
 * - `outbox`: notices to deliver, written in the same transaction as the change
 *   they announce; a sender marks `sent_at` (transactional outbox).
 * - protocol numbers `LINPS-YYYY-NNNNNN` come from one PostgreSQL sequence per
 *   year (`ticket_protocol_YYYY`), made on first use by the SQL function
 *   `ticket_protocol(year)` (migration 0003): not tables, so not declared here.
 * - `matricola_sedi`: which sede holds a company's position (matricola), when
 *   known; editable, not seeded. Absent: the company's province decides.
 *
 * Attachments live in schema/attachment-tables.ts (`ticket_attachments`, keyed
 * by `(ticket_id, reply_seq, n)`, bytes in `attachment_blobs`; docs/tickets.md).
 */
import { sql } from 'drizzle-orm';
import { bigint, check, foreignKey, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Topic, UserRole } from '../routing/types.ts';
import { conversations, offices } from './tables.ts';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type TicketStatusValue = 'open' | 'in_progress' | 'closed';
export type TicketOriginValue = 'user' | 'escalation' | 'office';
/** A ticket's notices, and `digest`: a sede's morning list of requests due (server/sede-digest.ts), about no one ticket. */
export type NoticeKindValue = 'registered' | 'taken_in_charge' | 'replied' | 'closed' | 'transferred' | 'digest';
export type NoticeRecipientKindValue = 'user' | 'matricola' | 'sede';

export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey(),
    /** Human-readable and unique: `LINPS-2026-000123`. */
    protocol: text('protocol').notNull(),
    subject: text('subject').notNull(),
    category: text('category').$type<Topic>().notNull(),
    origin: text('origin').$type<TicketOriginValue>().notNull(),
    /** The user (JWT `sub`); null for an interlocuzione addressed to a matricola only. */
    userId: text('user_id'),
    userRole: text('user_role').$type<UserRole>(),
    userName: text('user_name'),
    userFiscalCode: text('user_fiscal_code'),
    /** The company concerned (employer's own, or one an intermediary represents). */
    matricola: text('matricola'),
    province: text('province'),
    /** The competent territorial office. */
    sede: text('sede').notNull(),
    status: text('status').$type<TicketStatusValue>().notNull().default('open'),
    outcome: text('outcome'),
    createdBy: text('created_by').notNull(),
    createdByRole: text('created_by_role').notNull(),
    createdAt: instant('created_at').notNull(),
    updatedAt: instant('updated_at').notNull(),
    takenAt: instant('taken_at'),
    takenBy: text('taken_by'),
    /** First reply from the office: the user has been recontacted. */
    respondedAt: instant('responded_at'),
    closedAt: instant('closed_at'),
    closedBy: text('closed_by'),
    /** SLA: 48 working hours after creation; null for the office's own interlocuzioni. */
    dueAt: instant('due_at'),
    conversationId: text('conversation_id'),
    lastReplySeq: integer('last_reply_seq').notNull().default(0),
    /**
     * The closed request this one follows up ("richiesta collegata", docs/tickets.md); null for
     * any other. Set null when that request is erased (retention): the protocol below stays.
     */
    followsId: uuid('follows_ticket_id'),
    /** That request's protocol number, copied at creation (numbers never change): no join to show it. */
    followsProtocol: text('follows_protocol'),
    /**
     * The creator's `Idempotency-Key` header, if they sent one (docs/tickets.md, "Retried
     * creations"): unique per creator (`created_by`) while set; cleared when the same creator
     * reuses it after 24 hours. Goes with the ticket (retention erases both).
     */
    idempotencyKey: text('idempotency_key'),
    /** sha256 of what that creation asked (normalized): the same key with another request is refused. */
    idempotencyHash: text('idempotency_hash'),
  },
  (t) => [
    uniqueIndex('tickets_protocol_unique').on(t.protocol),
    uniqueIndex('tickets_conversation_unique').on(t.conversationId),
    index('tickets_sede_status_due_idx').on(t.sede, t.status, t.dueAt),
    index('tickets_user_idx').on(t.userId),
    index('tickets_matricola_idx').on(t.matricola),
    index('tickets_created_idx').on(t.createdAt),
    // The retention sweep's candidates (server/retention.ts).
    index('tickets_closed_at_idx').on(t.closedAt).where(sql`${t.status} = 'closed'`),
    // A request's follow-ups (`followedBy`), and the erasure of a followed request (ON DELETE SET NULL).
    index('tickets_follows_idx').on(t.followsId).where(sql`${t.followsId} is not null`),
    // One creation per key and creator, across nodes: a retried POST finds the first one's ticket.
    uniqueIndex('tickets_idempotency_unique').on(t.createdBy, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    foreignKey({ name: 'tickets_follows_fk', columns: [t.followsId], foreignColumns: [t.id] }).onDelete('set null'),
    foreignKey({ name: 'tickets_sede_fk', columns: [t.sede], foreignColumns: [offices.code] }).onUpdate('cascade'),
    foreignKey({ name: 'tickets_conversation_fk', columns: [t.conversationId], foreignColumns: [conversations.id] }),
    check('tickets_status_check', sql`${t.status} in ('open', 'in_progress', 'closed')`),
    check('tickets_origin_check', sql`${t.origin} in ('user', 'escalation', 'office')`),
    check('tickets_category_check', sql`${t.category} in ('cigo', 'cigs', 'fis', 'solidarity_fund', 'payment', 'other')`),
    check('tickets_addressee_check', sql`${t.userId} is not null or ${t.matricola} is not null`),
    check('tickets_idempotency_check', sql`(${t.idempotencyKey} is null) = (${t.idempotencyHash} is null)`),
    check('tickets_follows_check', sql`${t.followsId} is null or ${t.followsProtocol} is not null`),
    check('tickets_closed_check', sql`(${t.status} = 'closed') = (${t.outcome} is not null and ${t.closedAt} is not null)`),
  ],
);

/** The thread: `(ticket_id, seq)` is gap-free from 1. */
export const ticketReplies = pgTable(
  'ticket_replies',
  {
    ticketId: uuid('ticket_id').notNull(),
    seq: integer('seq').notNull(),
    authorId: text('author_id').notNull(),
    authorRole: text('author_role').notNull(),
    authorName: text('author_name'),
    body: text('body').notNull(),
    at: instant('at').notNull(),
    /**
     * The author's `Idempotency-Key`, if they sent one (docs/tickets.md, "Retried creations"):
     * unique per ticket and author while set; cleared when the same author reuses it on the same
     * ticket after 24 hours. Reply 1 (the request's own text) never has one: the ticket keeps it.
     */
    idempotencyKey: text('idempotency_key'),
    /** sha256 of what that reply asked (text and files): the same key with another reply is refused. */
    idempotencyHash: text('idempotency_hash'),
  },
  (t) => [
    primaryKey({ name: 'ticket_replies_pk', columns: [t.ticketId, t.seq] }),
    foreignKey({ name: 'ticket_replies_ticket_fk', columns: [t.ticketId], foreignColumns: [tickets.id] }).onDelete('cascade'),
    // One reply per key, author and ticket, across nodes: a resent reply finds the first one.
    uniqueIndex('ticket_replies_idempotency_unique').on(t.ticketId, t.authorId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    check('ticket_replies_idempotency_check', sql`(${t.idempotencyKey} is null) = (${t.idempotencyHash} is null)`),
  ],
);

/**
 * Internal notes: what the sede's staff write for one another about a ticket
 * ("asked the benefits office about the direct payment"). The person who wrote
 * in never reads them. A table apart from `ticket_replies`, not a flag on it:
 * no read of the thread can let one through by a forgotten filter, and the
 * thread's seq keeps no gaps. `(ticket_id, seq)` counts 1, 2, 3 … per ticket;
 * erased with the ticket (retention).
 */
export const ticketNotes = pgTable(
  'ticket_notes',
  {
    ticketId: uuid('ticket_id').notNull(),
    seq: integer('seq').notNull(),
    authorId: text('author_id').notNull(),
    authorRole: text('author_role').notNull(),
    authorName: text('author_name'),
    body: text('body').notNull(),
    at: instant('at').notNull(),
    /** As on `ticket_replies`: the author's `Idempotency-Key` and the hash of the note it wrote. */
    idempotencyKey: text('idempotency_key'),
    idempotencyHash: text('idempotency_hash'),
  },
  (t) => [
    primaryKey({ name: 'ticket_notes_pk', columns: [t.ticketId, t.seq] }),
    foreignKey({ name: 'ticket_notes_ticket_fk', columns: [t.ticketId], foreignColumns: [tickets.id] }).onDelete('cascade'),
    check('ticket_notes_seq_check', sql`${t.seq} >= 1`),
    uniqueIndex('ticket_notes_idempotency_unique').on(t.ticketId, t.authorId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    check('ticket_notes_idempotency_check', sql`(${t.idempotencyKey} is null) = (${t.idempotencyHash} is null)`),
  ],
);

/** Every change to a ticket: append-only. */
export const ticketAudit = pgTable(
  'ticket_audit',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    ticketId: uuid('ticket_id').notNull(),
    at: instant('at').notNull(),
    actorId: text('actor_id').notNull(),
    actorRole: text('actor_role').notNull(),
    action: text('action').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('ticket_audit_ticket_idx').on(t.ticketId, t.id),
    foreignKey({ name: 'ticket_audit_ticket_fk', columns: [t.ticketId], foreignColumns: [tickets.id] }).onDelete('cascade'),
  ],
);

/**
 * Notices waiting to be delivered. Written in the transaction of the change
 * they announce; a sender picks rows with `sent_at is null` (FOR UPDATE SKIP
 * LOCKED), delivers, and sets `sent_at`, so each goes out once.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: uuid('id').primaryKey(),
    /** The ticket the notice is about; null only for a `digest` (a sede's list, about several). */
    ticketId: uuid('ticket_id'),
    kind: text('kind').$type<NoticeKindValue>().notNull(),
    /** Who is to be told: a user id, a matricola (its employer and intermediaries) or a sede code. */
    recipientKind: text('recipient_kind').$type<NoticeRecipientKindValue>().notNull(),
    recipientId: text('recipient_id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: instant('created_at').notNull(),
    sentAt: instant('sent_at'),
    attempts: smallint('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at'),
    lastError: text('last_error'),
  },
  (t) => [
    index('outbox_pending_idx').on(t.createdAt).where(sql`${t.sentAt} is null`),
    index('outbox_ticket_idx').on(t.ticketId),
    foreignKey({ name: 'outbox_ticket_fk', columns: [t.ticketId], foreignColumns: [tickets.id] }).onDelete('cascade'),
    check('outbox_kind_check', sql`${t.kind} in ('registered', 'taken_in_charge', 'replied', 'closed', 'transferred', 'digest')`),
    check('outbox_ticket_check', sql`(${t.ticketId} is null) = (${t.kind} = 'digest')`),
    // One digest per sede and day however many nodes write it (INSERT … ON CONFLICT DO NOTHING).
    uniqueIndex('outbox_digest_unique')
      .on(t.recipientId, sql`(${t.payload} ->> 'day')`)
      .where(sql`${t.kind} = 'digest'`),
    check('outbox_recipient_kind_check', sql`${t.recipientKind} in ('user', 'matricola', 'sede')`),
  ],
);

/** Which sede holds a company's position; editable reference data, nothing seeded. */
export const matricolaSedi = pgTable(
  'matricola_sedi',
  {
    matricola: text('matricola').primaryKey(),
    officeCode: text('office_code')
      .notNull()
      .references(() => offices.code, { onUpdate: 'cascade' }),
  },
  (t) => [index('matricola_sedi_office_idx').on(t.officeCode)],
);

export type TicketRow = typeof tickets.$inferSelect;
export type NewTicketRow = typeof tickets.$inferInsert;
export type TicketReplyRow = typeof ticketReplies.$inferSelect;
export type TicketAuditRow = typeof ticketAudit.$inferSelect;
export type TicketNoteRow = typeof ticketNotes.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
export type MatricolaSedeRow = typeof matricolaSedi.$inferSelect;
