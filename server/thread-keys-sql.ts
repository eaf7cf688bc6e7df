/**
 * The `Idempotency-Key` of a reply or an internal note on SQL (ticket-idempotency.ts,
 * docs/tickets.md "Retried creations"): both tables keep `idempotency_key` and
 * `idempotency_hash` on the entry itself, unique per (ticket, author, key) while set.
 *
 * How a keyed entry is written, inside the transaction that holds the ticket row's lock:
 * an older use of the key (24 hours or more before) lets go of it; the entry is inserted
 * `ON CONFLICT DO NOTHING`; a conflict means a twin committed first (the lock made this
 * transaction wait for it, so it is committed and readable): the writer throws KeyTaken,
 * which rolls back everything it did (the reply's seq, the ticket's `updated_at`), and then
 * reads the twin back and answers it. No second entry, audit row or notice, on any node.
 */
import { and, eq, gt, lte, sql } from 'drizzle-orm';
import { ticketNotes, ticketReplies } from '../schema/ticket-tables.ts';
import type { Db } from './db.ts';
import type { Idempotency } from './ticket-idempotency.ts';
import type { TicketReply } from './ticket-store.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type ThreadTable = typeof ticketReplies | typeof ticketNotes;
/** A reply and a note have the same shape (TicketReply, TicketNote). */
type ThreadEntry = TicketReply;

/** Thrown inside the writing transaction when the key is taken: rolls it back. */
export class KeyTaken extends Error {
  constructor() {
    super('idempotency key taken by a committed twin');
  }
}

/** An entry's key columns for an insert: null without a key. */
export function keyColumns(idem: Idempotency | undefined): { idempotencyKey: string | null; idempotencyHash: string | null } {
  return { idempotencyKey: idem?.key ?? null, idempotencyHash: idem?.hash ?? null };
}

/** The target of `ON CONFLICT DO NOTHING` for a keyed entry: the partial unique index. */
export function keyConflict(table: ThreadTable) {
  return { target: [table.ticketId, table.authorId, table.idempotencyKey], where: sql`${table.idempotencyKey} is not null` };
}

/** Past the window the key is the author's to use again on this ticket: the old entry lets go of it. */
export async function releaseStaleKey(tx: Tx, table: ThreadTable, ticketId: string, authorId: string, key: string, since: Date): Promise<void> {
  await tx
    .update(table)
    .set({ idempotencyKey: null, idempotencyHash: null })
    .where(and(eq(table.ticketId, ticketId), eq(table.authorId, authorId), eq(table.idempotencyKey, key), lte(table.at, since)));
}

/** The columns of a reply or a note as the service reads them: never its key or hash. */
export function entryColumns(table: ThreadTable) {
  return { ticketId: table.ticketId, seq: table.seq, authorId: table.authorId, authorRole: table.authorRole, authorName: table.authorName, body: table.body, at: table.at };
}

/** The entry `authorId` wrote on this ticket with `key` after `since`, and what it asked (its hash); null when none. */
export async function keyedEntry(db: Db, table: ThreadTable, ticketId: string, authorId: string, key: string, since: Date): Promise<{ entry: ThreadEntry; hash: string } | null> {
  const [row] = await db
    .select({ ...entryColumns(table), hash: table.idempotencyHash })
    .from(table)
    .where(and(eq(table.ticketId, ticketId), eq(table.authorId, authorId), eq(table.idempotencyKey, key), gt(table.at, since)))
    .limit(1);
  if (!row?.hash) return null;
  const { hash, ...entry } = row;
  return { entry, hash };
}
