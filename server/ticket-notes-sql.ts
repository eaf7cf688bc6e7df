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
import type { NewNote, TicketNote } from './ticket-store.ts';

/** Most notes returned with a ticket (as for its replies). */
const NOTES_LIMIT = 5000;

export async function ticketNotesOf(db: Db, ticketId: string): Promise<TicketNote[]> {
  return db.select().from(ticketNotes).where(eq(ticketNotes.ticketId, ticketId)).orderBy(asc(ticketNotes.seq)).limit(NOTES_LIMIT);
}

/**
 * The note and its `noted` audit row (detail `{seq}`: the text stays in the
 * note), in one transaction. No outbox row, and the ticket's `updated_at` is
 * untouched: both would tell the user side that something was written.
 */
export async function addTicketNote(db: Db, ticketId: string, input: NewNote): Promise<TicketNote> {
  return db.transaction(async (tx) => {
    const [ticket] = await tx.select({ sede: tickets.sede }).from(tickets).where(eq(tickets.id, ticketId)).for('no key update');
    if (!ticket) throw new AppError('not_found');
    // An office notes only a ticket still at its sede: a transfer that committed first wins.
    if (input.atSede !== undefined && ticket.sede !== input.atSede) throw new AppError('ticket_transferred');
    const [last] = await tx.select({ seq: max(ticketNotes.seq) }).from(ticketNotes).where(eq(ticketNotes.ticketId, ticketId));
    const seq = (last?.seq ?? 0) + 1;
    const { author, at } = input;
    const [note] = await tx
      .insert(ticketNotes)
      .values({ ticketId, seq, authorId: author.id, authorRole: author.role, authorName: author.name, body: input.body, at })
      .returning();
    if (!note) throw new AppError('internal');
    await tx.insert(ticketAudit).values({ ticketId, at, actorId: author.id, actorRole: author.role, action: 'noted', detail: { seq } });
    return note;
  });
}
