/**
 * A user whose chat waits to be handed over and who does not come back leaves the queue at the end of their
 * grace, and the chat is closed `left_queue` (handover-abandon.test.ts). When the database refuses that close
 * (an outage: the store answers store_unavailable), the node keeps it and the routing sweeps close it later,
 * once, at the time the user left; a user back before that keeps their chat. One node, real sockets, the
 * store's closes failing on demand (as store-faults.test.ts fails appends); PGlite or PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CloseInput } from '../server/chat-store.ts';
import { AppError } from '../server/errors.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

let node: TestServer;
/** How many of the next closes fail like an outage; every close asked of the store, in order. */
let failing = 0;
const closes: { conversationId: string; input: CloseInput; failed: boolean }[] = [];
const sockets: TestSocket[] = [];

test.before(async () => {
  node = await startServer({
    advisorGraceMs: 60_000,
    userGraceMs: 300,
    // Sweeps often, so that the retries' backoff (from one second) is what paces them.
    env: { ROUTING_TICK_MS: '50' },
    wrapStore: (store) => ({
      ...store,
      closeConversation: async (conversationId, input) => {
        const failed = failing > 0;
        closes.push({ conversationId, input, failed });
        if (failed) {
          failing--;
          throw new AppError('store_unavailable');
        }
        return store.closeConversation(conversationId, input);
      },
    }),
  });
});
test.after.each(() => {
  for (const s of sockets.splice(0)) s.drop();
  failing = 0;
});
test.after(async () => {
  await node.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (await cond()) return;
  assert.unreachable(`not reached: ${what}`);
}
async function signIn(claims: Record<string, unknown> & { role: string }) {
  const [socket, welcome] = await TestSocket.signIn(node.wsUrl, await node.token(claims));
  sockets.push(socket);
  return { socket, welcome };
}
const say = (s: TestSocket, conversationId: string, text: string) => s.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text });
const waiting = async (userId: string) => [...(await node.services.state.snapshot()).queues.values()].flat().some((e) => e.userId === userId);
const closesOf = (conversationId: string) => closes.filter((c) => c.conversationId === conversationId);

/** A worker whose advisor sent the chat back to the queue (a transfer to nobody) and went away: the chat waits, naming no advisor. */
async function waitingForHandOver(advisorSub: string, userSub: string) {
  const advisor = (await signIn({ role: 'advisor', sub: advisorSub, name: advisorSub })).socket;
  await advisor.request({ type: 'advisor.status', status: 'available' });
  const worker = (await signIn({ role: 'worker', sub: userSub, province: 'MI' })).socket;
  worker.send({ type: 'chat.request', topic: 'payment' });
  const conversationId = (await worker.next('conversation.assigned')).conversationId as string;
  await advisor.next('conversation.assigned', (f) => f.conversationId === conversationId);
  await say(worker, conversationId, 'buongiorno');
  assert.is((await advisor.request({ type: 'conversation.transfer', conversationId })).type, 'ok');
  await worker.next('queue.joined', (f) => f.conversationId === conversationId);
  await advisor.request({ type: 'advisor.status', status: 'away' });
  return { worker, conversationId };
}

test('a close refused by an outage at the end of the grace is retried by the sweeps until it goes through: closed once, left_queue, at the time the user left', async () => {
  const { worker, conversationId } = await waitingForHandOver('adv-lb-1', 'w-lb-gone');
  failing = 2;
  worker.drop();
  await until(async () => !(await waiting('w-lb-gone')), 'the absent user left the queue after the grace');
  await until(async () => (await node.services.store.getConversation(conversationId))?.status === 'closed', 'the chat nobody is in is closed after all');
  const conv = await node.services.store.getConversation(conversationId);
  assert.equal([conv?.outcome, conv?.advisorId], ['left_queue', null]);
  const tried = closesOf(conversationId);
  assert.equal(tried.map((c) => c.failed), [true, true, false], 'two refused, the third stored');
  assert.ok(tried.every((c) => c.input.at.getTime() === tried[0]!.input.at.getTime() && c.input.outcome === 'left_queue'), 'every attempt closes at the time the user left');
  assert.equal(conv?.closedAt, tried[0]!.input.at);
  assert.is(node.services.router.leftBehindKept, 0, 'closed, nothing is left to retry');
  assert.equal((await node.services.store.messagesAfter(conversationId, 0)).map((m) => m.text), ['buongiorno'], 'its history kept');
});

test('a user back before the retried close went through keeps their chat: queued with it again, never closed over them', async () => {
  const { worker, conversationId } = await waitingForHandOver('adv-lb-2', 'w-lb-back');
  failing = 1_000;
  worker.drop();
  await until(() => closesOf(conversationId).length > 0, 'the close was tried at the end of the grace');
  assert.is(node.services.router.leftBehindKept, 1, 'kept to retry');
  const back = await signIn({ role: 'worker', sub: 'w-lb-back', province: 'MI' });
  assert.ok(back.welcome.waiting, 'the user is queued again with their chat');
  failing = 0;
  await until(() => node.services.router.leftBehindKept === 0, 'the kept close was dropped');
  const conv = await node.services.store.getConversation(conversationId);
  assert.is(conv?.status, 'open', 'the chat stays theirs');
  assert.ok(await waiting('w-lb-back'));
  assert.ok(closesOf(conversationId).every((c) => c.failed), 'no close went through');
});

test.run();
