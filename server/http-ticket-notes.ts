/**
 * Internal notes on a Linea INPS ticket, over HTTP (docs/tickets.md):
 *
 *   POST /api/v1/tickets/:id/notes   `{ body }`: an office operator of the ticket's sede, or a supervisor;
 *                                    optional `Idempotency-Key` (a resent note answers the first, 200)
 *
 * and the view of a note (the shape of every thread entry, http-ticket-schemas.ts) in the staff's `GET /api/v1/tickets/:id` (`notes`,
 * added there by http-tickets.ts for office operators and supervisors only).
 * Anyone else, the user who owns the ticket included, gets the 404 of an
 * absent ticket. The rules are TicketService.addNote; this file checks shapes.
 */
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from './auth.ts';
import { errorSchema } from './http-errors.ts';
import { signedIn } from './http-auth.ts';
import { entryBodySchema, idParams, threadEntrySchema } from './http-ticket-schemas.ts';
import { answerCreated, idempotencyKeyOf } from './ticket-idempotency.ts';
import type { TicketService } from './ticket-service.ts';
import type { TicketNote } from './ticket-store.ts';

export interface TicketNoteOptions {
  auth: Authenticator;
  tickets: TicketService;
}


/** A note as staff read it: who wrote it (id, role, name), when, what. */
export function noteView(n: TicketNote): Record<string, unknown> {
  return { seq: n.seq, author: { id: n.authorId, role: n.authorRole, name: n.authorName }, body: n.body, at: n.at.toISOString() };
}

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema } as const;

export async function ticketNoteRoutes(app: FastifyInstance, opts: TicketNoteOptions): Promise<void> {
  const { auth, tickets } = opts;

  app.post<{ Params: { id: string }; Body: { body: string } }>(
    '/api/v1/tickets/:id/notes',
    {
      schema: {
        params: idParams,
        body: entryBodySchema,
        // 200: a resent note (same Idempotency-Key), answered with the first one.
        response: { 200: threadEntrySchema, 201: threadEntrySchema, ...errors },
      },
    },
    async (request, reply) => {
      const identity = await signedIn(request, auth);
      const key = idempotencyKeyOf(request);
      const { note, replayed } = await tickets.addNote(identity, request.params.id, request.body.body, key);
      answerCreated(reply, replayed);
      return noteView(note);
    },
  );
}
