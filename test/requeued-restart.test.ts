/**
 * A chat back in the queue names no advisor until it is matched again (router-handover.ts
 * `requeue`). A node on the in-process routing state that restarts forgets who was waiting:
 * the user coming back must wait again with their chat, not face an open chat nobody will
 * take; one who closes it while waiting leaves the queue with it. Over real sockets, one
 * node (restarted on the same database).
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testDatabase, type TestDatabase } from './helpers/db.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

let db: TestDatabase;
let node: TestServer | null = null;
const sockets: TestSocket[] = [];

test.before(async () => {
  db = await testDatabase();
});
test.after(async () => {
  for (const s of sockets.splice(0)) s.drop();
  await node?.close();
  await db.cleanup();
});

/** The in-process state (no REDIS_URL), a short advisor grace and a long one for users. */
const start = () => startServer({ db, advisorGraceMs: 200, userGraceMs: 60_000 });

async function on(server: TestServer, claims: Record<string, unknown> & { role: string }) {
  const [socket, welcome] = await TestSocket.signIn(server.wsUrl, await server.token(claims));
  sockets.push(socket);
  return { socket, welcome };
}

test('a user whose chat waited to be handed over when the node restarted waits again with it, and the next free advisor takes it over with its history', async () => {
  node = await start();
  const anna = (await on(node, { role: 'advisor', sub: 'adv-anna', name: 'Anna' })).socket;
  await anna.request({ type: 'advisor.status', status: 'available' });
  const worker = (await on(node, { role: 'worker', sub: 'usr-mario', province: 'MI' })).socket;
  worker.send({ type: 'chat.request', topic: 'payment' });
  const conversationId = (await worker.next('conversation.assigned')).conversationId as string;
  await worker.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text: 'quando arriva il pagamento?' });

  // Anna's console goes away past her grace: the chat goes back to the queue, naming no advisor.
  anna.drop();
  const joined = await worker.next('queue.joined', (f) => f.conversationId === conversationId);
  assert.is(joined.reason, 'advisor_left');

  // The node restarts: its in-process state starts empty, the chat is still open in the database.
  worker.drop();
  await node.close();
  node = await start();

  const back = await on(node, { role: 'worker', sub: 'usr-mario', province: 'MI' });
  assert.equal((back.welcome.conversations as { conversationId: string }[]).map((c) => c.conversationId), [conversationId], 'the chat is still theirs');
  assert.ok(back.welcome.waiting, 'the welcome says they wait again');

  const bruno = (await on(node, { role: 'advisor', sub: 'adv-bruno', name: 'Bruno' })).socket;
  await bruno.request({ type: 'advisor.status', status: 'available' });
  const assigned = await bruno.next('conversation.assigned', (f) => f.conversationId === conversationId);
  assert.is(assigned.handedOver, true, 'a hand-over, with the history');
  const toUser = await back.socket.next('conversation.assigned', (f) => f.conversationId === conversationId);
  assert.is(toUser.handedOver, true);
  const history = await bruno.next('message', (f) => f.conversationId === conversationId && f.seq === 1);
  assert.is(history.text, 'quando arriva il pagamento?');
});

test('a user who closes their chat while it waits to be handed over leaves the queue with it: no advisor is given the closed chat, and they are not left waiting', async () => {
  await node?.close();
  node = await start();
  const carla = (await on(node, { role: 'advisor', sub: 'adv-carla', name: 'Carla' })).socket;
  await carla.request({ type: 'advisor.status', status: 'available' });
  const worker = (await on(node, { role: 'worker', sub: 'usr-lucia', province: 'MI' })).socket;
  worker.send({ type: 'chat.request', topic: 'payment' });
  const conversationId = (await worker.next('conversation.assigned')).conversationId as string;
  carla.drop();
  await worker.next('queue.joined', (f) => f.conversationId === conversationId);

  await worker.request({ type: 'conversation.close', conversationId });
  const back = await on(node, { role: 'worker', sub: 'usr-lucia', province: 'MI' });
  assert.is(back.welcome.waiting, null, 'not waiting any more');
  assert.equal(back.welcome.conversations, [], 'no open chat');

  // The next advisor is free for someone else, not handed the closed chat.
  const dario = (await on(node, { role: 'advisor', sub: 'adv-dario', name: 'Dario' })).socket;
  await dario.request({ type: 'advisor.status', status: 'available' });
  const other = (await on(node, { role: 'worker', sub: 'usr-nino', province: 'MI' })).socket;
  other.send({ type: 'chat.request', topic: 'payment' });
  const served = await dario.next('conversation.assigned');
  assert.is.not(served.conversationId, conversationId);
  assert.not.ok(dario.all('conversation.assigned').some((f) => f.conversationId === conversationId), 'the closed chat went to nobody');
});

test.run();
