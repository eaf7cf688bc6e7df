/**
 * Retention (RETENTION_DAYS, docs/retention.md): what was closed before the
 * cut-off is erased with all that hangs on it; open chats and tickets never
 * are; an escalated chat lasts as long as its ticket; a contact goes once its
 * person has nothing left. The clock is a ManualClock; the sweep is called.
 */
import { count, eq, inArray, like, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { accessLog } from '../schema/access-tables.ts';
import { attachmentBlobs, mailbox, noticeContacts, ticketAttachments } from '../schema/attachment-tables.ts';
import { conversationWaits } from '../schema/dashboard-tables.ts';
import { conversations, messages } from '../schema/tables.ts';
import { outbox, ticketAudit, ticketReplies, tickets } from '../schema/ticket-tables.ts';
import { buildApp } from '../server/app.ts';
import type { Identity } from '../server/auth.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { Retention } from '../server/retention.ts';
import { createServices, type Services } from '../server/services.ts';
import { newConversation } from './helpers/conversations.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-02T14:00:00Z');
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const clock = new ManualClock(T0);

let database: TestDatabase;
let services: Services;
let app: FastifyInstance;

test.before(async () => {
  database = await testDatabase();
  const config = loadConfig({ AUTH_DEV: '1', SERVICE_HOURS: 'always', LOG_LEVEL: 'silent', RETENTION_DAYS: '90' });
  services = await createServices(config, { db: database, clock, logger: pino({ level: 'silent' }), notices: false, retentionTimer: false });
  app = await buildApp(services);
  await app.ready();
});

test.after(async () => {
  await app?.close();
  await database?.cleanup();
});

const db = () => services.db.db;
const token = (claims: Record<string, unknown>) => services.dev!.issue(claims as never);

async function chat(userId: string, { close = true, escalate = false } = {}) {
  const conv = await services.store.createConversation(newConversation({ userId, openedAt: new Date(clock.now()) }));
  for (const n of [1, 2]) await services.store.appendMessage({ conversationId: conv.id, senderId: userId, senderRole: 'worker', clientMsgId: `m${n}`, text: `messaggio ${n}` });
  await db().insert(conversationWaits).values({ conversationId: conv.id, requestedAt: new Date(clock.now() - 60_000), waitMs: 60_000 });
  let ticketId: string | null = null;
  if (escalate) {
    const advisor = { sub: conv.advisorId, role: 'advisor', name: 'Giulia Rossi' } as Identity;
    const transcript = await services.store.messagesAfter(conv.id, 0, 100);
    ticketId = (await services.tickets.createFromEscalation({ conversation: conv, summary: 'Da verificare in sede', advisor, transcript })).id;
  }
  if (close) await services.store.closeConversation(conv.id, { outcome: 'resolved', rating: null, closedBy: userId, at: new Date(clock.now()) });
  return { id: conv.id, ticketId };
}

/** A ticket with a PDF, opened over HTTP by a worker who gives an e-mail address; closed by the office when asked. */
async function ticketWithFile(userId: string, { close = true } = {}) {
  const worker = await token({ role: 'worker', sub: userId, province: 'MI', email: `${userId}@example.it` });
  const fd = new FormData();
  fd.append('subject', 'Pagamento CIGO');
  fd.append('category', 'payment');
  fd.append('body', 'Allego la lettera.');
  fd.append('files', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'lettera.pdf');
  const request = new Request('http://localhost/', { method: 'POST', body: fd });
  const res = await app.inject({ method: 'POST', url: '/api/v1/tickets', payload: Buffer.from(await request.arrayBuffer()), headers: { authorization: `Bearer ${worker}`, 'content-type': request.headers.get('content-type')! } });
  assert.is(res.statusCode, 201, res.body);
  const id = (res.json() as { id: string }).id;
  if (close) await closeTicket(id);
  return id;
}

async function closeTicket(id: string) {
  const office = await token({ role: 'office', sub: 'op-mi', sede: 'SEDE-MI' });
  const res = await app.inject({ method: 'PATCH', url: `/api/v1/tickets/${id}`, headers: { authorization: `Bearer ${office}` }, payload: { status: 'closed', outcome: 'Pratica definita' } });
  assert.is(res.statusCode, 200, res.body);
}

async function rows(table: PgTable, where?: SQL): Promise<number> {
  const [r] = await db().select({ n: count() }).from(table).where(where);
  return Number(r!.n);
}

test('nothing is erased before its time: closed yesterday, or open for a year', async () => {
  await chat('usr-recent');
  const erased = await services.retention!.sweep();
  assert.equal(erased, { tickets: 0, conversations: 0, contacts: 0, digests: 0, accessLog: 0 });
});

test('after the retention period a closed chat and a closed ticket go with their messages, files, notices and audit; the contact of a person with nothing left goes too', async () => {
  clock.set(T0);
  const oldChat = await chat('usr-old');
  const openChat = await chat('usr-still-talking', { close: false });
  const ticket = await ticketWithFile('usr-ticket');
  assert.ok((await rows(ticketAttachments, eq(ticketAttachments.ticketId, ticket))) === 1);
  assert.ok((await rows(outbox, eq(outbox.ticketId, ticket))) >= 1, 'the notices of the ticket');
  assert.is(await rows(noticeContacts, eq(noticeContacts.userId, 'usr-ticket')), 1);
  await db().insert(mailbox).values({ id: crypto.randomUUID(), ticketId: ticket, kind: 'closed', channel: 'inbox', recipient: 'utente:usr-ticket', subject: 's', body: 'b', deliveredAt: new Date(clock.now()) });

  clock.set(T0 + 89 * DAY);
  assert.equal(await services.retention!.sweep(), { tickets: 0, conversations: 0, contacts: 0, digests: 0, accessLog: 0 }, '89 days: all kept');

  clock.set(T0 + 91 * DAY);
  const erased = await services.retention!.sweep();
  assert.is(erased.tickets, 1);
  assert.ok(erased.conversations >= 2, 'the old chat and the one closed "yesterday" in the first test');
  assert.is(erased.contacts, 1);

  assert.is(await rows(conversations, eq(conversations.id, oldChat.id)), 0);
  assert.is(await rows(messages, eq(messages.conversationId, oldChat.id)), 0);
  assert.is(await rows(conversationWaits, eq(conversationWaits.conversationId, oldChat.id)), 0);
  assert.is(await rows(tickets, eq(tickets.id, ticket)), 0);
  for (const [name, table, column] of [['replies', ticketReplies, ticketReplies.ticketId], ['audit', ticketAudit, ticketAudit.ticketId], ['outbox', outbox, outbox.ticketId], ['attachments', ticketAttachments, ticketAttachments.ticketId], ['mailbox', mailbox, mailbox.ticketId]] as const) {
    assert.is(await rows(table, eq(column, ticket)), 0, name);
  }
  assert.is(await rows(attachmentBlobs), 0, 'the file bytes');
  assert.is(await rows(noticeContacts, eq(noticeContacts.userId, 'usr-ticket')), 0);

  assert.is(await rows(conversations, eq(conversations.id, openChat.id)), 1, 'an open chat is never erased');
  assert.is(await rows(messages, eq(messages.conversationId, openChat.id)), 2);
});

test('an escalated chat stays as long as its ticket, then both go in one sweep', async () => {
  clock.set(T0 + 200 * DAY);
  const escalated = await chat('usr-escalated', { escalate: true });
  const ticketId = escalated.ticketId!;
  clock.set(T0 + 400 * DAY);
  assert.equal(await services.retention!.sweep(), { tickets: 0, conversations: 0, contacts: 0, digests: 0, accessLog: 0 }, 'its ticket is still open: the transcript stays');
  const detail = await services.tickets.get({ sub: 'op-mi', role: 'office', sede: 'SEDE-MI' } as Identity, ticketId);
  assert.is(detail.transcript?.length, 2);

  await closeTicket(ticketId);
  clock.set(T0 + 480 * DAY);
  assert.equal(await services.retention!.sweep(), { tickets: 0, conversations: 0, contacts: 0, digests: 0, accessLog: 0 }, 'the ticket closed 80 days ago');
  clock.set(T0 + 491 * DAY);
  assert.equal(await services.retention!.sweep(), { tickets: 1, conversations: 1, contacts: 0, digests: 0, accessLog: 0 });
  assert.is(await rows(conversations, eq(conversations.id, escalated.id)), 0);
  assert.is(await rows(messages, eq(messages.conversationId, escalated.id)), 0);
});

test('a sweep erases in batches until nothing old is left, and two sweeps at once share the work', async () => {
  clock.set(T0 + 600 * DAY);
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) ids.push((await chat(`usr-batch-${i}`)).id);
  clock.set(T0 + 700 * DAY);
  const log = pino({ level: 'silent' });
  const a = new Retention({ db: db(), clock, days: 90, log, batch: 2 });
  const b = new Retention({ db: db(), clock, days: 90, log, batch: 2 });
  const [ea, eb] = await Promise.all([a.sweep(), b.sweep()]);
  assert.is(ea.conversations + eb.conversations, 7, `${ea.conversations} + ${eb.conversations}`);
  assert.is(await rows(conversations, inArray(conversations.id, ids)), 0);
});

test('stopped before its first sweep, it never sweeps: neither the first run nor the hourly one', async () => {
  let sweeps = 0;
  const r = new Retention({ db: db(), clock, days: 90, log: pino({ level: 'silent' }), onErased: () => sweeps++ });
  r.start(60, 20);
  await r.stop();
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.is(sweeps, 0);
  const running = new Retention({ db: db(), clock, days: 90, log: pino({ level: 'silent' }), onErased: () => sweeps++ });
  running.start(10_000, 10);
  await new Promise((resolve) => setTimeout(resolve, 300));
  await running.stop();
  assert.is(sweeps, 1, 'the same set-up left running sweeps once (the check above can fail)');
});

test('the metric counts what was erased', async () => {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  assert.match(res.body, /infocig_retention_erased_total\{kind="conversations"\} [1-9]/);
  assert.match(res.body, /infocig_retention_erased_total\{kind="tickets"\} 2/);
});

test('a day whose chats retention may have erased is not re-taken (its figures would shrink); a recent day is', async () => {
  const supervisor = await token({ role: 'supervisor', sub: 'sup-1' });
  const take = (daysAgo: number) => app.inject({ method: 'POST', url: '/api/v1/dashboard/snapshots', headers: { authorization: `Bearer ${supervisor}` }, payload: { day: new Date(clock.now() - daysAgo * DAY).toISOString().slice(0, 10) } });
  for (const old of [90, 91, 400]) {
    const res = await take(old);
    assert.is(res.statusCode, 409, `${old} days ago`);
    assert.is(res.json().error.code, 'snapshot_day_erased');
  }
  assert.is((await take(88)).statusCode, 201);
});

test('RETENTION_DAYS is whole days from 30 to 3650; absent, nothing is erased', () => {
  for (const bad of ['10', '3651', '90.5', 'novanta', '-1']) {
    assert.throws(() => loadConfig({ AUTH_DEV: '1', RETENTION_DAYS: bad }), (err: unknown) => err instanceof ConfigError && /RETENTION_DAYS/.test(String(err)), bad);
  }
  assert.is(loadConfig({ AUTH_DEV: '1', RETENTION_DAYS: '365' }).retentionDays, 365);
  assert.is(loadConfig({ AUTH_DEV: '1' }).retentionDays, null);
});

/** Access-log rows for subject `sub`, `ages` days old by the real clock (the database's own now() guards the cut). */
async function accessRows(sub: string, ages: number[]) {
  const now = Date.now();
  await db().insert(accessLog).values(ages.map((age, i) => ({
    at: new Date(now - age * DAY), actorId: `op-${i}`, actorRole: 'office', actorSede: 'SEDE-MI', action: 'ticket.read', subjectId: sub, ownerId: 'usr-audit',
  })));
}

const ages = async (sub: string) =>
  (await db().select({ at: accessLog.at }).from(accessLog).where(eq(accessLog.subjectId, sub))).map((r) => Math.round((Date.now() - r.at.getTime()) / DAY)).sort((a, b) => a - b);

test('ACCESS_LOG_RETENTION_DAYS: access-log rows older than the period go in batches, each batch leaving an access_log.erase row; younger rows and chats stay', async () => {
  await accessRows('tkt-audit-1', [400, 366, 364, 200, 10]);
  const now = new ManualClock(Date.now());
  const r = new Retention({ db: db(), clock: now, days: null, accessLogDays: 365, log: pino({ level: 'silent' }), batch: 1 });
  const before = await rows(conversations);
  const erased = await r.sweep();
  assert.equal(await ages('tkt-audit-1'), [10, 200, 364]);
  assert.ok(erased.accessLog >= 2, `${erased.accessLog}`);
  assert.is(erased.conversations + erased.tickets + erased.contacts, 0, 'RETENTION_DAYS unset: chats and tickets are kept');
  assert.is(await rows(conversations), before);
  const cuts = await db().select().from(accessLog).where(eq(accessLog.action, 'access_log.erase'));
  assert.is(cuts.length, erased.accessLog, 'one row per batch of one');
  assert.equal(cuts.map((c) => [c.actorRole, c.detail.rows, c.detail.days]), cuts.map(() => ['system', 1, 365]));
  assert.is(cuts[0]!.detail.before, r.accessLogCutoff()!.toISOString());
  assert.equal(await r.sweep(), { tickets: 0, conversations: 0, contacts: 0, digests: 0, accessLog: 0 }, 'nothing left to erase: no new erase row either');
});

test('the database keeps the access log append-only: no UPDATE or TRUNCATE ever, no DELETE without a named cut-off, none of a row under 180 days old', async () => {
  await accessRows('tkt-audit-2', [500, 100]);
  const refused = async (what: string, run: () => Promise<unknown>) => {
    const err = await run().then(() => null, (e: unknown) => e);
    assert.ok(err, `${what} was allowed`);
    assert.match(String((err as { cause?: unknown }).cause ?? err), /append-only/, what);
  };
  const inCut = (cutDaysAgo: number, statement: SQL) => db().transaction(async (tx) => {
    await tx.execute(sql`select set_config('infocig.access_log_erase_before', ${new Date(Date.now() - cutDaysAgo * DAY).toISOString()}, true)`);
    await tx.execute(statement);
  });
  const sub = sql`subject_id = 'tkt-audit-2'`;
  await refused('a DELETE without a cut-off', () => db().execute(sql`delete from access_log where ${sub}`));
  await refused('a cut-off 30 days ago', () => inCut(30, sql`delete from access_log where ${sub} and at < now() - interval '400 days'`));
  await refused('a row younger than the cut-off', () => inCut(200, sql`delete from access_log where ${sub}`));
  await refused('an UPDATE, even with a cut-off', () => inCut(200, sql`update access_log set actor_id = 'someone-else' where ${sub} and at < now() - interval '400 days'`));
  await refused('TRUNCATE', () => inCut(200, sql`truncate access_log`));
  assert.equal(await ages('tkt-audit-2'), [100, 500], 'nothing changed');
  await inCut(200, sql`delete from access_log where ${sub} and at < now() - interval '400 days'`);
  assert.equal(await ages('tkt-audit-2'), [100], 'the same DELETE inside its cut-off passes (the checks above can fail)');
  const other = await db().select({ n: count() }).from(accessLog).where(like(accessLog.subjectId, 'tkt-audit-%'));
  assert.ok(Number(other[0]!.n) >= 4);
});

test('ACCESS_LOG_RETENTION_DAYS is whole days from 180 to 3650; absent, the access log is kept', () => {
  for (const bad of ['179', '30', '3651', 'sempre']) {
    assert.throws(() => loadConfig({ AUTH_DEV: '1', ACCESS_LOG_RETENTION_DAYS: bad }), (err: unknown) => err instanceof ConfigError && /ACCESS_LOG_RETENTION_DAYS/.test(String(err)), bad);
  }
  assert.is(loadConfig({ AUTH_DEV: '1', ACCESS_LOG_RETENTION_DAYS: '730' }).accessLogRetentionDays, 730);
  assert.is(loadConfig({ AUTH_DEV: '1' }).accessLogRetentionDays, null);
});

test.run();
