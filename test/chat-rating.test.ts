/**
 * The user's rating after a chat has ended, over real sockets: whoever closed it
 * (the advisor, an escalation to a Linea INPS request), the user is told until when
 * they may rate (`rateUntil`) and rates with `conversation.rate`, once, within 24
 * hours; the rating counts in the dashboard's satisfaction of the day of the close.
 * On the dashboard's server (real calendar, a ManualClock at 17:55 in Rome).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dashboardSession, NOW, type DashServer } from './helpers/dashboard-server.ts';
import { TestSocket } from './helpers/ws-client.ts';

let server: DashServer;
const { clock, call, supervisor, signIn } = dashboardSession(test, (started) => (server = started));

const DAY_MS = 24 * 3600_000;
let advisor: TestSocket;

test.before(async () => {
  advisor = await signIn({ role: 'advisor', sub: 'adv-rate', name: 'Rita Voti', skills: ['province:BA'] });
  assert.is((await advisor.request({ type: 'advisor.status', status: 'available' })).type, 'ok');
});

/** A worker of Bari asks and is served by Rita Voti. */
async function served(sub: string): Promise<{ user: TestSocket; conversationId: string }> {
  const user = await signIn({ role: 'worker', sub, province: 'BA', name: sub });
  user.send({ type: 'chat.request', topic: 'cigo' });
  const { conversationId } = await user.next('conversation.assigned');
  await advisor.next('conversation.assigned', (f) => f.conversationId === conversationId);
  return { user, conversationId: conversationId as string };
}

/** Served, then closed by the advisor; the user's and the advisor's `conversation.closed`. */
async function closedByAdvisor(sub: string) {
  const { user, conversationId } = await served(sub);
  assert.is((await advisor.request({ type: 'conversation.close', conversationId, outcome: 'resolved' })).type, 'ok');
  const toUser = await user.next('conversation.closed');
  const toAdvisor = await advisor.next('conversation.closed', (f) => f.conversationId === conversationId);
  return { user, conversationId, toUser, toAdvisor };
}

const rate = (s: TestSocket, conversationId: string, rating: number) => s.request({ type: 'conversation.rate', conversationId, rating });
const satisfaction = async () => (await call(await supervisor(), 'GET', '/api/v1/dashboard/live')).body.totals.satisfaction;

test("a chat the advisor closed asks its user to rate it until 24 hours later, and the rating counts in today's satisfaction", async () => {
  const before = await satisfaction();
  const { user, conversationId, toUser, toAdvisor } = await closedByAdvisor('w-rate-1');
  assert.is(toUser.rateUntil, new Date(NOW + DAY_MS).toISOString());
  assert.is(toAdvisor.rateUntil, undefined, 'the advisor is not asked');
  const ok = await rate(user, conversationId, 4);
  assert.equal(ok, { type: 'ok', conversationId, rating: 4, re: ok.re });
  const after = await satisfaction();
  assert.is(after.ratings, before.ratings + 1, JSON.stringify({ before, after }));
});

test('a chat handed over to a Linea INPS request asks its user to rate it too', async () => {
  const { user, conversationId } = await served('w-rate-esc');
  const done = await advisor.request({ type: 'conversation.escalate', conversationId, summary: 'Pagamento non ricevuto' });
  assert.is(done.type, 'ok', JSON.stringify(done));
  const closed = await user.next('conversation.closed');
  assert.is(closed.outcome, 'escalated');
  assert.type(closed.rateUntil, 'string');
  assert.is((await rate(user, conversationId, 3)).type, 'ok');
});

test('a chat is rated once: the same rating again answers ok, another is refused with already_rated and changes nothing', async () => {
  const { user, conversationId } = await closedByAdvisor('w-rate-twice');
  assert.is((await rate(user, conversationId, 2)).type, 'ok');
  const retry = await rate(user, conversationId, 2);
  assert.equal([retry.type, retry.rating], ['ok', 2], 'a retry is safe');
  const again = await rate(user, conversationId, 5);
  assert.is(again.code, 'already_rated');
  const view = await call(await server.token({ role: 'worker', sub: 'w-rate-twice', province: 'BA' }), 'GET', `/api/v1/conversations/${conversationId}`);
  assert.equal([view.body.rating, view.body.rateUntil], [2, null]);
});

test('a user who rated while closing is not asked again, and a second rating is refused', async () => {
  const { user, conversationId } = await served('w-rate-close');
  assert.is((await user.request({ type: 'conversation.close', conversationId, rating: 5 })).type, 'ok');
  const closed = await user.next('conversation.closed');
  assert.is(closed.rateUntil, undefined);
  assert.is((await rate(user, conversationId, 1)).code, 'already_rated');
});

test("only the conversation's user rates it: its advisor, another user and an unknown id all get not_participant", async () => {
  const { conversationId } = await closedByAdvisor('w-rate-owner');
  const stranger = await signIn({ role: 'worker', sub: 'w-rate-stranger', province: 'BA' });
  assert.is((await rate(stranger, conversationId, 1)).code, 'not_participant');
  assert.is((await rate(advisor, conversationId, 5)).code, 'not_participant');
  assert.is((await rate(stranger, 'no-such-conversation', 1)).code, 'not_participant');
});

test('a conversation still open cannot be rated with conversation.rate (conversation_open)', async () => {
  const { user, conversationId } = await served('w-rate-open');
  assert.is((await rate(user, conversationId, 4)).code, 'conversation_open');
  assert.is((await advisor.request({ type: 'conversation.close', conversationId })).type, 'ok');
});

test('a rating is accepted until 24 hours after the close and refused after (rating_window_expired)', async () => {
  const late = await closedByAdvisor('w-rate-late');
  const inTime = await closedByAdvisor('w-rate-in-time');
  clock.advance(DAY_MS);
  assert.is((await rate(inTime.user, inTime.conversationId, 3)).type, 'ok', 'at 24 hours exactly');
  clock.advance(1);
  assert.is((await rate(late.user, late.conversationId, 3)).code, 'rating_window_expired');
  const view = await call(await server.token({ role: 'worker', sub: 'w-rate-late', province: 'BA' }), 'GET', `/api/v1/conversations/${late.conversationId}`);
  assert.equal([view.body.rating, view.body.rateUntil], [null, null]);
});

test('a user back after the close hears of it with rateUntil, and the HTTP view of the chat says it to its user only', async () => {
  const { user, conversationId } = await served('w-rate-back');
  user.drop();
  assert.is((await advisor.request({ type: 'conversation.close', conversationId })).type, 'ok');
  const token = await server.token({ role: 'worker', sub: 'w-rate-back', province: 'BA' });
  const [again] = await TestSocket.signIn(server.wsUrl, token, [{ conversationId, lastSeq: 0 }]);
  try {
    const closed = await again.next('conversation.closed');
    assert.is(closed.rateUntil, new Date(NOW + DAY_MS).toISOString());
  } finally {
    again.drop();
  }
  const mine = await call(token, 'GET', `/api/v1/conversations/${conversationId}`);
  assert.is(mine.body.rateUntil, new Date(NOW + DAY_MS).toISOString());
  const theirs = await call(await server.token({ role: 'advisor', sub: 'adv-rate', name: 'Rita Voti' }), 'GET', `/api/v1/conversations/${conversationId}`);
  assert.is(theirs.body.rateUntil, null);
});

test.run();
