/**
 * Internal notes on SQL (`ticket_notes`, docs/tickets.md): the sede's staff
 * writing for one another about a ticket. Apart from ticket-store-sql.ts so
 * that what reads the notes sits in one small file no user path imports.
 *
 * Numbering: the note takes `max(seq) + 1` under the ticket row's lock
 * (`FOR NO KEY UPDATE`), so two notes at once, on any node, are numbered one
 * after the other; a rollback leaves no gap. The lock does not block the
 * foreign-key checks of replies and audit rows written meanwhile (they take
 * KEY SHARE), only other notes and updates of the ticket, for the few
 * milliseconds of the transaction.
 */
import { asc, eq, max } from 'drizzle-orm';
import { ticketAudit, ticketNotes, tickets } from '../schema/ticket-tables.ts';
import type { Db } from './db.ts';
import { AppError } from './errors.ts';
import { idempotencySince } from './ticket-idempotency.ts';
import { auditDetailBy } from './ticket-rules.ts';
import type { AddedNote, NewNote, TicketNote } from './ticket-store.ts';
import { entryColumns, KeyTaken, keyColumns, keyConflict, keyedEntry, releaseStaleKey } from './thread-keys-sql.ts';

/** Most notes returned with a ticket (as for its replies). */
const NOTES_LIMIT = 5000;
/** A note as the service reads it: not its Idempotency-Key or hash. */
const noteColumns = entryColumns(ticketNotes);

export async function ticketNotesOf(db: Db, ticketId: string): Promise<TicketNote[]> {
  return db.select(noteColumns).from(ticketNotes).where(eq(ticketNotes.ticketId, ticketId)).orderBy(asc(ticketNotes.seq)).limit(NOTES_LIMIT);
}

/**
 * The note and its `noted` audit row (detail `{seq}`: the text stays in the
 * note), in one transaction. No outbox row, and the ticket's `updated_at` is
 * untouched: both would tell the user side that something was written. With
 * an Idempotency-Key already used by the same author on this ticket (within
 * 24 hours), nothing is written and that note is returned (thread-keys-sql.ts).
 */
export async function addTicketNote(db: Db, ticketId: string, input: NewNote): Promise<AddedNote> {
  const { author, at, idempotency: idem } = input;
  const since = idempotencySince(at);
  const write = db.transaction(async (tx): Promise<AddedNote> => {
    const [ticket] = await tx.select({ sede: tickets.sede }).from(tickets).where(eq(tickets.id, ticketId)).for('no key update');
    if (!ticket) throw new AppError('not_found');
    // An office notes only a ticket still at its sede: a transfer that committed first wins.
    if (input.atSede !== undefined && ticket.sede !== input.atSede) throw new AppError('ticket_transferred');
    if (idem) await releaseStaleKey(tx, ticketNotes, ticketId, author.id, idem.key, since);
    const [last] = await tx.select({ seq: max(ticketNotes.seq) }).from(ticketNotes).where(eq(ticketNotes.ticketId, ticketId));
    const seq = (last?.seq ?? 0) + 1;
    const insert = tx
      .insert(ticketNotes)
      .values({ ticketId, seq, authorId: author.id, authorRole: author.role, authorName: author.name, body: input.body, at, ...keyColumns(idem) });
    const [note] = idem ? await insert.onConflictDoNothing(keyConflict(ticketNotes)).returning(noteColumns) : await insert.returning(noteColumns);
    if (!note) throw idem ? new KeyTaken() : new AppError('internal');
    await tx.insert(ticketAudit).values({ ticketId, at, actorId: author.id, actorRole: author.role, action: 'noted', detail: auditDetailBy(author, { seq }) });
    return { note, created: true };
  });
  try {
    return await write;
  } catch (err) {
    // The key taken by a twin that committed first, or (after that twin) the ticket transferred: answer the twin.
    const winner = idem && (err instanceof KeyTaken || (err instanceof AppError && err.code === 'ticket_transferred')) ? await noteByIdempotencyKey(db, ticketId, author.id, idem.key, since) : null;
    if (winner) return { note: winner.note, created: false, idempotencyHash: winner.hash };
    throw err instanceof KeyTaken ? new AppError('internal') : err;
  }
}

export async function noteByIdempotencyKey(db: Db, ticketId: string, authorId: string, key: string, since: Date): Promise<{ note: TicketNote; hash: string } | null> {
  const found = await keyedEntry(db, ticketNotes, ticketId, authorId, key, since);
  return found ? { note: found.entry, hash: found.hash } : null;
}
