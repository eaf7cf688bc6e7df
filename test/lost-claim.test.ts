/**
 * A claim the routing state lost while its chat is open in the database (a Redis failover
 * loses writes it acknowledged, docs/routing-state.md "Failover to a replica"): the user,
 * waiting again in the state, is claimed a second time. The database keeps one open
 * conversation per user (`conversations_one_open_per_user`), so the second is not opened:
 * the router frees the new seat and gives the user their open chat back, with the question they typed
 * while waiting again as its next message.
 * Over real sockets, on one node; the loss is made by releasing the claim in the state.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conversations } from '../schema/tables.ts';
import { until } from './helpers/processes.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket, type Frame } from './helpers/ws-client.ts';

let server: TestServer;
const sockets: TestSocket[] = [];

test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  for (const s of sockets.splice(0)) s.drop();
  await server.close();
});

async function signIn(claims: Record<string, unknown> & { role: string }) {
  const [socket] = await TestSocket.signIn(server.wsUrl, await server.token(claims));
  sockets.push(socket);
  return socket;
}

async function available(sub: string, name: string) {
  const socket = await signIn({ role: 'advisor', sub, name });
  assert.is((await socket.request({ type: 'advisor.status', status: 'available' })).type, 'ok');
  return socket;
}

const advisorOf = async (id: string) => (await server.services.state.snapshot()).advisors.find((a) => a.id === id)!;

test('a user claimed again while their chat is open gets that chat back, not a second one, and the second seat is freed', async () => {
  const first = await available('adv-lost-1', 'Giulia Rossi');
  const worker = await signIn({ role: 'worker', sub: 'w-lost', name: 'Mario Bianchi', province: 'MI' });
  worker.send({ type: 'chat.request', topic: 'payment' });
  const assigned = (await worker.next('conversation.assigned')) as Frame & { conversationId: string };
  await first.next('conversation.assigned');
  const say = await worker.request({ type: 'message.send', conversationId: assigned.conversationId, clientMsgId: randomUUID(), text: 'Quando arriva il pagamento?' });
  assert.is(say.type, 'message.ack');

  // The state loses the claim (as a failover would); the first advisor steps away meanwhile.
  assert.is((await first.request({ type: 'advisor.status', status: 'away' })).type, 'ok');
  await server.services.state.release(assigned.conversationId, Date.now());
  assert.is(await server.services.state.conversationOf('w-lost'), null, 'the state no longer has the chat');

  // The user asks again; the state lets them wait; another advisor is free.
  const asked = await worker.request({ type: 'chat.request', topic: 'payment', text: 'Mi avete risposto? Manca ancora marzo.' });
  assert.is(asked.type, 'ok', JSON.stringify(asked));
  const second = await available('adv-lost-2', 'Luca Verdi');
  const back = await worker.next('conversation.assigned');
  assert.is(back.conversationId, assigned.conversationId, 'the open chat, not a new one');

  const open = await server.services.db.db
    .select({ id: conversations.id, advisorId: conversations.advisorId })
    .from(conversations)
    .where(and(eq(conversations.userId, 'w-lost'), eq(conversations.status, 'open')));
  assert.equal(open, [{ id: assigned.conversationId, advisorId: 'adv-lost-1' }], 'one open conversation, with its advisor');
  assert.is(await server.services.state.conversationOf('w-lost'), assigned.conversationId, 'the state holds it again');
  await until(async () => (await advisorOf('adv-lost-2')).conversations.length === 0, 'the second seat to be freed');
  assert.equal((await advisorOf('adv-lost-1')).conversations, [assigned.conversationId], "its seat is its advisor's again");
  assert.ok(!second.frames.some((f) => f.type === 'conversation.assigned'), 'the second advisor was never told of it');

  // The question typed while waiting again is not lost: it follows in the open chat, for its advisor.
  const question = await first.next('message', (f) => f.text === 'Mi avete risposto? Manca ancora marzo.');
  assert.is(question.conversationId, assigned.conversationId);
  assert.is(question.seq, (say as Frame & { seq: number }).seq + 1, 'right after what the user had written');
  await worker.next('message', (f) => f.text === 'Mi avete risposto? Manca ancora marzo.');

  // The chat goes on: the first advisor answers and the user reads it.
  const reply = await first.request({ type: 'message.send', conversationId: assigned.conversationId, clientMsgId: randomUUID(), text: 'Entro 30 giorni dal decreto.' });
  assert.is(reply.type, 'message.ack', JSON.stringify(reply));
  const received = await worker.next('message', (f) => f.text === 'Entro 30 giorni dal decreto.');
  assert.is(received.conversationId, assigned.conversationId);
});

test('a user claimed again while their chat waited in the queue to be handed over (the state lost it) is handed that chat by the advisor who claimed them, not refused in a loop', async () => {
  await server.services.state.setAdvisorStatus('adv-lost-2', 'away', Date.now()); // of the test before: not free
  const first = await available('adv-lost-3', 'Anna Neri');
  const worker = await signIn({ role: 'worker', sub: 'w-lost-waiting', name: 'Carla Blu', province: 'MI' });
  worker.send({ type: 'chat.request', topic: 'payment' });
  const assigned = (await worker.next('conversation.assigned')) as Frame & { conversationId: string };
  await first.next('conversation.assigned');
  // The chat went back to the queue (it names no advisor), and then the state lost the user's place.
  assert.is((await first.request({ type: 'advisor.status', status: 'away' })).type, 'ok');
  assert.is(await server.services.store.releaseConversation(assigned.conversationId, 'adv-lost-3'), true);
  await server.services.state.release(assigned.conversationId, Date.now());

  assert.is((await worker.request({ type: 'chat.request', topic: 'payment', text: 'Ci siete ancora?' })).type, 'ok');
  const second = await available('adv-lost-4', 'Paolo Gialli');
  const handed = await second.next('conversation.assigned');
  assert.equal([handed.conversationId, handed.handedOver], [assigned.conversationId, true]);
  const back = await worker.next('conversation.assigned');
  assert.is(back.conversationId, assigned.conversationId, 'the open chat, not a new one');
  assert.is((await server.services.store.getConversation(assigned.conversationId))?.advisorId, 'adv-lost-4');
  assert.equal((await advisorOf('adv-lost-4')).conversations, [assigned.conversationId], 'held once, by its new advisor');
  assert.is((await second.next('message', (f) => f.text === 'Ci siete ancora?')).conversationId, assigned.conversationId);
});

test.run();
