/**
 * The user's Linea INPS requests beside a chat (GET /api/v1/conversations/:id/requests,
 * docs/tickets.md): the advisor serving the chat sees the user's requests that are
 * open or closed in the last 30 days, and for a company's chat that company's, never
 * another company the same consultant holds; nobody else sees them, not even the
 * same advisor once the chat is over or moved on. Each list shown is in the access
 * log, one row per owner, before it leaves; without the log, nothing leaves.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConversationRecord } from '../server/chat-store.ts';
import { systemClock } from '../routing/clock.ts';
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

const token = (claims: Json) => whole.token(claims);
async function call(claims: Json, url: string, init: { method?: 'GET' | 'POST' | 'PATCH'; payload?: Json } = {}) {
  const res = await app.inject({ method: init.method ?? 'GET', url, headers: { authorization: `Bearer ${await token(claims)}` }, ...(init.payload ? { payload: init.payload } : {}) });
  return { status: res.statusCode, body: res.json() as Json };
}
const worker = (sub: string) => ({ role: 'worker', sub, province: 'MI', name: 'Mario Rossi' });
const office = { role: 'office', sub: 'op-mi', sede: 'SEDE-MI', name: 'Paolo Bianchi' };
const supervisor = { role: 'supervisor', sub: 'sup-1' };

async function open(claims: Json, subject: string, extra: Json = {}): Promise<string> {
  const res = await call(claims, '/api/v1/tickets', { method: 'POST', payload: { subject, category: 'payment', body: `${subject}: quando arriva?`, ...extra } });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}
async function close(id: string, daysAgo = 0): Promise<void> {
  const res = await call(office, `/api/v1/tickets/${id}`, { method: 'PATCH', payload: { status: 'closed', outcome: 'Pagamento disposto' } });
  assert.is(res.status, 200, JSON.stringify(res.body));
  if (daysAgo > 0) {
    const at = new Date(Date.now() - daysAgo * DAY).toISOString();
    await services.db.db.execute(sql`update tickets set closed_at = ${at}::timestamptz, updated_at = ${at}::timestamptz where id = ${id}`);
  }
}
async function chat(o: Partial<ConversationRecord> & { advisorId: string; userId: string }) {
  return services.store.createConversation(newConversation({ openedAt: new Date(), ...o }));
}
const requests = (conv: { id: string }, claims: Json) => call(claims, `/api/v1/conversations/${conv.id}/requests`);
const protocols = (body: Json) => body.requests.map((r: Json) => r.subject);
async function log(query: string) {
  const res = await call(supervisor, `/api/v1/access-log${query}`);
  assert.is(res.status, 200);
  return res.body;
}

test("the chat's advisor sees the user's open request and one closed last week, newest activity first, in allow-listed fields; not one closed 60 days ago, not another user's", async () => {
  const me = worker('usr-cr-1');
  const old = await open(me, 'Pagamento di gennaio');
  await close(old, 60);
  const open1 = await open(me, 'Pagamento CIGO di marzo');
  const recent = await open(me, 'Pagamento CIGO di febbraio');
  await close(recent, 7);
  await open(worker('usr-cr-other'), 'Pagamento di un altro');
  const conv = await chat({ userId: 'usr-cr-1', advisorId: 'adv-cr-1' });

  const res = await requests(conv, { role: 'advisor', sub: 'adv-cr-1' });
  assert.is(res.status, 200, JSON.stringify(res.body));
  assert.equal(protocols(res.body), ['Pagamento CIGO di marzo', 'Pagamento CIGO di febbraio'], 'the open one (active now), then the one closed 7 days ago');
  const [first, second] = res.body.requests;
  assert.equal(Object.keys(first).sort(), ['category', 'closedAt', 'createdAt', 'dueAt', 'id', 'lastActivityAt', 'protocol', 'sede', 'sedeName', 'status', 'subject']);
  assert.is(first.id, open1);
  assert.match(first.protocol, /^LINPS-\d{4}-\d{6}$/);
  assert.equal([first.status, first.sede, first.sedeName, first.closedAt], ['open', 'SEDE-MI', 'INPS Sede di Milano', null]);
  assert.ok(Date.parse(first.dueAt) > Date.now(), 'the due time is there');
  assert.equal([second.id, second.status], [recent, 'closed']);
  assert.ok(Date.parse(second.closedAt) < Date.now() - 6 * DAY);
  assert.not.match(JSON.stringify(res.body), /quando arriva|op-mi|Bianchi|Pagamento disposto/, 'no reply bodies, no staff, no outcome');
});

test('at most ten requests, the most recently active first', async () => {
  const me = worker('usr-cr-many');
  const ids: string[] = [];
  for (let i = 1; i <= 12; i++) {
    const id = await open(me, `Richiesta ${i}`);
    // Minutes apart, so the order does not hang on two creations within one millisecond.
    await services.db.db.execute(sql`update tickets set updated_at = ${new Date(Date.now() - (13 - i) * 60_000).toISOString()}::timestamptz where id = ${id}`);
    ids.push(id);
  }
  const reply = await call(me, `/api/v1/tickets/${ids[0]}/replies`, { method: 'POST', payload: { body: 'Aggiungo un dettaglio.' } });
  assert.is(reply.status, 201);
  const conv = await chat({ userId: 'usr-cr-many', advisorId: 'adv-cr-many' });
  const res = await requests(conv, { role: 'advisor', sub: 'adv-cr-many' });
  assert.equal(protocols(res.body), ['Richiesta 1', 'Richiesta 12', 'Richiesta 11', 'Richiesta 10', 'Richiesta 9', 'Richiesta 8', 'Richiesta 7', 'Richiesta 6', 'Richiesta 5', 'Richiesta 4']);
});

test("an intermediary's chat about matricola A shows their own and A's requests, not those of matricola B the same consultant holds", async () => {
  const cdl = { role: 'intermediary', sub: 'cdl-cr', name: 'Studio Bruni', matricole: [A, B], province: 'MI' };
  await open(cdl, 'Mia richiesta senza azienda');
  await open(cdl, 'CIGO azienda A', { matricola: A });
  await open(cdl, 'CIGO azienda B', { matricola: B });
  await open({ role: 'employer', sub: 'emp-a', matricola: A, province: 'MI' }, 'Datore A: FIS');
  await open({ role: 'employer', sub: 'emp-b', matricola: B, province: 'MI' }, 'Datore B: FIS');
  await call(office, '/api/v1/tickets', { method: 'POST', payload: { subject: 'Sede ad A: documenti', category: 'cigo', body: 'Inviate il modello SR41.', to: { matricola: A } } });
  await call(office, '/api/v1/tickets', { method: 'POST', payload: { subject: 'Sede a B: documenti', category: 'cigo', body: 'Inviate il modello SR41.', to: { matricola: B } } });

  const aboutA = await chat({ userId: 'cdl-cr', userRole: 'intermediary', audience: 'intermediary', advisorId: 'adv-cr-a', context: { matricola: A } });
  const res = await requests(aboutA, { role: 'advisor', sub: 'adv-cr-a' });
  assert.is(res.status, 200);
  assert.equal(protocols(res.body).sort(), ['CIGO azienda A', 'Datore A: FIS', 'Mia richiesta senza azienda', 'Sede ad A: documenti']);

  // A user has one open chat at a time: the chat about A ends before the one about no company.
  await services.store.closeConversation(aboutA.id, { outcome: 'resolved', rating: null, closedBy: 'cdl-cr', at: new Date() });
  const aboutNone = await chat({ userId: 'cdl-cr', userRole: 'intermediary', audience: 'intermediary', advisorId: 'adv-cr-n', context: {} });
  assert.equal(protocols((await requests(aboutNone, { role: 'advisor', sub: 'adv-cr-n' })).body), ['Mia richiesta senza azienda'], 'no company named: none of the companies');

  const rows = await log(`?subject=${aboutA.id}`);
  const byOwner = Object.fromEntries(rows.items.map((r: Json) => [r.ownerId, r]));
  assert.equal(Object.keys(byOwner).sort(), ['cdl-cr', `matricola:${A}`], 'one row for the consultant, one for company A, none for B');
  assert.is(byOwner['cdl-cr'].detail.results, 2);
  assert.is(byOwner[`matricola:${A}`].detail.results, 2);
  assert.is(byOwner['cdl-cr'].requestId, byOwner[`matricola:${A}`].requestId, 'one read');

  const employerA = await call({ role: 'employer', sub: 'emp-a', matricola: A, province: 'MI' }, '/api/v1/access-log/mine');
  assert.ok(employerA.body.items.some((r: Json) => r.action === 'ticket.list' && r.by.role === 'advisor'), "company A's employer sees the read");
  const employerB = await call({ role: 'employer', sub: 'emp-b', matricola: B, province: 'MI' }, '/api/v1/access-log/mine');
  assert.not.ok(employerB.body.items.some((r: Json) => r.action === 'ticket.list'), "company B's does not: nothing of B was shown");
});

test('another advisor, the user, an office, a supervisor, and the same advisor once the chat is transferred or closed: the 404 of an absent chat', async () => {
  const me = worker('usr-cr-3');
  await open(me, 'Pagamento FIS');
  const conv = await chat({ userId: 'usr-cr-3', advisorId: 'adv-cr-3' });
  assert.is((await requests(conv, { role: 'advisor', sub: 'adv-cr-3' })).status, 200);
  const absent = await requests({ id: '00000000-0000-4000-8000-000000000000' }, { role: 'advisor', sub: 'adv-cr-3' });
  assert.equal([absent.status, absent.body.error.code], [404, 'not_found']);
  for (const who of [{ role: 'advisor', sub: 'adv-cr-other' }, me, office, supervisor]) {
    const res = await requests(conv, who);
    assert.equal([res.status, res.body], [404, absent.body], who.role);
  }
  assert.is((await app.inject({ method: 'GET', url: `/api/v1/conversations/${conv.id}/requests` })).statusCode, 401);

  await services.store.reassignConversation(conv.id, 'adv-cr-4', 'Bruno Verdi');
  assert.is((await requests(conv, { role: 'advisor', sub: 'adv-cr-3' })).status, 404, 'transferred: no longer hers');
  assert.is((await requests(conv, { role: 'advisor', sub: 'adv-cr-4' })).status, 200, 'the new advisor sees them');
  await services.store.closeConversation(conv.id, { outcome: 'resolved', rating: null, closedBy: 'adv-cr-4', at: new Date() });
  assert.is((await requests(conv, { role: 'advisor', sub: 'adv-cr-4' })).status, 404, 'closed: nobody');
  const rows = await log(`?subject=${conv.id}`);
  assert.equal(rows.items.map((r: Json) => r.actor.id), ['adv-cr-4', 'adv-cr-3'], 'only the lists sent are in the log');
});

test("each list is in the access log with the user as owner and the requests it named; the user sees it under the request; a worker's chat has no company row", async () => {
  const me = worker('usr-cr-5');
  const id = await open(me, 'Pagamento CIGS');
  const conv = await chat({ userId: 'usr-cr-5', advisorId: 'adv-cr-5', context: { matricola: A } });
  const res = await requests(conv, { role: 'advisor', sub: 'adv-cr-5' });
  assert.is(res.status, 200);
  const rows = await log(`?subject=${conv.id}`);
  assert.is(rows.total, 1, "a worker's chat names no company, whatever its context says");
  const [row] = rows.items;
  assert.equal([row.action, row.actor, row.ownerId, row.detail], ['ticket.list', { id: 'adv-cr-5', role: 'advisor', sede: null }, 'usr-cr-5', { results: 1, tickets: id }]);
  const mine = await call(me, `/api/v1/access-log/mine?ticket=${id}`);
  assert.equal(mine.body.items.map((r: Json) => [r.action, r.ticketId, r.by]), [['ticket.list', id, { role: 'advisor', sede: null, sedeName: null }]]);
});

test('when the access log cannot be written the answer is 503 access_log_unavailable with no requests in it, and nothing is recorded', async () => {
  const me = worker('usr-cr-6');
  await open(me, 'Pagamento NASpI');
  const conv = await chat({ userId: 'usr-cr-6', advisorId: 'adv-cr-6' });
  await services.db.db.execute('ALTER TABLE access_log RENAME TO access_log_away');
  try {
    const res = await app.inject({ method: 'GET', url: `/api/v1/conversations/${conv.id}/requests`, headers: { authorization: `Bearer ${await token({ role: 'advisor', sub: 'adv-cr-6' })}` } });
    assert.is(res.statusCode, 503);
    assert.is(res.json().error.code, 'access_log_unavailable');
    assert.is(res.headers['retry-after'], '1');
    assert.not.match(res.body, /Pagamento|LINPS/);
  } finally {
    await services.db.db.execute('ALTER TABLE access_log_away RENAME TO access_log');
  }
  assert.is((await log(`?subject=${conv.id}`)).total, 0);
  assert.is((await requests(conv, { role: 'advisor', sub: 'adv-cr-6' })).status, 200);
  assert.is((await log(`?subject=${conv.id}`)).total, 1);
});

test.run();
