/**
 * Service announcements over HTTP (docs/dashboard.md "Announcements"):
 *
 *   POST /api/v1/announcements                 publish (supervisor)
 *   GET  /api/v1/announcements                 current, scheduled, last 30 days' (supervisor)
 *   POST /api/v1/announcements/:id/withdraw    withdraw (supervisor)
 *   GET  /api/v1/announcements/current?province=&audience=
 *                                              what a user there is shown now: public, cacheable
 *
 * The rules are in announcements.ts; this file checks shapes (JSON Schema with
 * the length limits, response schemas as allow-lists: the public read carries
 * no author, scope or dates of withdrawal).
 */
import type { FastifyInstance } from 'fastify';
import { USER_ROLES, type Audience } from '../routing/types.ts';
import { ANNOUNCEMENT_SEVERITIES } from '../schema/announcement-tables.ts';
import { ANNOUNCEMENT_LIMITS, type AnnouncementInput, type AnnouncementService } from './announcements.ts';
import type { Authenticator } from './auth.ts';
import { errorSchema } from './http-errors.ts';
import { signedIn } from './http-auth.ts';

export interface AnnouncementRoutesOptions {
  auth: Authenticator;
  announcements: AnnouncementService;
}

/** Seconds a browser or a proxy may keep the public read: with the nodes' own cache, a change shows within 40 s. */
export const CURRENT_MAX_AGE_SECONDS = 30;

const str = { type: 'string' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const PROVINCE = { type: 'string', pattern: '^[A-Za-z]{2}$' } as const;
/** Read by announcements.ts, which names the field in `invalid_instant`. */
const INSTANT = { type: 'string', minLength: 1, maxLength: 40 } as const;
const texts = (max: number) =>
  ({
    type: 'object',
    properties: { it: { type: 'string', minLength: 1, maxLength: max }, de: { type: 'string', minLength: 1, maxLength: max }, en: { type: 'string', minLength: 1, maxLength: max } },
    required: ['it'],
    additionalProperties: false,
  }) as const;
const textsOut = { type: 'object', properties: { it: str, de: str, en: str }, required: ['it'] } as const;

const publicItem = {
  type: 'object',
  properties: { id: { type: 'integer' }, severity: str, title: textsOut, text: textsOut, startsAt: str, endsAt: str },
  required: ['id', 'severity', 'title', 'text', 'startsAt', 'endsAt'],
} as const;

const fullItem = {
  type: 'object',
  properties: {
    ...publicItem.properties,
    status: str,
    audiences: { type: 'array', items: str },
    provinces: { type: 'array', items: str },
    createdAt: str,
    createdBy: { type: 'object', properties: { id: str, name: nullableString } },
    withdrawnAt: nullableString,
    withdrawnBy: nullableString,
  },
} as const;

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } as const;

const createBody = {
  type: 'object',
  properties: {
    title: texts(ANNOUNCEMENT_LIMITS.title),
    text: texts(ANNOUNCEMENT_LIMITS.text),
    severity: { enum: [...ANNOUNCEMENT_SEVERITIES] },
    audiences: { type: 'array', maxItems: USER_ROLES.length, uniqueItems: true, items: { enum: [...USER_ROLES] } },
    provinces: { type: 'array', maxItems: 110, items: PROVINCE },
    startsAt: INSTANT,
    endsAt: INSTANT,
  },
  required: ['title', 'text', 'severity', 'endsAt'],
  additionalProperties: false,
} as const;

export async function announcementRoutes(app: FastifyInstance, opts: AnnouncementRoutesOptions): Promise<void> {
  const { auth, announcements } = opts;

  app.post<{ Body: AnnouncementInput }>('/api/v1/announcements', { schema: { body: createBody, response: { 201: fullItem, ...errors } } }, async (request, reply) => {
    const identity = await signedIn(request, auth);
    const created = await announcements.create(identity, request.body);
    reply.code(201);
    return created;
  });

  app.get(
    '/api/v1/announcements',
    { schema: { response: { 200: { type: 'object', properties: { now: str, items: { type: 'array', items: fullItem } }, required: ['now', 'items'] }, ...errors } } },
    async (request, reply) => {
      const identity = await signedIn(request, auth);
      reply.header('Cache-Control', 'no-store');
      return announcements.list(identity);
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/v1/announcements/:id/withdraw',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } }, required: ['id'], additionalProperties: false },
        response: { 200: fullItem, ...errors },
      },
    },
    async (request) => {
      const identity = await signedIn(request, auth);
      return announcements.withdraw(identity, request.params.id);
    },
  );

  app.get<{ Querystring: { province?: string; audience?: Audience } }>(
    '/api/v1/announcements/current',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { province: PROVINCE, audience: { enum: [...USER_ROLES] } },
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: publicItem } }, required: ['items'] }, 400: errorSchema },
      },
    },
    async (request, reply) => {
      const items = await announcements.current(request.query);
      // The same for everyone who asks with the same province and audience: no personal data.
      reply.header('Cache-Control', `public, max-age=${CURRENT_MAX_AGE_SECONDS}`);
      return { items };
    },
  );
}
