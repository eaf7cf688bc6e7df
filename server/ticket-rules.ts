/**
 * Linea INPS tickets: who sees what and who is told. The one visibility rule
 * (`mayView`, for every read and every action), the scope of a list, the
 * overdue test, and the recipients and payloads of notices. Pure functions of
 * an identity and a ticket; the service (ticket-service.ts) applies them.
 */
import type { Identity } from './auth.ts';
import type { ConversationRecord } from './chat-store.ts';
import { AppError } from './errors.ts';
import type { Actor, NewNotice, TicketRecord, TicketScope } from './ticket-store.ts';

export const TICKET_LIMITS = {
  subjectMax: 200,
  bodyMax: 10_000,
  outcomeMax: 500,
  transferReasonMax: 1000,
  pageSizeDefault: 20,
  pageSizeMax: 100,
} as const;

/** A ticket id as the routes take it (a UUID, any case); anything else is the not_found of an absent one. */
export const TICKET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The SLA: the user is recontacted within this many working hours. */
export const SLA_WORKING_HOURS = 48;
export const TICKET_TIME_ZONE = 'Europe/Rome';
/** The outcome recorded when a user withdraws their own open request. */
export const WITHDRAWN = 'withdrawn';

export function isStaff(identity: Identity): boolean {
  return identity.role === 'office' || identity.role === 'supervisor';
}

/** The matricole a user acts for: an employer its own, an intermediary those it represents. */
export function companyMatricole(identity: Identity): string[] {
  if (identity.role === 'employer') return identity.matricola !== null ? [identity.matricola] : [];
  if (identity.role === 'intermediary') return identity.matricole;
  return [];
}

/**
 * The company a chat is about: its `context.matricola` (checked against the token
 * when the chat was asked for, chat-queue.ts), only for an employer's or an
 * intermediary's chat; null for a worker's or when none was named.
 */
export function chatMatricola(conversation: { userRole: string; context: Record<string, string> }): string | null {
  if (conversation.userRole === 'worker') return null;
  return conversation.context.matricola?.trim() || null;
}

/**
 * What is shown beside a chat (the user's requests, their previous chats) is for
 * the advisor serving it now, while it is open: anyone else, and the same advisor
 * once it closed or moved on, gets the `not_found` of an absent chat.
 */
export function servedByCaller(identity: Identity, conversation: ConversationRecord | null): ConversationRecord {
  if (!conversation || identity.role !== 'advisor' || conversation.advisorId !== identity.sub || conversation.status !== 'open') throw new AppError('not_found');
  return conversation;
}

/** What of a ticket decides who may see it; also what its live updates carry between nodes (ticket-push.ts). */
export type TicketAccess = Pick<TicketRecord, 'userId' | 'matricola' | 'sede'>;

/** The one visibility rule, for reads and for actions alike, and for whom a ticket's live update is meant. */
export function mayView(identity: Identity, ticket: TicketAccess): boolean {
  switch (identity.role) {
    case 'supervisor':
      return true;
    case 'office':
      return identity.sede !== null && ticket.sede === identity.sede;
    case 'advisor':
      return false;
    default:
      return ticket.userId === identity.sub || (ticket.matricola !== null && companyMatricole(identity).includes(ticket.matricola));
  }
}

export function scopeOf(identity: Identity): TicketScope {
  switch (identity.role) {
    case 'supervisor':
      return { kind: 'all' };
    case 'office':
      if (identity.sede === null) throw new AppError('forbidden', 'an office operator needs a sede');
      return { kind: 'sede', sede: identity.sede };
    case 'advisor':
      throw new AppError('forbidden', 'advisors do not see tickets');
    default:
      return { kind: 'user', userId: identity.sub, matricole: companyMatricole(identity) };
  }
}

export function isOverdue(ticket: TicketRecord, now: Date): boolean {
  return ticket.status !== 'closed' && ticket.respondedAt === null && ticket.dueAt !== null && ticket.dueAt.getTime() < now.getTime();
}

export function actorOf(identity: Identity): Actor {
  return { id: identity.sub, role: identity.role, name: identity.name };
}

/**
 * An audit row's detail as written: the action's own, plus `actorName`, the name the actor's token
 * carried when they acted (absent when it had none). Staff read who took a request in charge or
 * moved it by name ("da Laura Bianchi"): a user code says little to a colleague. The API gives it
 * back as the entry's `actor.name` (auditView, http-ticket-views.ts).
 */
export function auditDetailBy(actor: Actor, detail: Record<string, unknown>): Record<string, unknown> {
  return actor.name ? { ...detail, actorName: actor.name } : detail;
}

/** Who on the user side is told: the user when known, else the matricola's holders. */
export function userSide(ticket: TicketRecord): Pick<NewNotice, 'recipientKind' | 'recipientId'> {
  if (ticket.userId !== null) return { recipientKind: 'user', recipientId: ticket.userId };
  return { recipientKind: 'matricola', recipientId: ticket.matricola! };
}

/** What a notice may say: never the text of the thread (sign in to read it). */
export function noticePayload(ticket: TicketRecord): Record<string, unknown> {
  return { protocol: ticket.protocol, subject: ticket.subject, sede: ticket.sede, status: ticket.status };
}
