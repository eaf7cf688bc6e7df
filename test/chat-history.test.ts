/**
 * The user's previous chats beside a chat (GET /api/v1/conversations/:id/history
 * and …/history/:previousId, docs/chat-history.md): the advisor serving the chat
 * sees the user's chats closed in the last 30 days, newest first, at most ten, and
 * for a company's chat that company's, never another company the same consultant
 * holds; reads the transcript of one of those and of nothing else; nobody else
 * sees anything, not even the same advisor once the chat is over or moved on.
 * Each list and each transcript is in the access log, one row per owner, before
 * it leaves; without the log, nothing leaves.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../routing/clock.ts';
import type { Identity } from '../server/auth.ts';
import type { ConversationRecord } from '../server/chat-store.ts';
import type { Services } from '../server/services.ts';
import { newConversation } from './helpers/conversations.ts';
import { injectedApp, type InjectedApp } from './helpers/app.ts';

type Json = Record<string, any>;
const DAY = 86_400_000;
const A = '1000000001';
const B = '2000000002';

let whole: InjectedApp;
let services: Services;
let app: FastifyInstance;

test.before(async () => {
  whole = await injectedApp(systemClock);
  ({ app, services } = whole);
  await services.dashboard.refresh(); // the offices' names, as a started server has them
});

test.after(async () => whole?.close());

async function call(claims: Json | null, url: string) {
  const headers = claims ? { authorization: `Bearer ${await whole.token(claims)}` } : {};
  const res = await app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, body: res.json() as Json, raw: res.body };
}
const advisor = (sub: string) => ({ role: 'advisor', sub, name: 'Anna Neri' });
const worker = (sub: string) => ({ role: 'worker', sub, province: 'MI', name: 'Mario Rossi' });
const supervisor = { role: 'supervisor', sub: 'sup-1' };
const history = (conv: { id: string }, claims: Json | null) => call(claims, `/api/v1/conversations/${conv.id}/history`);
const transcript = (conv: { id: string }, previousId: string, claims: Json | null) => call(claims, `/api/v1/conversations/${conv.id}/history/${previousId}`);
const topics = (body: Json) => body.chats.map((c: Json) => c.topic);
async function log(query: string) {
  const res = await call(supervisor, `/api/v1/access-log${query}`);
  assert.is(res.status, 200);
  return res.body;
}

/** A chat that closed `daysAgo` days ago (plus `minutes`, to order those of one day), with these messages. */
async function previous(o: Partial<ConversationRecord> & { userId: string }, daysAgo: number, lines: string[] = [], minutes = 0): Promise<ConversationRecord> {
  const advisorId = o.advisorId ?? 'adv-before';
  const conv = await services.store.createConversation(newConversation({ advisorId, advisorName: 'Bruno Verdi', ...o }));
  for (const [i, text] of lines.entries()) {
    const fromUser = i % 2 === 0;
    await services.store.appendMessage({ conversationId: conv.id, senderId: fromUser ? o.userId : advisorId, senderRole: fromUser ? (o.userRole ?? 'worker') : 'advisor', clientMsgId: `m${i}`, text });
  }
  await services.store.closeConversation(conv.id, { outcome: 'resolved', rating: 1, closedBy: advisorId, at: new Date() });
  const closed = new Date(Date.now() - daysAgo * DAY - minutes * 60_000);
  const opened = new Date(closed.getTime() - 10 * 60_000);
  await services.db.db.execute(sql`update conversations set closed_at = ${closed.toISOString()}::timestamptz, opened_at = ${opened.toISOString()}::timestamptz where id = ${conv.id}`);
  return (await services.store.getConversation(conv.id))!;
}
/** The chat the advisor serves now. */
const current = (o: Partial<ConversationRecord> & { userId: string; advisorId: string }) => services.store.createConversation(newConversation({ openedAt: new Date(), ...o }));

test("the chat's advisor sees the user's chats closed in the last 30 days, newest first, in allow-listed fields; not one 31 days old, not the open chat itself, not another user's", async () => {
  const u = 'usr-ch-1';
  const week = await previous({ userId: u, topic: 'payment', entry: 'cassetto' }, 7, ['Quando arriva il pagamento di marzo?', 'Aspetti il decreto, poi arriva entro 30 giorni.']);
  await previous({ userId: u, topic: 'cigs' }, 31);
  const yesterday = await previous({ userId: u, topic: 'fis' }, 1, ['Il decreto è uscito?']);
  await previous({ userId: 'usr-ch-other', topic: 'other' }, 2);
  const now = await current({ userId: u, advisorId: 'adv-ch-1' });

  const res = await history(now, advisor('adv-ch-1'));
  assert.is(res.status, 200, res.raw);
  assert.equal(topics(res.body), ['fis', 'payment'], 'yesterday, then last week; nothing 31 days old, not the open chat, not another user');
  const [first, second] = res.body.chats;
  assert.equal(Object.keys(first).sort(), ['closedAt', 'entry', 'id', 'messages', 'openedAt', 'outcome', 'request', 'sameUser', 'topic']);
  assert.equal([first.id, first.sameUser, first.outcome, first.messages, first.request], [yesterday.id, true, 'resolved', 1, null]);
  assert.equal([second.id, second.entry, second.messages, second.closedAt, second.openedAt], [week.id, 'cassetto', 2, week.closedAt!.toISOString(), week.openedAt.toISOString()]);
  assert.not.match(res.raw, /Quando arriva|decreto|adv-before|Bruno Verdi|rating/, 'no transcript, no staff, no rating');
});

test('at most ten previous chats, the most recently closed first', async () => {
  const u = 'usr-ch-many';
  for (let i = 1; i <= 12; i++) await previous({ userId: u, context: { step: `n${i}` } }, 3, [], i);
  const now = await current({ userId: u, advisorId: 'adv-ch-many' });
  const res = await history(now, advisor('adv-ch-many'));
  assert.is(res.body.chats.length, 10);
  const closed = res.body.chats.map((c: Json) => Date.parse(c.closedAt));
  assert.equal(closed, [...closed].sort((a: number, b: number) => b - a), 'newest first');
  assert.ok(closed[9] > Date.now() - 3 * DAY - 10.5 * 60_000, 'the two closed earliest are the ones left out');
});

test("an escalated chat shows its request's protocol and sede", async () => {
  const u = 'usr-ch-esc';
  const before = await previous({ userId: u }, 2, ['Il pagamento non arriva.']);
  const adv: Identity = { sub: 'adv-before', role: 'advisor', name: 'Bruno Verdi', province: null, fiscalCode: null, matricola: null, matricole: [], sede: null, skills: [], lang: null, exp: 0 };
  const ticket = await services.tickets.createFromEscalation({ conversation: before, summary: 'Pagamento da verificare', advisor: adv, transcript: [] });
  const now = await current({ userId: u, advisorId: 'adv-ch-esc' });
  const [chat] = (await history(now, advisor('adv-ch-esc'))).body.chats;
  assert.equal(chat.request, { protocol: ticket.protocol, sede: 'SEDE-MI', sedeName: 'INPS Sede di Milano' });
});

test("an intermediary's chat about matricola A lists their own chats about no company and A's chats by anyone, not B's that the same consultant holds", async () => {
  const cdl = 'cdl-ch';
  const co = { userRole: 'intermediary' as const, audience: 'intermediary' as const };
  const none = await previous({ userId: cdl, ...co, context: {} }, 1);
  const ownA = await previous({ userId: cdl, ...co, context: { matricola: A } }, 2);
  await previous({ userId: cdl, ...co, context: { matricola: B } }, 3);
  const employerA = await previous({ userId: 'emp-ch-a', userRole: 'employer', audience: 'employer', context: { matricola: A } }, 4, ['Sono il datore di A.']);
  await previous({ userId: 'emp-ch-b', userRole: 'employer', audience: 'employer', context: { matricola: B } }, 5);
  await previous({ userId: 'wrk-ch-a', context: { matricola: A } }, 6); // a worker's chat names no company

  const aboutA = await current({ userId: cdl, ...co, advisorId: 'adv-ch-a', context: { matricola: A } });
  const res = await history(aboutA, advisor('adv-ch-a'));
  assert.is(res.status, 200);
  assert.equal(res.body.chats.map((c: Json) => [c.id, c.sameUser]), [[none.id, true], [ownA.id, true], [employerA.id, false]]);

  const rows = await log(`?subject=${aboutA.id}&action=conversation.list`);
  const byOwner = Object.fromEntries(rows.items.map((r: Json) => [r.ownerId, r]));
  assert.equal(Object.keys(byOwner).sort(), [cdl, `matricola:${A}`], 'one row for the consultant, one for company A, none for B');
  assert.equal(byOwner[cdl].detail, { results: 2, conversations: `${none.id} ${ownA.id}` });
  assert.equal(byOwner[`matricola:${A}`].detail, { results: 1, conversations: employerA.id });
  assert.is(byOwner[cdl].requestId, byOwner[`matricola:${A}`].requestId, 'one read');

  // The employer's chat about A: read beside the consultant's chat, it is the employer's and the company's.
  const read = await transcript(aboutA, employerA.id, advisor('adv-ch-a'));
  assert.is(read.status, 200, read.raw);
  const reads = await log(`?subject=${employerA.id}&action=conversation.read`);
  assert.equal(reads.items.map((r: Json) => r.ownerId).sort(), ['emp-ch-a', `matricola:${A}`]);
  const employerB = await call({ role: 'employer', sub: 'emp-ch-b', matricola: B, province: 'MI' }, '/api/v1/access-log/mine');
  assert.equal(employerB.body.items, [], "company B's employer sees no read: nothing of B was shown");

  // A user has one open chat at a time: the chat about A ends before the one about no company.
  await services.store.closeConversation(aboutA.id, { outcome: 'resolved', rating: null, closedBy: cdl, at: new Date() });
  const aboutNone = await current({ userId: cdl, ...co, advisorId: 'adv-ch-n', context: {} });
  const listedNone = (await history(aboutNone, advisor('adv-ch-n'))).body.chats.map((c: Json) => c.id);
  assert.equal(listedNone, [none.id], 'no company named: none of the companies (the chat about A, now closed, names A)');
});

test('the transcript of a listed chat: seq, role, text and time, with the display name of its advisor and no ids; an id the list does not show is the 404 of an absent chat', async () => {
  const u = 'usr-ch-t';
  const listed = await previous({ userId: u, topic: 'payment' }, 1, ['Quando arriva il pagamento?', 'Aspetti il decreto.']);
  const old = await previous({ userId: u }, 40, ['Vecchia domanda']);
  const someoneElse = await previous({ userId: 'usr-ch-t-other' }, 1, ['Non tua']);
  const now = await current({ userId: u, advisorId: 'adv-ch-t' });

  const res = await transcript(now, listed.id, advisor('adv-ch-t'));
  assert.is(res.status, 200, res.raw);
  assert.equal([res.body.id, res.body.topic, res.body.advisorName, res.body.sameUser, res.body.messages], [listed.id, 'payment', 'Bruno Verdi', true, 2]);
  assert.equal(
    res.body.transcript.map((m: Json) => [m.seq, m.from, m.text]),
    [
      [1, { role: 'worker' }, 'Quando arriva il pagamento?'],
      [2, { role: 'advisor' }, 'Aspetti il decreto.'],
    ],
  );
  assert.ok(res.body.transcript.every((m: Json) => !Number.isNaN(Date.parse(m.at))));
  assert.not.match(res.raw, /adv-before|usr-ch-t"|clientMsgId|rating/, 'no ids, no rating');

  const absent = await transcript(now, '00000000-0000-4000-8000-000000000000', advisor('adv-ch-t'));
  assert.equal([absent.status, absent.body.error.code], [404, 'not_found']);
  for (const [what, id] of [['older than 30 days', old.id], ["another user's", someoneElse.id], ['the open chat itself', now.id]] as const) {
    const res2 = await transcript(now, id, advisor('adv-ch-t'));
    assert.equal([res2.status, res2.body], [404, absent.body], what);
  }
  const reads = await log(`?action=conversation.read&actor=adv-ch-t`);
  assert.equal(reads.items.map((r: Json) => [r.subjectId, r.ownerId, r.detail]), [[listed.id, u, { chat: now.id }]], 'only the transcript sent is in the log');
  const mine = await call(worker(u), '/api/v1/access-log/mine');
  assert.equal(mine.body.items.map((r: Json) => [r.action, r.subjectId, r.by]), [['conversation.read', listed.id, { role: 'advisor', sede: null, sedeName: null }]], 'the user sees the read of their chat');
});

test('its own advisor reading a chat they served again is not recorded, as for GET /api/v1/conversations/:id', async () => {
  const u = 'usr-ch-own';
  const mine = await previous({ userId: u, advisorId: 'adv-ch-own' }, 1, ['Domanda']);
  const now = await current({ userId: u, advisorId: 'adv-ch-own' });
  assert.is((await history(now, advisor('adv-ch-own'))).status, 200);
  assert.is((await transcript(now, mine.id, advisor('adv-ch-own'))).status, 200);
  assert.is((await log(`?subject=${mine.id}`)).total, 0);
  assert.is((await log(`?subject=${now.id}&action=conversation.list`)).total, 1, 'the list is: it is the user’s data beside this chat, as the requests are');
});

test('another advisor, the user, an office, a supervisor, and the same advisor once the chat is transferred or closed: the 404 of an absent chat, for the list and the transcript', async () => {
  const u = 'usr-ch-3';
  const before = await previous({ userId: u }, 1, ['Domanda']);
  const now = await current({ userId: u, advisorId: 'adv-ch-3' });
  assert.is((await history(now, advisor('adv-ch-3'))).status, 200);
  const absent = await history({ id: '00000000-0000-4000-8000-000000000000' }, advisor('adv-ch-3'));
  assert.equal([absent.status, absent.body.error.code], [404, 'not_found']);
  const office = { role: 'office', sub: 'op-mi', sede: 'SEDE-MI' };
  for (const who of [advisor('adv-ch-other'), worker(u), office, supervisor]) {
    const list = await history(now, who);
    assert.equal([list.status, list.body], [404, absent.body], `${who.role} list`);
    const read = await transcript(now, before.id, who);
    assert.equal([read.status, read.body], [404, absent.body], `${who.role} transcript`);
  }
  assert.is((await history(now, null)).status, 401);

  await services.store.reassignConversation(now.id, 'adv-ch-4', 'Bruno Verdi');
  assert.is((await history(now, advisor('adv-ch-3'))).status, 404, 'transferred: no longer hers');
  assert.is((await transcript(now, before.id, advisor('adv-ch-3'))).status, 404);
  assert.is((await history(now, advisor('adv-ch-4'))).status, 200, 'the new advisor sees them');
  await services.store.closeConversation(now.id, { outcome: 'resolved', rating: null, closedBy: 'adv-ch-4', at: new Date() });
  assert.is((await history(now, advisor('adv-ch-4'))).status, 404, 'closed: nobody');
  assert.is((await transcript(now, before.id, advisor('adv-ch-4'))).status, 404);
  const rows = await log(`?subject=${now.id}`);
  assert.equal(rows.items.map((r: Json) => r.actor.id), ['adv-ch-4', 'adv-ch-3'], 'only the lists sent are in the log');
  assert.is((await log(`?subject=${before.id}`)).total, 0, 'no transcript was sent to anyone');
});

test('when the access log cannot be written the list and the transcript answer 503 access_log_unavailable with nothing of the chats in it, and nothing is recorded', async () => {
  const u = 'usr-ch-6';
  const before = await previous({ userId: u, topic: 'payment' }, 1, ['Pagamento NASpI di maggio']);
  const now = await current({ userId: u, advisorId: 'adv-ch-6' });
  const tok = await whole.token(advisor('adv-ch-6'));
  await services.db.db.execute('ALTER TABLE access_log RENAME TO access_log_away');
  try {
    for (const url of [`/api/v1/conversations/${now.id}/history`, `/api/v1/conversations/${now.id}/history/${before.id}`]) {
      const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tok}` } });
      assert.is(res.statusCode, 503, url);
      assert.is(res.json().error.code, 'access_log_unavailable');
      assert.is(res.headers['retry-after'], '1');
      assert.not.match(res.body, new RegExp(`${before.id}|NASpI|payment`));
    }
  } finally {
    await services.db.db.execute('ALTER TABLE access_log_away RENAME TO access_log');
  }
  assert.is((await log(`?subject=${now.id}`)).total, 0);
  assert.is((await log(`?subject=${before.id}`)).total, 0);
  assert.is((await history(now, advisor('adv-ch-6'))).status, 200);
  assert.is((await transcript(now, before.id, advisor('adv-ch-6'))).status, 200);
  assert.is((await log(`?subject=${now.id}`)).total, 1);
  assert.is((await log(`?subject=${before.id}`)).total, 1);
});

test.run();
