/**
 * The set-up of the group-commit store suites: a uvu suite with a throw-away
 * database in its context (PGlite, or PostgreSQL when DATABASE_URL is set),
 * and the appends, conversations and read-backs both the invariant and the
 * fault suites take.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { suite } from 'uvu';
import { conversations, messages } from '../../schema/tables.ts';
import type { NewMessage } from '../../server/chat-store.ts';
import type { SqlChatStore } from '../../server/chat-store-sql.ts';
import type { Db } from '../../server/db.ts';
import { AppError } from '../../server/errors.ts';
import { newConversation } from './conversations.ts';
import { testDatabase, type TestDatabase } from './db.ts';

export const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A suite named `title (kind)` whose tests get `{ database }`, made before and dropped after. */
export function storeSuite(title: string) {
  const test = suite<{ database: TestDatabase }>(`${title} (${kind})`);
  test.before(async (ctx) => {
    ctx.database = await testDatabase();
  });
  test.after(async (ctx) => {
    await ctx.database?.cleanup();
  });
  return test;
}

/**
 * The user of a conversation of `openConversations`: one of their own, as a user has one open chat at a time.
 * The store takes a message only from the chat's user or its advisor (`adv-1` in all of them).
 */
export const userOf = (conversationId: string) => `user-1.${conversationId}`;

/** An append by `senderId` (an advisor when it starts with adv); `user-1` stands for the conversation's user (userOf). */
export function msg(conversationId: string, clientMsgId: string, senderId = 'user-1', text = `text ${clientMsgId}`): NewMessage {
  const sender = senderId === 'user-1' ? userOf(conversationId) : senderId;
  return { conversationId, senderId: sender, senderRole: sender.startsWith('adv') ? 'advisor' : 'worker', clientMsgId, text };
}

/** 'resolved', the AppError code, or `raw: message` for anything else. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return err instanceof AppError ? err.code : `raw: ${(err as Error).message}`;
  }
}

export async function rowsOf(db: Db, conversationId: string) {
  return db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(messages.seq);
}

export async function lastSeqOf(db: Db, conversationId: string): Promise<number> {
  const [row] = await db.select({ lastSeq: conversations.lastSeq }).from(conversations).where(eq(conversations.id, conversationId));
  return row!.lastSeq;
}

export async function openConversations(store: SqlChatStore, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    ids.push((await store.createConversation(newConversation({ id, userId: userOf(id), advisorId: 'adv-1', userName: null, advisorName: null, openedAt: new Date() }))).id);
  }
  return ids;
}
