/**
 * AttachmentStore on SQL (PostgreSQL or PGlite through drizzle). The content
 * is in `attachment_blobs`, the metadata in `ticket_attachments`
 * (schema/attachment-tables.ts). See attachment-store.ts for why.
 */
import { and, asc, eq } from 'drizzle-orm';
import { attachmentBlobs, ticketAttachments, type TicketAttachmentRow } from '../schema/attachment-tables.ts';
import type { AttachmentMeta, NewAttachment } from './attachments.ts';
import type { AttachmentStore } from './attachment-store.ts';
import type { Db } from './db.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Most attachments returned for one ticket. */
const LIST_LIMIT = 5000;

const metaColumns = {
  id: ticketAttachments.id,
  ticketId: ticketAttachments.ticketId,
  replySeq: ticketAttachments.replySeq,
  n: ticketAttachments.n,
  filename: ticketAttachments.filename,
  mediaType: ticketAttachments.mediaType,
  size: ticketAttachments.size,
  createdAt: ticketAttachments.createdAt,
};

function toMeta(row: Pick<TicketAttachmentRow, keyof typeof metaColumns>): AttachmentMeta {
  return { ...row };
}

export function createSqlAttachmentStore(db: Db): AttachmentStore {
  return {
    async listByTicket(ticketId) {
      const rows = await db
        .select(metaColumns)
        .from(ticketAttachments)
        .where(eq(ticketAttachments.ticketId, ticketId))
        .orderBy(asc(ticketAttachments.replySeq), asc(ticketAttachments.n))
        .limit(LIST_LIMIT);
      return rows.map(toMeta);
    },
    async content(ticketId, attachmentId) {
      const [row] = await db
        .select({ ...metaColumns, content: attachmentBlobs.content })
        .from(ticketAttachments)
        .innerJoin(attachmentBlobs, eq(attachmentBlobs.storageKey, ticketAttachments.storageKey))
        .where(and(eq(ticketAttachments.ticketId, ticketId), eq(ticketAttachments.id, attachmentId)))
        .limit(1);
      if (!row) return null;
      const { content, ...meta } = row;
      return { meta: toMeta(meta), content };
    },
  };
}

/** The files of one reply, in order: what a resent reply (Idempotency-Key) answers with. */
export async function attachmentsOfReply(db: Db, ticketId: string, replySeq: number): Promise<AttachmentMeta[]> {
  const rows = await db
    .select(metaColumns)
    .from(ticketAttachments)
    .where(and(eq(ticketAttachments.ticketId, ticketId), eq(ticketAttachments.replySeq, replySeq)))
    .orderBy(asc(ticketAttachments.n));
  return rows.map(toMeta);
}

/**
 * Stores the files of one message inside the caller's transaction: the
 * metadata rows, then the content under each file's random storage key.
 * Called by the ticket store with the reply it has just inserted.
 */
export async function insertAttachments(
  tx: Tx,
  ticketId: string,
  replySeq: number,
  files: readonly NewAttachment[],
  uploadedBy: string,
  at: Date,
): Promise<AttachmentMeta[]> {
  if (files.length === 0) return [];
  const rows = await tx
    .insert(ticketAttachments)
    .values(
      files.map((f, i) => ({
        id: f.id,
        ticketId,
        replySeq,
        n: i + 1,
        filename: f.filename,
        mediaType: f.mediaType,
        size: f.size,
        sha256: f.sha256,
        storageKey: f.storageKey,
        uploadedBy,
        createdAt: at,
      })),
    )
    .returning(metaColumns);
  for (const f of files) await tx.insert(attachmentBlobs).values({ storageKey: f.storageKey, content: f.content });
  return rows.map(toMeta);
}
