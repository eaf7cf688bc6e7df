/**
 * The user's previous chats beside the chat an advisor serves (ChatHistory,
 * docs/chat-history.md), modelled on the requests beside it (http-conversations.ts):
 *
 * GET /api/v1/conversations/:id/history: the list, allow-listed fields only (no
 * transcript, no rating: it judged the colleague, not the matter; no staff ids).
 * Recorded first: `conversation.list`, one access-log row per owner.
 *
 * GET /api/v1/conversations/:id/history/:previousId: one of those chats' transcript,
 * read-only, in the same view of a message as the transcript beside a ticket for
 * the user (role, text, time: no sender ids). Recorded first: `conversation.read` of
 * the previous chat, with its user as owner (and its company when it is another
 * person's chat about it).
 *
 * For anyone but the chat's current advisor while it is open, and for an id the
 * list would not show, the 404 of an absent chat; without the access log, 503 and
 * nothing sent.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../routing/clock.ts';
import { companyOwner, type AccessEntry, type AccessLog } from './access-log.ts';
import { signedIn } from './http-auth.ts';
import type { Authenticator } from './auth.ts';
import { ChatHistory, type PreviousChat } from './chat-history.ts';
import type { ChatStore } from './chat-store.ts';
import type { Db } from './db.ts';
import { listEntries, transcriptMessage, transcriptMessageSchema, transcriptOf } from './http-conversations.ts';
import { errorSchema } from './http-errors.ts';
import type { OfficeName } from './http-ticket-views.ts';

const id = { type: 'string', minLength: 1, maxLength: 64 } as const;
const nullable = { type: ['string', 'null'] } as const;
const errors = { 401: errorSchema, 404: errorSchema, 503: errorSchema } as const;

/** The allow-list of a previous chat in the list. */
const previousSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    /** False: another person's chat about the same company. */
    sameUser: { type: 'boolean' },
    openedAt: { type: 'string' },
    closedAt: { type: 'string' },
    topic: { type: 'string' },
    entry: { type: 'string' },
    outcome: nullable,
    messages: { type: 'integer' },
    request: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { protocol: { type: 'string' }, sede: { type: 'string' }, sedeName: nullable },
      required: ['protocol', 'sede', 'sedeName'],
    },
  },
  required: ['id', 'sameUser', 'openedAt', 'closedAt', 'topic', 'entry', 'outcome', 'messages', 'request'],
} as const;

const transcriptSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...previousSchema.properties,
    /** The display name of the advisor who closed it, as the chat's own view gives it; never their id. */
    advisorName: nullable,
    transcript: { type: 'array', items: transcriptMessageSchema },
  },
  required: [...previousSchema.required, 'advisorName', 'transcript'],
} as const;

function previousView(c: PreviousChat, userId: string, officeName: OfficeName) {
  return {
    id: c.id,
    sameUser: c.userId === userId,
    openedAt: c.openedAt.toISOString(),
    closedAt: c.closedAt.toISOString(),
    topic: c.topic,
    entry: c.entry,
    outcome: c.outcome,
    messages: c.messages,
    request: c.request && { ...c.request, sedeName: officeName(c.request.sede) },
  };
}

/**
 * The read of one previous chat: its user's (the one who wrote it), and the
 * company's too when that is someone else than the user of the chat served now,
 * as the list counted it. Its advisor reading it again is its participant, as for
 * GET /api/v1/conversations/:id: not recorded.
 */
function readEntries(conversationId: string, userId: string, matricola: string | null, previous: PreviousChat): AccessEntry[] {
  const entry = (ownerId: string): AccessEntry => ({
    action: 'conversation.read',
    subjectId: previous.id,
    ownerId,
    participants: previous.advisorId === null ? [] : [previous.advisorId],
    detail: { chat: conversationId },
  });
  // Another person's chat is listed only for a company's chat, so `matricola` is there.
  return previous.userId === userId || matricola === null ? [entry(previous.userId)] : [entry(previous.userId), entry(companyOwner(matricola))];
}

export interface ChatHistoryRoutesOptions {
  auth: Authenticator;
  store: ChatStore;
  access: AccessLog;
  db: Db;
  clock: Clock;
  officeName?: OfficeName;
}

export async function chatHistoryRoutes(app: FastifyInstance, opts: ChatHistoryRoutesOptions): Promise<void> {
  const officeName: OfficeName = opts.officeName ?? (() => null);
  const history = new ChatHistory({ db: opts.db, clock: opts.clock });

  app.get<{ Params: { id: string } }>(
    '/api/v1/conversations/:id/history',
    {
      schema: {
        params: { type: 'object', properties: { id }, required: ['id'] },
        response: {
          200: { type: 'object', additionalProperties: false, properties: { chats: { type: 'array', items: previousSchema } }, required: ['chats'] },
          ...errors,
        },
      },
    },
    async (request) => {
      const identity = await signedIn(request, opts.auth);
      const { conversation, matricola, items } = await history.list(identity, await opts.store.getConversation(request.params.id));
      const entries = listEntries({ action: 'conversation.list', key: 'conversations' }, conversation.id, conversation.userId, matricola, items);
      await opts.access.recordAll(identity, entries, request.id);
      return { chats: items.map((c) => previousView(c, conversation.userId, officeName)) };
    },
  );

  app.get<{ Params: { id: string; previousId: string } }>(
    '/api/v1/conversations/:id/history/:previousId',
    {
      schema: {
        params: { type: 'object', properties: { id, previousId: id }, required: ['id', 'previousId'] },
        response: { 200: transcriptSchema, ...errors },
      },
    },
    async (request) => {
      const identity = await signedIn(request, opts.auth);
      const { conversation, matricola, previous } = await history.pick(identity, await opts.store.getConversation(request.params.id), request.params.previousId);
      await opts.access.recordAll(identity, readEntries(conversation.id, conversation.userId, matricola, previous), request.id);
      const messages = await transcriptOf(opts.store, previous.id);
      return { ...previousView(previous, conversation.userId, officeName), advisorName: previous.advisorName, transcript: messages.map(transcriptMessage) };
    },
  );
}
