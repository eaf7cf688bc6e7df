/**
 * Two server nodes, one database, one Redis: users and advisors connected to
 * either node are matched and talk to each other, with the same guarantees.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testDatabase, type TestDatabase } from './helpers/db.ts';
import { deleteKeys, redisAnswersSync, redisUrl, skipLine } from './helpers/routing-state-contract.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const available = redisAnswersSync(redisUrl);
if (!available) console.log(skipLine(redisUrl, 'the two-node tests'));

const prefix = `test:${randomUUID()}`;
let db: TestDatabase;
let a: TestServer;
let b: TestServer;
const sockets: TestSocket[] = [];

test.before(async () => {
  if (!available) return;
  db = await testDatabase();
  const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix };
  a = await startServer({ env, db, userGraceMs: 300 });
  b = await startServer({ env, db, userGraceMs: 300 });
});
test.after.each(() => {
  for (const s of sockets.splice(0)) s.drop();
});
test.after(async () => {
  if (!available) return;
  await a.close();
  await b.close();
  await db.cleanup();
  const redis = new Redis(redisUrl);
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

async function on(node: TestServer, claims: Record<string, unknown> & { role: string }) {
  const [socket, welcome] = await TestSocket.signIn(node.wsUrl, await node.token(claims));
  sockets.push(socket);
  return { socket, welcome };
}

const run = available ? test : test.skip;

/** An available advisor on `advisorNode` matched with a worker who asks on `workerNode`. */
async function chat(advisorNode: TestServer, advisorSub: string, workerNode: TestServer, workerSub: string, province = 'MI') {
  const advisor = await on(advisorNode, { role: 'advisor', sub: advisorSub });
  await advisor.socket.request({ type: 'advisor.status', status: 'available' });
  const worker = await on(workerNode, { role: 'worker', sub: workerSub, province });
  worker.socket.send({ type: 'chat.request', topic: 'payment' });
  const conversationId = (await worker.socket.next('conversation.assigned')).conversationId as string;
  await advisor.socket.next('conversation.assigned');
  return { advisor, worker, conversationId };
}

run('a worker on one node is matched with an advisor on the other, and they write to each other in order', async () => {
  const advisor = await on(b, { role: 'advisor', sub: 'adv-2n', name: 'Anna' });
  await advisor.socket.request({ type: 'advisor.status', status: 'available' });
  const worker = await on(a, { role: 'worker', sub: 'w-2n', province: 'NA' });
  worker.socket.send({ type: 'chat.request', topic: 'payment' });
  const assigned = await worker.socket.next('conversation.assigned');
  await advisor.socket.next('conversation.assigned');
  const conversationId = assigned.conversationId as string;
  for (let i = 1; i <= 5; i++) {
    const from = i % 2 ? worker.socket : advisor.socket;
    const ack = await from.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text: `m${i}` });
    assert.is(ack.seq, i);
  }
  for (const s of [worker.socket, advisor.socket]) {
    const seqs = [];
    for (let i = 1; i <= 5; i++) seqs.push((await s.next('message', (f) => f.seq === i)).seq);
    assert.equal(seqs, [1, 2, 3, 4, 5]);
  }
  await advisor.socket.request({ type: 'conversation.close', conversationId });
  await worker.socket.next('conversation.closed');
});

run('the same user asking on both nodes at once makes one queue entry', async () => {
  const one = await on(a, { role: 'worker', sub: 'w-twice-2n', province: 'BA' });
  const two = await on(b, { role: 'worker', sub: 'w-twice-2n', province: 'BA' });
  one.socket.send({ type: 'chat.request', topic: 'cigo' });
  two.socket.send({ type: 'chat.request', topic: 'cigo' });
  await one.socket.next('queue.joined');
  await two.socket.next('queue.joined');
  const snapshot = await a.services.state.snapshot();
  assert.is((snapshot.queues.get('BA:worker') ?? []).filter((e) => e.userId === 'w-twice-2n').length, 1);
  await one.socket.request({ type: 'chat.cancel' });
});

run('an advisor with tabs on both nodes stays available when one tab closes', async () => {
  const tab1 = await on(a, { role: 'advisor', sub: 'adv-tabs-2n' });
  const tab2 = await on(b, { role: 'advisor', sub: 'adv-tabs-2n' });
  await tab1.socket.request({ type: 'advisor.status', status: 'available' });
  tab1.socket.drop();
  await new Promise((r) => setTimeout(r, 150));
  const snap = await b.services.state.snapshot();
  assert.is(snap.advisors.find((x) => x.id === 'adv-tabs-2n')?.status, 'available');
  tab2.socket.drop();
  await new Promise((r) => setTimeout(r, 150));
  const after = await b.services.state.snapshot();
  assert.is(after.advisors.find((x) => x.id === 'adv-tabs-2n')?.status, 'offline', 'offline once no tab is left anywhere');
});

run('a waiting user who moves to the other node within the grace period keeps their place', async () => {
  const first = await on(a, { role: 'worker', sub: 'w-move-2n', province: 'CT' });
  first.socket.send({ type: 'chat.request', topic: 'fis' });
  await first.socket.next('queue.joined');
  first.socket.drop();
  const moved = await on(b, { role: 'worker', sub: 'w-move-2n', province: 'CT' });
  assert.is((moved.welcome.waiting as { position: number }).position, 1);
  await new Promise((r) => setTimeout(r, 500));
  const snap = await a.services.state.snapshot();
  assert.equal(snap.queues.get('CT:worker')?.map((e) => e.userId), ['w-move-2n'], 'node A’s grace timer saw the user online on node B');
  await moved.socket.request({ type: 'chat.cancel' });
});

run('a user who reconnects to the other node resumes the conversation without loss or duplicates', async () => {
  const advisor = await on(a, { role: 'advisor', sub: 'adv-resume-2n' });
  await advisor.socket.request({ type: 'advisor.status', status: 'available' });
  const worker = await on(a, { role: 'worker', sub: 'w-resume-2n', province: 'PA' });
  worker.socket.send({ type: 'chat.request', topic: 'cigs' });
  const { conversationId } = await worker.socket.next('conversation.assigned');
  await advisor.socket.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text: 'uno' });
  await worker.socket.next('message', (f) => f.seq === 1);
  worker.socket.drop();
  await advisor.socket.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text: 'due' });
  const [back] = await TestSocket.signIn(b.wsUrl, await b.token({ role: 'worker', sub: 'w-resume-2n', province: 'PA' }), [{ conversationId: conversationId as string, lastSeq: 1 }]);
  sockets.push(back);
  await advisor.socket.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text: 'tre' });
  const got = [await back.next('message'), await back.next('message')];
  assert.equal(got.map((m) => [m.seq, m.text]), [[2, 'due'], [3, 'tre']]);
  await new Promise((r) => setTimeout(r, 100));
  assert.is(back.all('message').length, 0);
});

run('a message crosses nodes exactly as it was written, to every tab of both people, and typing follows it', async () => {
  const advisor = await on(b, { role: 'advisor', sub: 'adv-exact-2n' });
  await advisor.socket.request({ type: 'advisor.status', status: 'available' });
  const tabA = await on(a, { role: 'worker', sub: 'w-exact-2n', province: 'TO' });
  tabA.socket.send({ type: 'chat.request', topic: 'payment' });
  const { conversationId } = await tabA.socket.next('conversation.assigned');
  await advisor.socket.next('conversation.assigned');
  const tabB = await on(b, { role: 'worker', sub: 'w-exact-2n', province: 'TO' });
  // Newlines, quotes, a backslash and non-ASCII: the frame travels between nodes as text.
  const text = 'riga uno\nriga "due"\\ — però €, 支付\r\n';
  const ack = await tabA.socket.request({ type: 'message.send', conversationId, clientMsgId: 'exact-1', text });
  const frames = await Promise.all([tabA, tabB, advisor].map((p) => p.socket.next('message', (f) => f.clientMsgId === 'exact-1')));
  for (const f of frames) assert.equal(f, frames[0], 'the same frame on both nodes');
  assert.equal([frames[0]!.seq, frames[0]!.text, frames[0]!.conversationId], [ack.seq, text, conversationId]);
  assert.equal(frames[0]!.from, { id: 'w-exact-2n', role: 'worker' });
  assert.ok(!Number.isNaN(Date.parse(frames[0]!.at as string)));
  tabA.socket.send({ type: 'typing', conversationId });
  const typing = await advisor.socket.next('typing');
  assert.equal([typing.conversationId, typing.from, typing.active], [conversationId, { id: 'w-exact-2n', role: 'worker' }, true]);
  await advisor.socket.request({ type: 'conversation.close', conversationId });
});

run('a hand-over decided on one node is known at once on the other: the new advisor gets the next message, the old one may no longer write', async () => {
  const { advisor: first, worker, conversationId } = await chat(b, 'adv-from-2n', a, 'w-handover-2n');
  // Both nodes now hold the conversation's participants in their caches.
  await worker.socket.request({ type: 'message.send', conversationId, clientMsgId: 'ho-1', text: 'buongiorno' });
  await first.socket.request({ type: 'message.send', conversationId, clientMsgId: 'ho-2', text: 'mi dica' });
  const second = await on(a, { role: 'advisor', sub: 'adv-to-2n' });
  await second.socket.request({ type: 'advisor.status', status: 'available' });
  assert.is((await first.socket.request({ type: 'conversation.transfer', conversationId, to: 'adv-to-2n' })).type, 'ok');
  await second.socket.next('conversation.assigned');
  await worker.socket.next('conversation.assigned', (f) => (f.peer as { id: string }).id === 'adv-to-2n');
  const ack = await worker.socket.request({ type: 'message.send', conversationId, clientMsgId: 'ho-3', text: 'è ancora lei?' });
  assert.is(ack.type, 'message.ack');
  assert.is((await second.socket.next('message', (f) => f.clientMsgId === 'ho-3')).seq, ack.seq, 'the new advisor gets it');
  const refused = await first.socket.request({ type: 'message.send', conversationId, clientMsgId: 'ho-4', text: 'sono ancora io' });
  assert.is(refused.code, 'not_participant', 'the old advisor’s node knows at once');
  await new Promise((r) => setTimeout(r, 100));
  assert.is(first.socket.all('message').filter((f) => f.clientMsgId === 'ho-3').length, 0, 'the old advisor no longer receives the chat');
  await second.socket.request({ type: 'conversation.close', conversationId });
});

run('a message whose publish never reached a node is sent to its sockets when that node’s subscription comes back', async () => {
  const { advisor, worker, conversationId } = await chat(b, 'adv-missed-2n', a, 'w-missed-2n', 'RM');
  // Stored on node B without its publish: what node A misses while its subscription is down.
  const { message } = await b.services.store.appendMessage({ conversationId, senderId: 'adv-missed-2n', senderRole: 'advisor', clientMsgId: 'lost-1', text: 'persa per strada' });
  await new Promise((r) => setTimeout(r, 200));
  assert.is(worker.socket.all('message').length, 0, 'nothing arrives by itself');
  // ioredis says 'ready' when a dropped subscriber connection is back (test/fanout-redis.test.ts drops one for real).
  (a.services.fanout as unknown as { sub: { emit(event: string): void } }).sub.emit('ready');
  const got = await worker.socket.next('message', (f) => f.clientMsgId === 'lost-1');
  assert.equal([got.seq, got.text], [message.seq, 'persa per strada']);
  await advisor.socket.request({ type: 'conversation.close', conversationId });
});

test.run();
