/**
 * What a Linea INPS request looks like over HTTP to each caller: the response
 * schemas of a ticket and of its detail, and the views that pick, field by
 * field, what a user or a member of staff gets (an allow-list: the response
 * schemas drop anything else). Users never get another person's id, fiscal code
 * or the audit trail; staff get who did what.
 *
 * Apart from http-tickets.ts (the routes, their request schemas and handlers):
 * the transfer, the files and the chat's own lists answer with these views too,
 * and what may be shown to whom is one concern to read and review on its own.
 */
import type { Identity } from './auth.ts';
import { threadEntrySchema } from './http-ticket-schemas.ts';
import { followsOf, followUpUntil } from './ticket-follow-up.ts';
import { isOverdue, isStaff } from './ticket-service.ts';
import type { AuditEntry, TicketRecord, TicketReply } from './ticket-store.ts';

export type OfficeName = (sede: string) => string | null;
export const noNames: OfficeName = () => null;

const nullableString = { type: ['string', 'null'] } as const;

const linkSchema = { type: 'object', properties: { id: { type: 'string' }, protocol: { type: 'string' } } } as const;

export const ticketSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    protocol: { type: 'string' },
    subject: { type: 'string' },
    category: { type: 'string' },
    origin: { type: 'string' },
    status: { type: 'string' },
    outcome: nullableString,
    sede: { type: 'string' },
    sedeName: nullableString,
    matricola: nullableString,
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    takenAt: nullableString,
    closedAt: nullableString,
    dueAt: nullableString,
    overdue: { type: 'boolean' },
    conversationId: nullableString,
    replyCount: { type: 'integer' },
    /** when the sede first answered (the due time is then met); null while it has not */
    respondedAt: nullableString,
    /** the closed request this one follows up (docs/tickets.md, "Follow-up requests"); id null once that one is erased */
    follows: { type: ['object', 'null'], properties: { id: nullableString, protocol: { type: 'string' } } },
    /** users only: whether they opened it (or it was addressed to them) */
    mine: { type: 'boolean' },
    /**
     * users only: on a company's request someone else on its side opened, that person's role
     * (`employer`, `intermediary`), never who; null for the caller's own and for one the sede wrote
     */
    filedBy: nullableString,
    /** users only: until when a closed request may be followed up; null when not closed or too late */
    followUpUntil: nullableString,
    /** staff only from here */
    user: {
      type: 'object',
      /** `lang`: GET /api/v1/tickets/:id only, the language the user reads when known (it, de, en) */
      properties: { id: nullableString, role: nullableString, name: nullableString, fiscalCode: nullableString, lang: nullableString },
    },
    province: nullableString,
    takenBy: nullableString,
    closedBy: nullableString,
    createdBy: { type: 'object', properties: { id: { type: 'string' }, role: { type: 'string' } } },
  },
} as const;

export const detailSchema = {
  type: 'object',
  properties: {
    ...ticketSchema.properties,
    replies: { type: 'array', items: threadEntrySchema },
    /** the requests that follow this one up, those the caller may open */
    followedBy: { type: 'array', items: linkSchema },
    /** office only, reading another sede's request read-only as the history of a follow-up it holds: that follow-up */
    historyOf: { type: 'object', properties: { id: { type: 'string' }, protocol: { type: 'string' } } },
    /** staff only: the internal notes (http-ticket-notes.ts); users never get the field */
    notes: { type: 'array', items: threadEntrySchema },
    audit: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string' },
          /** `name`: as their token gave it when they acted; null when it had none (or for rows written before names were kept) */
          actor: { type: 'object', properties: { id: { type: 'string' }, role: { type: 'string' }, name: nullableString } },
          action: { type: 'string' },
          detail: { type: 'object', additionalProperties: true },
        },
      },
    },
    transcript: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          seq: { type: 'integer' },
          from: { type: 'object', properties: { id: { type: 'string' }, role: { type: 'string' } } },
          text: { type: 'string' },
          at: { type: 'string' },
        },
      },
    },
  },
} as const;

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** The fields of a ticket this caller may see. */
export function ticketView(identity: Identity, t: TicketRecord, now: Date, officeName: OfficeName = noNames): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: t.id,
    protocol: t.protocol,
    subject: t.subject,
    category: t.category,
    origin: t.origin,
    status: t.status,
    outcome: t.outcome,
    sede: t.sede,
    sedeName: officeName(t.sede),
    matricola: t.matricola,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    takenAt: iso(t.takenAt),
    closedAt: iso(t.closedAt),
    dueAt: iso(t.dueAt),
    overdue: isOverdue(t, now),
    conversationId: t.conversationId,
    replyCount: t.lastReplySeq,
    respondedAt: iso(t.respondedAt),
    follows: followsOf(t),
  };
  if (!isStaff(identity)) return { ...view, mine: t.userId === identity.sub, filedBy: filedBy(identity, t), followUpUntil: iso(followUpUntil(t, now)) };
  return {
    ...view,
    user: { id: t.userId, role: t.userRole, name: t.userName, fiscalCode: t.userFiscalCode },
    province: t.province,
    takenBy: t.takenBy,
    closedBy: t.closedBy,
    createdBy: { id: t.createdBy, role: t.createdByRole },
  };
}

/**
 * Who on the company's side opened a request the caller did not: an employer reads that its labour
 * consultant filed it, a consultant that the company (or another consultant) did. The role only: the
 * person's name is already theirs to read in the thread, their id and fiscal code never are.
 */
function filedBy(identity: Identity, t: TicketRecord): string | null {
  if (t.userId === null || t.userId === identity.sub || t.origin === 'office') return null;
  return t.userRole === 'employer' || t.userRole === 'intermediary' ? t.userRole : null;
}

/** A reply: staff see who wrote it; users see the role and the name, and whether it is theirs (on a company's request, others of its side write too). */
export function replyView(identity: Identity, r: TicketReply): Record<string, unknown> {
  const author = isStaff(identity) ? { id: r.authorId, role: r.authorRole, name: r.authorName } : { role: r.authorRole, name: r.authorName, mine: r.authorId === identity.sub };
  return { seq: r.seq, author, body: r.body, at: r.at.toISOString() };
}

/** An audit entry; the actor's name, kept in the row's detail when they acted (ticket-rules.ts auditDetailBy), goes with their id. */
export function auditView(a: AuditEntry): Record<string, unknown> {
  const { actorName, ...detail } = a.detail;
  const name = typeof actorName === 'string' ? actorName : null;
  return { at: a.at.toISOString(), actor: { id: a.actorId, role: a.actorRole, name }, action: a.action, detail };
}
