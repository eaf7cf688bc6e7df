/**
 * Only a chat's current people write in it. A node trusts its participant cache for up to a minute
 * (server/conversation-cache.ts): one that missed a hand-over, requeue or release would let the advisor the
 * chat left write on. The append statement itself (migration 0024) checks the sender against the locked
 * row: anyone but the chat's user and the advisor it names now is refused `not_participant`, nothing is
 * stored, no seq is taken. First the store (PGlite, or PostgreSQL with DATABASE_URL), then one node with
 * real sockets whose cache is made stale by a hand-over stored behind its back (what another node decides).
 */
import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSqlChatStore } from '../server/chat-store-sql.ts';
import { codeOf, lastSeqOf, msg, openConversations, rowsOf, storeSuite, userOf } from './helpers/append-store.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const store = storeSuite('the store takes messages only from a chat’s user and current advisor');

store('in one batch, the advisor the chat was handed over from is refused not_participant; the others take the next seqs, gap-free', async ({ database }) => {
  const chats = createSqlChatStore(database.db, { groupCommit: { maxInFlight: 1 } });
  const [c] = await openConversations(chats, 1);
  await chats.appendMessage(msg(c!, 'u1'));
  await chats.appendMessage(msg(c!, 'a1', 'adv-1'));
  await chats.reassignConversation(c!, 'adv-2', 'Marco Bianchi');
  const before = chats.groupCommitStats()!.batches;
  const outcomes = await Promise.all([
    codeOf(chats.appendMessage(msg(c!, 'u2'))),
    codeOf(chats.appendMessage(msg(c!, 'stale', 'adv-1', 'scritto dopo il passaggio'))),
    codeOf(chats.appendMessage(msg(c!, 'b1', 'adv-2'))),
    codeOf(chats.appendMessage(msg(c!, 'stranger', 'adv-9'))),
    codeOf(chats.appendMessage(msg(c!, 'u3'))),
  ]);
  assert.is(chats.groupCommitStats()!.batches, before + 1, 'one batch');
  assert.equal(outcomes, ['resolved', 'not_participant', 'resolved', 'not_participant', 'resolved']);
  assert.equal((await rowsOf(database.db, c!)).map((r) => [r.seq, r.senderId, r.clientMsgId]), [
    [1, userOf(c!), 'u1'],
    [2, 'adv-1', 'a1'],
    [3, userOf(c!), 'u2'],
    [4, 'adv-2', 'b1'],
    [5, userOf(c!), 'u3'],
  ]);
  assert.is(await lastSeqOf(database.db, c!), 5);
  // What it wrote while it took part stays its own: a retry is answered with the stored message.
  const again = await chats.appendMessage(msg(c!, 'a1', 'adv-1'));
  assert.equal([again.duplicate, again.message.seq], [true, 2]);
  assert.is((await chats.appendMessage(msg(c!, 'u4'))).message.seq, 6, 'the next one follows on');
});

store('a chat back in the queue takes its user’s messages and refuses the advisor it left, also sent alone (no group commit)', async ({ database }) => {
  const chats = createSqlChatStore(database.db, { groupCommit: false });
  const [c] = await openConversations(chats, 1);
  await chats.appendMessage(msg(c!, 'a1', 'adv-1'));
  assert.ok(await chats.releaseConversation(c!, 'adv-1'));
  assert.is(await codeOf(chats.appendMessage(msg(c!, 'a2', 'adv-1'))), 'not_participant');
  assert.is((await chats.appendMessage(msg(c!, 'u1'))).message.seq, 2, 'its user writes on while waiting');
  await chats.reassignConversation(c!, 'adv-3', null);
  assert.is((await chats.appendMessage(msg(c!, 'c1', 'adv-3'))).message.seq, 3, 'the next advisor writes');
  assert.equal((await rowsOf(database.db, c!)).map((r) => r.clientMsgId), ['a1', 'u1', 'c1']);
});

store.run();

/** One node, real sockets; `reads` counts the conversation reads (not the cached look-ups) of the hot path. */
let node: TestServer;
let reads = 0;
const sockets: TestSocket[] = [];

async function signIn(claims: Record<string, unknown> & { role: string }) {
  const [socket, welcome] = await TestSocket.signIn(node.wsUrl, await node.token(claims));
  sockets.push(socket);
  return { socket, welcome };
}
const say = (s: TestSocket, conversationId: string, text: string) => s.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text });

async function settled(s: TestSocket) {
  s.send({ type: 'ping' });
  await s.next('pong');
}

const gateway = suite('a node whose cache missed a hand-over');
gateway.before(async () => {
  node = await startServer({
    wrapStore: (s) => ({
      ...s,
      getConversation: (id) => {
        reads++;
        return s.getConversation(id);
      },
    }),
  });
});
gateway.after.each(() => {
  for (const s of sockets.splice(0)) s.drop();
});
gateway.after(async () => {
  await node?.close();
});

gateway('the advisor the chat left, still cached there, is refused not_participant; the user and the new advisor get nothing from them and write on with consecutive seqs', async () => {
  const anna = (await signIn({ role: 'advisor', sub: 'adv-sg-anna', name: 'Anna' })).socket;
  await anna.request({ type: 'advisor.status', status: 'available' });
  const worker = (await signIn({ role: 'worker', sub: 'w-sg', province: 'MI' })).socket;
  worker.send({ type: 'chat.request', topic: 'payment' });
  const conversationId = (await worker.next('conversation.assigned')).conversationId as string;
  await anna.next('conversation.assigned', (f) => f.conversationId === conversationId);
  assert.is((await say(worker, conversationId, 'buongiorno')).seq, 1);
  assert.is((await say(anna, conversationId, 'mi dica')).seq, 2);
  // Handed to Bruno by another node; this one never got the event, so its cache still names Anna.
  await node.services.store.reassignConversation(conversationId, 'adv-sg-bruno', 'Bruno');
  const readsBefore = reads;
  const refused = await say(anna, conversationId, 'ci sono ancora io');
  assert.equal([refused.type, refused.code], ['error', 'not_participant']);
  assert.is(reads, readsBefore, 'refused by the store, from the stale cache (no read of the chat)');
  // The stale entry is dropped: Anna's next try reads the chat, and is refused as anyone not in it.
  assert.is((await say(anna, conversationId, 'e adesso?')).code, 'not_participant');
  assert.is(reads, readsBefore + 1, 'the cached participants were forgotten');
  const bruno = (await signIn({ role: 'advisor', sub: 'adv-sg-bruno', name: 'Bruno' })).socket;
  assert.is((await say(bruno, conversationId, 'sono Bruno, continuo io')).seq, 3);
  assert.is((await say(worker, conversationId, 'grazie')).seq, 4);
  await settled(worker);
  await settled(bruno);
  const said = (s: TestSocket) => s.all('message').filter((m) => m.conversationId === conversationId).map((m) => m.text);
  assert.equal(said(worker), ['buongiorno', 'mi dica', 'sono Bruno, continuo io', 'grazie'], 'the user got nothing from Anna after the hand-over');
  assert.not.ok(said(bruno).some((t) => t === 'ci sono ancora io' || t === 'e adesso?'), 'nor did Bruno');
  assert.equal((await node.services.store.messagesAfter(conversationId, 0)).map((m) => [m.seq, m.text]), [
    [1, 'buongiorno'],
    [2, 'mi dica'],
    [3, 'sono Bruno, continuo io'],
    [4, 'grazie'],
  ]);
});

gateway.run();
