/**
 * Linea INPS tickets over HTTP (docs/tickets.md):
 *
 *   POST  /api/v1/tickets               a user opens a request; an office writes first with `to`
 *   GET   /api/v1/tickets               the tickets the caller may see, filtered and paginated
 *   GET   /api/v1/tickets/:id           one ticket, its thread (and its audit trail and internal notes, for staff)
 *   POST  /api/v1/tickets/:id/replies   a chained reply
 *   PATCH /api/v1/tickets/:id           a status change (`{ status, outcome? }`)
 *
 * (The transfer to another sede is in http-ticket-transfer.ts; writing an
 * internal note in http-ticket-notes.ts; the files in http-attachments.ts,
 * which registers all four.)
 *
 * The rules are in TicketService; this file only checks shapes. Which fields
 * each role gets is decided in http-ticket-views.ts (an allow-list: the
 * response schemas drop anything else).
 */
import type { FastifyInstance } from 'fastify';
import { TOPICS, type Topic } from '../routing/types.ts';
import { companyOwner, ownerOfTicket, type AccessLog } from './access-log.ts';
import type { Authenticator } from './auth.ts';
import { AppError } from './errors.ts';
import { errorSchema } from './http-errors.ts';
import { DATE_OR_INSTANT } from './query-dates.ts';
import { signedIn } from './http-auth.ts';
import { noteView } from './http-ticket-notes.ts';
import { entryBodySchema, idParams, threadEntrySchema } from './http-ticket-schemas.ts';
import { auditView, detailSchema, noNames, replyView, ticketSchema, ticketView, type OfficeName } from './http-ticket-views.ts';
import type { Opened } from './ticket-creation.ts';
import { answerCreated, idempotencyKeyOf } from './ticket-idempotency.ts';
import { isStaff, TICKET_LIMITS, type ListInput, type TicketService } from './ticket-service.ts';
import { TICKET_ORDERS, TICKET_STATUSES } from './ticket-store.ts';

export interface TicketRoutesOptions {
  auth: Authenticator;
  tickets: TicketService;
  /** Staff reads of a ticket and searches by matricola are recorded here before the answer leaves. */
  access: AccessLog;
  /** The territorial office's name for a sede code, shown beside the code; absent: code only. */
  officeName?: OfficeName;
  /**
   * The language a user reads (the `lang` of their token or of the page they wrote
   * from, kept for their notices): given to staff with one ticket, so that a written
   * reply can be in it. Absent: not given.
   */
  userLang?: (userId: string) => Promise<string | null>;
}

const MATRICOLA = { type: 'string', minLength: 1, maxLength: 32, pattern: '^[0-9A-Za-z][0-9A-Za-z./-]*$' } as const;

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema } as const;

interface CreateBody {
  subject: string;
  category: Topic;
  body: string;
  province?: string;
  matricola?: string;
  follows?: string;
  to?: { userId?: string; matricola?: string };
}

export async function ticketRoutes(app: FastifyInstance, opts: TicketRoutesOptions): Promise<void> {
  const { auth, tickets, access } = opts;
  const names = opts.officeName ?? noNames;
  // Only a nicety for the reply's wording: a failed read leaves the ticket readable, in Italian.
  const readerLang = async (userId: string | null) => (userId && opts.userLang ? await opts.userLang(userId).catch(() => null) : null);

  app.post<{ Body: CreateBody }>(
    '/api/v1/tickets',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            subject: { type: 'string', minLength: 1, maxLength: TICKET_LIMITS.subjectMax },
            category: { type: 'string', enum: [...TOPICS] },
            body: { type: 'string', minLength: 1, maxLength: TICKET_LIMITS.bodyMax },
            province: { type: 'string', minLength: 2, maxLength: 2, pattern: '^[A-Za-z]{2}$' },
            matricola: MATRICOLA,
            follows: { type: 'string', minLength: 1, maxLength: 64 },
            to: {
              type: 'object',
              properties: { userId: { type: 'string', minLength: 1, maxLength: 200 }, matricola: MATRICOLA },
              minProperties: 1,
              additionalProperties: false,
            },
          },
          required: ['subject', 'category', 'body'],
          additionalProperties: false,
        },
        // 200: a replay of an earlier POST with the same Idempotency-Key (ticket-idempotency.ts).
        response: { 200: ticketSchema, 201: ticketSchema, ...errors },
      },
    },
    async (request, reply) => {
      const identity = await signedIn(request, auth);
      const key = idempotencyKeyOf(request);
      const { to, ...rest } = request.body;
      let opened: Opened;
      if (identity.role === 'office') {
        if (to === undefined) throw new AppError('validation_failed', 'an office addresses its request with `to`');
        if (rest.province !== undefined || rest.matricola !== undefined || rest.follows !== undefined) {
          throw new AppError('validation_failed', 'an office gives the addressee in `to`, not province, matricola or follows');
        }
        opened = await tickets.openByOffice(identity, { to, subject: rest.subject, category: rest.category, body: rest.body }, [], key);
      } else {
        if (to !== undefined) throw new AppError('validation_failed', '`to` is for office operators');
        opened = await tickets.openByUser(identity, rest, [], key);
      }
      const { ticket } = opened;
      answerCreated(reply, opened.replayed);
      return ticketView(identity, ticket, new Date(ticket.createdAt), names);
    },
  );

  app.get<{ Querystring: ListInput }>(
    '/api/v1/tickets',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: [...TICKET_STATUSES] },
            matricola: MATRICOLA,
            subject: { type: 'string', maxLength: TICKET_LIMITS.subjectMax },
            from: DATE_OR_INSTANT,
            to: DATE_OR_INSTANT,
            updatedFrom: DATE_OR_INSTANT,
            updatedTo: DATE_OR_INSTANT,
            sede: { type: 'string', minLength: 1, maxLength: 32 },
            overdue: { type: 'boolean' },
            mine: { type: 'boolean' },
            sort: { type: 'string', enum: [...TICKET_ORDERS] },
            page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
            pageSize: { type: 'integer', minimum: 1, maximum: TICKET_LIMITS.pageSizeMax, default: TICKET_LIMITS.pageSizeDefault },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: ticketSchema },
              page: { type: 'integer' },
              pageSize: { type: 'integer' },
              total: { type: 'integer' },
            },
            required: ['items', 'page', 'pageSize', 'total'],
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const identity = await signedIn(request, auth);
      const list = await tickets.list(identity, request.query);
      const { matricola } = request.query;
      if (matricola !== undefined) {
        await access.record(identity, { action: 'ticket.search', subjectId: matricola, ownerId: companyOwner(matricola), detail: { results: list.total } }, request.id);
      }
      return {
        items: list.items.map((t) => ticketView(identity, t, list.now, names)),
        page: list.page,
        pageSize: list.pageSize,
        total: list.total,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/tickets/:id',
    { schema: { params: idParams, response: { 200: detailSchema, ...errors } } },
    async (request) => {
      const identity = await signedIn(request, auth);
      const detail = await tickets.get(identity, request.params.id);
      const history = detail.historyOf === null ? {} : { detail: { followUp: detail.historyOf.id } };
      await access.record(identity, { action: 'ticket.read', subjectId: detail.ticket.id, ownerId: ownerOfTicket(detail.ticket), ...history }, request.id);
      const staff = isStaff(identity);
      const view = ticketView(identity, detail.ticket, detail.now, names);
      if (staff) view.user = { ...(view.user as object), lang: await readerLang(detail.ticket.userId) };
      return {
        ...view,
        replies: detail.replies.map((r) => replyView(identity, r)),
        followedBy: detail.followedBy,
        ...(detail.historyOf === null ? {} : { historyOf: detail.historyOf }),
        ...(staff && detail.audit ? { audit: detail.audit.map(auditView) } : {}),
        ...(staff && detail.notes ? { notes: detail.notes.map(noteView) } : {}),
        ...(detail.transcript
          ? {
              transcript: detail.transcript.map((m) => ({
                seq: m.seq,
                from: staff ? { id: m.senderId, role: m.senderRole } : { role: m.senderRole },
                text: m.text,
                at: m.at.toISOString(),
              })),
            }
          : {}),
      };
    },
  );

  app.post<{ Params: { id: string }; Body: { body: string } }>(
    '/api/v1/tickets/:id/replies',
    {
      schema: {
        params: idParams,
        body: entryBodySchema,
        // 200: a resent reply (same Idempotency-Key), answered with the first one (ticket-writing.ts).
        response: { 200: threadEntrySchema, 201: threadEntrySchema, ...errors },
      },
    },
    async (request, reply) => {
      const identity = await signedIn(request, auth);
      const key = idempotencyKeyOf(request);
      const result = await tickets.reply(identity, request.params.id, request.body.body, [], key);
      answerCreated(reply, result.replayed);
      return replyView(identity, result.reply);
    },
  );

  app.patch<{ Params: { id: string }; Body: { status: string; outcome?: string } }>(
    '/api/v1/tickets/:id',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: [...TICKET_STATUSES] },
            outcome: { type: 'string', minLength: 1, maxLength: TICKET_LIMITS.outcomeMax },
          },
          required: ['status'],
          additionalProperties: false,
        },
        response: { 200: ticketSchema, ...errors },
      },
    },
    async (request) => {
      const identity = await signedIn(request, auth);
      const ticket = await tickets.changeStatus(identity, request.params.id, request.body);
      return ticketView(identity, ticket, ticket.updatedAt, names);
    },
  );
}
