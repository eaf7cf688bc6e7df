/**
 * Where Linea INPS tickets live: the source of truth. The rules (who may do
 * what, transitions, routing, SLA) live in ticket-service.ts; the store only
 * keeps these invariants:
 *
 * - every change to a ticket, its audit row and its notice (outbox row) are
 *   written in one transaction: all or nothing;
 * - a change is a compare-and-set on the ticket's status (and, for the
 *   office, on its sede), so two operators cannot both take or both close one
 *   ticket, and a sede cannot act on a ticket transferred away meanwhile;
 * - a transfer is a compare-and-set on the sede and on "not closed", so of two
 *   transfers, or of a transfer and a close, exactly one wins;
 * - replies are numbered 1, 2, 3 … per ticket, no gaps, by the database;
 * - internal notes are numbered 1, 2, 3 … per ticket apart from replies, and
 *   live in their own table, which no read for a user touches;
 * - a ticket is never created twice for one conversation;
 * - protocol numbers are unique (`LINPS-YYYY-NNNNNN`, one sequence per year;
 *   increasing in the order drawn, a failed creation may leave a gap).
 */
import type { AttachmentMeta } from './attachments.ts';
import type { AddedNote, AddedReply, NewNote, NewReply, NewTicket, Transfer, Transition } from './ticket-changes.ts';
import type { AuditEntry, FollowUpAtSede, OfficeEntry, OutboxEntry, TicketNote, TicketRecord, TicketReply, TicketStatus } from './ticket-records.ts';

// The records (what is read) and the changes (what is written) have files of their own; every
// name stays importable from here, where the store that reads and writes them is declared.
export * from './ticket-records.ts';
export * from './ticket-changes.ts';

/** Which tickets a caller may see. */
export type TicketScope =
  | { kind: 'all' }
  | { kind: 'sede'; sede: string }
  /** Their own (user_id) plus those of these matricole. */
  | { kind: 'user'; userId: string; matricole: readonly string[] };

export interface TicketFilters {
  status?: TicketStatus;
  matricola?: string;
  /** Case-insensitive "contains". */
  subject?: string;
  sede?: string;
  /** Created at or after. */
  createdFrom?: Date;
  /** Created before (exclusive). */
  createdBefore?: Date;
  updatedFrom?: Date;
  updatedBefore?: Date;
  overdue?: boolean;
  /** Not opened by this user (`user_id` another, or none): a company's requests others of its side filed. */
  notUser?: string;
}

/**
 * The requests an advisor is shown beside a chat (GET /api/v1/conversations/:id/requests):
 * the user's own, and the company's when the chat is about one.
 */
export interface ChatUserRequests {
  userId: string;
  /** The company the chat is about (an employer's or an intermediary's chat naming it), else null: its requests too. */
  matricola: string | null;
  /** A company user: their own requests filed for another matricola are that company's, not shown. */
  company: boolean;
  /** Closed requests count only when closed at or after this instant. */
  closedSince: Date;
  limit: number;
}

/** How a list is ordered: the office's work order, or the last change first. */
export const TICKET_ORDERS = ['due', 'updated'] as const;
export type TicketOrder = (typeof TICKET_ORDERS)[number];

export function isTicketOrder(value: unknown): value is TicketOrder {
  return typeof value === 'string' && (TICKET_ORDERS as readonly string[]).includes(value);
}

/** Which slice of a list, in which order (default `due`). */
export interface TicketPageRequest {
  offset: number;
  limit: number;
  order?: TicketOrder;
}

export interface TicketPage {
  items: TicketRecord[];
  total: number;
}

export interface TicketStore {
  /** The sede holding a company's position, from `matricola_sedi`; null when unknown. */
  sedeOfMatricola(matricola: string): Promise<string | null>;
  /** The sede competent for a province, from `office_provinces`; null when none. */
  sedeOfProvince(province: string): Promise<string | null>;
  /** The province a sede sits in (for its patron day); null for an unknown sede. */
  provinceOfSede(sede: string): Promise<string | null>;
  /**
   * Ticket, first reply, `created` audit row and `registered` notice in one
   * transaction. When a ticket already exists for `conversationId`, returns
   * that one with `created: false` and writes nothing; likewise for a ticket of the
   * same creator with the same idempotency key (with its `idempotencyHash`), except
   * one created 24 hours or more before `createdAt`, whose key is then released.
   */
  create(input: NewTicket): Promise<{ ticket: TicketRecord; created: boolean; attachments?: AttachmentMeta[]; idempotencyHash?: string }>;
  /** The ticket `createdBy` created with this idempotency key since `since`, and its request hash; null when none. */
  byIdempotencyKey(createdBy: string, key: string, since: Date): Promise<{ ticket: TicketRecord; hash: string } | null>;
  get(id: string): Promise<TicketRecord | null>;
  byConversation(conversationId: string): Promise<TicketRecord | null>;
  /** How many requests this user opened themselves (origin `user`) since `since`: the daily limit counts them. */
  openedBy(userId: string, since: Date): Promise<number>;
  /**
   * How many replies this user wrote since `since` on the requests they may
   * reply to (their own, and those of the matricole they act for): the daily
   * reply limit counts them.
   */
  repliedBy(userId: string, matricole: readonly string[], since: Date): Promise<number>;
  /**
   * One page. Order `due`: overdue first (not closed, not yet answered by the
   * office, due before `now`), then by due time (none last), then oldest first.
   * Order `updated`: the last change (`updated_at`) first, then by id.
   */
  list(scope: TicketScope, filters: TicketFilters, now: Date, page: TicketPageRequest): Promise<TicketPage>;
  /** Not closed, or closed since `closedSince`; newest activity (`updated_at`) first; at most `limit`. */
  ofChatUser(q: ChatUserRequests): Promise<TicketRecord[]>;
  replies(ticketId: string): Promise<TicketReply[]>;
  /** The requests that follow this one up, oldest first (the caller filters them by visibility). */
  followUps(ticketId: string): Promise<TicketRecord[]>;
  /**
   * The requests at `sede` now that follow this one up, directly or link by
   * link along the chain, oldest first (ticket-follow-up-sql.ts): an office
   * holding one reads this request as its history.
   */
  followUpsAtSede(ticketId: string, sede: string): Promise<FollowUpAtSede[]>;
  audit(ticketId: string): Promise<AuditEntry[]>;
  /** The internal notes, in seq order (staff reads only). */
  notes(ticketId: string): Promise<TicketNote[]>;
  outbox(ticketId: string): Promise<OutboxEntry[]>;
  /** The transcript of a conversation (messages table), in seq order. */
  transcript(conversationId: string): Promise<{ seq: number; senderId: string; senderRole: string; text: string; at: Date }[]>;
  /**
   * Appends a reply (next seq), bumps `updated_at`, writes the `replied`
   * audit row and the notice, and the reply's files if any. Throws AppError
   * ticket_closed when closed, not_found when absent. With `idempotency` and a reply
   * of the same author with the same key in the 24 hours before `at` (perhaps committed
   * by another node meanwhile), writes nothing and returns that one (`created: false`,
   * its hash), closed ticket or not; a use of the key older than that lets go of it.
   */
  addReply(ticketId: string, input: NewReply): Promise<AddedReply>;
  /** The reply `authorId` wrote on this ticket with this idempotency key since `since`, its files and its request hash; null when none. */
  replyByIdempotencyKey(ticketId: string, authorId: string, key: string, since: Date): Promise<{ reply: TicketReply; attachments: AttachmentMeta[]; hash: string } | null>;
  /**
   * Appends an internal note (next note seq) with its `noted` audit row, in
   * one transaction; closed tickets too. No notice, and `updated_at` is left
   * alone (users see it). Throws AppError not_found when absent,
   * ticket_transferred when `atSede` is given and the ticket is elsewhere.
   * An idempotency key works as for addReply.
   */
  addNote(ticketId: string, input: NewNote): Promise<AddedNote>;
  /** The note `authorId` wrote on this ticket with this idempotency key since `since`, and its request hash; null when none. */
  noteByIdempotencyKey(ticketId: string, authorId: string, key: string, since: Date): Promise<{ note: TicketNote; hash: string } | null>;
  /**
   * Moves the ticket from `from` to `to` if it is still in `from`, with its
   * audit row and notice; null (and nothing written) when it was not in `from`.
   */
  transition(ticketId: string, input: Transition): Promise<TicketRecord | null>;
  /**
   * Moves the ticket to `to` if it is still at `from` and not closed: back to
   * `open`, nobody in charge, `due_at` untouched; with its `transferred` audit
   * row and notice. null (and nothing written) when it was not.
   */
  transfer(ticketId: string, input: Transfer): Promise<TicketRecord | null>;
  /** Every territorial office (`offices`), by name. */
  offices(): Promise<OfficeEntry[]>;
}
