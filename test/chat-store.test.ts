import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { messages } from '../schema/tables.ts';
import type { ChatStore, ConversationRecord } from '../server/chat-store.ts';
import { createSqlChatStore } from '../server/chat-store-sql.ts';
import { AppError } from '../server/errors.ts';
import { eq } from 'drizzle-orm';
import { newConversation } from './helpers/conversations.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const test = suite<{ database: TestDatabase; store: ChatStore }>(`SQL chat store (${kind})`);

test.before(async (ctx) => {
  ctx.database = await testDatabase();
  ctx.store = createSqlChatStore(ctx.database.db);
});

test.after(async (ctx) => {
  await ctx.database?.cleanup();
});

type Chat = Pick<ConversationRecord, 'id' | 'userId' | 'advisorId'>;

/** A message in `chat` from its user (`user-1`, the default) or its advisor (`adv-1`): the store takes no one else's. */
function send(store: ChatStore, chat: Chat, clientMsgId: string, sender: 'user-1' | 'adv-1' = 'user-1', text = `text ${clientMsgId}`) {
  const senderId = sender === 'user-1' ? chat.userId : chat.advisorId!;
  return store.appendMessage({ conversationId: chat.id, senderId, senderRole: sender === 'user-1' ? 'worker' : 'advisor', clientMsgId, text });
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, AppError);
    assert.is((err as AppError).code, code);
    return;
  }
  assert.unreachable(`expected AppError(${code})`);
}

async function storedCount(database: TestDatabase, conversationId: string): Promise<number> {
  const rows = await database.db.select().from(messages).where(eq(messages.conversationId, conversationId));
  return rows.length;
}

test('a created conversation reads back with its context intact', async ({ store }) => {
  const input = newConversation({ context: { protocol: 'INPS.2025.0001234', matricola: '1234567890', step: 'è ok' } });
  const created = await store.createConversation(input);
  assert.is(created.status, 'open');
  assert.is(created.lastSeq, 0);
  const read = await store.getConversation(input.id);
  assert.ok(read);
  assert.equal(read.context, input.context);
  assert.is(read.userId, input.userId);
  assert.is(read.openedAt.toISOString(), input.openedAt.toISOString());
  assert.is(read.closedAt, null);
  assert.is(read.outcome, null);
  assert.is(read.rating, null);
});

test('an unknown conversation reads as null', async ({ store }) => {
  assert.is(await store.getConversation(randomUUID()), null);
});

test('messages are numbered 1, 2, 3 per conversation, independently of other conversations', async ({ store }) => {
  const a = await store.createConversation(newConversation());
  const b = await store.createConversation(newConversation());
  const seqsA = [];
  for (const id of ['a1', 'a2', 'a3']) seqsA.push((await send(store, a, id)).message.seq);
  const firstB = await send(store, b, 'b1');
  assert.equal(seqsA, [1, 2, 3]);
  assert.is(firstB.message.seq, 1);
  assert.is((await store.getConversation(a.id))?.lastSeq, 3);
});

test('a stored message carries its sender, text and time', async ({ store }) => {
  const c = await store.createConversation(newConversation());
  const before = Date.now();
  const { message, duplicate } = await send(store, c, 'm1', 'user-1', 'Buongiorno, quando arriva il pagamento?');
  assert.is(duplicate, false);
  assert.is(message.conversationId, c.id);
  assert.is(message.senderId, c.userId);
  assert.is(message.senderRole, 'worker');
  assert.is(message.clientMsgId, 'm1');
  assert.is(message.text, 'Buongiorno, quando arriva il pagamento?');
  assert.instance(message.at, Date);
  assert.ok(Math.abs(message.at.getTime() - before) < 60_000);
});

test('the time acknowledged is the time read back later, to the millisecond, and a duplicate answers with it too', async ({ store }) => {
  const c = await store.createConversation(newConversation());
  const acked = [];
  for (let i = 0; i < 20; i++) acked.push((await send(store, c, `t${i}`)).message.at.toISOString());
  const read = (await store.messagesAfter(c.id, 0)).map((m) => m.at.toISOString());
  assert.equal(read, acked);
  assert.is((await send(store, c, 't3')).message.at.toISOString(), acked[3]);
  const [third] = await store.messagesAfter(c.id, 2, 1);
  assert.equal(third, (await send(store, c, 't2')).message, 'a read is the message as acknowledged, field for field');
});

test('a repeated clientMsgId returns the same seq as a duplicate and stores one row', async ({ store, database }) => {
  const c = await store.createConversation(newConversation());
  const first = await send(store, c, 'same');
  const again = await send(store, c, 'same', 'user-1', 'a different text on retry');
  assert.is(first.duplicate, false);
  assert.is(again.duplicate, true);
  assert.is(again.message.seq, first.message.seq);
  assert.is(again.message.text, first.message.text);
  assert.is(await storedCount(database, c.id), 1);
  assert.is((await send(store, c, 'next')).message.seq, 2);
});

test('the same clientMsgId from two different senders is two messages', async ({ store }) => {
  const c = await store.createConversation(newConversation());
  const fromUser = await send(store, c, 'x', 'user-1');
  const fromAdvisor = await send(store, c, 'x', 'adv-1');
  assert.is(fromAdvisor.duplicate, false);
  assert.equal([fromUser.message.seq, fromAdvisor.message.seq], [1, 2]);
});

test('50 concurrent appends to one conversation get seqs 1..50 with no gap', async ({ store, database }) => {
  const c = await store.createConversation(newConversation());
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => send(store, c, `c${i}`, i % 2 ? 'user-1' : 'adv-1')),
  );
  const seqs = results.map((r) => r.message.seq).sort((x, y) => x - y);
  assert.equal(seqs, Array.from({ length: 50 }, (_, i) => i + 1));
  assert.ok(results.every((r) => !r.duplicate));
  const stored = await store.messagesAfter(c.id, 0);
  assert.equal(stored.map((m) => m.seq), seqs);
  assert.is(await storedCount(database, c.id), 50);
  assert.is((await store.getConversation(c.id))?.lastSeq, 50);
});

test('10 concurrent sends with the same clientMsgId store exactly one message', async ({ store, database }) => {
  const c = await store.createConversation(newConversation());
  await send(store, c, 'before');
  const results = await Promise.all(Array.from({ length: 10 }, () => send(store, c, 'retry')));
  assert.is(results.filter((r) => !r.duplicate).length, 1);
  assert.ok(results.every((r) => r.message.seq === 2));
  assert.is(await storedCount(database, c.id), 2);
  assert.is((await send(store, c, 'after')).message.seq, 3);
});

test('appending to a closed conversation fails with conversation_closed and stores nothing', async ({ store, database }) => {
  const c = await store.createConversation(newConversation());
  await send(store, c, 'm1');
  await store.closeConversation(c.id, { outcome: 'resolved', rating: 5, closedBy: c.userId, at: new Date() });
  await rejectsWith(send(store, c, 'm2'), 'conversation_closed');
  assert.is(await storedCount(database, c.id), 1);
  assert.is((await store.getConversation(c.id))?.lastSeq, 1);
});

test('a retry of a message stored before the close is still acknowledged as a duplicate', async ({ store }) => {
  const c = await store.createConversation(newConversation());
  const first = await send(store, c, 'm1');
  await store.closeConversation(c.id, { outcome: 'resolved', rating: null, closedBy: c.userId, at: new Date() });
  const again = await send(store, c, 'm1');
  assert.is(again.duplicate, true);
  assert.is(again.message.seq, first.message.seq);
});

test('appending to an unknown conversation fails with not_found', async ({ store }) => {
  await rejectsWith(send(store, { id: randomUUID(), userId: 'user-1', advisorId: null }, 'm1'), 'not_found');
});

test('messagesAfter(2) returns 3..n in order, and honours the limit', async ({ store }) => {
  const c = await store.createConversation(newConversation());
  for (let i = 1; i <= 6; i++) await send(store, c, `m${i}`);
  const after = await store.messagesAfter(c.id, 2);
  assert.equal(after.map((m) => m.seq), [3, 4, 5, 6]);
  assert.equal(after.map((m) => m.clientMsgId), ['m3', 'm4', 'm5', 'm6']);
  assert.equal((await store.messagesAfter(c.id, 2, 2)).map((m) => m.seq), [3, 4]);
  assert.equal(await store.messagesAfter(c.id, 6), []);
  assert.equal(await store.messagesAfter(randomUUID(), 0), []);
});

test('message times never go backwards along seq', async ({ store }) => {
  const c = await store.createConversation(newConversation());
  await Promise.all(Array.from({ length: 20 }, (_, i) => send(store, c, `t${i}`)));
  const times = (await store.messagesAfter(c.id, 0)).map((m) => m.at.getTime());
  assert.equal(times, [...times].sort((x, y) => x - y));
});

test('closing records outcome, rating and time, and closing again changes nothing', async ({ store }) => {
  const c = await store.createConversation(newConversation());
  const at = new Date('2025-03-03T09:45:00.000Z');
  const closed = await store.closeConversation(c.id, { outcome: 'resolved', rating: 4, closedBy: c.advisorId!, at });
  assert.is(closed.status, 'closed');
  assert.is(closed.outcome, 'resolved');
  assert.is(closed.rating, 4);
  assert.is(closed.closedAt?.toISOString(), at.toISOString());
  const again = await store.closeConversation(c.id, { outcome: 'abandoned', rating: 1, closedBy: c.userId, at: new Date() });
  assert.equal(again, closed);
});

test('closing an unknown conversation fails with not_found', async ({ store }) => {
  await rejectsWith(
    store.closeConversation(randomUUID(), { outcome: 'resolved', rating: null, closedBy: 'x', at: new Date() }),
    'not_found',
  );
});

test('openConversationsFor finds open conversations as user and as advisor, not closed ones', async ({ store }) => {
  const advisorId = `adv-${randomUUID()}`;
  const userId = `user-${randomUUID()}`;
  // The user's earlier chat ends before this one opens: one open conversation per user.
  const done = await store.createConversation(newConversation({ userId, advisorId }));
  await store.closeConversation(done.id, { outcome: 'resolved', rating: null, closedBy: userId, at: new Date() });
  const mine = await store.createConversation(newConversation({ userId, advisorId }));
  const other = await store.createConversation(newConversation({ advisorId, openedAt: new Date('2025-03-03T09:20:00.000Z') }));
  assert.equal((await store.openConversationsFor(userId)).map((c) => c.id), [mine.id]);
  assert.equal((await store.openConversationsFor(advisorId)).map((c) => c.id), [mine.id, other.id]);
  assert.equal(await store.openConversationsFor(`nobody-${randomUUID()}`), []);
  assert.equal((await store.openConversationsFor(userId))[0], await store.getConversation(mine.id), 'the same record, field for field, as a read by id');
});

test('each side\'s read position moves forward only, within the messages that exist, and comes back with the open conversations', async ({ store }) => {
  const c = await store.createConversation(newConversation());
  for (const id of ['a', 'b', 'c']) await send(store, c, id);
  assert.is(await store.markRead(c.id, 'advisor', 2), true);
  assert.is(await store.markRead(c.id, 'advisor', 1), false, 'an older read changes nothing');
  assert.is(await store.markRead(c.id, 'advisor', 2), false, 'nor does the same one again');
  assert.is(await store.markRead(c.id, 'advisor', 4), false, 'nor one past the last message');
  assert.is(await store.markRead(c.id, 'user', 3), true);
  const [open] = await store.openConversationsFor(c.userId);
  assert.equal([open!.userReadSeq, open!.advisorReadSeq], [3, 2]);
  assert.equal([(await store.getConversation(c.id))!.userReadSeq, (await store.getConversation(c.id))!.advisorReadSeq], [3, 2]);
  assert.is(await store.markRead(randomUUID(), 'user', 1), false, 'an unknown conversation: nothing');
});

test('read marks sent all at once, for many chats and both sides, alongside new messages: the highest of each side is kept, and only one mark of it answers that it moved', async ({ store }) => {
  const chats = await Promise.all([1, 2, 3, 4].map(() => store.createConversation(newConversation())));
  for (const c of chats) for (const id of ['a', 'b', 'c', 'd', 'e']) await send(store, c, id);
  const marks: { id: string; side: 'user' | 'advisor'; seq: number }[] = [];
  for (const c of chats) for (const side of ['user', 'advisor'] as const) for (const seq of [2, 5, 1, 3, 5, 4, 3]) marks.push({ id: c.id, side, seq });
  // Interleaved with appends to the same chats (which lock them too), and a mark past the end.
  const work = marks.map((m) => store.markRead(m.id, m.side, m.seq));
  const appended = chats.map((c) => send(store, c, 'f'));
  const past = chats.map((c) => store.markRead(c.id, 'user', 99));
  const answers = await Promise.all(work);
  assert.equal((await Promise.all(appended)).map((a) => a.message.seq), [6, 6, 6, 6], 'every message committed');
  assert.equal(await Promise.all(past), [false, false, false, false], 'a mark past the last message moves nothing');
  for (const c of chats) {
    const read = (await store.getConversation(c.id))!;
    assert.equal([read.userReadSeq, read.advisorReadSeq], [5, 5], 'the highest mark of each side');
    for (const side of ['user', 'advisor'] as const) {
      const fives = marks.map((m, i) => [m, answers[i]] as const).filter(([m]) => m.id === c.id && m.side === side && m.seq === 5);
      assert.is(fives.filter(([, moved]) => moved).length, 1, 'one of the two marks of 5 moved it');
    }
  }
  const batched = (store as ReturnType<typeof createSqlChatStore>).batchStats().readMarks!;
  assert.ok(batched.largestBatch > 1, `marks that piled up went together (largest batch ${batched.largestBatch})`);
});

test('reassigning moves an open conversation to another advisor', async ({ store }) => {
  const c = await store.createConversation(newConversation());
  const moved = await store.reassignConversation(c.id, 'adv-bianchi', 'Marco Bianchi');
  assert.is(moved.advisorId, 'adv-bianchi');
  assert.is(moved.advisorName, 'Marco Bianchi');
  assert.equal((await store.openConversationsFor('adv-bianchi')).map((x) => x.id).includes(c.id), true);
  assert.equal(await store.openConversationsFor(c.advisorId!), []);
});

test('a conversation keeps when its advisor was given it: at opening, at a hand-over, none while back in the queue; the welcome read has it too', async ({ store }) => {
  const opened = new Date('2026-11-23T10:00:00.000Z');
  const c = await store.createConversation(newConversation({ openedAt: opened }));
  assert.equal(c.assignedAt, opened, 'opened with its advisor');
  assert.is(await store.releaseConversation(c.id, c.advisorId!), true);
  assert.is((await store.getConversation(c.id))?.assignedAt, null, 'back in the queue: nobody’s');
  const handed = new Date('2026-11-23T10:07:30.250Z');
  assert.equal((await store.reassignConversation(c.id, 'adv-bianchi', 'Marco Bianchi', handed)).assignedAt, handed);
  assert.equal((await store.openConversationsFor('adv-bianchi')).find((x) => x.id === c.id)?.assignedAt, handed);
});

test('reassigning a closed conversation fails with conversation_closed, an unknown one with not_found', async ({ store }) => {
  const c = await store.createConversation(newConversation());
  await store.closeConversation(c.id, { outcome: 'resolved', rating: null, closedBy: c.userId, at: new Date() });
  await rejectsWith(store.reassignConversation(c.id, 'adv-x', null), 'conversation_closed');
  await rejectsWith(store.reassignConversation(randomUUID(), 'adv-x', null), 'not_found');
});

test('a closed conversation takes one rating after its close: a second, an open or an unknown conversation change nothing', async ({ store }) => {
  const c = await store.createConversation(newConversation());
  assert.is(await store.rateConversation(c.id, 4), false, 'still open');
  await store.closeConversation(c.id, { outcome: 'resolved', rating: null, closedBy: c.advisorId!, at: new Date() });
  const [four, two] = await Promise.all([store.rateConversation(c.id, 4), store.rateConversation(c.id, 2)]);
  assert.is(Number(four) + Number(two), 1, 'two at once: one of them is stored');
  assert.is((await store.getConversation(c.id))?.rating, four ? 4 : 2);
  assert.is(await store.rateConversation(c.id, 5), false, 'rated already');
  assert.is(await store.rateConversation(randomUUID(), 3), false);
});

test('when the database is gone, appending fails with store_unavailable', async () => {
  const gone = await testDatabase();
  try {
    const store = createSqlChatStore(gone.db);
    const c = await store.createConversation(newConversation());
    await gone.close();
    await rejectsWith(send(store, c, 'm1'), 'store_unavailable');
  } finally {
    await gone.cleanup();
  }
});

test.run();
