/**
 * What a Linea INPS ticket and its threads look like when read from the store:
 * the record, its replies, internal notes, audit rows and outbox notices, the
 * statuses and the protocol number's format.
 *
 * Apart from ticket-store.ts (the TicketStore interface and its invariants) and
 * ticket-changes.ts (what a change hands the store): every reader of a ticket
 * needs these shapes, few need the store's methods.
 */
import type { Topic, UserRole } from '../routing/types.ts';

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

/**
 * An internal note: staff only, never part of the thread the user reads. Stored apart (its own table and seq),
 * with a reply's fields: one shape, so a change to what a reply carries reaches notes too.
 */
export type TicketNote = TicketReply;

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

/** A territorial office as the transfer form lists it. */
export interface OfficeEntry {
  code: string;
  name: string;
}
