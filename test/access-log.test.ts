/**
 * The access log (docs/access-log.md): every staff read of someone's chat,
 * ticket or file, and every search by matricola, is stored before the data is
 * sent; when it cannot be stored, nothing is sent. People reading their own
 * data are not recorded. Supervisors read the log; nobody can change it.
 */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createServices, type Services } from '../server/services.ts';
import { newConversation } from './helpers/conversations.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';

type Json = Record<string, any>;
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

let database: TestDatabase;
let services: Services;
let app: FastifyInstance;

test.before(async () => {
  database = await testDatabase();
  services = await createServices(loadConfig({ AUTH_DEV: '1', SERVICE_HOURS: 'always', LOG_LEVEL: 'silent' }), { db: database, logger: pino({ level: 'silent' }), notices: false });
  app = await buildApp(services);
  await app.ready();
});

test.after(async () => {
  await app?.close();
  await database?.cleanup();
});

const token = (claims: Json) => services.dev!.issue(claims as never);
async function call(tok: string, url: string, init: { method?: 'GET' | 'POST'; payload?: Json | Buffer; headers?: Json } = {}) {
  const res = await app.inject({ method: init.method ?? 'GET', url, headers: { authorization: `Bearer ${tok}`, ...init.headers }, ...(init.payload ? { payload: init.payload } : {}) });
  return { status: res.statusCode, body: res.headers['content-type']?.toString().startsWith('application/json') ? (res.json() as Json) : null, raw: res };
}
async function log(query = '') {
  const res = await call(await supervisor(), `/api/v1/access-log${query}`);
  assert.is(res.status, 200, JSON.stringify(res.body));
  return res.body!;
}
const supervisor = () => token({ role: 'supervisor', sub: 'sup-rossi', name: 'Anna Rossi' });

async function ticketWithFile(userTok: string): Promise<{ id: string; fileHref: string }> {
  const fd = new FormData();
  fd.append('subject', 'Pagamento FIS di ottobre');
  fd.append('category', 'payment');
  fd.append('body', 'Allego la lettera.');
  fd.append('files', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'lettera.pdf');
  const request = new Request('http://localhost/', { method: 'POST', body: fd });
  const payload = Buffer.from(await request.arrayBuffer());
  const created = await call(userTok, '/api/v1/tickets', { method: 'POST', payload, headers: { 'content-type': request.headers.get('content-type')! } });
  assert.is(created.status, 201, JSON.stringify(created.body));
  const detail = await call(userTok, `/api/v1/tickets/${created.body!.id}`);
  const file = detail.body!.replies[0].attachments[0];
  return { id: created.body!.id, fileHref: file.href ?? `/api/v1/tickets/${created.body!.id}/attachments/${file.id}` };
}

test("a supervisor's read of a conversation is stored with the user as owner; the two participants' own reads are not", async () => {
  const conv = await services.store.createConversation(newConversation({ userId: 'usr-access-1', advisorId: 'adv-access-1' }));
  await services.store.appendMessage({ conversationId: conv.id, senderId: 'usr-access-1', senderRole: 'worker', clientMsgId: 'm1', text: 'Quando arriva il pagamento?' });
  const asUser = await call(await token({ role: 'worker', sub: 'usr-access-1', province: 'MI' }), `/api/v1/conversations/${conv.id}`);
  assert.is(asUser.status, 200);
  assert.is((await log(`?subject=${conv.id}`)).total, 0, "the user's own read is not recorded");
  const asAdvisor = await call(await token({ role: 'advisor', sub: 'adv-access-1' }), `/api/v1/conversations/${conv.id}`);
  assert.is(asAdvisor.status, 200);
  assert.is((await log(`?subject=${conv.id}`)).total, 0, "nor its own advisor's (a console reloading the chat it serves)");

  const asSupervisor = await call(await supervisor(), `/api/v1/conversations/${conv.id}`);
  assert.is(asSupervisor.status, 200);
  assert.is(asSupervisor.body!.messages.length, 1);
  const rows = await log(`?subject=${conv.id}`);
  assert.is(rows.total, 1);
  const [row] = rows.items;
  assert.is(row.action, 'conversation.read');
  assert.equal(row.actor, { id: 'sup-rossi', role: 'supervisor', sede: null });
  assert.is(row.ownerId, 'usr-access-1');
  assert.ok(typeof row.requestId === 'string' && row.requestId.length > 0);
  assert.not.match(JSON.stringify(row), /pagamento/i, 'no message text in the log');
});

test("an office operator's reads of a ticket and of its file, and a search by matricola, are stored with the operator's sede", async () => {
  const userTok = await token({ role: 'worker', sub: 'usr-access-2', province: 'MI', name: 'Luca Neri' });
  const { id, fileHref } = await ticketWithFile(userTok);
  assert.is((await call(userTok, fileHref)).status, 200);
  assert.is((await log('?owner=usr-access-2')).total, 0, "the user's own reads are not recorded");

  const op = await token({ role: 'office', sub: 'op-bianchi', sede: 'SEDE-MI', name: 'Paolo Bianchi' });
  assert.is((await call(op, `/api/v1/tickets/${id}`)).status, 200);
  const file = await call(op, fileHref);
  assert.is(file.status, 200);
  assert.equal(Buffer.from(file.raw.rawPayload), PDF);
  assert.is((await call(op, '/api/v1/tickets?matricola=1234567890')).status, 200);
  assert.is((await call(op, '/api/v1/tickets')).status, 200, 'the work queue itself (no search) is not a search');

  const mine = await log('?actor=op-bianchi');
  assert.equal(mine.items.map((r: Json) => r.action), ['ticket.search', 'attachment.read', 'ticket.read']);
  for (const r of mine.items) assert.equal(r.actor, { id: 'op-bianchi', role: 'office', sede: 'SEDE-MI' });
  const [search, attachment, ticket] = mine.items;
  assert.is(ticket.subjectId, id);
  assert.is(ticket.ownerId, 'usr-access-2');
  assert.is(attachment.ownerId, 'usr-access-2');
  assert.equal(attachment.detail, { ticket: id });
  assert.equal(search, { ...search, subjectId: '1234567890', ownerId: 'matricola:1234567890', detail: { results: 0 } });
  assert.is((await log('?owner=usr-access-2')).total, 2, "a data subject's question is one filter");
  assert.is((await log('?action=ticket.search&actor=op-bianchi')).total, 1);
});

test("a read by someone who may not see the ticket is refused as before and not recorded", async () => {
  const { id } = await ticketWithFile(await token({ role: 'worker', sub: 'usr-access-3', province: 'MI' }));
  const rome = await token({ role: 'office', sub: 'op-roma', sede: 'SEDE-RM' });
  assert.is((await call(rome, `/api/v1/tickets/${id}`)).status, 404);
  assert.is((await log('?actor=op-roma')).total, 0);
});

test('a person sees which office read their request and files, not which employee; only their own, and staff get 403', async () => {
  const userTok = await token({ role: 'worker', sub: 'usr-access-5', province: 'MI' });
  const { id, fileHref } = await ticketWithFile(userTok);
  const other = await ticketWithFile(userTok);
  const op = await token({ role: 'office', sub: 'op-verdi', sede: 'SEDE-MI', name: 'Gino Verdi' });
  assert.is((await call(op, `/api/v1/tickets/${id}`)).status, 200);
  assert.is((await call(op, fileHref)).status, 200);
  assert.is((await call(op, `/api/v1/tickets/${other.id}`)).status, 200);
  assert.is((await call(await supervisor(), `/api/v1/tickets/${id}`)).status, 200);

  const all = await call(userTok, '/api/v1/access-log/mine');
  assert.is(all.status, 200);
  assert.is(all.body!.total, 4);
  const one = await call(userTok, `/api/v1/access-log/mine?ticket=${id}`);
  assert.equal(one.body!.items.map((r: Json) => [r.action, r.ticketId, r.by]), [
    ['ticket.read', id, { role: 'supervisor', sede: null, sedeName: null }],
    ['attachment.read', id, { role: 'office', sede: 'SEDE-MI', sedeName: 'INPS Sede di Milano' }],
    ['ticket.read', id, { role: 'office', sede: 'SEDE-MI', sedeName: 'INPS Sede di Milano' }],
  ]);
  assert.not.match(JSON.stringify(all.body), /op-verdi|sup-rossi|Gino/, 'no employee named');

  const someoneElse = await call(await token({ role: 'worker', sub: 'usr-access-6', province: 'MI' }), `/api/v1/access-log/mine?ticket=${id}`);
  assert.is(someoneElse.status, 200);
  assert.is(someoneElse.body!.total, 0, 'another person sees nothing of it');
  const staff = await call(op, '/api/v1/access-log/mine');
  assert.is(staff.status, 403);
  assert.is((await call(userTok, '/api/v1/access-log/mine?ticket=not-a-uuid')).status, 400);
});

test("a company's employer and its intermediary see the reads of a request an office opened for the matricola, and the searches for it; another company does not", async () => {
  const op = await token({ role: 'office', sub: 'op-neri', sede: 'SEDE-MI' });
  const created = await call(op, '/api/v1/tickets', { method: 'POST', payload: { subject: 'Documenti mancanti', category: 'cigo', body: 'Inviate il modello SR41.', to: { matricola: '7654321098' } } });
  assert.is(created.status, 201, JSON.stringify(created.body));
  assert.is((await call(await supervisor(), `/api/v1/tickets/${created.body!.id}`)).status, 200);
  assert.is((await call(op, '/api/v1/tickets?matricola=7654321098')).status, 200);

  const employer = await call(await token({ role: 'employer', sub: 'emp-acme', matricola: '7654321098', province: 'MI' }), '/api/v1/access-log/mine');
  assert.equal(employer.body!.items.map((r: Json) => [r.action, r.by.role]), [['ticket.search', 'office'], ['ticket.read', 'supervisor']]);
  const consultant = await call(await token({ role: 'intermediary', sub: 'cdl-bruni', matricole: ['1111111111', '7654321098'], province: 'MI' }), `/api/v1/access-log/mine?ticket=${created.body!.id}`);
  assert.is(consultant.body!.total, 1);
  const other = await call(await token({ role: 'employer', sub: 'emp-other', matricola: '1111111111', province: 'MI' }), '/api/v1/access-log/mine');
  assert.is(other.body!.total, 0);
  assert.is((await log('?owner=matricola:7654321098')).total, 2);
});

test('only supervisors read the log; its filters are checked like every query', async () => {
  for (const claims of [{ role: 'office', sub: 'op-x', sede: 'SEDE-MI' }, { role: 'advisor', sub: 'adv-x' }, { role: 'worker', sub: 'usr-x', province: 'MI' }]) {
    const res = await call(await token(claims), '/api/v1/access-log');
    assert.is(res.status, 403, claims.role);
    assert.is(res.body!.error.code, 'forbidden');
  }
  assert.is((await app.inject({ method: 'GET', url: '/api/v1/access-log' })).statusCode, 401);
  const bad = await call(await supervisor(), '/api/v1/access-log?action=ticket.delete');
  assert.is(bad.status, 400);
  assert.is(bad.body!.error.code, 'validation_failed');
  const badDay = await call(await supervisor(), '/api/v1/access-log?from=2026-02-30');
  assert.is(badDay.status, 400);
  // Days are Rome's (the server's time zone): from 23:00 to 24:00 UTC in winter the UTC date is yesterday there.
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());
  assert.ok((await log(`?from=${today}&to=${today}`)).total >= 4, 'a day as from and to covers the whole day');
  assert.is((await log('?to=2020-01-01')).total, 0);
  const page = await log('?pageSize=2&page=2');
  assert.is(page.items.length, 2);
  assert.is(page.page, 2);
});

test('a supervisor exports the log as CSV for an audit, oldest first; the export is itself recorded; nobody else may', async () => {
  const res = await call(await supervisor(), '/api/v1/access-log.csv?actor=op-bianchi');
  assert.is(res.status, 200);
  assert.match(String(res.raw.headers['content-type']), /^text\/csv/);
  assert.match(String(res.raw.headers['content-disposition']), /^attachment; filename="infocig-accessi-\d{4}-\d{2}-\d{2}\.csv"$/);
  const lines = res.raw.body.trimEnd().split('\r\n');
  assert.is(lines[0], 'at,actor_id,actor_role,actor_sede,action,subject_id,owner_id,request_id,detail');
  assert.equal(lines.slice(1).map((l) => l.split(',')[4]), ['ticket.read', 'attachment.read', 'ticket.search'], 'oldest first');
  assert.match(lines[3]!, /,1234567890,matricola:1234567890,[^,]+,"\{""results"":0\}"$/);
  const exports = await log('?action=access_log.export');
  assert.is(exports.total, 1);
  assert.equal(exports.items[0].detail, { rows: 3, filters: 'actor=op-bianchi' });
  assert.is((await call(await token({ role: 'office', sub: 'op-x', sede: 'SEDE-MI' }), '/api/v1/access-log.csv')).status, 403);
  assert.is((await call(await supervisor(), '/api/v1/access-log.csv?page=2')).status, 400, 'no paging in an export');
});

test('when the access cannot be stored nothing is sent (503 access_log_unavailable, Retry-After), and it is sent once it can', async () => {
  const conv = await services.store.createConversation(newConversation({ userId: 'usr-access-4' }));
  await services.db.db.execute('ALTER TABLE access_log RENAME TO access_log_away');
  try {
    const res = await call(await supervisor(), `/api/v1/conversations/${conv.id}`);
    assert.is(res.status, 503);
    assert.is(res.body!.error.code, 'access_log_unavailable');
    assert.is(res.raw.headers['retry-after'], '1');
    assert.not.ok('messages' in res.body!);
  } finally {
    await services.db.db.execute('ALTER TABLE access_log_away RENAME TO access_log');
  }
  assert.is((await call(await supervisor(), `/api/v1/conversations/${conv.id}`)).status, 200);
  assert.is((await log(`?subject=${conv.id}`)).total, 1, 'only the read that was sent is in the log');
});

test('the log cannot be changed or emptied, not even with SQL from the application', async () => {
  for (const statement of ['UPDATE access_log SET actor_id = $$someone-else$$', 'DELETE FROM access_log', 'TRUNCATE access_log']) {
    try {
      await services.db.db.execute(statement);
      assert.unreachable(statement);
    } catch (err) {
      assert.match(String((err as Error).message) + String((err as { cause?: Error }).cause?.message ?? ''), /append-only/, statement);
    }
  }
  assert.ok((await log()).total >= 5);
});

test.run();
