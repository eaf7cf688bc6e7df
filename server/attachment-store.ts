/**
 * Where attachment content and metadata live. The choice (docs/tickets.md):
 * both in the database, `ticket_attachments` for the metadata and
 * `attachment_blobs` for the bytes, keyed by a random storage key.
 *
 * Why not files under DATA_DIR/attachments: a reply and its files must be
 * written all or nothing, and with PostgreSQL several nodes serve the same
 * tickets. In the database the files are part of the reply's transaction (a
 * refused or failed upload leaves nothing behind, no orphan files to sweep),
 * every node reads them, and backups include them. Files are small (5 MiB at
 * most, 3 a message), which PostgreSQL's TOAST storage handles well. If the
 * volume ever calls for an object store, `storage_key` is already the key to
 * move the bytes under; only this interface changes.
 *
 * Writing happens inside the ticket store's transaction (insertAttachments in
 * attachment-store-sql.ts, called by ticket-store-sql.ts); reading is here.
 */
import type { AttachmentMeta } from './attachments.ts';

export interface AttachmentStore {
  /** Every attachment of a ticket, by reply then position. */
  listByTicket(ticketId: string): Promise<AttachmentMeta[]>;
  /** One attachment with its content, only if it belongs to that ticket. */
  content(ticketId: string, attachmentId: string): Promise<{ meta: AttachmentMeta; content: Buffer } | null>;
}
