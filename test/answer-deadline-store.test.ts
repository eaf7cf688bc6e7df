/**
 * The first-answer deadline as the database keeps it (server/answer-deadline-sql.ts): which chats their
 * advisor answered since they were given them, which are overdue, and that one taker only gets an
 * overdue chat. On PGlite, or PostgreSQL with DATABASE_URL.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChatStore } from '../server/chat-store.ts';
import { createSqlChatStore } from '../server/chat-store-sql.ts';
import { newConversation } from './helpers/conversations.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const test = suite<{ database: TestDatabase; store: ChatStore }>(`answer deadlines in the chat store (${kind})`);

test.before(async (ctx) => {
  ctx.database = await testDatabase();
  ctx.store = createSqlChatStore(ctx.database.db);
});

test.after(async (ctx) => {
  await ctx.database?.cleanup();
});

const T0 = Date.parse('2026-11-23T15:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
let n = 0;
const write = (store: ChatStore, conversationId: string, senderId: string) =>
  store.appendMessage({ conversationId, senderId, senderRole: senderId.startsWith('adv') ? 'advisor' : 'worker', clientMsgId: `m${++n}`, text: 'testo' });
/** Of the chats due by `by`, those among `ids` (other tests' chats share the database). */
const dueAmong = async (store: ChatStore, by: Date, ids: string[]) => (await store.dueUnanswered(by, 1000)).filter((d) => ids.includes(d.id));

test('a chat handed back to an advisor who wrote in it before is not answered by those messages: it is due again until they write anew', async ({ store }) => {
  const c = await store.createConversation(newConversation({ advisorId: 'adv-back', openedAt: at(0) }));
  await write(store, c.id, c.userId);
  await write(store, c.id, 'adv-back');
  assert.equal([...(await store.answeredIn('adv-back', [c.id]))], [c.id], 'answered in their first turn');
  assert.equal(await dueAmong(store, at(600), [c.id]), []);

  await store.reassignConversation(c.id, 'adv-other', null, at(60));
  assert.equal([...(await store.answeredIn('adv-back', [c.id]))], [], 'no longer theirs');
  await write(store, c.id, 'adv-other');
  await store.reassignConversation(c.id, 'adv-back', null, at(120));
  assert.equal([...(await store.answeredIn('adv-back', [c.id]))], [], 'handed back: their earlier message does not answer it');
  assert.equal(await dueAmong(store, at(119), [c.id]), [], 'not due before its new assignment');
  assert.equal(await dueAmong(store, at(120), [c.id]), [{ id: c.id, advisorId: 'adv-back', assignedAt: at(120) }]);

  await write(store, c.id, c.userId);
  assert.is((await dueAmong(store, at(600), [c.id])).length, 1, 'the user’s messages do not answer it');
  await write(store, c.id, 'adv-back');
  assert.equal([...(await store.answeredIn('adv-back', [c.id]))], [c.id]);
  assert.equal(await dueAmong(store, at(600), [c.id]), [], 'answered anew');
});

test('overdue chats: open, naming an advisor given them by then who has not written since, the oldest first', async ({ store }) => {
  const [late, later, answered, closed, waiting, fresh] = await Promise.all(
    [10, 20, 5, 5, 5, 500].map((s) => store.createConversation(newConversation({ openedAt: at(s) }))),
  );
  await write(store, answered!.id, answered!.advisorId!);
  await store.closeConversation(closed!.id, { outcome: 'resolved', rating: null, closedBy: 'x', at: at(30) });
  await store.releaseConversation(waiting!.id, waiting!.advisorId!);
  const ids = [late, later, answered, closed, waiting, fresh].map((c) => c!.id);
  assert.equal((await dueAmong(store, at(100), ids)).map((d) => d.id), [late!.id, later!.id]);
  assert.equal(await store.answeredIn(answered!.advisorId!, [answered!.id, late!.id]), new Set([answered!.id]), 'only among those asked');
  assert.equal(await store.answeredIn(answered!.advisorId!, []), new Set());
});

test('of two takes of the same overdue chat at once exactly one gets it, which leaves it named but without a deadline', async ({ store }) => {
  const c = await store.createConversation(newConversation({ openedAt: at(0) }));
  const takes = await Promise.all([store.takeUnanswered(c.id, c.advisorId!, at(0)), store.takeUnanswered(c.id, c.advisorId!, at(0))]);
  assert.is(takes.filter((t) => t !== null).length, 1, 'one taker');
  const taken = takes.find((t) => t !== null)!;
  assert.equal([taken.id, taken.advisorId, taken.assignedAt], [c.id, c.advisorId, null]);
  assert.is((await store.getConversation(c.id))?.assignedAt, null);
  assert.equal(await dueAmong(store, at(600), [c.id]), [], 'no longer due: taken');
  assert.is(await store.takeUnanswered(c.id, c.advisorId!, at(0)), null, 'nor taken again later');
});

test('a chat answered, handed over, sent back to the queue or closed meanwhile is not taken', async ({ store }) => {
  const [answered, handed, released, closed] = await Promise.all([0, 1, 2, 3].map(() => store.createConversation(newConversation({ openedAt: at(0) }))));
  await write(store, answered!.id, answered!.advisorId!);
  await store.reassignConversation(handed!.id, 'adv-next', null, at(50));
  await store.releaseConversation(released!.id, released!.advisorId!);
  await store.closeConversation(closed!.id, { outcome: 'resolved', rating: null, closedBy: 'x', at: at(30) });
  for (const c of [answered, handed, released, closed]) assert.is(await store.takeUnanswered(c!.id, c!.advisorId!, at(0)), null, c!.id);
  assert.is(await store.takeUnanswered(handed!.id, 'adv-next', at(0)), null, 'its new assignment is another one');
  assert.ok(await store.takeUnanswered(handed!.id, 'adv-next', at(50)), 'that one, due, is taken');
});

test.run();
