/**
 * The supervisor dashboard over HTTP (docs/dashboard.md):
 *
 *   GET  /api/v1/dashboard/live                            queues, advisors, ticket backlogs now
 *   GET  /api/v1/dashboard/history?from&to&sede&province   daily figures (default: the last 30 days)
 *   GET  /api/v1/dashboard/history.csv?…                   the same rows as a CSV download
 *   POST /api/v1/dashboard/snapshots {day}                 take (or re-take) a day's snapshot
 *   POST /api/v1/dashboard/provinces/:code/ticket-only {on}
 *   POST /api/v1/dashboard/advisors/:id/queues {provinces, regions}
 *   GET  /api/v1/dashboard/audit?limit&target              the controls' audit trail
 *
 * Supervisors: everything. Office operators: the live view and history of their
 * sede. Others: 403 `forbidden`. The rules are in DashboardService; this file
 * checks shapes (JSON Schema, response schemas as allow-lists).
 */
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from './auth.ts';
import type { DashboardService } from './dashboard-service.ts';
import type { HistoryQuery } from './dashboard-views.ts';
import { errorSchema } from './http-errors.ts';
import { signedIn } from './http-auth.ts';

export interface DashboardRoutesOptions {
  auth: Authenticator;
  dashboard: DashboardService;
}

const DAY = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const PROVINCE = { type: 'string', pattern: '^[A-Za-z]{2}$' } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
/** An estimate that may be unknown. */
const numOrNull = { type: ['number', 'null'] } as const;
const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const strings = { type: 'array', items: str } as const;

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } as const;

const departureFigures = {
  type: 'object',
  properties: {
    total: int,
    byReason: { type: 'object', properties: { cancelled: int, self_served: int, disconnected: int, timeout: int, closed: int } },
    chatsServed: int,
    leftUnservedShare: nullableNumber,
  },
} as const;

const audienceCounts = { type: 'object', properties: { worker: int, employer: int, intermediary: int } } as const;

export const advisorSchema = {
  type: 'object',
  properties: { id: str, name: nullableString, status: str, load: int, capacity: int, provinces: strings, regions: strings, audiences: strings, languages: strings },
} as const;

const liveSchema = {
  type: 'object',
  properties: {
    at: str,
    scope: { type: 'object', properties: { role: str, sede: nullableString, provinces: { type: ['array', 'null'], items: str } } },
    service: { type: 'object', properties: { open: bool, closesAt: nullableString, secondsToClose: nullableNumber, opensAt: nullableString } },
    totals: {
      type: 'object',
      properties: {
        waiting: int,
        oldestWaitSeconds: num,
        conversationsActive: int,
        advisors: { type: 'object', properties: { available: int, away: int, offline: int } },
        occupancy: num,
        tickets: { type: 'object', properties: { open: int, inProgress: int, overdue: int, slaBreaches: int, closedToday: int } },
        satisfaction: { type: 'object', properties: { ratings: int, average: nullableNumber } },
        departures: departureFigures,
      },
    },
    queues: {
      type: 'array',
      items: {
        type: 'object',
        properties: { province: str, audience: str, length: int, oldestWaitSeconds: num, estimatedWaitSeconds: numOrNull, beyondClosing: bool },
      },
    },
    provinces: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          code: str,
          name: str,
          region: str,
          sede: nullableString,
          waiting: int,
          byAudience: audienceCounts,
          oldestWaitSeconds: num,
          estimatedWaitSeconds: numOrNull,
          beyondClosing: bool,
          advisorsAvailable: int,
          ticketOnly: bool,
          heat: int,
          departures: departureFigures,
        },
      },
    },
    advisors: { type: 'array', items: advisorSchema },
    languages: {
      type: 'array',
      items: { type: 'object', properties: { lang: str, waiting: int, oldestWaitSeconds: num, advisorsAvailable: int } },
    },
    tickets: {
      type: 'array',
      items: {
        type: 'object',
        properties: { sede: str, name: nullableString, open: int, inProgress: int, closed: int, overdue: int, slaBreaches: int, closedToday: int },
      },
    },
    ticketOnly: strings,
  },
  required: ['at', 'scope', 'service', 'totals', 'queues', 'provinces', 'advisors', 'languages', 'tickets', 'ticketOnly'],
} as const;

const figures = {
  chatsServed: int,
  avgWaitSeconds: nullableNumber,
  p90WaitSeconds: nullableNumber,
  escalations: int,
  ticketsOpened: int,
  ticketsClosed: int,
  ticketsOverdue: int,
  backlogEnd: int,
  ratingsCount: int,
  ratingsSum: int,
  departures: int,
  departuresSelfServed: int,
} as const;

const historySchema = {
  type: 'object',
  properties: {
    from: str,
    to: str,
    series: { type: 'object', properties: { scope: str, key: str, name: str } },
    days: { type: 'array', items: { type: 'object', properties: { day: str, taken: bool, ...figures } } },
    rows: { type: 'array', items: { type: 'object', properties: { day: str, scope: str, key: str, name: str, ...figures } } },
  },
  required: ['from', 'to', 'series', 'days'],
} as const;

const historyQuery = {
  type: 'object',
  properties: {
    from: DAY,
    to: DAY,
    sede: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9-]+$' },
    province: PROVINCE,
    rows: { type: 'boolean', default: true },
  },
  additionalProperties: false,
} as const;


export async function dashboardRoutes(app: FastifyInstance, opts: DashboardRoutesOptions): Promise<void> {
  const { auth, dashboard } = opts;

  app.get('/api/v1/dashboard/live', { schema: { response: { 200: liveSchema, ...errors } } }, async (request, reply) => {
    const identity = await signedIn(request, auth);
    reply.header('Cache-Control', 'no-store');
    return dashboard.live(identity);
  });

  app.get<{ Querystring: HistoryQuery }>(
    '/api/v1/dashboard/history',
    { schema: { querystring: historyQuery, response: { 200: historySchema, ...errors } } },
    async (request) => {
      const identity = await signedIn(request, auth);
      return dashboard.history(identity, request.query);
    },
  );

  app.get<{ Querystring: HistoryQuery }>(
    '/api/v1/dashboard/history.csv',
    { schema: { querystring: historyQuery, response: { 200: { type: 'string' }, ...errors } } },
    async (request, reply) => {
      const identity = await signedIn(request, auth);
      const { csv, filename } = await dashboard.historyCsv(identity, request.query);
      reply.header('Content-Type', 'text/csv; charset=utf-8');
      reply.header('Content-Disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
      reply.header('Cache-Control', 'no-store');
      return csv;
    },
  );

  app.post<{ Body: { day: string } }>(
    '/api/v1/dashboard/snapshots',
    {
      schema: {
        body: { type: 'object', properties: { day: DAY }, required: ['day'], additionalProperties: false },
        response: {
          201: {
            type: 'object',
            properties: {
              day: str,
              rows: { type: 'array', items: { type: 'object', properties: { day: str, scope: str, key: str, ...figures } } },
            },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const identity = await signedIn(request, auth);
      const rows = await dashboard.takeSnapshot(request.body.day, identity);
      reply.code(201);
      return { day: request.body.day, rows };
    },
  );

  app.post<{ Params: { code: string }; Body: { on: boolean } }>(
    '/api/v1/dashboard/provinces/:code/ticket-only',
    {
      schema: {
        params: { type: 'object', properties: { code: PROVINCE }, required: ['code'], additionalProperties: false },
        body: { type: 'object', properties: { on: { type: 'boolean' } }, required: ['on'], additionalProperties: false },
        response: { 200: { type: 'object', properties: { province: str, on: bool, changed: bool, since: nullableString } }, ...errors },
      },
    },
    async (request) => {
      const identity = await signedIn(request, auth);
      return dashboard.setTicketOnly(identity, request.params.code, request.body.on);
    },
  );

  app.post<{ Params: { id: string }; Body: { provinces: string[]; regions: string[] } }>(
    '/api/v1/dashboard/advisors/:id/queues',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'], additionalProperties: false },
        body: {
          type: 'object',
          properties: {
            provinces: { type: 'array', maxItems: 110, items: PROVINCE },
            regions: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 64 } },
          },
          required: ['provinces', 'regions'],
          additionalProperties: false,
        },
        response: { 200: advisorSchema, ...errors },
      },
    },
    async (request) => {
      const identity = await signedIn(request, auth);
      return dashboard.moveAdvisor(identity, request.params.id, request.body);
    },
  );

  app.get<{ Querystring: { limit?: number; target?: string } }>(
    '/api/v1/dashboard/audit',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, target: { type: 'string', minLength: 1, maxLength: 200 } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    at: str,
                    actor: { type: 'object', properties: { id: str, role: str, name: nullableString } },
                    action: str,
                    target: str,
                    detail: { type: 'object', additionalProperties: true },
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const identity = await signedIn(request, auth);
      return { items: await dashboard.audit(identity, request.query) };
    },
  );
}
