/**
 * GET /api/v1/availability: is the service open for this province and audience at this instant?
 *
 * The answer for "now" depends only on the local date and minute (opening and
 * closing times are whole minutes, holidays and the rollout whole days, and
 * every zone's offset is whole minutes), so it is computed and serialised once
 * per province, audience and minute, and the JSON is sent as it is for the rest
 * of that minute. Asking for another instant (`at`) is computed every time.
 */
import type { FastifyInstance } from 'fastify';
import { findProvince } from '../routing/provinces.ts';
import { availability, type ScheduleConfig } from '../routing/schedule.ts';
import { AUDIENCES, type Audience } from '../routing/types.ts';
import { AppError } from './errors.ts';
import { errorSchema } from './http-errors.ts';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseInstant(raw: string | undefined, now: number): Date {
  if (raw === undefined) return new Date(now);
  const at = ISO_INSTANT.test(raw) ? new Date(raw) : null;
  if (!at || Number.isNaN(at.getTime())) throw new AppError('invalid_instant', raw.slice(0, 64));
  return at;
}

const MINUTE_MS = 60_000;
const JSON_TYPE = 'application/json; charset=utf-8';

export async function availabilityRoutes(app: FastifyInstance, opts: { schedule: ScheduleConfig; now: () => number }): Promise<void> {
  // Bounded by the provinces × audiences (unknown codes are refused before it).
  const current = new Map<string, { minute: number; json: string }>();
  const answer = (at: Date, province: string, audience: Audience) => ({ ...availability(at, province, audience, opts.schedule), province, audience });
  app.get<{ Querystring: { province: string; audience?: Audience; at?: string } }>(
    '/api/v1/availability',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            province: { type: 'string', minLength: 1, maxLength: 8 },
            audience: { type: 'string', enum: [...AUDIENCES] },
            at: { type: 'string', maxLength: 64 },
          },
          required: ['province'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              open: { type: 'boolean' },
              reason: { type: 'string' },
              holiday: { type: 'string' },
              opensAt: { type: 'string' },
              closesAt: { type: 'string' },
              province: { type: 'string' },
              audience: { type: 'string' },
            },
            required: ['open'],
          },
          400: errorSchema,
        },
      },
    },
    // Synchronous, answering through reply.send and returning nothing: an async
    // handler (or a returned reply) makes fastify await the reply's end.
    (request, reply) => {
      const { province: code, audience = 'worker', at } = request.query;
      const province = findProvince(code);
      if (!province) throw new AppError('unknown_province', code);
      const now = opts.now();
      if (at !== undefined) {
        reply.send(answer(parseInstant(at, now), province.code, audience));
        return;
      }
      const minute = Math.floor(now / MINUTE_MS);
      const key = `${province.code}:${audience}`;
      const cached = current.get(key);
      let json = cached?.minute === minute ? cached.json : null;
      if (json === null) {
        json = reply.serialize(answer(new Date(now), province.code, audience)) as string;
        current.set(key, { minute, json });
      }
      reply.type(JSON_TYPE).send(json);
    },
  );
}
