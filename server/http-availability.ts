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
export const JSON_TYPE = 'application/json; charset=utf-8';

export const availabilityResponseSchema = {
  type: 'object',
  properties: {
    open: { type: 'boolean' },
    reason: { type: 'string' },
    holiday: { type: 'string' },
    opensAt: { type: 'string' },
    closesAt: { type: 'string' },
    /** closed: the working days before opensAt that a national holiday closes, as { date (YYYY-MM-DD, Rome), holiday } */
    holidaysBefore: {
      type: 'array',
      items: { type: 'object', properties: { date: { type: 'string' }, holiday: { type: 'string' } }, required: ['date', 'holiday'] },
    },
    province: { type: 'string' },
    audience: { type: 'string' },
  },
  required: ['open'],
} as const;

/** One answer, as text and as the bytes sent. */
export interface AvailabilityJson {
  minute: number;
  json: string;
  bytes: Buffer;
}

export interface AvailabilityDeps {
  schedule: ScheduleConfig;
  now: () => number;
}

/**
 * The answer for "now", as JSON, per province code and audience: one computation
 * and one serialisation per minute. Shared by the route and the fast path in
 * front of fastify (http-fast-path.ts), so both send the same bytes.
 */
export class AvailabilityNow {
  // Bounded by the provinces × audiences (unknown codes never reach it).
  private readonly current = new Map<string, AvailabilityJson>();

  constructor(private readonly deps: AvailabilityDeps) {}

  /** `province` must be a known province code. */
  get(province: string, audience: Audience): AvailabilityJson {
    const now = this.deps.now();
    const minute = Math.floor(now / MINUTE_MS);
    const key = `${province}:${audience}`;
    const cached = this.current.get(key);
    if (cached?.minute === minute) return cached;
    const json = serializeAnswer(answerAt(this.deps.schedule, new Date(now), province, audience));
    const fresh = { minute, json, bytes: Buffer.from(json) };
    this.current.set(key, fresh);
    return fresh;
  }
}

const ANSWER_KEYS = Object.keys(availabilityResponseSchema.properties);

/** What fastify's schema serializer would write: the schema's properties, in its order. */
function serializeAnswer(answer: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const key of ANSWER_KEYS) if (answer[key] !== undefined) out[key] = answer[key];
  return JSON.stringify(out);
}

function answerAt(schedule: ScheduleConfig, at: Date, province: string, audience: Audience) {
  return { ...availability(at, province, audience, schedule), province, audience };
}

export async function availabilityRoutes(app: FastifyInstance, opts: AvailabilityDeps & { current?: AvailabilityNow }): Promise<void> {
  const current = opts.current ?? new AvailabilityNow(opts);
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
        response: { 200: availabilityResponseSchema, 400: errorSchema },
      },
    },
    // Synchronous, answering through reply.send and returning nothing: an async
    // handler (or a returned reply) makes fastify await the reply's end.
    (request, reply) => {
      const { province: code, audience = 'worker', at } = request.query;
      const province = findProvince(code);
      if (!province) throw new AppError('unknown_province', code);
      if (at !== undefined) {
        reply.send(answerAt(opts.schedule, parseInstant(at, opts.now()), province.code, audience));
        return;
      }
      reply.type(JSON_TYPE).send(current.get(province.code, audience).json);
    },
  );
}
