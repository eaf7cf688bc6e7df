/**
 * Follow-up requests ("richieste collegate", docs/tickets.md): a user whose
 * request was closed without solving their problem writes again from it
 * instead of starting from nothing. The closed request stays closed (closed →
 * anything is still illegal_transition): the follow-up is a NEW request that
 * names it (`follows`), goes to the sede that closed it, keeps its company
 * (matricola) and gets an SLA of its own.
 *
 * What may be followed up, and until when, is here, apart from the three ways
 * of opening a ticket (ticket-creation.ts) because the same rule also tells the
 * page whether to offer it (`followUpUntil` in the user's view of a request).
 */
import type { Identity } from './auth.ts';
import { AppError } from './errors.ts';
import { mayView, TICKET_ID, WITHDRAWN } from './ticket-rules.ts';
import type { TicketLink, TicketRecord, TicketStore } from './ticket-store.ts';

/**
 * A closed request may be followed up for this many days after it was closed:
 * long enough to find the payment still missing at the next month's end, short
 * enough that an old request is not reopened sideways (a new one is routed afresh).
 */
export const FOLLOW_UP_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/** What a request opened with `follows` may also say about where it belongs. */
export interface FollowUpInput {
  follows: string;
  province?: string;
  matricola?: string;
}

/**
 * A request its writer withdrew (closed by them, outcome `withdrawn`) was never
 * answered by the sede: "not resolved? write a follow-up" has nothing to refer
 * to, and the sede would receive a "seguito" of something it never saw. The
 * person opens a new request, routed afresh, instead.
 */
export function isWithdrawn(ticket: Pick<TicketRecord, 'status' | 'outcome'>): boolean {
  return ticket.status === 'closed' && ticket.outcome === WITHDRAWN;
}

/**
 * Until when a request may be followed up: its closing time plus the window,
 * while that is not past at `now`; null for a request that is not closed, was
 * withdrawn, or whose window has passed.
 */
export function followUpUntil(ticket: TicketRecord, now: Date): Date | null {
  if (ticket.status !== 'closed' || ticket.closedAt === null || isWithdrawn(ticket)) return null;
  const until = new Date(ticket.closedAt.getTime() + FOLLOW_UP_WINDOW_DAYS * DAY_MS);
  return until.getTime() >= now.getTime() ? until : null;
}

/**
 * The request a follow-up names, once it passes every check: the caller may see
 * it (else the not_found of an absent id: a request of someone else is not
 * told apart), it is closed (else ticket_not_closed: write in it instead), it
 * was not withdrawn by its writer (else follow_up_withdrawn: a new request), it
 * was closed within the window (else follow_up_window_expired), and the
 * follow-up does not try to move it elsewhere: no province (it goes to the sede
 * that closed the request) and no matricola but the request's own (else
 * follow_up_matricola_mismatch).
 */
export async function followedRequest(store: TicketStore, identity: Identity, input: FollowUpInput, now: Date): Promise<TicketRecord> {
  if (input.province !== undefined) throw new AppError('validation_failed', 'a follow-up goes to the sede of the request it follows: give no province');
  const id = input.follows;
  const original = typeof id === 'string' && TICKET_ID.test(id) ? await store.get(id.toLowerCase()) : null;
  if (!original || !mayView(identity, original)) throw new AppError('not_found');
  if (original.status !== 'closed') throw new AppError('ticket_not_closed', original.protocol);
  if (isWithdrawn(original)) throw new AppError('follow_up_withdrawn', original.protocol);
  if (followUpUntil(original, now) === null) throw new AppError('follow_up_window_expired', String(FOLLOW_UP_WINDOW_DAYS));
  if (input.matricola !== undefined && (input.matricola.trim() || null) !== original.matricola) {
    throw new AppError('follow_up_matricola_mismatch', original.matricola === null ? 'the request names no matricola' : `the request is about matricola ${original.matricola}`);
  }
  return original;
}

/** How a request names another: id and protocol number, nothing of its content. */
export function linkOf(ticket: Pick<TicketRecord, 'id' | 'protocol'>): TicketLink {
  return { id: ticket.id, protocol: ticket.protocol };
}

/** The request this one follows up, or null. */
export function followsOf(ticket: TicketRecord): TicketLink | null {
  return ticket.followsProtocol === null ? null : { id: ticket.followsId, protocol: ticket.followsProtocol };
}

/**
 * An office's read-only access to another sede's request as the history of a
 * follow-up it holds: the follow-up was transferred in, or followed a request
 * another sede closed, and the operator answering it needs what was asked and
 * answered before. Granted while a request at the office's sede now follows
 * this one, directly or link by link (a follow-up of a follow-up); not to a
 * supervisor (who sees everything anyway) nor to users (`mayView` is theirs).
 */
export interface HistoryAccess {
  /** The follow-up at the caller's sede that makes this request its history (the oldest, if several). */
  followUp: { id: string; protocol: string };
  /** The direct follow-ups of this request on the way to the caller's sede: the caller may open them too. */
  via: ReadonlySet<string>;
}

export async function historyAccess(store: TicketStore, identity: Identity, ticket: TicketRecord): Promise<HistoryAccess | null> {
  if (identity.role !== 'office' || identity.sede === null) return null;
  const held = await store.followUpsAtSede(ticket.id, identity.sede);
  if (held.length === 0) return null;
  return { followUp: held[0]!.held, via: new Set(held.map((h) => h.via)) };
}

/**
 * The follow-ups of a request that the caller may open, as links: those it may
 * see, and for an office those on the way to a follow-up it holds (its history
 * too). The chain is only walked when an office is shown a follow-up of
 * another sede.
 */
export async function openableFollowUps(store: TicketStore, identity: Identity, ticket: TicketRecord, followUps: readonly TicketRecord[], history: HistoryAccess | null): Promise<TicketLink[]> {
  let via = history?.via;
  if (via === undefined && identity.role === 'office' && followUps.some((f) => !mayView(identity, f))) via = (await historyAccess(store, identity, ticket))?.via;
  return followUps.filter((f) => mayView(identity, f) || via?.has(f.id) === true).map(linkOf);
}
