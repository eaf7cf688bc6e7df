/**
 * Handing a Linea INPS ticket to the competent sede, over HTTP (docs/tickets.md):
 *
 *   POST /api/v1/tickets/:id/transfer   `{ sede, reason }`: an office operator of the ticket's sede
 *   GET  /api/v1/offices                the territorial offices (code, name), for staff choosing one
 *
 * Apart from http-tickets.ts because a transfer is the one action that moves a
 * ticket out of its sede's sight, and the list of offices exists only to pick
 * where it goes. The rules are TicketService.transfer; this file checks shapes.
 */
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from './auth.ts';
import { errorSchema } from './http-errors.ts';
import { signedIn } from './http-auth.ts';
import { idParams } from './http-ticket-schemas.ts';
import { ticketSchema, ticketView, type OfficeName } from './http-ticket-views.ts';
import { TICKET_LIMITS, type TicketService, type TransferRequest } from './ticket-service.ts';

export interface TicketTransferOptions {
  auth: Authenticator;
  tickets: TicketService;
  officeName?: OfficeName;
}

const officeSchema = { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } }, required: ['code', 'name'] } as const;

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;

export async function ticketTransferRoutes(app: FastifyInstance, opts: TicketTransferOptions): Promise<void> {
  const { auth, tickets } = opts;

  app.post<{ Params: { id: string }; Body: TransferRequest }>(
    '/api/v1/tickets/:id/transfer',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          properties: {
            sede: { type: 'string', minLength: 1, maxLength: 32 },
            reason: { type: 'string', minLength: 1, maxLength: TICKET_LIMITS.transferReasonMax },
          },
          required: ['sede', 'reason'],
          additionalProperties: false,
        },
        response: { 200: ticketSchema, ...errors },
      },
    },
    async (request) => {
      const identity = await signedIn(request, auth);
      const ticket = await tickets.transfer(identity, request.params.id, request.body);
      // The caller's last look at it: from now on it is the new sede's.
      return ticketView(identity, ticket, ticket.updatedAt, opts.officeName);
    },
  );

  app.get(
    '/api/v1/offices',
    {
      schema: {
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: officeSchema } }, required: ['items'] }, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request, reply) => {
      const identity = await signedIn(request, auth);
      const items = await tickets.offices(identity);
      // Reference data edited by hand and rarely: a console may keep it a few minutes.
      reply.header('Cache-Control', 'private, max-age=300');
      return { items };
    },
  );
}
