/**
 * Linea INPS tickets over HTTP (app.inject), opening them: the sede a request
 * goes to (province, or the sede holding a matricola), its protocol number and
 * due time, the shape of a request body, an office writing first
 * (interlocuzione) and a chat escalated into a ticket. Minimal fastify with the
 * ticket routes and a throw-away seeded database (test/helpers/ticket-api.ts).
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { patronDayOf } from '../routing/holidays.ts';
import { dueDate } from '../routing/working-hours.ts';
import { matricolaSedi } from '../schema/ticket-tables.ts';
import type { Identity } from '../server/auth.ts';
import { createSqlChatStore } from '../server/chat-store-sql.ts';
import { ids, MONDAY_10, ticketApi, type Json } from './helpers/ticket-api.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const api = ticketApi(test);
const { call, token, worker, office, open, notices } = api;

test(`a worker in Milano opens a ticket: it goes to SEDE-MI with a LINPS protocol number, due 48 working hours later (${kind})`, async () => {
  const t = await open(await worker('w-open'));
  assert.is(t.sede, 'SEDE-MI');
  assert.is(t.status, 'open');
  assert.is(t.origin, 'user');
  assert.is(t.category, 'payment');
  assert.match(t.protocol, /^LINPS-2026-\d{6}$/);
  assert.match(t.id, /^[0-9a-f-]{36}$/);
  assert.is(t.createdAt, MONDAY_10.toISOString());
  const expected = dueDate(MONDAY_10, 48, { timeZone: 'Europe/Rome', patronDay: patronDayOf('MI')! });
  assert.is(t.dueAt, expected.toISOString());
  assert.is(t.dueAt, '2026-03-04T09:00:00.000Z'); // Wednesday 10:00
  assert.is(t.overdue, false);
  assert.is(t.mine, true);
  assert.is(t.replyCount, 1);
  assert.is(t.user, undefined, 'a user is not shown the staff fields');
  assert.is(t.takenBy, undefined);
  const sent = await notices(t.id);
  assert.is(sent.length, 1);
  assert.is(sent[0]!.kind, 'registered');
  assert.is(sent[0]!.recipientId, 'w-open');
  assert.is(sent[0]!.sentAt, null);
  assert.is(sent[0]!.payload.protocol, t.protocol);
});

test('protocol numbers are unique and distinct from one ticket to the next', async () => {
  const tok = await worker('w-protocol');
  const a = await open(tok);
  const b = await open(tok);
  assert.is.not(a.protocol, b.protocol);
  assert.ok(Number(b.protocol.slice(-6)) > Number(a.protocol.slice(-6)));
});

test('bodies with unknown fields or wrong types are refused with 400 and nothing is created', async () => {
  const tok = await worker('w-shape');
  for (const payload of [
    { subject: 'a', category: 'cigo', body: 'b', userId: 'someone-else' },
    { subject: { $ne: null }, category: 'cigo', body: 'b' },
    { subject: 'a', category: 'holiday_pay', body: 'b' },
    { subject: 'a', category: 'cigo' },
    { subject: 'a', category: 'cigo', body: 'b', province: 'Milano' },
  ]) {
    const res = await call(tok, 'POST', '/api/v1/tickets', payload);
    assert.is(res.status, 400, JSON.stringify(payload));
    assert.is(res.body.error.code, 'validation_failed');
  }
  const unknownProvince = await call(tok, 'POST', '/api/v1/tickets', { subject: 'a', category: 'cigo', body: 'b', province: 'XX' });
  assert.is(unknownProvince.status, 400);
  assert.is(unknownProvince.body.error.code, 'unknown_province');
  const list = await call(tok, 'GET', '/api/v1/tickets');
  assert.is(list.body.total, 0);
  const extraReply = await call(tok, 'PATCH', `/api/v1/tickets/${randomUUID()}`, { status: 'closed', reason: 'x' });
  assert.is(extraReply.status, 400);
});

test('a user cannot address a ticket with `to`; an office must', async () => {
  const userTry = await call(await worker('w-to'), 'POST', '/api/v1/tickets', { subject: 'a', category: 'cigo', body: 'b', to: { userId: 'x' } });
  assert.is(userTry.status, 400);
  assert.is(userTry.body.error.code, 'validation_failed');
  const officeTry = await call(await office('SEDE-MI'), 'POST', '/api/v1/tickets', { subject: 'a', category: 'cigo', body: 'b' });
  assert.is(officeTry.status, 400);
  const emptyTo = await call(await office('SEDE-MI'), 'POST', '/api/v1/tickets', { subject: 'a', category: 'cigo', body: 'b', to: {} });
  assert.is(emptyTo.status, 400);
});

test('a company whose matricola is held by another sede is routed there; otherwise by its province', async () => {
  await api.database.db.insert(matricolaSedi).values({ matricola: '6600000001', officeCode: 'SEDE-TO' });
  const held = await open(await token({ role: 'employer', sub: 'emp-held', province: 'MI', matricola: '6600000001' }));
  assert.is(held.sede, 'SEDE-TO');
  assert.is(held.dueAt, dueDate(MONDAY_10, 48, { timeZone: 'Europe/Rome', patronDay: patronDayOf('TO')! }).toISOString());
  const notHeld = await open(await token({ role: 'employer', sub: 'emp-free', province: 'MI', matricola: '6600000002' }));
  assert.is(notHeld.sede, 'SEDE-MI');
  const elsewhere = await open(await worker('w-province', 'MI'), { province: 'co' });
  assert.is(elsewhere.sede, 'SEDE-CO', 'a province in the request wins over the token');
});

test('an office writes first to a matricola (interlocuzione): the employer with that matricola sees it and answers', async () => {
  const ve = await office('SEDE-VE', 'op-ve');
  const created = await call(ve, 'POST', '/api/v1/tickets', {
    subject: 'Richiesta documentazione CIGO',
    category: 'cigo',
    body: 'Inviare copia degli accordi sindacali.',
    to: { matricola: '7700000001' },
  });
  assert.is(created.status, 201, JSON.stringify(created.body));
  const t = created.body;
  assert.is(t.origin, 'office');
  assert.is(t.sede, 'SEDE-VE');
  assert.is(t.status, 'in_progress');
  assert.is(t.takenBy, 'op-ve');
  assert.is(t.dueAt, null);
  assert.is(t.overdue, false);

  const employer = await token({ role: 'employer', sub: 'emp-ve', province: 'VE', matricola: '7700000001' });
  const list = await call(employer, 'GET', '/api/v1/tickets');
  assert.equal(ids(list.body), [t.id]);
  const detail = await call(employer, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(detail.body.replies[0].body, 'Inviare copia degli accordi sindacali.');
  assert.is(detail.body.replies[0].author.role, 'office');
  const answer = await call(employer, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'In allegato gli accordi.' });
  assert.is(answer.status, 201);
  assert.is(answer.body.seq, 2);

  const otherEmployer = await token({ role: 'employer', sub: 'emp-ve2', province: 'VE', matricola: '7700000002' });
  assert.is((await call(otherEmployer, 'GET', `/api/v1/tickets/${t.id}`)).status, 404);
  assert.is((await call(await worker('w-ve', 'VE'), 'GET', `/api/v1/tickets/${t.id}`)).status, 404);

  const toUser = await call(ve, 'POST', '/api/v1/tickets', { subject: 'Dati IBAN', category: 'payment', body: 'Confermi il suo IBAN.', to: { userId: 'w-ve-2' } });
  assert.is(toUser.status, 201);
  const mine = await call(await worker('w-ve-2', 'VE'), 'GET', '/api/v1/tickets');
  assert.equal(ids(mine.body), [toUser.body.id]);
  assert.is(mine.body.items[0].mine, true);

  const sent = await notices(t.id);
  assert.equal(sent.map((n) => [n.kind, n.recipientKind, n.recipientId]), [
    ['registered', 'matricola', '7700000001'],
    ['replied', 'sede', 'SEDE-VE'],
  ]);
});

test('an escalated chat becomes a ticket with its conversation id and the summary as first reply; the office reads the transcript', async () => {
  const chat = createSqlChatStore(api.database.db);
  const conversation = await chat.createConversation({
    id: randomUUID(),
    userId: 'w-esc',
    userRole: 'worker',
    userName: 'Lucia Neri',
    province: 'GE',
    audience: 'worker',
    topic: 'cigo',
    entry: 'worker_area',
    context: {},
    advisorId: 'adv-esc',
    advisorName: 'Giulia Rossi',
    openedAt: MONDAY_10,
  });
  await chat.appendMessage({ conversationId: conversation.id, senderId: 'w-esc', senderRole: 'worker', clientMsgId: 'c1', text: 'La mia domanda è ferma da un mese.' });
  await chat.appendMessage({ conversationId: conversation.id, senderId: 'adv-esc', senderRole: 'advisor', clientMsgId: 'c2', text: 'Passo la pratica alla sede.' });
  const transcript = await chat.messagesAfter(conversation.id, 0);
  const advisor: Identity = { sub: 'adv-esc', role: 'advisor', name: 'Giulia Rossi', province: null, fiscalCode: null, matricola: null, matricole: [], sede: null, skills: [], lang: null, exp: 0 };
  const summary = 'Domanda CIGO ferma da un mese\nVerificare lo stato della pratica.';

  const ticket = await api.tickets.createFromEscalation({ conversation, summary, advisor, transcript });
  assert.is(ticket.conversationId, conversation.id);
  assert.is(ticket.origin, 'escalation');
  assert.is(ticket.sede, 'SEDE-GE');
  assert.is(ticket.subject, 'Domanda CIGO ferma da un mese');
  assert.is(ticket.category, 'cigo');
  const again = await api.tickets.createFromEscalation({ conversation, summary, advisor, transcript });
  assert.is(again.id, ticket.id, 'escalating twice gives the same ticket');

  const ge = await office('SEDE-GE');
  const detail = await call(ge, 'GET', `/api/v1/tickets/${ticket.id}`);
  assert.is(detail.status, 200);
  assert.is(detail.body.conversationId, conversation.id);
  assert.is(detail.body.replies[0].body, summary);
  assert.is(detail.body.replies[0].author.role, 'advisor');
  assert.equal(detail.body.transcript.map((m: Json) => m.text), ['La mia domanda è ferma da un mese.', 'Passo la pratica alla sede.']);
  assert.equal(detail.body.audit[0].detail.transcript, { messages: 2, lastSeq: 2 });

  const userView = await call(await worker('w-esc', 'GE'), 'GET', `/api/v1/tickets/${ticket.id}`);
  assert.is(userView.status, 200);
  assert.is(userView.body.replies[0].body, summary);
  assert.is(userView.body.transcript.length, 2);
  assert.is(userView.body.transcript[1].from.id, undefined);
  const sent = await notices(ticket.id);
  assert.equal(sent.map((n) => [n.kind, n.recipientId]), [['registered', 'w-esc']]);
  assert.is((await call(await office('SEDE-MI'), 'GET', `/api/v1/tickets/${ticket.id}`)).status, 404);
});

test.run();
