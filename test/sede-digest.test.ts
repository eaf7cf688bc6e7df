/**
 * The sedi's morning digest (server/sede-digest.ts): on a working morning each
 * sede with unanswered Linea INPS requests overdue or due that day gets one
 * notice listing their protocol numbers, delivered like every notice; written
 * once however many nodes run the timer; none on days the sede is closed; a
 * node started in the morning catches up, one started in the evening does not;
 * retention erases old digests. Tickets are opened over HTTP on a manual clock
 * that only runs forward (test/helpers/notice-api.ts). PGlite, or PostgreSQL
 * when DATABASE_URL is set.
 */
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mailbox } from '../schema/attachment-tables.ts';
import { outbox } from '../schema/ticket-tables.ts';
import { loadConfig } from '../server/config.ts';
import { Retention } from '../server/retention.ts';
import { enqueueDigests, scheduleSedeDigests, type DigestPayload } from '../server/sede-digest.ts';
import { noticeApi } from './helpers/notice-api.ts';

const DEV = { AUTH_DEV: '1' };
const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const api = noticeApi(test);
const { clock, smtp, dispatcher, call, workerToken, officeToken, open, drainOthers } = api;

/** Moves the suite's clock forward to an instant (it never goes back). */
function at(iso: string): void {
  const target = Date.parse(iso);
  assert.ok(target >= clock.now(), `the clock only runs forward: ${iso}`);
  clock.advance(target - clock.now());
}

const digestRows = () => api.database.db.select().from(outbox).where(eq(outbox.kind, 'digest')).orderBy(outbox.recipientId, outbox.createdAt);
const payloadOf = (row: { payload: Record<string, unknown> }) => row.payload as unknown as DigestPayload;

test(`each sede gets one digest of its unanswered requests overdue or due that day, the most urgent first, with protocol numbers only (${kind})`, async () => {
  await drainOthers();
  // Monday 2 March 2026, 10:00: three requests to Milano, one to Roma; all due Wednesday 4 March at 10:00.
  const mi = await Promise.all(['w-d1', 'w-d2', 'w-d3'].map(async (sub) => open(await workerToken(sub))));
  const rm = await open(await workerToken('w-d4', { province: 'RM' }));
  const office = await officeToken('SEDE-MI');
  at('2026-03-02T10:00:00Z');
  assert.is((await call(office, 'POST', `/api/v1/tickets/${mi[1]!.id}/replies`, { body: 'Risposta della sede.' })).status, 201, 'answered: not the sede’s to chase');
  assert.is((await call(office, 'PATCH', `/api/v1/tickets/${mi[2]!.id}`, { status: 'in_progress' })).status, 200, 'in progress but unanswered: still listed');

  at('2026-03-03T07:30:00Z'); // Tuesday 08:30: nothing is due before Wednesday
  assert.is(await enqueueDigests(api.database.db, clock), 0, 'nothing due today, no digest');

  at('2026-03-04T07:30:00Z'); // Wednesday 08:30
  assert.is(await enqueueDigests(api.database.db, clock), 2);
  const rows = await digestRows();
  assert.equal(rows.map((r) => [r.recipientKind, r.recipientId, r.ticketId]), [['sede', 'SEDE-MI', null], ['sede', 'SEDE-RM', null]]);
  const milano = payloadOf(rows[0]!);
  assert.equal({ ...milano, items: milano.items.map((i) => i.protocol) }, { day: '2026-03-04', overdue: 0, dueToday: 2, items: [mi[0]!.protocol, mi[2]!.protocol].sort() });
  assert.equal(payloadOf(rows[1]!).items.map((i) => i.protocol), [rm.protocol]);

  await dispatcher().runOnce(); // the tickets' own notices go too
  assert.ok((await digestRows()).every((r) => r.sentAt !== null && r.attempts === 1), 'both digests sent, at the first attempt');
  const [mail] = smtp.byId(rows[0]!.id);
  assert.ok(mail, 'the digest to Milano went out by e-mail');
  assert.equal(mail.to, ['sede.mi@inps.example']);
  assert.is(mail.subject, 'INFO CIG – INPS Sede di Milano: richieste 2 in scadenza oggi');
  for (const t of [mi[0]!, mi[2]!]) assert.match(mail.text, `${t.protocol} – scade mercoledì 4 marzo 2026 alle 10:00`);
  assert.not.match(mail.text, mi[1]!.protocol, 'the answered request is not listed');
  assert.not.match(mail.text, rm.protocol, 'another sede’s request is not listed');
  assert.match(mail.text, 'https://info-cig.example/office/');
  for (const secret of ['Pagamento CIGO', 'Testo riservato', 'Mario Bianchi']) assert.not.ok(mail.raw.includes(secret), `the digest leaks "${secret}"`);

  at('2026-03-05T07:30:00Z'); // Thursday 08:30: the two are now overdue
  assert.is(await enqueueDigests(api.database.db, clock), 2, 'a new day, new digests');
  const thursday = (await digestRows()).filter((r) => payloadOf(r).day === '2026-03-05');
  assert.equal(thursday.map((r) => [r.recipientId, payloadOf(r).overdue, payloadOf(r).dueToday]), [['SEDE-MI', 2, 0], ['SEDE-RM', 1, 0]]);
  await dispatcher().runOnce();
  const [late] = smtp.byId(thursday[0]!.id);
  assert.is(late!.subject, 'INFO CIG – INPS Sede di Milano: richieste 2 in ritardo');
  assert.match(late!.text, `${mi[0]!.protocol} – scaduta mercoledì 4 marzo 2026 alle 10:00`);
});

test('several nodes writing the same morning write one digest per sede', async () => {
  at('2026-03-06T07:30:00Z'); // Friday 08:30: Milano and Roma still have overdue requests
  const written = await Promise.all([1, 2, 3, 4].map(() => enqueueDigests(api.database.db, clock)));
  assert.is(written.reduce((a, b) => a + b, 0), 2, `written by the four: ${written}`);
  const friday = (await digestRows()).filter((r) => payloadOf(r).day === '2026-03-06');
  assert.equal(friday.map((r) => r.recipientId), ['SEDE-MI', 'SEDE-RM']);
  await dispatcher({ email: null }).runOnce(); // without SMTP: to the local mailbox, under the sede's address
  const copies = await api.database.db.select().from(mailbox).where(eq(mailbox.kind, 'digest'));
  assert.equal(copies.map((c) => [c.recipient, c.ticketId]).sort(), [['sede.mi@inps.example', null], ['sede.rm@inps.example', null]]);
});

test('no digest on a Saturday, a national holiday or the patron day of the sede’s city', async () => {
  await drainOthers();
  at('2026-03-07T07:30:00Z'); // Saturday
  assert.is(await enqueueDigests(api.database.db, clock), 0, 'Saturday');
  at('2026-04-06T06:30:00Z'); // Easter Monday 2026, 08:30 summer time
  assert.is(await enqueueDigests(api.database.db, clock), 0, 'Easter Monday');
  at('2026-12-07T07:30:00Z'); // Monday 7 December: Sant'Ambrogio, Milano's patron day
  assert.is(await enqueueDigests(api.database.db, clock), 1);
  const monday = (await digestRows()).filter((r) => payloadOf(r).day === '2026-12-07');
  assert.equal(monday.map((r) => r.recipientId), ['SEDE-RM'], 'Roma works, Milano does not');
  at('2026-12-08T07:30:00Z'); // the Immacolata
  assert.is(await enqueueDigests(api.database.db, clock), 0, '8 December');
});

test('a node started on a working morning writes the digest it missed; one started in the evening leaves it to the next morning', async () => {
  at('2026-12-09T17:00:00Z'); // Wednesday 18:00
  const evening = scheduleSedeDigests({ db: api.database.db, clock, at: '08:30' });
  assert.is(evening.caughtUp, null, 'no catch-up at 18:00');
  assert.is(evening.nextAt?.toISOString(), '2026-12-10T07:30:00.000Z', 'next: Thursday 08:30');
  evening.stop();
  assert.is((await digestRows()).filter((r) => payloadOf(r).day === '2026-12-09').length, 0);

  at('2026-12-10T09:15:00Z'); // Thursday 10:15, after a deploy
  const morning = scheduleSedeDigests({ db: api.database.db, clock, at: '08:30' });
  await morning.caughtUp;
  morning.stop();
  assert.equal((await digestRows()).filter((r) => payloadOf(r).day === '2026-12-10').map((r) => r.recipientId), ['SEDE-MI', 'SEDE-RM']);
});

test('retention erases digests, and their local-mailbox copies, older than its period', async () => {
  await dispatcher({ email: null }).runOnce();
  const copies = async () => (await api.database.db.select().from(mailbox).where(eq(mailbox.kind, 'digest'))).map((c) => c.deliveredAt.toISOString().slice(0, 7)).sort();
  const days = async () => (await digestRows()).map((r) => payloadOf(r).day).sort();
  assert.equal(await copies(), ['2026-03', '2026-03', '2026-12', '2026-12', '2026-12']);
  assert.equal(await days(), ['2026-03-04', '2026-03-04', '2026-03-05', '2026-03-05', '2026-03-06', '2026-03-06', '2026-12-07', '2026-12-10', '2026-12-10']);
  const retention = new Retention({ db: api.database.db, clock, days: 180, log: pino({ level: 'silent' }) });
  const erased = await retention.sweep();
  assert.is(erased.digests, 8, 'six outbox rows and two mailbox copies');
  assert.equal(await days(), ['2026-12-07', '2026-12-10', '2026-12-10'], 'March digests are gone, December ones stay');
  assert.equal(await copies(), ['2026-12', '2026-12', '2026-12']);
});

test('SEDE_DIGEST_AT is a local time or off; anything else stops the start with a clear message', () => {
  assert.is(loadConfig(DEV).notices.digestAt, '08:30');
  assert.is(loadConfig({ ...DEV, SEDE_DIGEST_AT: '07:45' }).notices.digestAt, '07:45');
  assert.is(loadConfig({ ...DEV, SEDE_DIGEST_AT: 'off' }).notices.digestAt, null);
  for (const bad of ['8:30', '24:00', 'morning', '08:30:00']) {
    assert.throws(() => loadConfig({ ...DEV, SEDE_DIGEST_AT: bad }), (e: Error) => /Invalid configuration SEDE_DIGEST_AT: expected a local time HH:MM/.test(e.message), bad);
  }
});

test.run();
