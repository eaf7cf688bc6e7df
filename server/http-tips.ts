/**
 * GET /api/v1/tips?topic=&audience=: the answers a waiting user may find their
 * question in ("Mentre aspetti"), the public entries of the advisors' ready
 * answers (server/canned-responses.ts) for that topic and audience. Most chats
 * ask the same few things (why the direct payment has not come, the IBAN, where
 * to see payments); a user who finds the answer leaves the queue and frees a
 * seat for someone who needs an advisor (`chat.cancel` with reason
 * `self_served`, counted in infocig_queue_abandoned_total).
 *
 * Public and cacheable: the institute's own wording, no personal data, the same
 * for everyone who asks with the same topic and audience.
 */
import type { FastifyInstance } from 'fastify';
import { TOPICS, USER_ROLES, type Topic, type UserRole } from '../routing/types.ts';
import { CANNED_TEXTS_SCHEMA, tipsFor, type CannedResponse } from './canned-responses.ts';
import { errorSchema } from './http-errors.ts';

const texts = CANNED_TEXTS_SCHEMA;

const tipSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, title: texts, text: texts },
  required: ['id', 'title', 'text'],
} as const;

export async function tipsRoute(app: FastifyInstance, opts: { responses: readonly CannedResponse[] }): Promise<void> {
  app.get<{ Querystring: { topic: Topic; audience: UserRole } }>(
    '/api/v1/tips',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { topic: { enum: [...TOPICS] }, audience: { enum: [...USER_ROLES] } },
          required: ['topic', 'audience'],
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: tipSchema } }, required: ['items'] }, 400: errorSchema },
      },
    },
    async (request, reply) => {
      reply.header('Cache-Control', 'public, max-age=300');
      const items = tipsFor(opts.responses, request.query.topic, request.query.audience);
      return { items: items.map(({ id, title, text }) => ({ id, title, text })) };
    },
  );
}
