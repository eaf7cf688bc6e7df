/**
 * Follow-up requests ("richieste collegate", docs/tickets.md): a user writes
 * again from a request that was closed without solving their problem. The
 * closed request stays closed; the follow-up is a new request that names it
 * (`follows`), goes to the sede that closed it and starts its own SLA; the
 * closed one lists it (`followedBy`). On the app as services.ts and app.ts
 * build it (app.inject), on a throw-away seeded database (PGlite, or
 * PostgreSQL when DATABASE_URL is set), with a ManualClock; the notice
 * dispatcher is run by hand.
 */
import { randomUUID } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { accessLog } from '../schema/access-tables.ts';
import { mailbox } from '../schema/attachment-tables.ts';
import { outbox, ticketAudit, tickets } from '../schema/ticket-tables.ts';
import { composeNotice } from '../server/notice-text.ts';
import { FOLLOW_UP_WINDOW_DAYS } from '../server/ticket-follow-up.ts';
import { injectedApp, injectForm, type InjectedApp, type Json } from './helpers/app.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
/** Monday 2 March 2026, 10:00 in Rome. */
const MONDAY_10 = new Date('2026-03-02T09:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const clock = new ManualClock(MONDAY_10.getTime());

let whole: InjectedApp;

test.before(async () => {
  whole = await injectedApp(clock);
});
test.after(async () => whole?.close());
test.before.each(() => clock.set(MONDAY_10));

const db = () => whole.services.db.db;
const call: InjectedApp['call'] = (...args) => whole.call(...args);
const token = (claims: Record<string, unknown>) => whole.token(claims);
const worker = (sub: string, province = 'MI') => token({ role: 'worker', sub, province, name: 'Mario Bianchi' });
const office = (sede: string, sub = `op-${sede}`) => token({ role: 'office', sub, sede, name: `Operatore ${sede}` });
const later = (ms: number) => clock.set(MONDAY_10.getTime() + ms);

async function open(tok: string, fields: Json = {}): Promise<Json> {
  const res = await call(tok, 'POST', '/api/v1/tickets', { subject: 'Pagamento CIGO di gennaio', category: 'payment', body: 'Non ho ricevuto il pagamento.', ...fields });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function close(tok: string, id: string, outcome = 'Pagamento disposto il 27 febbraio'): Promise<Json> {
  const res = await call(tok, 'PATCH', `/api/v1/tickets/${id}`, { status: 'closed', outcome });
  assert.is(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/** A worker's request in Milano, closed by SEDE-MI an hour later. */
async function closedRequest(userId: string): Promise<{ user: string; mi: string; original: Json }> {
  const user = await worker(userId);
  const mi = await office('SEDE-MI');
  const t = await open(user);
  later(HOUR);
  return { user, mi, original: await close(mi, t.id) };
}

const followUp = (tok: string, follows: string, fields: Json = {}) =>
  call(tok, 'POST', '/api/v1/tickets', { subject: 'Seguito: il pagamento non è arrivato', category: 'payment', body: 'Il pagamento non risulta ancora accreditato.', follows, ...fields });

const ticketsOf = async (userId: string) => Number((await db().select({ n: count() }).from(tickets).where(eq(tickets.userId, userId)))[0]!.n);

test(`a user follows up a closed request: a new request at the same sede with a fresh SLA, linked both ways; the closed one stays closed (${kind})`, async () => {
  const { user, mi, original } = await closedRequest('w-follow');
  assert.is((await call(user, 'GET', `/api/v1/tickets/${original.id}`)).body.followUpUntil, new Date(Date.parse(original.closedAt) + FOLLOW_UP_WINDOW_DAYS * DAY).toISOString());
  later(3 * DAY);

  const res = await followUp(user, original.id);
  assert.is(res.status, 201, JSON.stringify(res.body));
  const f = res.body;
  assert.ok(f.id !== original.id && f.protocol !== original.protocol, 'a new request with a number of its own');
  assert.equal([f.status, f.sede, f.origin, f.matricola], ['open', 'SEDE-MI', 'user', null]);
  assert.equal(f.follows, { id: original.id, protocol: original.protocol });
  assert.is(f.createdAt, new Date(MONDAY_10.getTime() + 3 * DAY).toISOString());
  const fresh = await whole.services.tickets.dueFor('SEDE-MI', new Date(f.createdAt));
  assert.is(f.dueAt, fresh.toISOString(), 'the SLA starts at the follow-up');
  assert.ok(Date.parse(f.dueAt) > Date.parse(original.dueAt));

  // The state machine is as it was: the original is closed for good.
  const again = await call(user, 'GET', `/api/v1/tickets/${original.id}`);
  assert.is(again.body.status, 'closed');
  assert.equal(again.body.followedBy, [{ id: f.id, protocol: f.protocol }]);
  assert.is((await call(mi, 'PATCH', `/api/v1/tickets/${original.id}`, { status: 'in_progress' })).body.error.code, 'illegal_transition');
  assert.is((await call(user, 'POST', `/api/v1/tickets/${original.id}/replies`, { body: 'Ancora io' })).body.error.code, 'ticket_closed');
  assert.equal((await call(mi, 'GET', `/api/v1/tickets/${original.id}`)).body.followedBy, [{ id: f.id, protocol: f.protocol }]);

  const [created] = await db().select().from(ticketAudit).where(and(eq(ticketAudit.ticketId, f.id), eq(ticketAudit.action, 'created')));
  assert.is(created!.detail.follows, original.id);
  assert.is(created!.detail.followsProtocol, original.protocol);

  // The notice names the request it follows by number, and nothing of either text.
  const [notice] = await db().select().from(outbox).where(eq(outbox.ticketId, f.id));
  assert.is(notice!.payload.follows, original.protocol);
  await whole.services.notices.runOnce();
  const [sent] = await db().select().from(mailbox).where(eq(mailbox.id, notice!.id));
  assert.ok(sent!.body.includes(`La sua richiesta Linea INPS n. ${f.protocol}, collegata alla richiesta n. ${original.protocol}, è stata registrata e assegnata a INPS Sede di Milano.`), sent!.body);
  assert.not.ok(/accreditato|ricevuto il pagamento|27 febbraio/.test(sent!.body), 'no text of either request');
});

test('not yours, absent or malformed: the same 404, and nothing is stored', async () => {
  const { original } = await closedRequest('w-owner');
  const stranger = await worker('w-stranger');
  const theirs = await followUp(stranger, original.id);
  const absent = await followUp(stranger, randomUUID());
  const malformed = await followUp(stranger, 'not-a-ticket');
  assert.is(theirs.status, 404);
  assert.equal([theirs.status, theirs.body], [absent.status, absent.body]);
  assert.equal([malformed.status, malformed.body], [absent.status, absent.body]);
  assert.is(await ticketsOf('w-stranger'), 0);
  assert.equal((await call(await worker('w-owner'), 'GET', `/api/v1/tickets/${original.id}`)).body.followedBy, [], 'nothing linked');
});

test('a request not closed yet: 409 ticket_not_closed, open or in progress, and nothing is stored', async () => {
  const user = await worker('w-open');
  const t = await open(user);
  const res = await followUp(user, t.id);
  assert.equal([res.status, res.body.error.code], [409, 'ticket_not_closed']);
  assert.is((await call(await office('SEDE-MI'), 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' })).status, 200);
  assert.is((await followUp(user, t.id)).body.error.code, 'ticket_not_closed');
  assert.is(await ticketsOf('w-open'), 1);
  assert.is((await call(user, 'GET', `/api/v1/tickets/${t.id}`)).body.followUpUntil, null, 'nothing to offer while it is open');
});

test('a request the user withdrew is not offered a follow-up and one is refused with 409 follow_up_withdrawn: the sede never answered it', async () => {
  const user = await worker('w-withdrew');
  const t = await open(user);
  later(HOUR);
  const withdrawn = await call(user, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed' });
  assert.equal([withdrawn.status, withdrawn.body.outcome, withdrawn.body.followUpUntil], [200, 'withdrawn', null]);
  assert.is((await call(user, 'GET', `/api/v1/tickets/${t.id}`)).body.followUpUntil, null, 'the chat offers no follow-up');
  const listed = (await call(user, 'GET', '/api/v1/tickets?pageSize=100')).body.items.find((x: Json) => x.id === t.id);
  assert.is(listed.followUpUntil, null);
  const res = await followUp(user, t.id);
  assert.equal([res.status, res.body.error.code], [409, 'follow_up_withdrawn']);
  assert.ok(res.body.error.message.includes(t.protocol), res.body.error.message);
  assert.is(await ticketsOf('w-withdrew'), 1, 'nothing stored');
  assert.is((await open(user, { subject: 'Di nuovo sul pagamento' })).follows, null, 'a new request is always possible');
});

test(`closed more than ${FOLLOW_UP_WINDOW_DAYS} days ago: 409 follow_up_window_expired; on the last instant it is still accepted`, async () => {
  const { user, original } = await closedRequest('w-late');
  const closedAt = Date.parse(original.closedAt);
  clock.set(closedAt + FOLLOW_UP_WINDOW_DAYS * DAY + 1);
  const late = await followUp(user, original.id);
  assert.equal([late.status, late.body.error.code], [409, 'follow_up_window_expired']);
  assert.is(await ticketsOf('w-late'), 1);
  assert.is((await call(user, 'GET', `/api/v1/tickets/${original.id}`)).body.followUpUntil, null, 'no longer offered');
  clock.set(closedAt + FOLLOW_UP_WINDOW_DAYS * DAY);
  assert.is((await followUp(user, original.id)).status, 201);
});

test('transferred to Roma and closed there: the follow-up goes to SEDE-RM (not the province\'s sede), with Roma\'s SLA', async () => {
  const user = await worker('w-moved');
  const t = await open(user);
  const moved = await call(await office('SEDE-MI'), 'POST', `/api/v1/tickets/${t.id}/transfer`, { sede: 'SEDE-RM', reason: 'Matricola della sede di Roma' });
  assert.is(moved.status, 200);
  const rm = await office('SEDE-RM');
  later(HOUR);
  await close(rm, t.id);
  later(2 * DAY);
  const res = await followUp(user, t.id);
  assert.is(res.status, 201, JSON.stringify(res.body));
  assert.equal([res.body.sede, res.body.sedeName], ['SEDE-RM', 'INPS Sede di Roma']);
  assert.is(res.body.dueAt, (await whole.services.tickets.dueFor('SEDE-RM', new Date(res.body.createdAt))).toISOString());
  const [row] = await db().select().from(tickets).where(eq(tickets.id, res.body.id));
  assert.is(row!.province, 'MI', 'the province stays the user\'s');
  // Roma's queue has it; Milano's does not.
  assert.ok((await call(rm, 'GET', '/api/v1/tickets?pageSize=100')).body.items.some((x: Json) => x.id === res.body.id && x.follows.id === t.id));
  assert.not.ok((await call(await office('SEDE-MI'), 'GET', '/api/v1/tickets?pageSize=100')).body.items.some((x: Json) => x.id === res.body.id));
});

test('what each role gets: follows everywhere, followUpUntil for users only, followedBy with only the follow-ups the caller may see', async () => {
  // The office writes to a worker about a company; the company's employer follows it up.
  const mi = await office('SEDE-MI');
  const sent = await call(mi, 'POST', '/api/v1/tickets', { subject: 'Documenti mancanti', category: 'cigo', body: 'Inviare il modulo SR41.', to: { userId: 'w-addressed', matricola: '1234567890' } });
  assert.is(sent.status, 201);
  await close(mi, sent.body.id, 'Documenti ricevuti');
  const employer = await token({ role: 'employer', sub: 'e-company', matricola: '1234567890', province: 'MI', name: 'Ditta Rossi' });
  const mismatch = await followUp(employer, sent.body.id, { matricola: '9999999999' });
  assert.equal([mismatch.status, mismatch.body.error.code], [422, 'follow_up_matricola_mismatch']);
  const f = await followUp(employer, sent.body.id);
  assert.is(f.status, 201, JSON.stringify(f.body));
  assert.is(f.body.matricola, '1234567890', 'the company of the request it follows');
  const link = { id: f.body.id, protocol: f.body.protocol };

  const addressee = await worker('w-addressed');
  const asAddressee = await call(addressee, 'GET', `/api/v1/tickets/${sent.body.id}`);
  assert.equal(asAddressee.body.followedBy, [], 'the employer\'s follow-up is not the worker\'s to see');
  assert.ok(asAddressee.body.followUpUntil);
  assert.equal((await call(employer, 'GET', `/api/v1/tickets/${sent.body.id}`)).body.followedBy, [link]);
  const asOffice = await call(mi, 'GET', `/api/v1/tickets/${sent.body.id}`);
  assert.equal(asOffice.body.followedBy, [link]);
  assert.is(asOffice.body.followUpUntil, undefined, 'staff get no followUpUntil');
  assert.is(asOffice.body.mine, undefined);
  const supervisor = await token({ role: 'supervisor', sub: 'sup-follow' });
  assert.equal((await call(supervisor, 'GET', `/api/v1/tickets/${sent.body.id}`)).body.followedBy, [link]);

  const follows = { id: sent.body.id, protocol: sent.body.protocol };
  const mine = (await call(employer, 'GET', '/api/v1/tickets?pageSize=100')).body.items.find((x: Json) => x.id === f.body.id);
  assert.equal([mine.follows, mine.followUpUntil, mine.user], [follows, null, undefined]);
  const queued = (await call(mi, 'GET', '/api/v1/tickets?pageSize=100')).body.items.find((x: Json) => x.id === f.body.id);
  assert.equal([queued.follows, queued.user.id, 'followUpUntil' in queued], [follows, 'e-company', false]);
  const plain = (await call(mi, 'GET', '/api/v1/tickets?pageSize=100')).body.items.find((x: Json) => x.id === sent.body.id);
  assert.is(plain.follows, null);

  // The office opens the earlier request from the link: recorded as any read, before it is sent.
  const before = Number((await db().select({ n: count() }).from(accessLog).where(and(eq(accessLog.action, 'ticket.read'), eq(accessLog.subjectId, queued.follows.id))))[0]!.n);
  assert.is((await call(mi, 'GET', `/api/v1/tickets/${queued.follows.id}`)).status, 200);
  const after = Number((await db().select({ n: count() }).from(accessLog).where(and(eq(accessLog.action, 'ticket.read'), eq(accessLog.subjectId, queued.follows.id))))[0]!.n);
  assert.is(after, before + 1);
});

test('refused shapes: an office cannot send follows, a follow-up names no province; several follow-ups of one request are each kept', async () => {
  const { user, mi, original } = await closedRequest('w-shapes');
  const byOffice = await call(mi, 'POST', '/api/v1/tickets', { subject: 'S', category: 'cigo', body: 'B', to: { userId: 'w-shapes' }, follows: original.id });
  assert.equal([byOffice.status, byOffice.body.error.code], [400, 'validation_failed']);
  const province = await followUp(user, original.id, { province: 'RM' });
  assert.equal([province.status, province.body.error.code], [400, 'validation_failed']);
  assert.is(await ticketsOf('w-shapes'), 1);

  const first = await followUp(user, original.id);
  later(2 * HOUR);
  const second = await followUp(user, original.id, { subject: 'Un altro seguito' });
  assert.equal([first.status, second.status], [201, 201]);
  const detail = await call(user, 'GET', `/api/v1/tickets/${original.id}`);
  assert.equal(detail.body.followedBy.map((l: Json) => l.protocol), [first.body.protocol, second.body.protocol], 'oldest first');
});

test('a follow-up with a file (multipart) is linked too; once the followed request is erased only its number remains', async () => {
  const { user, original } = await closedRequest('w-files');
  const form = new FormData();
  form.append('subject', 'Seguito con allegato');
  form.append('category', 'payment');
  form.append('body', 'Allego l\'estratto conto.');
  form.append('follows', original.id);
  form.append('files', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'estratto.pdf');
  const res = await injectForm(whole.app, user, '/api/v1/tickets', form);
  assert.is(res.statusCode, 201, res.body);
  const f = res.json() as Json;
  assert.equal([f.follows, f.sede, f.attachments.length], [{ id: original.id, protocol: original.protocol }, 'SEDE-MI', 1]);

  await db().delete(tickets).where(eq(tickets.id, original.id));
  const after = await call(user, 'GET', `/api/v1/tickets/${f.id}`);
  assert.equal(after.body.follows, { id: null, protocol: original.protocol });
});

test('the registered notice of a follow-up names the earlier number, in Italian, in German and to a sede', () => {
  const facts = { kind: 'registered' as const, protocol: 'LINPS-2026-000042', sedeName: 'INPS Sede di Bolzano', interlocuzione: false, dueAt: null, withdrawn: false, link: null, follows: 'LINPS-2026-000007' };
  assert.ok(composeNotice({ ...facts, recipientKind: 'user' }).text.includes('La sua richiesta Linea INPS n. LINPS-2026-000042, collegata alla richiesta n. LINPS-2026-000007, è stata registrata'));
  assert.ok(composeNotice({ ...facts, recipientKind: 'user', lang: 'de' }).text.includes('Ihre Anfrage über Linea INPS Nr. LINPS-2026-000042 (Fortsetzung der Anfrage Nr. LINPS-2026-000007) wurde registriert'));
  assert.ok(composeNotice({ ...facts, recipientKind: 'sede' }).text.includes('È stata registrata la richiesta n. LINPS-2026-000042 per la sua sede, a seguito della richiesta n. LINPS-2026-000007.'));
  assert.not.ok(composeNotice({ ...facts, follows: null, recipientKind: 'user' }).text.includes('collegata'), 'only for a follow-up');
});

test.run();
