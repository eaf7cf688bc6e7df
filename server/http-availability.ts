/** GET /api/v1/availability: is the service open for this province and audience at this instant? */
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

export async function availabilityRoutes(app: FastifyInstance, opts: { schedule: ScheduleConfig; now: () => number }): Promise<void> {
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
    async (request) => {
      const { province: code, audience = 'worker', at } = request.query;
      const province = findProvince(code);
      if (!province) throw new AppError('unknown_province', code);
      const instant = parseInstant(at, opts.now());
      return { ...availability(instant, province.code, audience, opts.schedule), province: province.code, audience };
    },
  );
}
