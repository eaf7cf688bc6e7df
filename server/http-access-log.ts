/**
 * GET /api/v1/access-log: who on the institute's side read whose data, newest
 * first, for supervisors (docs/access-log.md). Filters: `owner` (the person the
 * data is about: a data subject's request), `actor`, `subject` (a conversation,
 * ticket or attachment id, or a matricola searched), `action`, `from`/`to`
 * (a day in Europe/Rome or an ISO 8601 instant). Paged like the ticket list.
 *
 * GET /api/v1/access-log/mine: for the people the data is about (workers,
 * employers, intermediaries), the staff reads of their own chats, requests and
 * files, with the reader's role and office but not the employee's identity;
 * `ticket` narrows it to one request and its files.
 *
 * GET /api/v1/access-log.csv: the same filters, oldest first, as a CSV file for
 * an audit (at most 50,000 rows); the export is itself recorded.
 */
import type { FastifyInstance } from 'fastify';
import { ACCESS_ACTIONS, ACCESS_PAGE_MAX, type AccessAction, type AccessLog } from './access-log.ts';
import type { Authenticator } from './auth.ts';
import { errorSchema } from './http-errors.ts';
import { signedIn } from './http-auth.ts';
import { DATE_OR_INSTANT, queryBoundary } from './query-dates.ts';

interface Query {
  owner?: string;
  actor?: string;
  subject?: string;
  action?: AccessAction;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

const id = { type: 'string', minLength: 1, maxLength: 128 } as const;
const str = { type: 'string' } as const;
const nullableString = { type: ['string', 'null'] } as const;

const itemSchema = {
  type: 'object',
  properties: {
    at: str,
    actor: { type: 'object', properties: { id: str, role: str, sede: nullableString } },
    action: str,
    subjectId: str,
    ownerId: nullableString,
    requestId: nullableString,
    detail: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
  },
} as const;

const ownItemSchema = {
  type: 'object',
  properties: {
    at: str,
    action: str,
    subjectId: str,
    ticketId: nullableString,
    forFollowUp: { type: 'boolean' },
    /** `sedeName`: the office's name ("INPS Sede di Roma"), null when the directory does not know the code */
    by: { type: 'object', properties: { role: str, sede: nullableString, sedeName: nullableString } },
  },
} as const;

const FILTERS = {
  owner: id,
  actor: id,
  subject: id,
  action: { type: 'string', enum: [...ACCESS_ACTIONS] },
  from: DATE_OR_INSTANT,
  to: DATE_OR_INSTANT,
} as const;

const PAGING = {
  page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: ACCESS_PAGE_MAX, default: 50 },
} as const;

/** A page of items, as both routes answer it. */
const pageOf = (items: object) =>
  ({
    type: 'object',
    properties: { items: { type: 'array', items }, page: { type: 'integer' }, pageSize: { type: 'integer' }, total: { type: 'integer' } },
    required: ['items', 'page', 'pageSize', 'total'],
  }) as const;

export async function accessLogRoutes(
  app: FastifyInstance,
  opts: { auth: Authenticator; access: AccessLog; timeZone: string; officeName?: (sede: string) => string | null },
): Promise<void> {
  // A person reads which office looked by its name: another sede (reading a follow-up's history) is not the request's own.
  const named = <T extends { by: { sede: string | null } }>(item: T) => ({ ...item, by: { ...item.by, sedeName: item.by.sede === null ? null : (opts.officeName?.(item.by.sede) ?? null) } });
  /** `from`/`to` as instants: a day is its first instant, and `to` includes the whole day. */
  const days = (q: { from?: string; to?: string }) => ({
    from: q.from === undefined ? undefined : queryBoundary('from', q.from, 'start', opts.timeZone),
    to: q.to === undefined ? undefined : queryBoundary('to', q.to, 'end', opts.timeZone),
  });

  app.get<{ Querystring: Query }>(
    '/api/v1/access-log',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { ...FILTERS, ...PAGING },
          additionalProperties: false,
        },
        response: {
          200: pageOf(itemSchema),
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request) => opts.access.list(await signedIn(request, opts.auth), { ...request.query, ...days(request.query) }),
  );

  app.get<{ Querystring: Omit<Query, 'page' | 'pageSize'> }>(
    '/api/v1/access-log.csv',
    {
      schema: {
        querystring: { type: 'object', properties: FILTERS, additionalProperties: false },
        response: { 200: { type: 'string' }, 400: errorSchema, 401: errorSchema, 403: errorSchema, 503: errorSchema },
      },
    },
    async (request, reply) => {
      const identity = await signedIn(request, opts.auth);
      const filters = new URLSearchParams(request.query as Record<string, string>).toString();
      const csv = await opts.access.csv(identity, { ...request.query, ...days(request.query) }, filters, request.id);
      const today = new Date().toISOString().slice(0, 10);
      reply.header('Content-Type', 'text/csv; charset=utf-8');
      reply.header('Content-Disposition', `attachment; filename="infocig-accessi-${today}.csv"`);
      reply.header('Cache-Control', 'no-store');
      return csv;
    },
  );

  app.get<{ Querystring: { ticket?: string; page: number; pageSize: number } }>(
    '/api/v1/access-log/mine',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            ticket: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' },
            ...PAGING,
          },
          additionalProperties: false,
        },
        response: {
          200: pageOf(ownItemSchema),
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (request) => {
      const page = await opts.access.mine(await signedIn(request, opts.auth), request.query);
      return { ...page, items: page.items.map(named) };
    },
  );
}
