/**
 * GET /api/v1/conversations/:id: a conversation and its transcript, for its
 * participants and for supervisors. Anyone else gets the same 404 as for an
 * absent id, so ids cannot be probed. A read by anyone but the chat's two
 * participants (a supervisor) is recorded in the access log before the
 * transcript is sent (server/access-log.ts).
 *
 * GET /api/v1/conversations/:id/transfer-targets: for the advisor of an open
 * chat, the colleagues available with a free seat to hand it to, those whose
 * skills fit first (routing/transfer.ts); the console's transfer form lists them.
 */
import type { FastifyInstance } from 'fastify';
import type { AccessLog } from './access-log.ts';
import type { Authenticator, Identity } from './auth.ts';
import type { ChatService } from './chat-service.ts';
import type { ChatStore, ConversationRecord } from './chat-store.ts';
import { AppError } from './errors.ts';
import { errorSchema } from './http-errors.ts';
import { signedIn } from './http-auth.ts';

const TRANSCRIPT_LIMIT = 5000;

export function mayRead(identity: Identity, conv: ConversationRecord): boolean {
  if (identity.sub === conv.userId || identity.sub === conv.advisorId) return true;
  return identity.role === 'supervisor';
}

const messageSchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    clientMsgId: { type: 'string' },
    from: { type: 'object', properties: { id: { type: 'string' }, role: { type: 'string' } } },
    text: { type: 'string' },
    at: { type: 'string' },
  },
};

const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'] } as const;

const targetSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: ['string', 'null'] }, load: { type: 'integer' }, capacity: { type: 'integer' }, fits: { type: 'boolean' } },
  required: ['id', 'name', 'load', 'capacity', 'fits'],
} as const;

export async function conversationRoutes(app: FastifyInstance, opts: { auth: Authenticator; store: ChatStore; access: AccessLog; chat: ChatService }): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/api/v1/conversations/:id/transfer-targets',
    {
      schema: {
        params: idParams,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: targetSchema } }, required: ['items'] },
          401: errorSchema,
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request) => ({ items: await opts.chat.transferTargets(await signedIn(request, opts.auth), request.params.id) }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/conversations/:id',
    {
      schema: {
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              status: { type: 'string' },
              user: { type: 'object', properties: { id: { type: 'string' }, role: { type: 'string' }, name: { type: ['string', 'null'] } } },
              advisor: { type: 'object', properties: { id: { type: 'string' }, name: { type: ['string', 'null'] } } },
              province: { type: 'string' },
              audience: { type: 'string' },
              topic: { type: 'string' },
              entry: { type: 'string' },
              context: { type: 'object', additionalProperties: { type: 'string' } },
              outcome: { type: ['string', 'null'] },
              rating: { type: ['integer', 'null'] },
              openedAt: { type: 'string' },
              closedAt: { type: ['string', 'null'] },
              lastSeq: { type: 'integer' },
              messages: { type: 'array', items: messageSchema },
            },
          },
          401: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (request) => {
      const identity = await signedIn(request, opts.auth);
      const conv = await opts.store.getConversation(request.params.id);
      if (!conv || !mayRead(identity, conv)) throw new AppError('not_found');
      await opts.access.record(identity, { action: 'conversation.read', subjectId: conv.id, ownerId: conv.userId, participants: [conv.advisorId] }, request.id);
      const messages = await opts.store.messagesAfter(conv.id, 0, TRANSCRIPT_LIMIT);
      return {
        id: conv.id,
        status: conv.status,
        user: { id: conv.userId, role: conv.userRole, name: conv.userName },
        advisor: { id: conv.advisorId, name: conv.advisorName },
        province: conv.province,
        audience: conv.audience,
        topic: conv.topic,
        entry: conv.entry,
        context: conv.context,
        outcome: conv.outcome,
        rating: conv.rating,
        openedAt: conv.openedAt.toISOString(),
        closedAt: conv.closedAt?.toISOString() ?? null,
        lastSeq: conv.lastSeq,
        messages: messages.map((m) => ({ seq: m.seq, clientMsgId: m.clientMsgId, from: { id: m.senderId, role: m.senderRole }, text: m.text, at: m.at.toISOString() })),
      };
    },
  );
}
