/**
 * POST /dev/token: development sign-in. Registered by the app only when
 * AUTH_DEV=1; answers `200 {"token": "<jwt>"}`.
 *
 * The body is validated by a strict Ajv of this route's own: fastify's default
 * Ajv removes unknown properties instead of refusing them and coerces types,
 * and a token request with a misspelt claim should fail loudly, not silently
 * sign something else.
 */
import { Ajv } from 'ajv';
import type { FastifyPluginAsync } from 'fastify';
import { ROLES } from '../routing/types.ts';
import { MAX_CLAIM_ENTRIES, MAX_CLAIM_LENGTH } from './auth.ts';
import { DEV_TTL_MAX_SECONDS, DEV_TTL_MIN_SECONDS, type DevAuth, type DevTokenRequest } from './auth-dev.ts';

const text = { type: 'string', minLength: 1, maxLength: MAX_CLAIM_LENGTH } as const;
const texts = { type: 'array', maxItems: MAX_CLAIM_ENTRIES, items: text } as const;

export const devTokenBodySchema = {
  type: 'object',
  required: ['role'],
  additionalProperties: false,
  properties: {
    role: { type: 'string', enum: [...ROLES] },
    sub: text,
    name: text,
    province: { type: 'string', pattern: '^[A-Z]{2}$' },
    fiscalCode: { type: 'string', minLength: 11, maxLength: 32 },
    matricola: text,
    matricole: texts,
    sede: text,
    skills: texts,
    lang: { type: 'string', minLength: 2, maxLength: 35, pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' },
    // Checked further by issue() with the notice contacts' own rules (server/notice-contacts.ts).
    email: { type: 'string', minLength: 3, maxLength: 254 },
    phoneNumber: { type: 'string', minLength: 6, maxLength: 32 },
    ttlSeconds: { type: 'integer', minimum: DEV_TTL_MIN_SECONDS, maximum: DEV_TTL_MAX_SECONDS },
  },
} as const;

export const devTokenResponseSchema = {
  type: 'object',
  required: ['token'],
  additionalProperties: false,
  properties: { token: { type: 'string' } },
} as const;

const strictAjv = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: true });
const validateBody = strictAjv.compile(devTokenBodySchema);

export interface DevTokenRouteOptions {
  dev: DevAuth;
}

export const devTokenRoute: FastifyPluginAsync<DevTokenRouteOptions> = async (app, { dev }) => {
  app.post<{ Body: DevTokenRequest; Reply: { token: string } }>(
    '/dev/token',
    {
      schema: {
        body: devTokenBodySchema,
        response: { 200: devTokenResponseSchema },
      },
      validatorCompiler: ({ httpPart }) => {
        if (httpPart !== 'body') return () => true;
        return validateBody;
      },
    },
    async (request, reply) => {
      const token = await dev.issue(request.body);
      void reply.header('cache-control', 'no-store');
      return { token };
    },
  );
};
