/**
 * A chat that goes back to the queue stops being its last advisor's: the stored conversation
 * names no advisor until it is matched again, so the advisor's next welcome does not list it,
 * their messages into it are refused, and what the waiting user writes reaches only the user
 * (and the next advisor, with the history). Over real sockets; across two nodes sharing Redis
 * when it answers (the advisor leaves one node and comes back on the other), else on one node.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NodePair } from './helpers/node-pair.ts';
import type { TestServer } from './helpers/server.ts';
import type { TestSocket } from './helpers/ws-client.ts';

const nodes = new NodePair('advisor-release');
let a: TestServer;
let b: TestServer;

test.before(async () => {
  // A short advisor grace (the 60 s of config/routing.json, shortened); the users' is long: they stay.
  await nodes.start({ advisorGraceMs: 200, userGraceMs: 60_000 });
  ({ a, b } = nodes);
});
test.after.each(() => nodes.dropSockets());
test.after(() => nodes.close());

const on = (node: TestServer, claims: Record<string, unknown> & { role: string }) => nodes.on(node, claims);

async function advisorReady(node: TestServer, sub: string) {
  const { socket, welcome } = await on(node, { role: 'advisor', sub, name: sub });
  await socket.request({ type: 'advisor.status', status: 'available' });
  return { socket, welcome };
}

const say = (s: TestSocket, conversationId: string, text: string) => s.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text });
const listed = (welcome: Record<string, unknown>) => (welcome.conversations as { conversationId: string }[]).map((c) => c.conversationId);
/** The welcome's entry for the chat, with its `answerBy` if any. */
const entryOf = (welcome: Record<string, unknown>, conversationId: string) =>
  (welcome.conversations as { conversationId: string; answerBy?: string }[]).find((c) => c.conversationId === conversationId);

/** A worker on node B served by `advisor` (on node A); both have written once, so each node caches the chat. */
async function servedChat(advisor: TestSocket, sub: string) {
  const worker = (await on(b, { role: 'worker', sub, province: 'MI' })).socket;
  worker.send({ type: 'chat.request', topic: 'payment' });
  const conversationId = (await worker.next('conversation.assigned')).conversationId as string;
  await advisor.next('conversation.assigned', (f) => f.conversationId === conversationId);
  await say(worker, conversationId, 'buongiorno, la mia cassa integrazione?');
  await say(advisor, conversationId, 'mi dica il protocollo');
  return { worker, conversationId };
}

/** Asserts `advisor` got no `message` of seq `seq`: a pong answered after the user's own copy came means none is on its way. */
async function noMessage(advisor: TestSocket, conversationId: string, seq: number) {
  advisor.send({ type: 'ping' });
  await advisor.next('pong');
  assert.not.ok(advisor.all('message').some((m) => m.conversationId === conversationId && m.seq === seq), `the advisor got message ${seq}`);
}

test('an advisor back after their grace ran out finds the chat gone: their welcome does not list it, their message into it is refused, and what the waiting user writes does not reach them', async () => {
  const first = await advisorReady(a, 'adv-rel-late');
  const { worker, conversationId } = await servedChat(first.socket, 'w-rel-late');
  first.socket.drop();
  const back = await worker.next('queue.joined', (f) => f.reason === 'advisor_left', 5000);
  assert.is(back.conversationId, conversationId);
  assert.is((await a.services.store.getConversation(conversationId))?.advisorId, null, 'the stored chat names no advisor while it waits');

  // Back on the other node (whose cache knew the chat as theirs), with nobody else free.
  const again = await on(b, { role: 'advisor', sub: 'adv-rel-late', name: 'adv-rel-late' });
  assert.not.ok(listed(again.welcome).includes(conversationId), 'the welcome does not list the chat');
  const refused = await say(again.socket, conversationId, 'eccomi, sono tornato');
  assert.equal([refused.type, refused.code], ['error', 'not_participant']);
  const closing = await again.socket.request({ type: 'conversation.close', conversationId });
  assert.equal([closing.type, closing.code], ['error', 'not_participant']);

  const waiting = await say(worker, conversationId, 'aspetto ancora');
  assert.is(waiting.type, 'message.ack');
  await worker.next('message', (f) => f.seq === waiting.seq);
  await noMessage(again.socket, conversationId, waiting.seq as number);
  // Nothing of theirs got in: the transcript holds the user's two messages and the advisor's one.
  assert.equal((await a.services.store.messagesAfter(conversationId, 0)).map((m) => m.senderId), ['w-rel-late', 'adv-rel-late', 'w-rel-late']);
  assert.is((await worker.request({ type: 'chat.cancel' })).type, 'ok');
});

test('a chat back in the queue after its advisor’s grace is matched again like any chat: the next advisor gets it with its history and writes, the user reads them, the one who left stays out', async () => {
  const first = await advisorReady(a, 'adv-rel-gone');
  const { worker, conversationId } = await servedChat(first.socket, 'w-rel-next');
  first.socket.drop();
  await worker.next('queue.joined', (f) => f.reason === 'advisor_left', 5000);
  const waited = await say(worker, conversationId, 'scrivo mentre aspetto');

  const next = await advisorReady(b, 'adv-rel-next');
  const handed = await next.socket.next('conversation.assigned', (f) => f.conversationId === conversationId);
  assert.is(handed.handedOver, true);
  assert.ok(typeof handed.answerBy === 'string', 'the new advisor is told by when to answer');
  const history = [await next.socket.next('message'), await next.socket.next('message'), await next.socket.next('message')];
  assert.equal(history.map((m) => m.seq), [1, 2, waited.seq]);
  assert.is(((await worker.next('conversation.assigned')).peer as { id: string }).id, 'adv-rel-next');
  const stored = await a.services.store.getConversation(conversationId);
  assert.equal([stored?.advisorId, stored?.advisorName], ['adv-rel-next', 'adv-rel-next']);

  const ack = await say(next.socket, conversationId, 'riprendo io la sua pratica');
  assert.is(ack.type, 'message.ack');
  assert.is((await worker.next('message', (f) => f.seq === ack.seq)).text, 'riprendo io la sua pratica');

  const gone = await on(a, { role: 'advisor', sub: 'adv-rel-gone', name: 'adv-rel-gone' });
  assert.not.ok(listed(gone.welcome).includes(conversationId));
  assert.is((await say(gone.socket, conversationId, 'ci sono')).code, 'not_participant');
  const closed = await next.socket.request({ type: 'conversation.close', conversationId, outcome: 'resolved' });
  assert.is(closed.type, 'ok');
});

test('a chat the advisor transfers back to the queue is no longer theirs either: gone from their welcome after a reload, their message refused', async () => {
  const advisor = await advisorReady(a, 'adv-rel-transfers');
  const { worker, conversationId } = await servedChat(advisor.socket, 'w-rel-transferred');
  assert.is((await advisor.socket.request({ type: 'conversation.transfer', conversationId })).type, 'ok');
  assert.is((await advisor.socket.next('conversation.released')).conversationId, conversationId);
  await worker.next('queue.joined', (f) => f.reason === 'transferred');
  const reloaded = await on(b, { role: 'advisor', sub: 'adv-rel-transfers', name: 'adv-rel-transfers' });
  assert.not.ok(listed(reloaded.welcome).includes(conversationId));
  assert.is((await say(advisor.socket, conversationId, 'un’ultima cosa')).code, 'not_participant');
  assert.is((await worker.request({ type: 'chat.cancel' })).type, 'ok');
});

/**
 * A worker on node B assigned to `advisorSub` (ready on node A), who has not answered yet; `keeper` is the
 * node that assigned the chat (it keeps the deadline in memory and enforces it), `other` the other one.
 */
async function unansweredChat(advisorSub: string, workerSub: string) {
  const advisor = await advisorReady(a, advisorSub);
  const worker = (await on(b, { role: 'worker', sub: workerSub, province: 'MI' })).socket;
  worker.send({ type: 'chat.request', topic: 'payment' });
  const conversationId = (await worker.next('conversation.assigned')).conversationId as string;
  const assigned = await advisor.socket.next('conversation.assigned', (f) => f.conversationId === conversationId);
  const keeper = a.services.router.unanswered.has(conversationId) ? a : b;
  return { advisor, conversationId, assigned, keeper, other: keeper === a ? b : a };
}

test('an advisor who reloads before answering is told again by when to answer; once they have, the welcome no longer says it', async () => {
  // The reload lands on the node that assigned the chat.
  const { advisor, conversationId, assigned, keeper } = await unansweredChat('adv-rel-reloads', 'w-rel-reload');
  const entry = (welcome: Record<string, unknown>) => entryOf(welcome, conversationId);

  advisor.socket.drop();
  const reloaded = await on(keeper, { role: 'advisor', sub: 'adv-rel-reloads', name: 'adv-rel-reloads' });
  assert.is(entry(reloaded.welcome)?.answerBy, assigned.answerBy);
  await reloaded.socket.request({ type: 'advisor.status', status: 'available' });
  assert.is((await say(reloaded.socket, conversationId, 'buongiorno, eccomi')).type, 'message.ack');

  reloaded.socket.drop();
  const later = await on(keeper, { role: 'advisor', sub: 'adv-rel-reloads', name: 'adv-rel-reloads' });
  assert.ok(entry(later.welcome), 'still their chat');
  assert.is(entry(later.welcome)?.answerBy, undefined);
  assert.is((await later.socket.request({ type: 'conversation.close', conversationId })).type, 'ok');
});

test('an advisor whose socket comes back through the node that did not assign the chat is told the same deadline there; once they have answered, through either node, no welcome says it', async () => {
  const { advisor, conversationId, assigned, keeper, other } = await unansweredChat('adv-rel-moves', 'w-rel-moves');
  const claims = { role: 'advisor', sub: 'adv-rel-moves', name: 'adv-rel-moves' };

  advisor.socket.drop();
  const moved = await on(other, claims);
  assert.is(entryOf(moved.welcome, conversationId)?.answerBy, assigned.answerBy, 'the other node tells the deadline the assigning node set');
  await moved.socket.request({ type: 'advisor.status', status: 'available' });
  // Answered through the node that did not assign the chat: the assigning node's memory still waits for it.
  assert.is((await say(moved.socket, conversationId, 'buongiorno, eccomi')).type, 'message.ack');

  moved.socket.drop();
  const back = await on(keeper, claims);
  assert.ok(entryOf(back.welcome, conversationId), 'still their chat');
  assert.is(entryOf(back.welcome, conversationId)?.answerBy, undefined, 'the assigning node knows they answered');
  back.socket.drop();
  const again = await on(other, claims);
  assert.is(entryOf(again.welcome, conversationId)?.answerBy, undefined, 'and so does the other');
  assert.is((await again.socket.request({ type: 'conversation.close', conversationId })).type, 'ok');
});

test('a chat handed back to an advisor who wrote in it before has a deadline again: their welcome on either node says by when to answer, as the hand-over did', async () => {
  const first = await advisorReady(a, 'adv-rel-back');
  const { conversationId } = await servedChat(first.socket, 'w-rel-back');
  const colleague = await advisorReady(b, 'adv-rel-colleague');
  assert.is((await first.socket.request({ type: 'conversation.transfer', conversationId, to: 'adv-rel-colleague' })).type, 'ok');
  await colleague.socket.next('conversation.assigned', (f) => f.conversationId === conversationId);
  assert.is((await colleague.socket.request({ type: 'conversation.transfer', conversationId, to: 'adv-rel-back' })).type, 'ok');
  const handedBack = await first.socket.next('conversation.assigned', (f) => f.conversationId === conversationId);
  assert.ok(typeof handedBack.answerBy === 'string', 'the hand-over says it');

  const claims = { role: 'advisor', sub: 'adv-rel-back', name: 'adv-rel-back' };
  for (const node of [a, b]) {
    const reloaded = await on(node, claims);
    assert.is(entryOf(reloaded.welcome, conversationId)?.answerBy, handedBack.answerBy, 'their message from before the hand-over does not answer it');
  }
  assert.is((await say(first.socket, conversationId, 'eccomi di nuovo')).type, 'message.ack');
  const answered = await on(b, claims);
  assert.ok(entryOf(answered.welcome, conversationId), 'still their chat');
  assert.is(entryOf(answered.welcome, conversationId)?.answerBy, undefined, 'answered anew');
  assert.is((await first.socket.request({ type: 'conversation.close', conversationId })).type, 'ok');
});

test.run();
