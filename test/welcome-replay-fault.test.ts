/**
 * A sign-in that fails after the welcome (the replay of what the page missed cannot be read) is refused
 * with `unavailable`, and the person leaves as from any closed socket: a user waiting in the queue gets
 * their grace again and, not back in time, leaves the queue, instead of staying queued, unseen, until the
 * longest wait because the failed socket had stopped their grace.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChatStore } from '../server/chat-store.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const GRACE_MS = 300;
let server: TestServer;
let failing = false;
const sockets: TestSocket[] = [];

/** The real store, except that reading messages fails like a lost connection while `failing` is set. */
function flaky(store: ChatStore): ChatStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'messagesAfter' && failing) return async () => Promise.reject(Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }));
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waiting = async (userId: string) => [...(await server.services.state.snapshot()).queues.values()].flat().some((e) => e.userId === userId);

test.before(async () => {
  server = await startServer({ wrapStore: flaky, userGraceMs: GRACE_MS, advisorGraceMs: 60_000 });
});
test.after(async () => {
  for (const s of sockets) s.drop();
  await server.close();
});

test('a waiting user whose sign-in fails at the replay and who does not come back leaves the queue after the grace', async () => {
  const [advisor] = await TestSocket.signIn(server.wsUrl, await server.token({ role: 'advisor', sub: 'adv-replay', name: 'adv-replay' }));
  sockets.push(advisor);
  await advisor.request({ type: 'advisor.status', status: 'available' });
  const token = await server.token({ role: 'worker', sub: 'w-replay', province: 'MI' });
  const [worker] = await TestSocket.signIn(server.wsUrl, token);
  sockets.push(worker);
  worker.send({ type: 'chat.request', topic: 'payment' });
  const conversationId = (await worker.next('conversation.assigned')).conversationId as string;
  await advisor.next('conversation.assigned', (f) => f.conversationId === conversationId);
  await worker.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text: 'buongiorno' });
  // The advisor hands the chat back to nobody and goes away: the user waits to be handed over.
  assert.is((await advisor.request({ type: 'conversation.transfer', conversationId })).type, 'ok');
  await worker.next('queue.joined', (f) => f.conversationId === conversationId);
  await advisor.request({ type: 'advisor.status', status: 'away' });
  assert.ok(await waiting('w-replay'));

  worker.drop();
  // Back within the grace, asking for what they missed, while the messages cannot be read.
  failing = true;
  const again = await TestSocket.open(server.wsUrl);
  sockets.push(again);
  again.send({ type: 'hello', token, resume: [{ conversationId, lastSeq: 0 }] });
  await again.closed;
  failing = false;
  assert.is(again.closeReason, 'unavailable');
  assert.ok(again.all('welcome').length === 1, 'refused after the welcome, as the gap needs');
  // And then gone: past the grace they leave the queue, and the chat nobody is in is closed.
  for (const end = Date.now() + GRACE_MS + 3000; Date.now() < end && (await waiting('w-replay')); ) await sleep(50);
  assert.not.ok(await waiting('w-replay'), 'the user stays queued with no socket and no grace');
  await sleep(200);
  assert.is((await server.services.store.getConversation(conversationId))?.outcome, 'left_queue');
});

test.run();
