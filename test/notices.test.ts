/**
 * Notices: the outbox dispatcher against a real SMTP server (test/helpers/smtp.ts):
 * every notice of a ticket's life arrives exactly once; refusals are retried
 * with a doubling backoff, permanent ones are not, and the last attempt gives
 * up visibly; concurrent dispatchers, a stop mid-run and claims whose lease
 * runs out never send a notice twice. Tickets are made over HTTP
 * (test/helpers/notice-api.ts). PGlite, or PostgreSQL when DATABASE_URL is set.
 */
import { eq, isNull } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { outbox } from '../schema/ticket-tables.ts';
import type { EmailChannel } from '../server/notice-channels.ts';
import type { NoticeDispatcher } from '../server/notices.ts';
import { noticeApi } from './helpers/notice-api.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const SECOND = 1000;
const api = noticeApi(test);
const { clock, smtp, dispatcher, call, workerToken, officeToken, open, outboxOf, drainOthers } = api;

test(`every notice of a ticket's life arrives by e-mail exactly once, and a second run sends nothing (${kind})`, async () => {
  await drainOthers();
  const w = await workerToken('w-life', { email: 'mario.bianchi@example.it' });
  const t = await open(w);
  const mi = await officeToken('SEDE-MI');
  const minute = () => clock.advance(60 * SECOND);
  minute();
  assert.is((await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' })).status, 200);
  minute();
  assert.is((await call(mi, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Risposta riservata della sede.' })).status, 201);
  minute();
  assert.is((await call(w, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Altro testo riservato.' })).status, 201);
  minute();
  assert.is((await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Esito riservato' })).status, 200);

  const d = dispatcher();
  const report = await d.runOnce();
  assert.equal(report, { sent: 5, failed: 0, gaveUp: 0, released: 0 });
  const rows = await outboxOf(t.id);
  assert.equal(rows.map((r) => [r.kind, r.recipientKind]), [
    ['registered', 'user'],
    ['taken_in_charge', 'user'],
    ['replied', 'user'],
    ['replied', 'sede'],
    ['closed', 'user'],
  ]);
  for (const row of rows) {
    assert.ok(row.sentAt, `${row.kind} is marked sent`);
    assert.is(row.attempts, 1);
    assert.is(row.lastError, null);
    const got = smtp.byId(row.id);
    assert.is(got.length, 1, `${row.kind} arrived once`);
    assert.is(got[0]!.notice, row.kind);
    assert.equal(got[0]!.to, [row.recipientKind === 'sede' ? 'sede.mi@inps.example' : 'mario.bianchi@example.it']);
    assert.ok(got[0]!.text.includes(t.protocol), `${row.kind} names the protocol: ${got[0]!.text}`);
    assert.ok(got[0]!.subject.startsWith('INFO CIG – '), got[0]!.subject);
    for (const secret of ['Testo riservato', 'Risposta riservata', 'Altro testo riservato', 'Esito riservato', 'Pagamento CIGO']) {
      assert.not.ok(got[0]!.raw.includes(secret) || got[0]!.text.includes(secret), `${row.kind} leaks "${secret}"`);
    }
  }
  assert.is(smtp.byId(rows[0]!.id)[0]!.subject, `INFO CIG – Richiesta ${t.protocol} registrata`);
  assert.match(smtp.byId(rows[0]!.id)[0]!.text, /assegnata a INPS Sede di Milano\.\nSarà ricontattato entro mercoledì 4 marzo 2026 alle 10:00\./);
  assert.is(smtp.byId(rows[2]!.id)[0]!.subject, `INFO CIG – Nuova risposta alla richiesta ${t.protocol}`);
  assert.is(smtp.byId(rows[4]!.id)[0]!.subject, `INFO CIG – Richiesta ${t.protocol} chiusa`);

  const total = smtp.received.length;
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 });
  clock.advance(24 * 3600 * SECOND);
  assert.equal(await dispatcher().runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 }, 'a new dispatcher finds nothing either');
  assert.is(smtp.received.length, total, 'nothing re-sent');
});

test('a notice the SMTP server first refuses with 451 is retried after the backoff and then arrives once', async () => {
  await drainOthers();
  smtp.refuseFirst = true;
  const t = await open(await workerToken('w-451', { email: 'w451@example.it' }));
  const [row] = await outboxOf(t.id);
  const d = dispatcher();

  assert.equal(await d.runOnce(), { sent: 0, failed: 1, gaveUp: 0, released: 0 });
  let [after] = await outboxOf(t.id);
  assert.is(after!.sentAt, null);
  assert.is(after!.attempts, 1);
  assert.match(after!.lastError ?? '', /451/);
  assert.is(after!.nextAttemptAt?.getTime(), clock.now() + 30 * SECOND, 'first backoff: 30 s');
  assert.is(smtp.byId(row!.id).length, 0);

  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 }, 'not due yet');
  clock.advance(29 * SECOND);
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 }, 'still not due');
  clock.advance(1 * SECOND);
  assert.equal(await d.runOnce(), { sent: 1, failed: 0, gaveUp: 0, released: 0 });
  [after] = await outboxOf(t.id);
  assert.ok(after!.sentAt);
  assert.is(after!.attempts, 2);
  assert.is(after!.lastError, null);
  assert.is(smtp.byId(row!.id).length, 1);

  clock.advance(3600 * SECOND);
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 });
  assert.is(smtp.byId(row!.id).length, 1, 'exactly once');
});

test('backoff doubles from 30 s up to 1 h, and after the last attempt the notice is given up, visibly', async () => {
  const d = dispatcher({ maxAttempts: 4 });
  assert.equal([1, 2, 3, 4, 5, 7, 8, 20].map((n) => d.backoff(n) / SECOND), [30, 60, 120, 240, 480, 1920, 3600, 3600]);
  const jitter = dispatcher({ random: () => 0 });
  assert.is(jitter.backoff(1), 24 * SECOND, '-20 %');

  await drainOthers();
  smtp.refuseAll = true;
  const t = await open(await workerToken('w-giveup', { email: 'giveup@example.it' }));
  const reports = [];
  for (let i = 0; i < 4; i++) {
    reports.push(await d.runOnce());
    clock.advance(3600 * SECOND);
  }
  assert.equal(reports.map((r) => [r.failed, r.gaveUp]), [[1, 0], [1, 0], [1, 0], [0, 1]]);
  const [row] = await outboxOf(t.id);
  assert.is(row!.sentAt, null);
  assert.is(row!.attempts, 4);
  assert.is(row!.nextAttemptAt, null);
  assert.match(row!.lastError ?? '', /^gave up after attempt 4: smtp 451/);
  smtp.refuseAll = false;
  clock.advance(24 * 3600 * SECOND);
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 }, 'a given-up notice is not taken again');
});

test('a permanent refusal (550 for the recipient) is not retried', async () => {
  await drainOthers();
  smtp.rejectRecipients.add('gone@example.it');
  const t = await open(await workerToken('w-550', { email: 'gone@example.it' }));
  const lines: string[] = [];
  const log = { info: (o: object) => void lines.push(JSON.stringify(o)), warn: (o: object) => void lines.push(JSON.stringify(o)), error: (o: object) => void lines.push(JSON.stringify(o)) };
  const d = dispatcher({ log });
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 1, released: 0 });
  const [row] = await outboxOf(t.id);
  assert.is(row!.attempts, d.maxAttempts);
  assert.match(row!.lastError ?? '', /gave up after attempt 1: permanent: smtp 550/);
  assert.ok(lines.length > 0);
  assert.not.ok(lines.some((l) => l.includes('gone@example.it')), `no address in the logs: ${lines.join('\n')}`);
  clock.advance(24 * 3600 * SECOND);
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 });
});

test('two dispatchers draining at once never send the same notice twice', async () => {
  await drainOthers();
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    const t = await open(await workerToken(`w-race-${i}`, { email: `race${i}@example.it` }));
    ids.push((await outboxOf(t.id))[0]!.id);
  }
  const a = dispatcher({ batchSize: 3 });
  const b = dispatcher({ batchSize: 3 });
  const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
  assert.is(ra.sent + rb.sent, 12, JSON.stringify([ra, rb]));
  for (const id of ids) assert.is(smtp.byId(id).length, 1, id);
  assert.is(new Set(smtp.received.map((m) => m.messageId)).size, smtp.received.length, 'no Message-ID twice');
});

test('stopping a dispatcher mid-run delivers the batch it holds and claims no more: the rest stay pending, unclaimed', async () => {
  await drainOthers();
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const t = await open(await workerToken(`w-stop-${i}`, { email: `stop${i}@example.it` }));
    ids.push((await outboxOf(t.id))[0]!.id);
  }
  let stopping: Promise<void> | null = null;
  let d: NoticeDispatcher;
  const stopOnFirstSend: EmailChannel = {
    name: 'stop-on-first-send',
    send: async (notice) => {
      stopping ??= d.stop();
      await api.email.send(notice);
    },
    close: async () => {},
  };
  d = dispatcher({ batchSize: 2, email: stopOnFirstSend });
  const report = await d.runOnce();
  await stopping;
  assert.equal(report, { sent: 2, failed: 0, gaveUp: 0, released: 0 });
  const pending = await api.database.db.select().from(outbox).where(isNull(outbox.sentAt));
  assert.is(pending.length, 4);
  for (const row of pending) assert.equal([ids.includes(row.id), row.attempts], [true, 0], 'pending and never claimed');
});

test('a claimed notice stays with its claimer until the lease runs out; then another dispatcher sends it (the crash window)', async () => {
  await drainOthers();
  const t = await open(await workerToken('w-lease', { email: 'lease@example.it' }));
  const [row] = await outboxOf(t.id);
  // A dispatcher claimed it (attempt 1, lease 5 min) and died before sending.
  await api.database.db.update(outbox).set({ attempts: 1, nextAttemptAt: new Date(clock.now() + 5 * 60 * SECOND) }).where(eq(outbox.id, row!.id));
  const d = dispatcher();
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 });
  clock.advance(5 * 60 * SECOND);
  assert.equal(await d.runOnce(), { sent: 1, failed: 0, gaveUp: 0, released: 0 });
  const [after] = await outboxOf(t.id);
  assert.is(after!.attempts, 2);
  assert.is(smtp.byId(row!.id).length, 1);
});

test('a claim whose lease would run out before its send is given back untouched', async () => {
  await drainOthers();
  const first = await open(await workerToken('w-short', { email: 'short@example.it' }));
  clock.advance(SECOND);
  const second = await open(await workerToken('w-short-2', { email: 'short2@example.it' }));
  // Each send takes 10 s of the 60 s lease; a send may need 55 s: after the first, the second is given back.
  const slow: EmailChannel = {
    name: 'slow',
    send: async (n) => {
      clock.advance(10 * SECOND);
      await api.email.send(n);
    },
    close: async () => {},
  };
  const report = await dispatcher({ email: slow, leaseMs: 60 * SECOND, sendBudgetMs: 55 * SECOND }).runOnce();
  assert.equal(report, { sent: 1, failed: 0, gaveUp: 0, released: 1 });
  assert.ok((await outboxOf(first.id))[0]!.sentAt);
  const [back] = await outboxOf(second.id);
  assert.is(back!.sentAt, null);
  assert.is(back!.attempts, 0, 'the attempt is given back');
  assert.is(back!.nextAttemptAt, null, 'due again at once');
  assert.equal(await dispatcher().runOnce(), { sent: 1, failed: 0, gaveUp: 0, released: 0 });
  assert.is((await outboxOf(second.id))[0]!.attempts, 1);
  assert.is(smtp.byId(back!.id).length, 1);
});

// ---------------------------------------------------------------------------
// The local mailbox, SMS and where notices go

test.run();
