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
import type { Topic, UserRole } from '../routing/types.ts';
import type { AttachmentMeta, NewAttachment } from './attachments.ts';

export const TICKET_STATUSES = ['open', 'in_progress', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TICKET_ORIGINS = ['user', 'escalation', 'office'] as const;
export type TicketOrigin = (typeof TICKET_ORIGINS)[number];
export const NOTICE_KINDS = ['registered', 'taken_in_charge', 'replied', 'closed', 'transferred'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
export type NoticeRecipientKind = 'user' | 'matricola' | 'sede';
export type AuditAction = 'created' | 'replied' | 'taken_in_charge' | 'closed' | 'transferred' | 'noted';

export function isTicketStatus(value: unknown): value is TicketStatus {
  return typeof value === 'string' && (TICKET_STATUSES as readonly string[]).includes(value);
}

/** `LINPS-2026-000123`: at least six digits, more once a year passes 999 999. */
export function formatProtocol(year: number, n: number): string {
  return `LINPS-${year}-${String(n).padStart(6, '0')}`;
}

export const PROTOCOL_PATTERN = /^LINPS-\d{4}-\d{6,}$/;

export interface TicketRecord {
  id: string;
  protocol: string;
  subject: string;
  category: Topic;
  origin: TicketOrigin;
  userId: string | null;
  userRole: UserRole | null;
  userName: string | null;
  userFiscalCode: string | null;
  matricola: string | null;
  province: string | null;
  sede: string;
  status: TicketStatus;
  outcome: string | null;
  createdBy: string;
  createdByRole: string;
  createdAt: Date;
  updatedAt: Date;
  takenAt: Date | null;
  takenBy: string | null;
  respondedAt: Date | null;
  closedAt: Date | null;
  closedBy: string | null;
  dueAt: Date | null;
  conversationId: string | null;
  lastReplySeq: number;
  /** The closed request this one follows up (docs/tickets.md, "Follow-up requests"); null once that one is erased. */
  followsId: string | null;
  /** Its protocol number, kept when it is erased. */
  followsProtocol: string | null;
}

/** Another request named beside one: its id and protocol number, nothing else. */
export interface TicketLink {
  /** Null when the request was erased (retention): only its number remains. */
  id: string | null;
  protocol: string;
}

/** A later request of a follow-up chain held at a sede, and which direct follow-up of the earlier request leads to it. */
export interface FollowUpAtSede {
  /** The direct follow-up of the earlier request that the chain passes through (`held` itself when it follows it directly). */
  via: string;
  held: { id: string; protocol: string };
}

export interface TicketReply {
  ticketId: string;
  seq: number;
  authorId: string;
  authorRole: string;
  authorName: string | null;
  body: string;
  at: Date;
}

/** An internal note: staff only, never part of the thread the user reads. */
export interface TicketNote {
  ticketId: string;
  seq: number;
  authorId: string;
  authorRole: string;
  authorName: string | null;
  body: string;
  at: Date;
}

export interface AuditEntry {
  id: number;
  ticketId: string;
  at: Date;
  actorId: string;
  actorRole: string;
  action: string;
  detail: Record<string, unknown>;
}

export interface OutboxEntry {
  id: string;
  ticketId: string;
  kind: NoticeKind;
  recipientKind: NoticeRecipientKind;
  recipientId: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  sentAt: Date | null;
  attempts: number;
}

/** Who did something. */
export interface Actor {
  id: string;
  role: string;
  name: string | null;
}

/** A notice to write into the outbox with the change. */
export interface NewNotice {
  kind: NoticeKind;
  recipientKind: NoticeRecipientKind;
  recipientId: string;
  payload: Record<string, unknown>;
}

export interface NewTicket {
  id: string;
  /** Local (Europe/Rome) year the protocol number is drawn from. */
  year: number;
  subject: string;
  category: Topic;
  origin: TicketOrigin;
  userId: string | null;
  userRole: UserRole | null;
  userName: string | null;
  userFiscalCode: string | null;
  matricola: string | null;
  province: string | null;
  sede: string;
  status: 'open' | 'in_progress';
  createdBy: Actor;
  createdAt: Date;
  takenBy: string | null;
  dueAt: Date | null;
  conversationId: string | null;
  /** The first reply of the thread (the request's text, or the advisor's summary), with its files if any. */
  firstReply: { author: Actor; body: string; attachments?: readonly NewAttachment[] };
  /** An escalation's internal note for the sede (note 1, with its `noted` audit row); never shown to the user. */
  firstNote?: { author: Actor; body: string };
  /** The closed request this one follows up (a user's "richiesta collegata"); absent for any other. */
  follows?: { id: string; protocol: string };
  /**
   * The creator's Idempotency-Key and the hash of what they asked (ticket-idempotency.ts): at most
   * one ticket per creator and key, so a second creation with it writes nothing and gets the first.
   */
  idempotency?: { key: string; hash: string };
  /** Extra detail for the `created` audit row (the protocol, sede and due time are added). */
  auditDetail: Record<string, unknown>;
  /** The `registered` notice; `protocol` is added to its payload. */
  notice: NewNotice;
}

export interface NewReply {
  author: Actor;
  body: string;
  at: Date;
  /** Set `responded_at` when not yet set (the office has recontacted the user). */
  marksResponse: boolean;
  notice: NewNotice;
  /** Files carried by the reply (at most three, already checked): stored in the same transaction. */
  attachments?: readonly NewAttachment[];
  /** An office's reply: only while the ticket is still at this sede (else ticket_transferred). */
  atSede?: string;
  /**
   * The author's Idempotency-Key and the hash of the reply (ticket-idempotency.ts): at most one
   * reply per ticket, author and key, so a second one with it writes nothing and gets the first.
   */
  idempotency?: { key: string; hash: string };
}

/** What addReply did: wrote the reply (`created`), or found the one its key wrote (with that one's hash). */
export interface AddedReply {
  ticket: TicketRecord;
  reply: TicketReply;
  attachments: AttachmentMeta[];
  created: boolean;
  idempotencyHash?: string;
}

export interface NewNote {
  author: Actor;
  body: string;
  at: Date;
  /** An office's note: only while the ticket is still at this sede (else ticket_transferred). */
  atSede?: string;
  /** As for a reply: one note per ticket, author and key. */
  idempotency?: { key: string; hash: string };
}

/** What addNote did: wrote the note (`created`), or found the one its key wrote. */
export interface AddedNote {
  note: TicketNote;
  created: boolean;
  idempotencyHash?: string;
}

export interface Transition {
  from: TicketStatus;
  to: TicketStatus;
  actor: Actor;
  at: Date;
  outcome: string | null;
  action: AuditAction;
  notice: NewNotice;
  /** An office's change: only while the ticket is still at this sede. */
  atSede?: string;
}

/** A ticket handed "per competenza" from one sede to another. */
export interface Transfer {
  /** The sede it must still be at: the compare-and-set. */
  from: string;
  to: string;
  actor: Actor;
  at: Date;
  reason: string;
  notice: NewNotice;
}

/** A territorial office as the transfer form lists it. */
export interface OfficeEntry {
  code: string;
  name: string;
}

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
