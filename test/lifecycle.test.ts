/**
 * The router's lifecycle over real sockets, with time moved by hand: advisors who
 * leave, transfers, unanswered chats, long waits, and closing time.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const MONDAY_1650 = Date.parse('2026-11-23T16:50:00+01:00');
const clock = new ManualClock(MONDAY_1650);
let server: TestServer;
const sockets: TestSocket[] = [];

test.before(async () => {
  server = await startServer({ clock, env: { SERVICE_HOURS: '' }, advisorGraceMs: 200, userGraceMs: 200, routing: { unansweredSeconds: 120, maxWaitSeconds: 2700 } });
});
test.before.each(() => clock.set(MONDAY_1650));
test.after.each(async () => {
  for (const s of sockets.splice(0)) s.drop();
  await new Promise((r) => setTimeout(r, 50));
  // Leave nothing behind for the next test: no one waiting, no chat open, no timers running.
  const { state, store, router, sessions } = server.services;
  sessions.close();
  router.unanswered.clear();
  const snap = await state.snapshot();
  for (const q of snap.queues.values()) for (const e of q) await state.cancel(e.userId);
  for (const a of snap.advisors) {
    for (const id of a.conversations) {
      await store.closeConversation(id, { outcome: 'resolved', rating: null, closedBy: 'test', at: new Date(clock.now()) });
      await state.release(id, clock.now());
    }
    await state.setAdvisorStatus(a.id, 'offline', clock.now());
  }
});
test.after(async () => {
  await server.close();
});

async function on(claims: Record<string, unknown> & { role: string }) {
  const [socket, welcome] = await TestSocket.signIn(server.wsUrl, await server.token(claims));
  sockets.push(socket);
  return { socket, welcome };
}

async function advisorReady(sub: string) {
  const a = await on({ role: 'advisor', sub, name: sub });
  await a.socket.request({ type: 'advisor.status', status: 'available' });
  return a.socket;
}

async function chatWith(advisor: TestSocket, sub: string, province = 'MI') {
  const worker = (await on({ role: 'worker', sub, province })).socket;
  worker.send({ type: 'chat.request', topic: 'payment' });
  const assigned = await worker.next('conversation.assigned');
  const toAdvisor = await advisor.next('conversation.assigned', (f) => f.conversationId === assigned.conversationId);
  return { worker, conversationId: assigned.conversationId as string, toUser: assigned, toAdvisor };
}

/** Waits for a condition the server reaches by itself (a grace period running out), for at most 5 s. */
async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (const end = Date.now() + 5000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await cond()) return;
  assert.unreachable(`not reached: ${what}`);
}

const say = (s: TestSocket, conversationId: string, text: string) => s.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text });

test('an advisor who does not come back within the grace period: their user goes back first in line, keeping the conversation and its history', async () => {
  const first = await advisorReady('adv-leaves');
  const { worker, conversationId } = await chatWith(first, 'w-left-behind');
  await say(worker, conversationId, 'buongiorno');
  await say(first, conversationId, 'mi dica');
  first.drop();
  const back = await worker.next('queue.joined', (f) => f.reason === 'advisor_left', 3000);
  assert.is(back.conversationId, conversationId);
  const second = await advisorReady('adv-takes-over');
  const handed = await second.next('conversation.assigned');
  assert.is(handed.conversationId, conversationId);
  assert.is(handed.handedOver, true);
  const history = [await second.next('message'), await second.next('message')];
  assert.equal(history.map((m) => [m.seq, m.text]), [[1, 'buongiorno'], [2, 'mi dica']]);
  const again = await worker.next('conversation.assigned');
  assert.is((again.peer as { id: string }).id, 'adv-takes-over');
  const ack = await say(second, conversationId, 'eccomi, riprendo io');
  assert.is(ack.seq, 3);
  assert.is((await worker.next('message', (f) => f.seq === 3)).text, 'eccomi, riprendo io');
});

test('a user who left during the chat is not kept waiting when it goes back to the queue: after the grace period they leave it, so no advisor gets a chat nobody reads', async () => {
  const first = await advisorReady('adv-leaves-too');
  const { worker, conversationId } = await chatWith(first, 'w-gone-first');
  await say(worker, conversationId, 'scrivo e poi chiudo la pagina');
  // The user goes first: their own grace (as long as the advisor's) runs out while they are in the chat, in
  // no queue, before the advisor's sends the chat back to the queue.
  worker.drop();
  first.drop();
  const queued = async () => [...(await server.services.state.snapshot()).queues.values()].flat().some((e) => e.userId === 'w-gone-first');
  await until(queued, 'the chat went back to the queue when the advisor did not return');
  await until(async () => !(await queued()), 'the absent user left the queue after the grace period');
  await until(async () => (await server.services.store.getConversation(conversationId))?.status === 'closed', 'the chat nobody reads is closed');
  assert.is((await server.services.store.getConversation(conversationId))?.outcome, 'left_queue');
});

test('a chat sent back to the queue is closed when its user leaves the queue unserved (maximum wait, cancel, gone), so no seat is ever held for it again', async () => {
  const a = await advisorReady('adv-sends-back');
  const timedOut = await chatWith(a, 'w-back-timeout', 'TO');
  const cancelled = await chatWith(a, 'w-back-cancel', 'TO');
  for (const c of [timedOut, cancelled]) {
    assert.is((await a.request({ type: 'conversation.transfer', conversationId: c.conversationId })).type, 'ok');
    await c.worker.next('queue.joined', (f) => f.conversationId === c.conversationId);
  }
  assert.is((await cancelled.worker.request({ type: 'chat.cancel' })).type, 'ok');
  clock.advance(2701_000);
  await server.services.sweep.run();
  assert.is((await timedOut.worker.next('queue.left')).reason, 'timeout');
  const { store, state } = server.services;
  for (const c of [timedOut, cancelled]) {
    const conv = await store.getConversation(c.conversationId);
    assert.equal([conv?.status, conv?.outcome], ['closed', 'left_queue'], `${c.conversationId} closed`);
  }
  const held = (await state.heldConversations()).map((h) => h.conversationId);
  assert.not.ok(held.includes(timedOut.conversationId) || held.includes(cancelled.conversationId), 'no seat held for them');
});

test('a chat handed over keeps its language: it goes to an advisor who speaks it', async () => {
  const first = await advisorReady('adv-any-lang');
  const worker = (await on({ role: 'worker', sub: 'w-english', province: 'MI' })).socket;
  worker.send({ type: 'chat.request', topic: 'payment', lang: 'en' });
  const { conversationId } = await worker.next('conversation.assigned');
  first.drop();
  await worker.next('queue.joined', (f) => f.reason === 'advisor_left', 3000);
  const english = (await on({ role: 'advisor', sub: 'adv-english-only', skills: ['lang:en'] })).socket;
  await english.request({ type: 'advisor.status', status: 'available' });
  assert.is((await english.next('conversation.assigned')).conversationId, conversationId);
});

test('an advisor who transfers a chat back to the queue does not get it again; a transfer to a busy advisor is refused', async () => {
  const a = await advisorReady('adv-transfer-a');
  const { worker, conversationId } = await chatWith(a, 'w-transfer');
  const refused = await a.request({ type: 'conversation.transfer', conversationId, to: 'adv-nobody' });
  assert.is(refused.code, 'transfer_target_unavailable');
  assert.is((await a.request({ type: 'conversation.transfer', conversationId })).type, 'ok');
  assert.is((await a.next('conversation.released')).reason, 'transferred');
  await new Promise((r) => setTimeout(r, 100));
  assert.is(a.all('conversation.assigned').length, 0, 'not offered back to the one who transferred');
  const b = await advisorReady('adv-transfer-b');
  assert.is((await b.next('conversation.assigned')).conversationId, conversationId);
  assert.is((await worker.next('conversation.assigned', (f) => (f.peer as { id: string }).id === 'adv-transfer-b')).conversationId, conversationId);
});

test('a transfer to a named available advisor hands the chat straight to them', async () => {
  const a = await advisorReady('adv-named-a');
  const { conversationId } = await chatWith(a, 'w-named');
  const b = await advisorReady('adv-named-b');
  assert.is((await a.request({ type: 'conversation.transfer', conversationId, to: 'adv-named-b' })).type, 'ok');
  const got = await b.next('conversation.assigned');
  assert.is(got.conversationId, conversationId);
});

test('a chat the advisor does not answer in time goes to another advisor, and the silent one is set away, told why, by when and with their capacity', async () => {
  const silent = await advisorReady('adv-silent');
  const assignedAt = clock.now();
  const { worker, conversationId, toUser, toAdvisor } = await chatWith(silent, 'w-unanswered');
  assert.is(toAdvisor.answerBy, new Date(assignedAt + 120_000).toISOString(), 'the advisor is told by when to answer');
  assert.is(toUser.answerBy, undefined, 'the user is not');
  await say(worker, conversationId, 'c’è qualcuno?');
  const other = await advisorReady('adv-awake');
  clock.advance(121_000);
  await server.services.sweep.run();
  const away = await silent.next('advisor.status', (f) => f.reason === 'unanswered');
  assert.equal([away.status, away.conversationId, away.capacity], ['away', conversationId, 3]);
  const got = await other.next('conversation.assigned');
  assert.is(got.conversationId, conversationId);
  assert.is((await other.next('message', (f) => f.conversationId === conversationId)).text, 'c’è qualcuno?');
});

test('a chat the advisor answered is not taken away from them', async () => {
  const a = await advisorReady('adv-answers');
  const { conversationId } = await chatWith(a, 'w-answered');
  await say(a, conversationId, 'buongiorno, sono qui');
  clock.advance(300_000);
  await server.services.sweep.run();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(a.all('conversation.released').filter((f) => f.conversationId === conversationId), [], 'the answered chat stays (chats left over from earlier tests may move)');
});

test('a user waiting past the maximum wait is offered a Linea INPS request instead', async () => {
  const w = (await on({ role: 'worker', sub: 'w-timeout', province: 'BO' })).socket;
  w.send({ type: 'chat.request', topic: 'cigo' });
  await w.next('queue.joined');
  clock.advance(2701_000);
  await server.services.sweep.run();
  const left = await w.next('queue.left');
  assert.equal([left.reason, left.offerTicket], ['timeout', true]);
});

test('when the expected wait runs past closing, the user is told and offered a ticket, or may wait anyway', async () => {
  clock.set(Date.parse('2026-11-23T17:50:00+01:00'));
  const busy = await advisorReady('adv-closing');
  for (const n of [1, 2, 3]) await chatWith(busy, `w-busy-${n}`, 'FI');
  // six more already waiting: at one chat per 100 s (3 seats, 300 s each), the seventh waits about 700 s
  for (const n of [1, 2, 3, 4, 5, 6]) {
    const ahead = (await on({ role: 'worker', sub: `w-ahead-${n}`, province: 'FI' })).socket;
    assert.is((await ahead.request({ type: 'chat.request', topic: 'payment', waitAnyway: true })).type, 'ok');
  }
  const late = (await on({ role: 'worker', sub: 'w-late', province: 'FI' })).socket;
  const refused = await late.request({ type: 'chat.request', topic: 'payment' });
  assert.is(refused.code, 'closing_soon');
  assert.is(refused.offerTicket, true);
  assert.is(refused.closesAt, '2026-11-23T17:00:00.000Z');
  assert.ok((refused.etaSeconds as number) > 600, 'more than the ten minutes left');
  const anyway = await late.request({ type: 'chat.request', topic: 'payment', waitAnyway: true });
  assert.is(anyway.type, 'ok');
  await late.next('queue.joined');
});

test('near closing with no advisor available for the queue the wait is unknown: the user is admitted and told the wait cannot be estimated, not refused on a guess', async () => {
  clock.set(Date.parse('2026-11-23T17:58:00+01:00'));
  const w = (await on({ role: 'worker', sub: 'w-unknown', province: 'SI' })).socket;
  assert.is((await w.request({ type: 'chat.request', topic: 'payment' })).type, 'ok');
  const joined = await w.next('queue.joined');
  assert.is(joined.etaKnown, false);
  assert.type(joined.etaSeconds, 'number', 'still a number, as the frame has always carried');
  await w.request({ type: 'chat.cancel' });
});

test('users still waiting at closing are served until the cut-off, then offered a ticket', async () => {
  clock.set(Date.parse('2026-11-23T17:59:00+01:00'));
  const w = (await on({ role: 'worker', sub: 'w-cutoff', province: 'PG' })).socket;
  await w.request({ type: 'chat.request', topic: 'fis', waitAnyway: true });
  await w.next('queue.joined');
  clock.set(Date.parse('2026-11-23T18:20:00+01:00'));
  await server.services.sweep.run();
  assert.is(w.all('queue.left').length, 0, 'still within the 30-minute cut-off');
  clock.set(Date.parse('2026-11-23T18:31:00+01:00'));
  await server.services.sweep.run();
  const left = await w.next('queue.left');
  assert.equal([left.reason, left.offerTicket], ['closed', true]);
});

test.run();
