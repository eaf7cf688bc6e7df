/**
 * Notices without SMTP and where they go: the local mailbox (exactly once,
 * also when a lease is taken over mid-delivery) and its page GET /mailbox/,
 * SMS for a user with only a phone number, and the contacts taken from the
 * token when a ticket is opened. Tickets are made over HTTP with tokens of the
 * suite's key (test/helpers/notice-api.ts). PGlite, or PostgreSQL when
 * DATABASE_URL is set.
 */
import { and, eq, sql } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mailbox, noticeContacts } from '../schema/attachment-tables.ts';
import { offices } from '../schema/tables.ts';
import { outbox, tickets as ticketsTable } from '../schema/ticket-tables.ts';
import { LocalMailbox, MemorySmsChannel } from '../server/notice-channels.ts';
import { noticeApi, type Json } from './helpers/notice-api.ts';

const SECOND = 1000;
const api = noticeApi(test);
const { clock, smtp, sign, dispatcher, call, workerToken, officeToken, open, outboxOf, drainOthers } = api;

test('without SMTP, notices land in the local mailbox exactly once: e-mail addresses, users without one, matricole, sedi', async () => {
  await drainOthers();
  const withMail = await open(await workerToken('w-local-mail', { email: 'locale@example.it' }));
  const without = await open(await workerToken('w-local-none'));
  const ve = await officeToken('SEDE-VE');
  const toCompany = await call(ve, 'POST', '/api/v1/tickets', { subject: 'Documenti', category: 'cigo', body: 'Riservato.', to: { matricola: '7700000123' } });
  assert.is(toCompany.status, 201);
  await api.database.db.update(offices).set({ email: null }).where(eq(offices.code, 'SEDE-VE'));
  const employer = await sign({ sub: 'emp-local', role: 'employer', province: 'VE', matricola: '7700000123' });
  assert.is((await call(employer, 'POST', `/api/v1/tickets/${toCompany.body.id}/replies`, { body: 'Inviati.' })).status, 201);

  const d = dispatcher({ email: null });
  assert.equal(await d.runOnce(), { sent: 4, failed: 0, gaveUp: 0, released: 0 });
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 });
  assert.is(smtp.received.length, 0, 'nothing went over SMTP');
  const rows = await api.database.db.select().from(mailbox);
  const of = (ticketId: string) => rows.filter((r) => r.ticketId === ticketId).map((r) => [r.kind, r.channel, r.recipient]);
  assert.equal(of(withMail.id), [['registered', 'email', 'locale@example.it']]);
  assert.equal(of(without.id), [['registered', 'inbox', 'utente:w-local-none']]);
  assert.equal(of(toCompany.body.id).sort(), [
    ['registered', 'inbox', 'matricola:7700000123'],
    ['replied', 'inbox', 'sede:SEDE-VE'],
  ]);
  const [company] = rows.filter((r) => r.ticketId === toCompany.body.id && r.kind === 'registered');
  assert.match(company!.subject, new RegExp(`^INFO CIG – Comunicazione ${toCompany.body.protocol} da INPS Sede di Venezia$`));
  for (const r of rows) assert.not.match(r.body, /Riservato|Inviati/);
  // every row of these tickets is marked sent, once
  for (const id of [withMail.id, without.id, toCompany.body.id]) for (const o of await outboxOf(id)) assert.ok(o.sentAt && o.attempts === 1);

  // a mailbox delivered twice (a second dispatcher after a crash) still holds one copy
  const [one] = await outboxOf(without.id);
  await api.database.db.update(outbox).set({ sentAt: null, nextAttemptAt: null }).where(eq(outbox.id, one!.id));
  assert.equal(await d.runOnce(), { sent: 1, failed: 0, gaveUp: 0, released: 0 });
  assert.is((await api.database.db.select().from(mailbox).where(eq(mailbox.id, one!.id))).length, 1);
});

test('a mailbox delivery whose lease was taken over meanwhile is rolled back whole and left to the new holder', async () => {
  await drainOthers();
  const t = await open(await workerToken('w-lost-lease'));
  class TakenOver extends LocalMailbox {
    override async deliver(...args: Parameters<LocalMailbox['deliver']>): Promise<void> {
      await super.deliver(...args);
      // another dispatcher re-claims the row inside this window
      await args[0].update(outbox).set({ attempts: sql`${outbox.attempts} + 1` }).where(eq(outbox.ticketId, t.id));
    }
  }
  const report = await dispatcher({ email: null, mailbox: new TakenOver(api.database.db) }).runOnce();
  assert.equal(report, { sent: 0, failed: 0, gaveUp: 0, released: 1 });
  const [row] = await outboxOf(t.id);
  assert.is(row!.sentAt, null);
  assert.is(row!.attempts, 1, 'the take-over rolled back with the delivery; the claim stands');
  assert.is((await api.database.db.select().from(mailbox).where(eq(mailbox.ticketId, t.id))).length, 0);
  clock.advance(5 * 60 * SECOND);
  assert.equal(await dispatcher({ email: null }).runOnce(), { sent: 1, failed: 0, gaveUp: 0, released: 0 });
  assert.is((await api.database.db.select().from(mailbox).where(eq(mailbox.ticketId, t.id))).length, 1);
});

test('GET /mailbox/ lists the local notices, newest first, escaped; ?to= narrows; the JSON twin says the same', async () => {
  const page = await api.app.inject({ method: 'GET', url: '/mailbox/' });
  assert.is(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(page.body, /<h1>Avvisi consegnati localmente<\/h1>/);
  assert.match(page.body, /utente:w-local-none/);
  assert.match(page.body, /matricola:7700000123/);
  assert.not.match(page.body, /<script|style=/);
  const only = await api.app.inject({ method: 'GET', url: '/mailbox/?to=utente%3Aw-local-none' });
  assert.match(only.body, /1 avviso per utente:w-local-none\./);
  assert.not.match(only.body, /matricola:7700000123<\/a>/);
  const json = await api.app.inject({ method: 'GET', url: '/mailbox/messages.json?to=matricola:7700000123' });
  const items = (json.json() as Json).items as Json[];
  assert.equal(items.map((i) => [i.kind, i.channel]), [['registered', 'inbox']]);
  // a hostile recipient string is shown as text
  const hostile = await api.app.inject({ method: 'GET', url: `/mailbox/?to=${encodeURIComponent('"><img src=x onerror=alert(1)>')}` });
  assert.is(hostile.statusCode, 200);
  assert.not.match(hostile.body, /<img src=x/);
  assert.match(hostile.body, /&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.is((await api.app.inject({ method: 'GET', url: '/mailbox' })).statusCode, 302);
});

test('a user with only a phone number gets an SMS when an SMS channel is set, else the mailbox', async () => {
  await drainOthers();
  const t = await open(await workerToken('w-sms', { phone_number: '+39 333 000 1111' }));
  const sms = new MemorySmsChannel();
  assert.equal(await dispatcher({ sms }).runOnce(), { sent: 1, failed: 0, gaveUp: 0, released: 0 });
  assert.is(sms.sent.length, 1);
  assert.is(sms.sent[0]!.to, '+393330001111');
  assert.ok(sms.sent[0]!.text.startsWith('INFO CIG: ') && sms.sent[0]!.text.includes(t.protocol), sms.sent[0]!.text);
  assert.is(smtp.received.length, 0);
});

test('the contact is taken from the token when a ticket is opened; a later token without it keeps it; unverified ones are ignored', async () => {
  await open(await workerToken('w-contact', { email: 'primo@example.it' }));
  const read = async (userId: string) => (await api.database.db.select().from(noticeContacts).where(eq(noticeContacts.userId, userId)))[0] ?? null;
  assert.is((await read('w-contact'))?.email, 'primo@example.it');
  await open(await workerToken('w-contact'));
  assert.is((await read('w-contact'))?.email, 'primo@example.it');
  await open(await workerToken('w-contact', { email: 'secondo@example.it' }));
  assert.is((await read('w-contact'))?.email, 'secondo@example.it');
  await open(await workerToken('w-unverified', { email: 'x@example.it', email_verified: false }));
  assert.is(await read('w-unverified'), null);
  // a reply does not touch contacts; an office operator never becomes a contact
  const mi = await officeToken('SEDE-MI');
  await call(mi, 'POST', '/api/v1/tickets', { subject: 's', category: 'cigo', body: 'b', to: { userId: 'w-contact' } });
  assert.is(await read('op-SEDE-MI'), null);
  const escalated = await api.database.db.select().from(ticketsTable).where(and(eq(ticketsTable.userId, 'w-contact'), eq(ticketsTable.origin, 'office')));
  assert.is(escalated.length, 1);
});

test.run();
