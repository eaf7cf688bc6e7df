/**
 * What a change hands the ticket store: a new ticket, a reply, an internal note,
 * a status transition, a transfer to another sede, with who acts and the notice
 * written in the same transaction; and what a reply or a note written returns.
 *
 * Apart from ticket-store.ts (the interface and the invariants these inputs keep)
 * and ticket-records.ts (what is read): the write side's shapes, used by the
 * service that builds them and the SQL that stores them.
 */
import type { Topic, UserRole } from '../routing/types.ts';
import type { AttachmentMeta, NewAttachment } from './attachments.ts';
import type { AuditAction, NoticeKind, NoticeRecipientKind, TicketNote, TicketOrigin, TicketRecord, TicketReply, TicketStatus } from './ticket-records.ts';

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
