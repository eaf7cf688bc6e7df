/**
 * The first-answer deadline (`unansweredSeconds`) is kept whichever node assigned the chat: a node
 * stopped before the advisor answered leaves its chats to the others' sweep; an answer through any
 * node keeps the chat with its advisor; two sweeps of one overdue chat send it back once. Two nodes
 * sharing the database and Redis when Redis answers; else one node on the in-process state, stopped
 * and started again on the same database. One manual clock for the nodes; the sweeps are called
 * (the routing tick, 60 s, does not come within a test).
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { NodePair } from './helpers/node-pair.ts';
import type { TestServer } from './helpers/server.ts';
import type { TestSocket } from './helpers/ws-client.ts';

const UNANSWERED_SECONDS = 120;
const clock = new ManualClock(Date.now());
const nodes = new NodePair('answer-deadline-nodes');

test.before.each(async () => {
  // Graces longer than a test: nobody leaves because a socket moved to the other node.
  await nodes.start({ advisorGraceMs: 60_000, userGraceMs: 60_000 }, { clock, routing: { unansweredSeconds: UNANSWERED_SECONDS }, env: { ROUTING_TICK_MS: '60000' } });
});
test.after.each(async () => {
  nodes.dropSockets();
  await nodes.close();
});

const advisorClaims = (sub: string) => ({ role: 'advisor', sub, name: sub });
const workerClaims = (sub: string) => ({ role: 'worker', sub, province: 'MI' });
const say = (s: TestSocket, conversationId: string, text: string) => s.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text });

/** `advisor` (available) is given `worker`'s chat by node A, whose memory then holds the deadline; nobody has answered. */
async function assignedByA(advisor: string, worker: string) {
  const adv = (await nodes.on(nodes.a, advisorClaims(advisor))).socket;
  await adv.request({ type: 'advisor.status', status: 'available' });
  const user = (await nodes.on(nodes.a, workerClaims(worker))).socket;
  user.send({ type: 'chat.request', topic: 'payment' });
  const conversationId = (await user.next('conversation.assigned')).conversationId as string;
  await adv.next('conversation.assigned', (f) => f.conversationId === conversationId);
  assert.ok(nodes.a.services.router.unanswered.has(conversationId), 'node A assigned it');
  return { adv, user, conversationId };
}

const pastTheDeadline = () => clock.advance(UNANSWERED_SECONDS * 1000 + 1000);

test('a chat whose assigning node stopped before the advisor answered goes back to the queue at the deadline, sent by the node that carries on', async () => {
  const { conversationId } = await assignedByA('adv-dl-stopped', 'w-dl-stopped');
  const survivor = await nodes.stopA();
  assert.not.ok(survivor.services.router.unanswered.has(conversationId), 'the node that carries on never assigned it');
  const adv = (await nodes.on(survivor, advisorClaims('adv-dl-stopped'))).socket;
  const user = (await nodes.on(survivor, workerClaims('w-dl-stopped'))).socket;

  pastTheDeadline();
  await survivor.services.sweep.run();
  const back = await user.next('queue.joined', (f) => f.conversationId === conversationId);
  assert.is(back.reason, 'unanswered');
  const away = await adv.next('advisor.status', (f) => f.reason === 'unanswered');
  assert.equal([away.status, away.conversationId], ['away', conversationId]);
  assert.is((await adv.next('conversation.released')).conversationId, conversationId);
  const stored = await survivor.services.store.getConversation(conversationId);
  assert.equal([stored?.status, stored?.advisorId], ['open', null], 'open, waiting for another advisor');
});

test('a chat its advisor answered through the node that did not assign it stays theirs at the deadline, swept by either node', async () => {
  const { conversationId } = await assignedByA('adv-dl-answers', 'w-dl-answers');
  const elsewhere = (await nodes.on(nodes.b, advisorClaims('adv-dl-answers'))).socket;
  assert.is((await say(elsewhere, conversationId, 'buongiorno, eccomi')).type, 'message.ack');
  const assignedAt = (await nodes.a.services.store.getConversation(conversationId))?.assignedAt;

  pastTheDeadline();
  await nodes.b.services.sweep.run();
  await nodes.a.services.sweep.run();
  const stored = await nodes.a.services.store.getConversation(conversationId);
  assert.equal([stored?.advisorId, stored?.assignedAt], ['adv-dl-answers', assignedAt], 'still theirs, untouched');
  const held = (await nodes.a.services.state.snapshot()).advisors.find((a) => a.id === 'adv-dl-answers');
  assert.ok(held?.conversations.includes(conversationId), 'its seat still held for them');
});

test('an overdue chat swept by both nodes at once goes back to the queue once: one requeue told to each, one place in the queue', async () => {
  const { adv, user, conversationId } = await assignedByA('adv-dl-twice', 'w-dl-twice');
  // The user also has a socket on node B: what either node sends reaches one of their sockets at least.
  const userOnB = (await nodes.on(nodes.b, workerClaims('w-dl-twice'))).socket;

  pastTheDeadline();
  await Promise.all([nodes.a.services.sweep.run(), nodes.b.services.sweep.run()]);
  // What each node sent before this mark has reached the sockets once the mark has (one channel per node).
  for (const node of new Set<TestServer>([nodes.a, nodes.b])) {
    const mark = randomUUID();
    node.services.fanout.toUser('w-dl-twice', { type: 'test.mark', mark });
    node.services.fanout.toUser('adv-dl-twice', { type: 'test.mark', mark });
    await user.next('test.mark', (f) => f.mark === mark);
    await userOnB.next('test.mark', (f) => f.mark === mark);
    await adv.next('test.mark', (f) => f.mark === mark);
  }
  const requeues = (s: TestSocket) => s.all('queue.joined').filter((f) => f.conversationId === conversationId).length;
  assert.equal([requeues(user), requeues(userOnB)], [1, 1], 'the user is told once, on each socket');
  assert.is(adv.all('conversation.released').filter((f) => f.conversationId === conversationId).length, 1, 'the advisor is told once');
  assert.is(adv.all('advisor.status').filter((f) => f.reason === 'unanswered').length, 1, 'and set away once');
  const waiting = [...(await nodes.a.services.state.snapshot()).queues.values()].flat().filter((e) => e.userId === 'w-dl-twice');
  assert.equal(waiting.map((e) => e.conversationId), [conversationId], 'one place in the queue, with the chat');
});

test('a node whose memory holds a chat another node has just taken (its assignment time cleared, the release not yet stored) leaves it to that node', async () => {
  const { user, conversationId } = await assignedByA('adv-dl-taken', 'w-dl-taken');
  const assignedAt = (await nodes.a.services.store.getConversation(conversationId))!.assignedAt!;
  pastTheDeadline();
  // The other node's take, caught before its requeue: what this node's sweep can read while that one goes on.
  assert.ok(await nodes.b.services.store.takeUnanswered(conversationId, 'adv-dl-taken', assignedAt), 'taken by the other node');
  await nodes.a.services.sweep.run();
  const mark = randomUUID();
  nodes.a.services.fanout.toUser('w-dl-taken', { type: 'test.mark', mark });
  await user.next('test.mark', (f) => f.mark === mark);
  assert.is(user.all('queue.joined').filter((f) => f.conversationId === conversationId).length, 0, 'not sent back by this node too');
  assert.not.ok(nodes.a.services.router.unanswered.has(conversationId), 'and forgotten here');
});

test.run();
