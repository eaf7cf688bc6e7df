/**
 * GET /api/v1/canned-responses: the ready answers of the advisor console
 * (server/canned-responses.ts), for advisors and supervisors. They are the
 * institute's own wording, not personal data, but not public either: a signed-in
 * staff member only. Read once at start; a change needs a restart, which also
 * checks the file again.
 */
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from './auth.ts';
import { CANNED_TEXTS_SCHEMA, type CannedResponse } from './canned-responses.ts';
import { AppError } from './errors.ts';
import { errorSchema } from './http-errors.ts';
import { signedIn } from './http-auth.ts';

const texts = CANNED_TEXTS_SCHEMA;

const itemSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, topics: { type: 'array', items: { type: 'string' } }, title: texts, text: texts },
  required: ['id', 'topics', 'title', 'text'],
} as const;

export async function cannedResponsesRoute(app: FastifyInstance, opts: { auth: Authenticator; responses: readonly CannedResponse[] }): Promise<void> {
  app.get(
    '/api/v1/canned-responses',
    {
      schema: {
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: itemSchema } }, required: ['items'] }, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request, reply) => {
      const identity = await signedIn(request, opts.auth);
      if (identity.role !== 'advisor' && identity.role !== 'supervisor') throw new AppError('forbidden', 'ready answers are for advisors');
      reply.header('Cache-Control', 'private, max-age=300');
      return { items: opts.responses };
    },
  );
}
