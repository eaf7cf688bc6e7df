/**
 * Writing in a ticket that exists: a chained reply (user side or sede, with up
 * to three files) and an internal note (staff), each perhaps a retry with an
 * `Idempotency-Key` (ticket-idempotency.ts, docs/tickets.md "Retried
 * creations"). Apart from ticket-service.ts, which hands in what is needed
 * (WritingContext) and keeps the entry points; nothing here imports back.
 *
 * A retry is looked up first, before the ticket's visibility, its status and
 * the daily reply limit: the reply (or note) the key wrote is the writer's own
 * and was stored, so it is answered even once the ticket is closed, or, for an
 * office, transferred to a sede it no longer sees. The person must learn that
 * it got in, not be told to write it again. The answer shows only what they
 * wrote; a different text or other files with the key are refused.
 */
import { isUserRole } from '../routing/types.ts';
import type { AttachmentMeta, NewAttachment } from './attachments.ts';
import type { Identity } from './auth.ts';
import { AppError } from './errors.ts';
import { idempotencyOf, idempotencySince, sameRequest } from './ticket-idempotency.ts';
import { fileCount, text } from './ticket-input.ts';
import { actorOf, companyMatricole, isStaff, noticePayload, TICKET_ID, TICKET_LIMITS, userSide } from './ticket-rules.ts';
import type { TicketChange } from './ticket-push.ts';
import type { NewNotice, TicketNote, TicketRecord, TicketReply, TicketStore } from './ticket-store.ts';

/** What writing needs from the service. */
export interface WritingContext {
  readonly store: TicketStore;
  now(): Date;
  /** The ticket if the caller may see it, else not_found. */
  visible(identity: Identity, id: string): Promise<TicketRecord>;
  /** Replies one user may write in 24 hours (REPLIES_PER_USER_PER_DAY); 0: no limit. */
  readonly dailyReplyLimit: number;
  /** After a reply is committed: the user side's pages update live (ticket-push.ts). */
  updated(ticket: TicketRecord, change: TicketChange): void;
}

/** A reply written, or with a key already used (`replayed`), the one that key wrote. */
export interface Replied {
  ticketId: string;
  reply: TicketReply;
  attachments: AttachmentMeta[];
  replayed: boolean;
}

export interface Noted {
  note: TicketNote;
  replayed: boolean;
}

/**
 * A chained reply, from the user side or from the sede, with up to three
 * files (checked and sniffed by the caller, see attachments.ts): the reply
 * and its files are stored together or not at all.
 */
export async function writeReply(ctx: WritingContext, identity: Identity, id: string, bodyInput: string, attachments: readonly NewAttachment[], key: string | null): Promise<Replied> {
  const idem = key === null ? undefined : idempotencyOf(key, { body: text('body', bodyInput, TICKET_LIMITS.bodyMax) }, attachments);
  const earlier = idem ? await earlierReply(ctx, identity, id, idem.key) : null;
  if (earlier) {
    sameRequest(earlier.hash, idem!);
    return { ticketId: earlier.reply.ticketId, reply: earlier.reply, attachments: earlier.attachments, replayed: true };
  }
  const ticket = await checkedForReply(ctx, identity, id);
  const body = text('body', bodyInput, TICKET_LIMITS.bodyMax);
  const fromOffice = identity.role === 'office';
  const notice: NewNotice = {
    kind: 'replied',
    ...(fromOffice ? userSide(ticket) : { recipientKind: 'sede', recipientId: ticket.sede }),
    payload: noticePayload(ticket),
  };
  const done = await ctx.store.addReply(ticket.id, {
    author: actorOf(identity),
    body,
    at: ctx.now(),
    marksResponse: fromOffice,
    notice,
    attachments: fileCount(attachments),
    ...(fromOffice ? { atSede: ticket.sede } : {}),
    ...(idem ? { idempotency: idem } : {}),
  });
  // Not created: a retry with the same key committed first (another node, another connection).
  if (!done.created && idem) sameRequest(done.idempotencyHash, idem);
  if (done.created) ctx.updated(done.ticket, { reason: 'reply', by: fromOffice ? 'office' : 'user' });
  return { ticketId: ticket.id, reply: done.reply, attachments: done.attachments, replayed: !done.created };
}

/**
 * The checks a reply passes before its body is read: lets an upload be
 * refused before its files arrive. A key that already wrote a reply on this
 * ticket passes (the reply it wrote is the answer, see above); otherwise the
 * ticket is visible to the caller (else not_found), the caller may answer (not
 * a supervisor), it is not closed and the daily limit is not reached.
 */
export async function mayReply(ctx: WritingContext, identity: Identity, id: string, key: string | null): Promise<string> {
  if (key !== null && (await earlierReply(ctx, identity, id, key))) return id.toLowerCase();
  return (await checkedForReply(ctx, identity, id)).id;
}

async function checkedForReply(ctx: WritingContext, identity: Identity, id: string): Promise<TicketRecord> {
  const ticket = await ctx.visible(identity, id);
  if (identity.role === 'supervisor') throw new AppError('forbidden', 'supervisors read tickets; the sede answers them');
  if (ticket.status === 'closed') throw new AppError('ticket_closed');
  await withinDailyReplyLimit(ctx, identity);
  return ticket;
}

/** The reply this author's key wrote on this ticket in the last 24 hours, if any. */
async function earlierReply(ctx: WritingContext, identity: Identity, id: string, key: string) {
  if (typeof id !== 'string' || !TICKET_ID.test(id)) return null; // visible() answers not_found
  return ctx.store.replyByIdempotencyKey(id.toLowerCase(), identity.sub, key, idempotencySince(ctx.now()));
}

/**
 * Each reply may carry three files of 5 MiB: without a bound, one signed-in
 * person (or a page stuck resending) could fill the database and a sede's
 * queue. Offices are not limited: they answer many people. Counted, not
 * locked, like the daily request limit; a retry with a key is not counted.
 */
async function withinDailyReplyLimit(ctx: WritingContext, identity: Identity): Promise<void> {
  if (ctx.dailyReplyLimit <= 0 || !isUserRole(identity.role)) return;
  const since = new Date(ctx.now().getTime() - 86_400_000);
  const written = await ctx.store.repliedBy(identity.sub, companyMatricole(identity), since);
  if (written >= ctx.dailyReplyLimit) throw new AppError('reply_limit_reached', String(ctx.dailyReplyLimit));
}

/**
 * An internal note for colleagues: office operators of the ticket's sede
 * and supervisors, closed tickets included (staff annotate after closing).
 * Anyone else gets the not_found of an absent ticket, the user who owns it
 * too: a user is not told that notes exist. No notice, no change of
 * `updated_at`; an office's note is a compare-and-set on its sede, like a
 * reply (ticket_transferred when a transfer committed first). A key works as
 * for a reply: a note it wrote is answered, even after a transfer.
 */
export async function writeNote(ctx: WritingContext, identity: Identity, id: string, bodyInput: string, key: string | null): Promise<Noted> {
  // Users are not told that notes exist: for them, straight to the not_found below.
  const idem = key !== null && isStaff(identity) ? idempotencyOf(key, { body: text('body', bodyInput, TICKET_LIMITS.bodyMax) }, []) : undefined;
  if (idem && TICKET_ID.test(id)) {
    const earlier = await ctx.store.noteByIdempotencyKey(id.toLowerCase(), identity.sub, idem.key, idempotencySince(ctx.now()));
    if (earlier) {
      sameRequest(earlier.hash, idem);
      return { note: earlier.note, replayed: true };
    }
  }
  const ticket = await ctx.visible(identity, id);
  if (!isStaff(identity)) throw new AppError('not_found');
  const body = text('body', bodyInput, TICKET_LIMITS.bodyMax);
  const atSede = identity.role === 'office' ? { atSede: ticket.sede } : {};
  const done = await ctx.store.addNote(ticket.id, { author: actorOf(identity), body, at: ctx.now(), ...atSede, ...(idem ? { idempotency: idem } : {}) });
  if (!done.created && idem) sameRequest(done.idempotencyHash, idem);
  return { note: done.note, replayed: !done.created };
}
