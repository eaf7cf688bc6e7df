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
 *
 * GET /api/v1/conversations/:id/requests: for the advisor of an open chat, the
 * user's Linea INPS requests (and the company's, for a chat about one), so they
 * can tell the user where the request stands instead of opening another
 * (TicketService.ofChat). Anyone else, and the same advisor once the chat closed
 * or moved on, gets the 404 of an absent chat. A staff read of personal data:
 * recorded (`ticket.list`, one row per owner) before the list is sent. Only the
 * fields below leave: no thread, no files, no staff names.
 *
 * The user's previous chats beside the chat are their own module,
 * http-chat-history.ts, on the same rule; it shares `listEntries` and the
 * transcript's message view from here.
 */
import type { FastifyInstance } from 'fastify';
import { companyOwner, type AccessAction, type AccessEntry, type AccessLog } from './access-log.ts';
import type { Authenticator, Identity } from './auth.ts';
import type { ChatService } from './chat-service.ts';
import type { ChatStore, ConversationRecord, StoredMessage } from './chat-store.ts';
import { AppError } from './errors.ts';
import { errorSchema } from './http-errors.ts';
import { signedIn } from './http-auth.ts';
import type { OfficeName } from './http-ticket-views.ts';
import type { TicketService } from './ticket-service.ts';
import type { TicketRecord } from './ticket-store.ts';

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

const nullable = { type: ['string', 'null'] } as const;
/** The allow-list of a request beside a chat: what it is, where, and how it stands. */
const chatRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    protocol: { type: 'string' },
    subject: { type: 'string' },
    category: { type: 'string' },
    status: { type: 'string' },
    sede: { type: 'string' },
    sedeName: nullable,
    createdAt: { type: 'string' },
    dueAt: nullable,
    closedAt: nullable,
    lastActivityAt: { type: 'string' },
  },
  required: ['id', 'protocol', 'subject', 'category', 'status', 'sede', 'sedeName', 'createdAt', 'dueAt', 'closedAt', 'lastActivityAt'],
} as const;

function chatRequestView(t: TicketRecord, officeName: OfficeName) {
  return {
    id: t.id,
    protocol: t.protocol,
    subject: t.subject,
    category: t.category,
    status: t.status,
    sede: t.sede,
    sedeName: officeName(t.sede),
    createdAt: t.createdAt.toISOString(),
    dueAt: t.dueAt?.toISOString() ?? null,
    closedAt: t.closedAt?.toISOString() ?? null,
    lastActivityAt: t.updatedAt.toISOString(),
  };
}

/**
 * Whose data a list beside a chat is, one access-log row each: the user's own
 * items, and the company's (`matricola:<m>`) when the chat is about one, each row
 * naming the items it showed (`detail[key]`, space-separated ids) so the person
 * sees the read under each of them. Requests (`ticket.list`) and previous chats
 * (`conversation.list`, http-chat-history.ts) alike.
 */
export function listEntries(
  list: { action: AccessAction; key: string },
  conversationId: string,
  userId: string,
  matricola: string | null,
  items: readonly { id: string; userId: string | null }[],
): AccessEntry[] {
  const own = items.filter((t) => t.userId === userId);
  const entry = (ownerId: string, shown: readonly { id: string }[]): AccessEntry => ({
    action: list.action,
    subjectId: conversationId,
    ownerId,
    detail: { results: shown.length, [list.key]: shown.map((t) => t.id).join(' ') },
  });
  const entries = [entry(userId, own)];
  if (matricola !== null) entries.push(entry(companyOwner(matricola), items.filter((t) => t.userId !== userId)));
  return entries;
}

/** A transcript message as staff beside a chat see it: who wrote by role only (no ids), what and when. */
export const transcriptMessageSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    seq: { type: 'integer' },
    from: { type: 'object', additionalProperties: false, properties: { role: { type: 'string' } }, required: ['role'] },
    text: { type: 'string' },
    at: { type: 'string' },
  },
  required: ['seq', 'from', 'text', 'at'],
} as const;

export function transcriptMessage(m: StoredMessage) {
  return { seq: m.seq, from: { role: m.senderRole }, text: m.text, at: m.at.toISOString() };
}

/** A conversation's messages in seq order, as far as a transcript view goes. */
export const transcriptOf = (store: ChatStore, conversationId: string) => store.messagesAfter(conversationId, 0, TRANSCRIPT_LIMIT);

export interface ConversationRoutesOptions {
  auth: Authenticator;
  store: ChatStore;
  access: AccessLog;
  chat: ChatService;
  tickets: TicketService;
  officeName?: OfficeName;
}

export async function conversationRoutes(app: FastifyInstance, opts: ConversationRoutesOptions): Promise<void> {
  const officeName: OfficeName = opts.officeName ?? (() => null);
  app.get<{ Params: { id: string } }>(
    '/api/v1/conversations/:id/requests',
    {
      schema: {
        params: idParams,
        response: {
          200: { type: 'object', additionalProperties: false, properties: { requests: { type: 'array', items: chatRequestSchema } }, required: ['requests'] },
          401: errorSchema,
          404: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request) => {
      const identity = await signedIn(request, opts.auth);
      const { conversation, items, matricola } = await opts.tickets.ofChat(identity, await opts.store.getConversation(request.params.id));
      await opts.access.recordAll(identity, listEntries({ action: 'ticket.list', key: 'tickets' }, conversation.id, conversation.userId, matricola, items), request.id);
      return { requests: items.map((t) => chatRequestView(t, officeName)) };
    },
  );

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
              advisor: { type: 'object', properties: { id: { type: ['string', 'null'] }, name: { type: ['string', 'null'] } } },
              province: { type: 'string' },
              audience: { type: 'string' },
              topic: { type: 'string' },
              entry: { type: 'string' },
              context: { type: 'object', additionalProperties: { type: 'string' } },
              outcome: { type: ['string', 'null'] },
              rating: { type: ['integer', 'null'] },
              rateUntil: { type: ['string', 'null'] },
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
      await opts.access.record(identity, { action: 'conversation.read', subjectId: conv.id, ownerId: conv.userId, participants: conv.advisorId === null ? [] : [conv.advisorId] }, request.id);
      const messages = await transcriptOf(opts.store, conv.id);
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
        // To its user only: until when the ended chat may still be rated (server/chat-rating.ts), null once rated or too late.
        rateUntil: opts.chat.rateUntil(conv, identity.sub),
        openedAt: conv.openedAt.toISOString(),
        closedAt: conv.closedAt?.toISOString() ?? null,
        lastSeq: conv.lastSeq,
        // The participants' own view: ids too (the page tells its own messages apart by them).
        messages: messages.map((m) => ({ ...transcriptMessage(m), clientMsgId: m.clientMsgId, from: { id: m.senderId, role: m.senderRole } })),
      };
    },
  );
}
