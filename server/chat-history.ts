/**
 * The user's previous chats, beside the chat an advisor serves now ("Chat
 * precedenti", docs/chat-history.md): people come back ("I wrote yesterday, the
 * advisor said to wait for the decree") and should not have to tell it again.
 *
 * The same door as the requests beside a chat (`servedByCaller`): only the chat's
 * current advisor, while it is open. Which chats: the user's own, closed in the
 * last HISTORY_DAYS, newest first, at most HISTORY_MAX; for a company's chat
 * (`chatMatricola`) also that company's, whoever wrote them, never another
 * company the same consultant holds (as `ofChatUser` does for requests). A
 * transcript is read only for a chat that very list would show.
 */
import { and, desc, eq, gte, ne, sql, type SQL } from 'drizzle-orm';
import type { Clock } from '../routing/clock.ts';
import { conversations } from '../schema/tables.ts';
import { tickets } from '../schema/ticket-tables.ts';
import type { Identity } from './auth.ts';
import type { ConversationRecord } from './chat-store.ts';
import type { Db } from './db.ts';
import { AppError } from './errors.ts';
import { chatMatricola, servedByCaller } from './ticket-rules.ts';

export const HISTORY_DAYS = 30;
export const HISTORY_MAX = 10;

/** A previous chat as the list knows it: no transcript, no rating, no staff id. */
export interface PreviousChat {
  id: string;
  /** Whose it is: the user of the chat served now, or someone else of the same company. */
  userId: string;
  openedAt: Date;
  closedAt: Date;
  topic: string;
  entry: string;
  outcome: string | null;
  messages: number;
  /** Null for a chat that ended while waiting in the queue for another advisor (`left_queue`). */
  advisorId: string | null;
  advisorName: string | null;
  /** The Linea INPS request it was passed to, if it was escalated. */
  request: { protocol: string; sede: string } | null;
}

export interface ChatHistoryList {
  conversation: ConversationRecord;
  matricola: string | null;
  items: PreviousChat[];
}

/** `context->>'matricola'`, the expression of conversations_matricola_closed_idx (schema/tables.ts). */
const matricolaOf = sql`(${conversations.context} ->> 'matricola')`;

export class ChatHistory {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  /** The previous chats beside `chat`, for its current advisor; `not_found` for anyone else. */
  async list(identity: Identity, chat: ConversationRecord | null): Promise<ChatHistoryList> {
    const conversation = servedByCaller(identity, chat);
    const matricola = chatMatricola(conversation);
    const since = new Date(this.deps.clock.now() - HISTORY_DAYS * 86_400_000);
    const items = await previousChats(this.deps.db, conversation, matricola, since);
    return { conversation, matricola, items };
  }

  /** One chat of that list, for the transcript: `not_found` when the list would not show it. */
  async pick(identity: Identity, chat: ConversationRecord | null, previousId: string): Promise<ChatHistoryList & { previous: PreviousChat }> {
    const list = await this.list(identity, chat);
    const previous = list.items.find((c) => c.id === previousId);
    if (!previous) throw new AppError('not_found');
    return { ...list, previous };
  }
}

async function previousChats(db: Db, conv: ConversationRecord, matricola: string | null, since: Date): Promise<PreviousChat[]> {
  const rows = await previousChatsQuery(db, conv, matricola, since);
  return rows.map(({ protocol, sede, closedAt, ...r }) => ({
    ...r,
    closedAt: closedAt!, // a closed chat has its closed_at (closeConversation sets both)
    request: protocol !== null && sede !== null ? { protocol, sede } : null,
  }));
}

/**
 * One statement, two arms each cut to HISTORY_MAX on its own index, then merged:
 * the person's on conversations_user_status_idx (a few chats), the company's on
 * conversations_matricola_closed_idx read backwards from the newest, so a company
 * with thousands of chats costs the same ten rows (scripts/explain-chat-history.ts,
 * docs/chat-history.md). A company user's own chats about another of their
 * companies are that company's, not this chat's.
 */
export function previousChatsQuery(db: Db, conv: Pick<ConversationRecord, 'id' | 'userId' | 'userRole'>, matricola: string | null, since: Date) {
  const own =
    conv.userRole === 'worker' ? eq(conversations.userId, conv.userId) : and(eq(conversations.userId, conv.userId), sql`coalesce(trim(${matricolaOf}), '') = ''`);
  const arm = (whose: SQL | undefined) =>
    db
      .select({
        id: conversations.id,
        userId: conversations.userId,
        openedAt: conversations.openedAt,
        closedAt: conversations.closedAt,
        topic: conversations.topic,
        entry: conversations.entry,
        outcome: conversations.outcome,
        messages: conversations.lastSeq,
        advisorId: conversations.advisorId,
        advisorName: conversations.advisorName,
        protocol: tickets.protocol,
        sede: tickets.sede,
      })
      .from(conversations)
      .leftJoin(tickets, eq(tickets.conversationId, conversations.id))
      .where(and(whose, eq(conversations.status, 'closed'), gte(conversations.closedAt, since), ne(conversations.id, conv.id)))
      .orderBy(desc(conversations.closedAt), desc(conversations.id))
      .limit(HISTORY_MAX);
  if (matricola === null) return arm(own);
  const company = and(sql`${matricolaOf} = ${matricola}`, ne(conversations.userRole, 'worker'));
  return arm(own).unionAll(arm(company)).orderBy(desc(conversations.closedAt), desc(conversations.id)).limit(HISTORY_MAX);
}
