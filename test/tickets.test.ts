/**
 * Linea INPS tickets over HTTP (app.inject): a minimal fastify with the ticket
 * routes, the development authenticator and a throw-away seeded database
 * (PGlite, or PostgreSQL when DATABASE_URL is set).
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { patronDayOf } from '../routing/holidays.ts';
import { dueDate } from '../routing/working-hours.ts';
import { seed } from '../schema/seed.ts';
import { matricolaSedi, outbox, ticketAudit } from '../schema/ticket-tables.ts';
import { AccessLog } from '../server/access-log.ts';
import { createDevAuth, type DevAuth, type DevTokenRequest } from '../server/auth-dev.ts';
import type { Identity } from '../server/auth.ts';
import { createSqlChatStore } from '../server/chat-store-sql.ts';
import { installErrorHandling } from '../server/http-errors.ts';
import { ticketRoutes } from '../server/http-tickets.ts';
import { TicketService } from '../server/ticket-service.ts';
import { createSqlTicketStore } from '../server/ticket-store-sql.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
/** Monday 2 March 2026, 10:00 in Rome. */
const MONDAY_10 = new Date('2026-03-02T09:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let database: TestDatabase;
let app: FastifyInstance;
let dev: DevAuth;
let tickets: TicketService;
const clock = new ManualClock(MONDAY_10.getTime());

test.before(async () => {
  database = await testDatabase();
  await seed(database.db, { demo: false });
  dev = await createDevAuth();
  tickets = new TicketService({ store: createSqlTicketStore(database.db), clock });
  app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } } });
  installErrorHandling(app);
  await app.register(ticketRoutes, { auth: dev.authenticator, tickets, access: new AccessLog({ db: database.db, clock, log: pino({ level: 'silent' }) }) });
  await app.ready();
});

test.after(async () => {
  await app?.close();
  await database?.cleanup();
});

test.before.each(() => {
  clock.set(MONDAY_10);
});

type Json = Record<string, any>;

async function token(claims: DevTokenRequest): Promise<string> {
  return dev.issue(claims);
}

async function call(tok: string | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown): Promise<{ status: number; body: Json }> {
  const res = await app.inject({
    method,
    url,
    headers: tok ? { authorization: `Bearer ${tok}` } : {},
    ...(payload === undefined ? {} : { payload: payload as Json }),
  });
  return { status: res.statusCode, body: res.json() as Json };
}

const worker = (sub: string, province = 'MI') => token({ role: 'worker', sub, province, name: 'Mario Bianchi', fiscalCode: 'BNCMRA80A01F205X' });
const office = (sede: string, sub = `op-${sede}`) => token({ role: 'office', sub, sede, name: `Operatore ${sede}` });

async function open(tok: string, fields: Json = {}): Promise<Json> {
  const res = await call(tok, 'POST', '/api/v1/tickets', { subject: 'Pagamento CIGO di gennaio', category: 'payment', body: 'Non ho ricevuto il pagamento.', ...fields });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function auditCount(ticketId: string): Promise<number> {
  return (await database.db.select().from(ticketAudit).where(eq(ticketAudit.ticketId, ticketId))).length;
}

async function notices(ticketId: string) {
  return database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(outbox.createdAt);
}

function ids(list: Json): string[] {
  return (list.items as Json[]).map((t) => t.id as string);
}

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

test('the Milano office sees the ticket in its list and in detail with the audit trail; the Roma office gets 404', async () => {
  const t = await open(await worker('w-visible'));
  const mi = await office('SEDE-MI');
  const list = await call(mi, 'GET', '/api/v1/tickets?status=open&pageSize=100');
  assert.is(list.status, 200);
  assert.ok(ids(list.body).includes(t.id));
  const detail = await call(mi, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(detail.status, 200);
  assert.is(detail.body.user.id, 'w-visible');
  assert.is(detail.body.user.fiscalCode, 'BNCMRA80A01F205X');
  assert.is(detail.body.replies.length, 1);
  assert.is(detail.body.replies[0].body, 'Non ho ricevuto il pagamento.');
  assert.equal(detail.body.audit.map((a: Json) => a.action), ['created']);
  assert.is(detail.body.audit[0].actor.id, 'w-visible');

  const rm = await office('SEDE-RM');
  const hidden = await call(rm, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(hidden.status, 404);
  assert.is(hidden.body.error.code, 'not_found');
  const rmList = await call(rm, 'GET', '/api/v1/tickets?pageSize=100');
  assert.not.ok(ids(rmList.body).includes(t.id));
  const rmSede = await call(rm, 'GET', '/api/v1/tickets?sede=SEDE-MI&pageSize=100');
  assert.is(rmSede.body.total, 0, 'an office cannot widen its view with ?sede=');
});

test('the office takes it in charge, replies and closes it with an outcome; the worker sees the thread and the status', async () => {
  const wTok = await worker('w-flow');
  const t = await open(wTok);
  const mi = await office('SEDE-MI', 'op-flow');

  clock.advance(HOUR);
  const taken = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' });
  assert.is(taken.status, 200, JSON.stringify(taken.body));
  assert.is(taken.body.status, 'in_progress');
  assert.is(taken.body.takenBy, 'op-flow');
  assert.is(taken.body.takenAt, new Date(MONDAY_10.getTime() + HOUR).toISOString());

  clock.advance(HOUR);
  const answer = await call(mi, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Il pagamento è stato disposto il 28 febbraio.' });
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  assert.is(answer.body.seq, 2);
  assert.is(answer.body.author.id, 'op-flow');

  const back = await call(wTok, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Grazie, ricevuto.' });
  assert.is(back.status, 201);
  assert.is(back.body.seq, 3);
  assert.is(back.body.author.id, undefined, 'users see the role and name, not ids');

  clock.advance(HOUR);
  const closed = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Pagamento disposto' });
  assert.is(closed.status, 200);
  assert.is(closed.body.status, 'closed');
  assert.is(closed.body.outcome, 'Pagamento disposto');
  assert.is(closed.body.closedBy, 'op-flow');

  const seen = await call(wTok, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(seen.status, 200);
  assert.is(seen.body.status, 'closed');
  assert.is(seen.body.outcome, 'Pagamento disposto');
  assert.equal(seen.body.replies.map((r: Json) => r.seq), [1, 2, 3]);
  assert.equal(seen.body.replies.map((r: Json) => r.author.role), ['worker', 'office', 'worker']);
  assert.is(seen.body.replies[1].body, 'Il pagamento è stato disposto il 28 febbraio.');
  assert.is(seen.body.audit, undefined, 'the audit trail is for staff');
  assert.is(seen.body.takenBy, undefined);

  const staffView = await call(mi, 'GET', `/api/v1/tickets/${t.id}`);
  assert.equal(staffView.body.audit.map((a: Json) => a.action), ['created', 'taken_in_charge', 'replied', 'replied', 'closed']);
  assert.equal(staffView.body.audit[4].detail, { from: 'in_progress', to: 'closed', outcome: 'Pagamento disposto' });

  const sent = await notices(t.id);
  assert.equal(sent.map((n) => [n.kind, n.recipientKind, n.recipientId]), [
    ['registered', 'user', 'w-flow'],
    ['taken_in_charge', 'user', 'w-flow'],
    ['replied', 'user', 'w-flow'],
    ['replied', 'sede', 'SEDE-MI'],
    ['closed', 'user', 'w-flow'],
  ]);
  assert.ok(sent.every((n) => !JSON.stringify(n.payload).includes('28 febbraio')), 'notices never carry the thread text');
});

test('moving a closed ticket back to in_progress is 409 illegal_transition and changes nothing', async () => {
  const t = await open(await worker('w-illegal'));
  const mi = await office('SEDE-MI');
  assert.is((await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Risolto' })).status, 200);
  const auditBefore = await auditCount(t.id);
  const noticesBefore = (await notices(t.id)).length;
  const before = await call(mi, 'GET', `/api/v1/tickets/${t.id}`);

  for (const change of [{ status: 'in_progress' }, { status: 'open' }, { status: 'closed', outcome: 'Di nuovo' }]) {
    const res = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, change);
    assert.is(res.status, 409, JSON.stringify(change));
    assert.is(res.body.error.code, 'illegal_transition');
  }
  const after = await call(mi, 'GET', `/api/v1/tickets/${t.id}`);
  assert.equal(after.body, before.body);
  assert.is(await auditCount(t.id), auditBefore);
  assert.is((await notices(t.id)).length, noticesBefore);
});

test('an unknown status is 400 validation_failed, in a change and in a search', async () => {
  const t = await open(await worker('w-unknown'));
  const mi = await office('SEDE-MI');
  const res = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'reopened' });
  assert.is(res.status, 400);
  assert.is(res.body.error.code, 'validation_failed');
  const search = await call(mi, 'GET', '/api/v1/tickets?status=reopened');
  assert.is(search.status, 400);
  assert.is(search.body.error.code, 'validation_failed');
  assert.is(await auditCount(t.id), 1);
});

test('closing needs an outcome; taking in charge takes none', async () => {
  const t = await open(await worker('w-outcome'));
  const mi = await office('SEDE-MI');
  const noOutcome = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed' });
  assert.is(noOutcome.status, 400);
  assert.is(noOutcome.body.error.code, 'validation_failed');
  const blank = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: '   ' });
  assert.is(blank.status, 400);
  const withOutcome = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress', outcome: 'x' });
  assert.is(withOutcome.status, 400);
  assert.is(await auditCount(t.id), 1);
  assert.is((await notices(t.id)).length, 1);
});

test('replying to a closed ticket is 409 ticket_closed and writes nothing', async () => {
  const wTok = await worker('w-closed-reply');
  const t = await open(wTok);
  const mi = await office('SEDE-MI');
  await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Risolto' });
  const auditBefore = await auditCount(t.id);
  const noticesBefore = (await notices(t.id)).length;
  for (const tok of [wTok, mi]) {
    const res = await call(tok, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Ancora una cosa' });
    assert.is(res.status, 409);
    assert.is(res.body.error.code, 'ticket_closed');
  }
  const detail = await call(mi, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(detail.body.replies.length, 1);
  assert.is(await auditCount(t.id), auditBefore);
  assert.is((await notices(t.id)).length, noticesBefore);
});

test('another worker, an advisor and a stranger id all get the same 404, for reading, replying and changing status', async () => {
  const t = await open(await worker('w-owner'));
  const other = await worker('w-other');
  const advisor = await token({ role: 'advisor', sub: 'adv-x' });
  const absent = randomUUID();
  const answers: Json[] = [];
  for (const [tok, id] of [[other, t.id], [advisor, t.id], [other, absent], [other, 'not-a-uuid']] as const) {
    answers.push((await call(tok, 'GET', `/api/v1/tickets/${id}`)).body);
    const reply = await call(tok, 'POST', `/api/v1/tickets/${id}/replies`, { body: 'ciao' });
    assert.is(reply.status, 404);
    answers.push(reply.body);
    const change = await call(tok, 'PATCH', `/api/v1/tickets/${id}`, { status: 'closed', outcome: 'withdrawn' });
    assert.is(change.status, 404);
    answers.push(change.body);
  }
  for (const body of answers) assert.equal(body, { error: { code: 'not_found', message: 'Not found' } });
  const list = await call(other, 'GET', '/api/v1/tickets?pageSize=100');
  assert.not.ok(ids(list.body).includes(t.id));
  assert.is(await auditCount(t.id), 1);
});

test('advisors list no tickets (403) and cannot open one over HTTP', async () => {
  const advisor = await token({ role: 'advisor', sub: 'adv-list' });
  const list = await call(advisor, 'GET', '/api/v1/tickets');
  assert.is(list.status, 403);
  assert.is(list.body.error.code, 'forbidden');
  const created = await call(advisor, 'POST', '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y' });
  assert.is(created.status, 403);
});

test('without a token every ticket route answers 401 unauthenticated', async () => {
  const id = randomUUID();
  for (const [method, url, payload] of [
    ['GET', '/api/v1/tickets', undefined],
    ['GET', `/api/v1/tickets/${id}`, undefined],
    ['POST', '/api/v1/tickets', { subject: 'a', category: 'cigo', body: 'b' }],
    ['POST', `/api/v1/tickets/${id}/replies`, { body: 'b' }],
    ['PATCH', `/api/v1/tickets/${id}`, { status: 'closed' }],
  ] as const) {
    const res = await call(null, method, url, payload);
    assert.is(res.status, 401, `${method} ${url}`);
    assert.is(res.body.error.code, 'unauthenticated');
  }
});

test('the worker may withdraw their own open ticket, and may not take it in charge', async () => {
  const wTok = await worker('w-withdraw');
  const t = await open(wTok);
  const take = await call(wTok, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' });
  assert.is(take.status, 409);
  assert.is(take.body.error.code, 'illegal_transition');
  const withdrawn = await call(wTok, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed' });
  assert.is(withdrawn.status, 200);
  assert.is(withdrawn.body.status, 'closed');
  assert.is(withdrawn.body.outcome, 'withdrawn');
  const sent = await notices(t.id);
  assert.equal(sent.map((n) => [n.kind, n.recipientKind, n.recipientId]), [
    ['registered', 'user', 'w-withdraw'],
    ['closed', 'sede', 'SEDE-MI'],
  ]);
});

test('a user cannot withdraw a ticket once the office has taken it in charge', async () => {
  const wTok = await worker('w-late-withdraw');
  const t = await open(wTok);
  await call(await office('SEDE-MI'), 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' });
  const res = await call(wTok, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'withdrawn' });
  assert.is(res.status, 409);
  assert.is(res.body.error.code, 'illegal_transition');
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

test('the office searches by status, subject, matricola and date range, and pages through the results', async () => {
  // Bergamo: a sede of its own, so other tests' tickets do not interfere
  const bgOffice = await office('SEDE-BG');
  const employer = await token({ role: 'employer', sub: 'emp-bg', province: 'BG', matricola: '4900000001' });
  const w = await worker('w-bg', 'BG');
  clock.set(new Date('2026-03-02T09:00:00Z'));
  const a = await open(w, { subject: 'Anticipo CIGS marzo', category: 'cigs' });
  clock.set(new Date('2026-03-10T15:00:00Z'));
  const b = await open(employer, { subject: 'Conguaglio FIS', category: 'fis' });
  clock.set(new Date('2026-03-20T08:00:00Z'));
  const c = await open(w, { subject: 'Domanda cigs respinta: 100% da rivedere', category: 'cigs' });
  await call(bgOffice, 'PATCH', `/api/v1/tickets/${c.id}`, { status: 'in_progress' });

  const q = async (query: string) => {
    const res = await call(bgOffice, 'GET', `/api/v1/tickets?${query}`);
    assert.is(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  assert.equal(ids(await q('pageSize=100')).sort(), [a.id, b.id, c.id].sort());
  assert.equal(ids(await q('status=in_progress')), [c.id]);
  assert.equal(ids(await q('status=open')).sort(), [a.id, b.id].sort());
  assert.equal(ids(await q('subject=CIGS')).sort(), [a.id, c.id].sort(), 'case-insensitive contains');
  assert.equal(ids(await q('subject=100%25')), [c.id]);
  assert.equal(ids(await q('subject=%25')), [c.id], '% is taken literally');
  assert.equal(ids(await q('matricola=4900000001')), [b.id]);
  assert.is(b.matricola, '4900000001');
  assert.equal(ids(await q('from=2026-03-05&to=2026-03-10')), [b.id], 'the to date counts whole');
  assert.equal(ids(await q('from=2026-03-11')), [c.id]);
  assert.equal(ids(await q('to=2026-03-02')), [a.id]);
  assert.equal(ids(await q('from=2026-03-10T16:00:00Z')), [c.id]);
  assert.equal(ids(await q('updatedFrom=2026-03-20')), [c.id]);
  const bad = await call(bgOffice, 'GET', '/api/v1/tickets?from=2026-02-30');
  assert.is(bad.status, 400);
  const badInstant = await call(bgOffice, 'GET', '/api/v1/tickets?from=yesterday');
  assert.is(badInstant.status, 400);
  const unknownParam = await call(bgOffice, 'GET', '/api/v1/tickets?sort=protocol');
  assert.is(unknownParam.status, 400);

  const page1 = await q('pageSize=2&page=1');
  const page2 = await q('pageSize=2&page=2');
  const page3 = await q('pageSize=2&page=3');
  assert.is(page1.total, 3);
  assert.is(page1.page, 1);
  assert.is(page1.pageSize, 2);
  assert.is(page1.items.length, 2);
  assert.is(page2.items.length, 1);
  assert.is(page3.items.length, 0);
  assert.is(page3.total, 3);
  assert.equal([...ids(page1), ...ids(page2)], [a.id, b.id, c.id], 'by due time');
  assert.is((await call(bgOffice, 'GET', '/api/v1/tickets?pageSize=101')).status, 400);
  assert.is((await call(bgOffice, 'GET', '/api/v1/tickets?page=0')).status, 400);
});

test('an overdue ticket is flagged and listed first, ahead of one due earlier that the office has answered', async () => {
  const fg = await office('SEDE-FG');
  const w = await worker('w-fg', 'FG');
  clock.set(new Date('2026-03-02T09:00:00Z'));
  const answered = await open(w, { subject: 'Risposto in tempo' });
  await call(fg, 'POST', `/api/v1/tickets/${answered.id}/replies`, { body: 'Stiamo verificando.' });
  clock.set(new Date('2026-03-02T10:00:00Z'));
  const late = await open(w, { subject: 'Senza risposta' });
  clock.set(new Date('2026-03-04T12:00:00Z')); // Wednesday: both past their due time
  const fresh = await open(w, { subject: 'Appena aperto' });

  const list = await call(fg, 'GET', '/api/v1/tickets');
  assert.equal(ids(list.body), [late.id, answered.id, fresh.id]);
  assert.equal((list.body.items as Json[]).map((t) => t.overdue), [true, false, false]);
  assert.equal(ids((await call(fg, 'GET', '/api/v1/tickets?overdue=true')).body), [late.id]);
  assert.equal(ids((await call(fg, 'GET', '/api/v1/tickets?overdue=false')).body), [answered.id, fresh.id]);
  const userView = await call(w, 'GET', `/api/v1/tickets/${late.id}`);
  assert.is(userView.body.overdue, true);

  await call(fg, 'PATCH', `/api/v1/tickets/${late.id}`, { status: 'closed', outcome: 'Risolto' });
  assert.equal(ids((await call(fg, 'GET', '/api/v1/tickets?overdue=true')).body), [], 'a closed ticket is not overdue');
});

test('a supervisor sees the tickets of every sede but changes nothing', async () => {
  const t1 = await open(await worker('w-sup-na', 'NA'));
  const t2 = await open(await worker('w-sup-to', 'TO'));
  const sup = await token({ role: 'supervisor', sub: 'sup-1' });
  const list = await call(sup, 'GET', '/api/v1/tickets?pageSize=100');
  assert.ok(ids(list.body).includes(t1.id) && ids(list.body).includes(t2.id));
  const bySede = await call(sup, 'GET', '/api/v1/tickets?sede=SEDE-NA&pageSize=100');
  assert.equal(ids(bySede.body), [t1.id]);
  const detail = await call(sup, 'GET', `/api/v1/tickets/${t2.id}`);
  assert.is(detail.status, 200);
  assert.ok(Array.isArray(detail.body.audit));
  const change = await call(sup, 'PATCH', `/api/v1/tickets/${t2.id}`, { status: 'in_progress' });
  assert.is(change.status, 403);
  assert.is(await auditCount(t2.id), 1);
});

test('an intermediary sees the tickets of the matricole it represents, and files only for those', async () => {
  const employer = await token({ role: 'employer', sub: 'emp-pv', province: 'PV', matricola: '5500000001' });
  const fromEmployer = await open(employer, { subject: 'Cassa integrazione reparto B' });
  assert.is(fromEmployer.matricola, '5500000001');
  const consultant = await token({ role: 'intermediary', sub: 'int-pv', province: 'PV', matricole: ['5500000001', '5500000002'] });
  const stranger = await token({ role: 'intermediary', sub: 'int-other', province: 'PV', matricole: ['5500000009'] });

  const seen = await call(consultant, 'GET', '/api/v1/tickets');
  assert.equal(ids(seen.body), [fromEmployer.id]);
  assert.is(seen.body.items[0].mine, false);
  assert.is((await call(consultant, 'GET', `/api/v1/tickets/${fromEmployer.id}`)).status, 200);
  assert.is((await call(stranger, 'GET', `/api/v1/tickets/${fromEmployer.id}`)).status, 404);
  assert.is((await call(stranger, 'GET', '/api/v1/tickets')).body.total, 0);

  const forCompany = await open(consultant, { subject: 'Per conto della ditta', matricola: '5500000001' });
  assert.is(forCompany.matricola, '5500000001');
  assert.is(forCompany.sede, 'SEDE-PV');
  const employerList = await call(employer, 'GET', '/api/v1/tickets');
  assert.equal(ids(employerList.body).sort(), [fromEmployer.id, forCompany.id].sort());
  assert.equal(ids((await call(consultant, 'GET', '/api/v1/tickets?matricola=5500000001')).body).sort(), [fromEmployer.id, forCompany.id].sort());

  const notMine = await call(consultant, 'POST', '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y', matricola: '5500000009' });
  assert.is(notMine.status, 403);
  assert.is(notMine.body.error.code, 'matricola_not_yours');
  const workerTry = await call(await worker('w-pv', 'PV'), 'POST', '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y', matricola: '5500000001' });
  assert.is(workerTry.status, 403);
  assert.is(workerTry.body.error.code, 'matricola_not_yours');
  const employerOther = await call(employer, 'POST', '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y', matricola: '5500000002' });
  assert.is(employerOther.status, 403);
  // the employer sees it but did not open it: it cannot withdraw it
  const withdraw = await call(employer, 'PATCH', `/api/v1/tickets/${forCompany.id}`, { status: 'closed' });
  assert.is(withdraw.status, 409);
});

test('a company whose matricola is held by another sede is routed there; otherwise by its province', async () => {
  await database.db.insert(matricolaSedi).values({ matricola: '6600000001', officeCode: 'SEDE-TO' });
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
  const chat = createSqlChatStore(database.db);
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

  const ticket = await tickets.createFromEscalation({ conversation, summary, advisor, transcript });
  assert.is(ticket.conversationId, conversation.id);
  assert.is(ticket.origin, 'escalation');
  assert.is(ticket.sede, 'SEDE-GE');
  assert.is(ticket.subject, 'Domanda CIGO ferma da un mese');
  assert.is(ticket.category, 'cigo');
  const again = await tickets.createFromEscalation({ conversation, summary, advisor, transcript });
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
