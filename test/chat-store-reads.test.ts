/**
 * The reads a reconnect makes (open conversations, messages after a cursor), when
 * many come at once: they leave as one statement, and each caller gets exactly the
 * answer it would have got alone.
 */
import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChatStore, NewConversation } from '../server/chat-store.ts';
import { createSqlChatStore } from '../server/chat-store-sql.ts';
import { AppError } from '../server/errors.ts';
import { sqlRunnerOf, type SqlRunner, type Statement } from '../server/sql-runner.ts';
import { newConversation } from './helpers/conversations.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const test = suite<{ database: TestDatabase; alone: ChatStore }>(`SQL chat store, reads coalesced (${kind})`);

test.before(async (ctx) => {
  ctx.database = await testDatabase();
  ctx.alone = createSqlChatStore(ctx.database.db, { readBatch: false });
});

test.after(async (ctx) => {
  await ctx.database?.cleanup();
});

/** The store's statements, counted by name; `fail` makes the next statements throw an outage. */
function countingRunner(database: TestDatabase) {
  const real = sqlRunnerOf(database.db);
  const counts = new Map<string, number>();
  let failing = false;
  const runner: SqlRunner = {
    kind: real.kind,
    async rows<T>(statement: Statement, values: unknown[]): Promise<T[]> {
      counts.set(statement.name, (counts.get(statement.name) ?? 0) + 1);
      if (failing) throw Object.assign(new Error('connection terminated'), { code: 'ECONNRESET' });
      return real.rows<T>(statement, values);
    },
  };
  return { runner, counts, fail: (on: boolean) => (failing = on) };
}

async function withMessages(store: ChatStore, c: NewConversation, n: number) {
  const conv = await store.createConversation(c);
  for (let i = 1; i <= n; i++) {
    const sender = i % 2 ? conv.userId : conv.advisorId!;
    await store.appendMessage({ conversationId: conv.id, senderId: sender, senderRole: i % 2 ? 'worker' : 'advisor', clientMsgId: `m${i}`, text: `testo ${i} "virgolette", {graffe} e \\ barra` });
  }
  return conv;
}

test('messages read after cursors at once are each what a read alone returns, in one statement', async ({ database, alone }) => {
  const counted = countingRunner(database);
  const store = createSqlChatStore(database.db, { runner: counted.runner });
  const convs = await Promise.all([withMessages(alone, newConversation({}), 7), withMessages(alone, newConversation({}), 3), withMessages(alone, newConversation({}), 0)]);
  const asks: [string, number, number | undefined][] = [];
  for (const c of convs) for (const after of [0, 1, 2, 3, 6, 7, 9]) for (const limit of [undefined, 1, 2, 500]) asks.push([c.id, after, limit]);
  asks.push([randomUUID(), 0, undefined], [convs[0]!.id, 2, undefined]);
  const together = await Promise.all(asks.map(([id, after, limit]) => store.messagesAfter(id, after, limit)));
  const separately = [];
  for (const [id, after, limit] of asks) separately.push(await alone.messagesAfter(id, after, limit));
  assert.equal(together, separately);
  assert.ok(together.some((m) => m.length > 0), 'some reads found messages');
  const many = counted.counts.get('chat_messages_after_many_v1') ?? 0;
  const single = counted.counts.get('chat_messages_after_v1') ?? 0;
  assert.ok(many >= 1, 'a statement read many cursors at once');
  assert.ok(many + single < asks.length / 4, `${asks.length} reads in ${many + single} statements`);
});

test('open conversations read for many people at once are each what a read alone returns, oldest first', async ({ database, alone }) => {
  const counted = countingRunner(database);
  const store = createSqlChatStore(database.db, { runner: counted.runner });
  const advisorId = `adv-${randomUUID()}`;
  const userId = `user-${randomUUID()}`;
  const later = await alone.createConversation(newConversation({ advisorId, openedAt: new Date('2025-03-03T16:30:00.000Z') }));
  // The user's earlier chat ends before this one opens: one open conversation per user.
  const closed = await alone.createConversation(newConversation({ userId, advisorId }));
  await alone.closeConversation(closed.id, { outcome: 'resolved', rating: null, closedBy: userId, at: new Date() });
  const mine = await alone.createConversation(newConversation({ userId, advisorId, openedAt: new Date('2025-03-03T15:10:00.000Z') }));
  const sameTime = await alone.createConversation(newConversation({ advisorId, openedAt: new Date('2025-03-03T15:10:00.000Z') }));
  const people = [advisorId, userId, later.userId, `nobody-${randomUUID()}`, advisorId, sameTime.userId, mine.userId];
  const together = await Promise.all(people.map((p) => store.openConversationsFor(p)));
  const separately = [];
  for (const p of people) separately.push(await alone.openConversationsFor(p));
  assert.equal(together, separately);
  assert.equal(together[0]!.map((c) => c.id), [mine, sameTime].sort((a, b) => (a.id < b.id ? -1 : 1)).map((c) => c.id).concat(later.id));
  assert.equal(together[3], []);
  assert.ok((counted.counts.get('chat_open_for_many_v2') ?? 0) >= 1, 'a statement read many people at once');
});

test('a read alone goes at once, as its own single statement', async ({ database }) => {
  const counted = countingRunner(database);
  const store = createSqlChatStore(database.db, { runner: counted.runner });
  const c = await withMessages(store, newConversation({}), 2);
  assert.equal((await store.messagesAfter(c.id, 0)).map((m) => m.seq), [1, 2]);
  assert.equal((await store.openConversationsFor(c.userId)).map((x) => x.id), [c.id]);
  assert.is(counted.counts.get('chat_messages_after_many_v1'), undefined);
  assert.is(counted.counts.get('chat_open_for_many_v2'), undefined);
  assert.is(counted.counts.get('chat_messages_after_v1'), 1);
  assert.is(counted.counts.get('chat_open_for_v2'), 1);
});

test('when the database fails under a coalesced read, every read in it fails with store_unavailable, and the next ones work', async ({ database }) => {
  const counted = countingRunner(database);
  const store = createSqlChatStore(database.db, { runner: counted.runner });
  const c = await withMessages(store, newConversation({}), 3);
  counted.fail(true);
  const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.messagesAfter(c.id, i % 3)));
  for (const o of outcomes) {
    assert.is(o.status, 'rejected');
    assert.instance((o as PromiseRejectedResult).reason, AppError);
    assert.is(((o as PromiseRejectedResult).reason as AppError).code, 'store_unavailable');
  }
  counted.fail(false);
  const again = await Promise.all(Array.from({ length: 10 }, (_, i) => store.messagesAfter(c.id, i % 3)));
  assert.equal(again.map((m) => m.length), Array.from({ length: 10 }, (_, i) => 3 - (i % 3)));
});

test.run();
