/**
 * Ticket attachments and notice delivery (the rest of issue 5; docs/tickets.md).
 *
 * - `ticket_attachments`: what a reply carries, at most three files, keyed by
 *   `(ticket_id, reply_seq, n)`. Metadata only. The type is what the content
 *   was sniffed as, never the client's claim. The user's file name is kept as
 *   metadata (sanitised) and is never used to store or find the content.
 * - `attachment_blobs`: the content, under a random `storage_key` (UUID) that
 *   is neither the public attachment id nor anything the client sent. It lives
 *   in the database, not on disk, so it is written in the same transaction as
 *   the reply (all or nothing, no orphan files) and every node of a cluster
 *   sees it. Deleting a ticket cascades to its replies, attachments and blobs.
 * - `notice_contacts`: where to reach a user, taken from the verified token
 *   (`email`, `phone_number`) when they open a ticket. No row: the local
 *   mailbox.
 * - `mailbox`: notices delivered locally (no SMTP configured, or addressees
 *   with no e-mail such as a matricola). The primary key is the outbox row id,
 *   so delivering the same notice twice stores it once.
 */
import { sql } from 'drizzle-orm';
import { check, customType, foreignKey, index, integer, pgTable, smallint, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { ticketReplies, tickets, type NoticeKindValue } from './ticket-tables.ts';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** `bytea` as a Buffer on both drivers (pg gives a Buffer, PGlite a Uint8Array). */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => value,
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
});

export type AttachmentMediaTypeValue = 'application/pdf' | 'image/png' | 'image/jpeg' | 'text/plain' | 'application/pkcs7-mime';
export type MailboxChannelValue = 'email' | 'sms' | 'inbox';

/** 5 MiB: the largest file accepted (server/attachments.ts holds the same limit). */
const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

export const ticketAttachments = pgTable(
  'ticket_attachments',
  {
    /** The public id, as in `/api/v1/tickets/:id/attachments/:attachmentId`. */
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    replySeq: integer('reply_seq').notNull(),
    /** 1, 2 or 3 within the reply, in upload order. */
    n: smallint('n').notNull(),
    /** Sanitised, with an extension that matches `media_type`. */
    filename: text('filename').notNull(),
    mediaType: text('media_type').$type<AttachmentMediaTypeValue>().notNull(),
    size: integer('size').notNull(),
    /** Hex SHA-256 of the content. */
    sha256: text('sha256').notNull(),
    /** The key of the content in `attachment_blobs`: random, never derived from the name. */
    storageKey: uuid('storage_key').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('ticket_attachments_reply_n_unique').on(t.ticketId, t.replySeq, t.n),
    unique('ticket_attachments_storage_key_unique').on(t.storageKey),
    foreignKey({ name: 'ticket_attachments_reply_fk', columns: [t.ticketId, t.replySeq], foreignColumns: [ticketReplies.ticketId, ticketReplies.seq] }).onDelete('cascade'),
    check('ticket_attachments_n_check', sql`${t.n} between 1 and 3`),
    check('ticket_attachments_size_check', sql`${t.size} between 1 and ${sql.raw(String(MAX_ATTACHMENT_BYTES))}`),
    check(
      'ticket_attachments_media_type_check',
      sql`${t.mediaType} in ('application/pdf', 'image/png', 'image/jpeg', 'text/plain', 'application/pkcs7-mime')`,
    ),
  ],
);

export const attachmentBlobs = pgTable(
  'attachment_blobs',
  {
    storageKey: uuid('storage_key').primaryKey(),
    content: bytea('content').notNull(),
  },
  (t) => [
    foreignKey({ name: 'attachment_blobs_attachment_fk', columns: [t.storageKey], foreignColumns: [ticketAttachments.storageKey] }).onDelete('cascade'),
  ],
);

/** How to reach a user (JWT `sub`), from their verified token; latest wins. */
export const noticeContacts = pgTable('notice_contacts', {
  userId: text('user_id').primaryKey(),
  email: text('email'),
  phone: text('phone'),
  /** The language the token's `lang` claim names ('de', 'it', …): the language of their notices when it has them. */
  lang: text('lang'),
  updatedAt: instant('updated_at').notNull(),
});

/** Notices delivered locally; shown by GET /mailbox/ (development sign-in only). */
export const mailbox = pgTable(
  'mailbox',
  {
    /** The outbox row delivered: at most one mailbox message per notice. */
    id: uuid('id').primaryKey(),
    /** Null for a sede's digest, which is about several tickets. */
    ticketId: uuid('ticket_id'),
    kind: text('kind').$type<NoticeKindValue>().notNull(),
    /** How it would have travelled: `email` (no SMTP configured), `sms`, or `inbox` (no address known: the addressee reads it after signing in, like the Cassetto previdenziale's messages). */
    channel: text('channel').$type<MailboxChannelValue>().notNull(),
    /** An e-mail address, a phone number, `matricola:<m>`, `utente:<id>` or `sede:<code>`. */
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    deliveredAt: instant('delivered_at').notNull(),
  },
  (t) => [
    index('mailbox_delivered_idx').on(t.deliveredAt),
    index('mailbox_recipient_idx').on(t.recipient),
    // Erasing a ticket (server/retention.ts) removes its notices through the foreign key: by index, not by scan.
    index('mailbox_ticket_idx').on(t.ticketId),
    foreignKey({ name: 'mailbox_ticket_fk', columns: [t.ticketId], foreignColumns: [tickets.id] }).onDelete('cascade'),
    check('mailbox_channel_check', sql`${t.channel} in ('email', 'sms', 'inbox')`),
  ],
);

export type TicketAttachmentRow = typeof ticketAttachments.$inferSelect;
export type NoticeContactRow = typeof noticeContacts.$inferSelect;
export type MailboxRow = typeof mailbox.$inferSelect;
