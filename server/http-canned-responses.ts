/**
 * The ready answers of the staff consoles, each set for the people who write with it:
 *
 *   GET /api/v1/canned-responses   the advisor console's (server/canned-responses.ts): advisors and supervisors
 *   GET /api/v1/office-responses   the office console's (server/office-responses.ts): office operators and supervisors
 *
 * They are the institute's own wording, not personal data, but not public either:
 * a signed-in staff member of the console that uses them (a supervisor reads
 * both, to review them). An advisor does not get the offices' letters, nor an
 * office the advisors' chat lines: neither console could fill the other's
 * placeholders. Read once at start; a change needs a restart, which also checks
 * the file again.
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

const schema = {
  response: { 200: { type: 'object', properties: { items: { type: 'array', items: itemSchema } }, required: ['items'] }, 401: errorSchema, 403: errorSchema },
} as const;

interface Options {
  auth: Authenticator;
  /** The advisors' answers. */
  responses: readonly CannedResponse[];
  /** The offices' answers; absent: none. */
  officeResponses?: readonly CannedResponse[];
}

export async function cannedResponsesRoute(app: FastifyInstance, opts: Options): Promise<void> {
  const serve = (url: string, roles: readonly string[], why: string, items: readonly CannedResponse[]) =>
    app.get(url, { schema }, async (request, reply) => {
      const identity = await signedIn(request, opts.auth);
      if (!roles.includes(identity.role)) throw new AppError('forbidden', why);
      reply.header('Cache-Control', 'private, max-age=300');
      return { items };
    });
  serve('/api/v1/canned-responses', ['advisor', 'supervisor'], 'ready answers are for advisors', opts.responses);
  serve('/api/v1/office-responses', ['office', 'supervisor'], 'the offices’ ready answers are for office operators', opts.officeResponses ?? []);
}
