/**
 * Transferring a Linea INPS ticket to the competent sede
 * (POST /api/v1/tickets/:id/transfer, GET /api/v1/offices; docs/tickets.md),
 * on the app as services.ts and app.ts build it (app.inject), on a throw-away
 * seeded database (PGlite, or PostgreSQL when DATABASE_URL is set). The clock
 * is a ManualClock; the notice dispatcher is run by hand.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { mailbox } from '../schema/attachment-tables.ts';
import { outbox, ticketAudit } from '../schema/ticket-tables.ts';
import type { Identity } from '../server/auth.ts';
import type { AppError } from '../server/errors.ts';
import { ticketHttpRoutes } from '../server/http-attachments.ts';
import { installErrorHandling } from '../server/http-errors.ts';
import { installValidation } from '../server/http-validation.ts';
import { Retention } from '../server/retention.ts';
import { composeNotice } from '../server/notice-text.ts';
import type { Services } from '../server/services.ts';
import { TicketService } from '../server/ticket-service.ts';
import { createSqlTicketStore } from '../server/ticket-store-sql.ts';
import type { TicketStore } from '../server/ticket-store.ts';
import { newConversation } from './helpers/conversations.ts';
import { injectedApp, injectForm, type InjectedApp, type Json } from './helpers/app.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
/** Monday 2 March 2026, 10:00 in Rome. */
const MONDAY_10 = new Date('2026-03-02T09:00:00.000Z');
const HOUR = 3_600_000;
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const REASON = 'Unità produttiva a Roma: la matricola è gestita dalla sede di Roma';
const clock = new ManualClock(MONDAY_10.getTime());

let whole: InjectedApp;
let services: Services;
let app: FastifyInstance;

test.before(async () => {
  whole = await injectedApp(clock);
  ({ app, services } = whole);
});

test.after(async () => whole?.close());
test.before.each(() => clock.set(MONDAY_10));

const db = () => services.db.db;
const token = (claims: Record<string, unknown>) => whole.token(claims);
const worker = (sub: string, province = 'MI') => token({ role: 'worker', sub, province, name: 'Mario Bianchi' });
const office = (sede: string, sub = `op-${sede}`) => token({ role: 'office', sub, sede, name: `Operatore ${sede}` });

const call: InjectedApp['call'] = (...args) => whole.call(...args);

const transfer = async (tok: string, id: string, body: unknown, on: FastifyInstance = app) => call(tok, 'POST', `/api/v1/tickets/${id}/transfer`, body, on);

/**
 * The ticket routes over a store whose writes (transfer, status change) wait
 * until two have arrived: both requests have read the ticket before either
 * writes, the race at its narrowest, every time.
 */
async function racingApp(): Promise<FastifyInstance> {
  const store = createSqlTicketStore(db());
  let waiting: (() => void)[] = [];
  const bothThere = () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length === 2) for (const go of waiting.splice(0)) go();
    });
  const gated: TicketStore = {
    ...store,
    transfer: async (id, input) => (await bothThere(), store.transfer(id, input)),
    transition: async (id, input) => (await bothThere(), store.transition(id, input)),
  };
  const racing = Fastify({ logger: false });
  installValidation(racing);
  installErrorHandling(racing);
  const tickets = new TicketService({ store: gated, clock });
  await racing.register(ticketHttpRoutes, { auth: services.auth, tickets, access: services.access, attachments: services.attachments, officeName: services.dashboard.officeName });
  await racing.ready();
  return racing;
}

/** A worker's request in Milano, over HTTP, with a PDF. */
async function openWithFile(userId: string): Promise<Json> {
  const form = new FormData();
  form.append('subject', 'Pagamento CIGO di gennaio');
  form.append('category', 'payment');
  form.append('body', 'Non ho ricevuto il pagamento.');
  form.append('files', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'domanda.pdf');
  const res = await injectForm(app, await worker(userId), '/api/v1/tickets', form);
  assert.is(res.statusCode, 201, res.body);
  return res.json() as Json;
}

async function open(userId: string, province = 'MI'): Promise<Json> {
  const res = await call(await worker(userId, province), 'POST', '/api/v1/tickets', { subject: 'Domanda CIGS', category: 'cigs', body: 'Testo.' });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function written(ticketId: string) {
  const audit = await db().select().from(ticketAudit).where(eq(ticketAudit.ticketId, ticketId)).orderBy(ticketAudit.id);
  const notices = await db().select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(outbox.createdAt);
  return { audit, notices };
}

test(`an operator of SEDE-MI transfers a request to SEDE-RM: open again, nobody in charge, same due time, audited with the reason, the user told (${kind})`, async () => {
  const t = await openWithFile('w-transfer');
  const mi = await office('SEDE-MI', 'op-mi');
  assert.is((await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' })).status, 200);
  clock.set(MONDAY_10.getTime() + 2 * HOUR);

  const res = await transfer(mi, t.id, { sede: 'SEDE-RM', reason: `  ${REASON}  ` });
  assert.is(res.status, 200, JSON.stringify(res.body));
  assert.is(res.body.sede, 'SEDE-RM');
  assert.is(res.body.sedeName, 'INPS Sede di Roma');
  assert.is(res.body.status, 'open');
  assert.is(res.body.takenBy, null);
  assert.is(res.body.takenAt, null);
  assert.is(res.body.dueAt, t.dueAt, 'the promise to the citizen does not restart');
  assert.is(res.body.updatedAt, new Date(MONDAY_10.getTime() + 2 * HOUR).toISOString());

  const { audit, notices } = await written(t.id);
  const last = audit.at(-1)!;
  assert.is(last.action, 'transferred');
  assert.is(last.actorId, 'op-mi');
  assert.equal(last.detail, { from: 'SEDE-MI', to: 'SEDE-RM', reason: REASON, actorName: 'Operatore SEDE-MI' });
  const notice = notices.at(-1)!;
  assert.is(notice.kind, 'transferred');
  assert.is(notice.recipientKind, 'user');
  assert.is(notice.recipientId, 'w-transfer');
  assert.is(notice.payload.sede, 'SEDE-RM');
  assert.not.ok(JSON.stringify(notice.payload).includes('Unità produttiva'), 'a notice carries nothing of the reason');

  await services.notices.runOnce();
  const [sent] = await db().select().from(mailbox).where(eq(mailbox.id, notice.id));
  assert.ok(sent, 'delivered to the local mailbox');
  assert.is(sent!.recipient, 'utente:w-transfer');
  assert.is(sent!.subject, `INFO CIG – Richiesta ${t.protocol} trasferita`);
  assert.ok(sent!.body.includes(`La sua richiesta Linea INPS n. ${t.protocol} è stata trasferita per competenza a INPS Sede di Roma.`), sent!.body);
  assert.not.ok(sent!.body.includes('Unità produttiva'));
});

test('after a transfer the new sede sees the request, its files and its history; the old sede is told it was transferred (409 ticket_transferred), not 404; the user sees the new sede', async () => {
  const t = await openWithFile('w-moved');
  const [mi, rm, user] = [await office('SEDE-MI'), await office('SEDE-RM'), await worker('w-moved')];
  assert.is((await transfer(mi, t.id, { sede: 'SEDE-RM', reason: REASON })).status, 200);

  const rmList = await call(rm, 'GET', '/api/v1/tickets?pageSize=100');
  assert.ok(rmList.body.items.some((x: Json) => x.id === t.id), 'in the new sede’s list');
  const miList = await call(mi, 'GET', '/api/v1/tickets?pageSize=100');
  assert.not.ok(miList.body.items.some((x: Json) => x.id === t.id), 'gone from the old sede’s list');

  const detail = await call(rm, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(detail.status, 200);
  const moved = detail.body.audit.find((a: Json) => a.action === 'transferred');
  assert.equal(moved.detail, { from: 'SEDE-MI', to: 'SEDE-RM', reason: REASON });
  const href = detail.body.replies[0].attachments[0].href as string;
  assert.is((await app.inject({ method: 'GET', url: href, headers: { authorization: `Bearer ${rm}` } })).statusCode, 200);

  // The sede that had it hears where it went (its console says so), and gets nothing of it; an absent id is still not_found.
  const absent = await call(mi, 'GET', `/api/v1/tickets/${randomUUID()}`);
  assert.equal([absent.status, absent.body.error.code], [404, 'not_found']);
  const refusals = [
    await call(mi, 'GET', `/api/v1/tickets/${t.id}`),
    await call(mi, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Ancora io' }),
    await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' }),
    await transfer(mi, t.id, { sede: 'SEDE-NA', reason: REASON }),
    await call(mi, 'POST', `/api/v1/tickets/${t.id}/notes`, { body: 'Ancora io' }),
  ];
  const file = await app.inject({ method: 'GET', url: href, headers: { authorization: `Bearer ${mi}` } });
  refusals.push({ status: file.statusCode, body: file.json() as Json, raw: file.body });
  for (const r of refusals) assert.equal([r.status, r.body.error.code], [409, 'ticket_transferred']);
  // A sede that never had it learns nothing: the not_found of an absent id.
  const na = await call(await office('SEDE-NA'), 'GET', `/api/v1/tickets/${t.id}`);
  assert.equal([na.status, na.body], [absent.status, absent.body]);

  const mine = await call(user, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(mine.body.sedeName, 'INPS Sede di Roma');
  assert.is(mine.body.audit, undefined, 'the user does not get the audit trail (nor the reason)');
  assert.is((await call(rm, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' })).status, 200, 'the new sede takes it in charge');
});

test('the transcript of an escalated chat follows the ticket to the new sede', async () => {
  const conv = await services.store.createConversation(newConversation({ userId: 'w-chat', province: 'BO', openedAt: MONDAY_10 }));
  await services.store.appendMessage({ conversationId: conv.id, senderId: 'w-chat', senderRole: 'worker', clientMsgId: 'm1', text: 'La mia azienda è a Modena' });
  const advisor = { sub: conv.advisorId, role: 'advisor', name: 'Giulia Rossi' } as Identity;
  const transcript = await services.store.messagesAfter(conv.id, 0, 100);
  const t = await services.tickets.createFromEscalation({ conversation: conv, summary: 'Da verificare', advisor, transcript });
  assert.is(t.sede, 'SEDE-BO');
  assert.is((await transfer(await office('SEDE-BO'), t.id, { sede: 'SEDE-MO', reason: 'Azienda di Modena' })).status, 200);
  const detail = await call(await office('SEDE-MO'), 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(detail.status, 200);
  assert.equal(detail.body.transcript.map((m: Json) => m.text), ['La mia azienda è a Modena']);
  assert.is((await call(await office('SEDE-BO'), 'GET', `/api/v1/tickets/${t.id}`)).status, 409);
});

test('refusals change nothing: another sede 404, supervisor and user 403, closed 409, unknown or same sede 400, reason missing, blank or too long 400', async () => {
  const t = await open('w-refused');
  const mi = await office('SEDE-MI');
  const before = await written(t.id);
  const absent = await call(mi, 'POST', `/api/v1/tickets/${randomUUID()}/transfer`, { sede: 'SEDE-RM', reason: REASON });
  const other = await transfer(await office('SEDE-RM'), t.id, { sede: 'SEDE-NA', reason: REASON });
  assert.equal([other.status, other.body], [absent.status, absent.body], 'another sede: the same 404 as an absent ticket');
  assert.is(absent.status, 404);
  const cases: [string, unknown, number, string][] = [
    [await token({ role: 'supervisor', sub: 'sup-1' }), { sede: 'SEDE-RM', reason: REASON }, 403, 'forbidden'],
    [await worker('w-refused'), { sede: 'SEDE-RM', reason: REASON }, 403, 'forbidden'],
    [mi, { sede: 'SEDE-XX', reason: REASON }, 400, 'unknown_sede'],
    [mi, { sede: 'SEDE-MI', reason: REASON }, 400, 'same_sede'],
    [mi, { sede: 'SEDE-RM' }, 400, 'validation_failed'],
    [mi, { sede: 'SEDE-RM', reason: '' }, 400, 'validation_failed'],
    [mi, { sede: 'SEDE-RM', reason: '   \n ' }, 400, 'validation_failed'],
    [mi, { sede: 'SEDE-RM', reason: 'x'.repeat(1001) }, 400, 'validation_failed'],
    [mi, { sede: 'SEDE-RM', reason: REASON, status: 'open' }, 400, 'validation_failed'],
  ];
  for (const [tok, body, status, code] of cases) {
    const res = await transfer(tok, t.id, body);
    assert.equal([res.status, res.body.error?.code], [status, code], JSON.stringify(body));
  }
  assert.is((await call(null, 'POST', `/api/v1/tickets/${t.id}/transfer`, { sede: 'SEDE-RM', reason: REASON })).status, 401);
  assert.is((await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Pratica definita' })).status, 200);
  const closed = await transfer(mi, t.id, { sede: 'SEDE-RM', reason: REASON });
  assert.equal([closed.status, closed.body.error.code], [409, 'ticket_closed']);
  const after = await written(t.id);
  assert.equal(after.audit.map((a) => a.action), [...before.audit.map((a) => a.action), 'closed']);
  assert.equal(after.notices.map((n) => n.kind), [...before.notices.map((n) => n.kind), 'closed']);
  assert.is((await call(mi, 'GET', `/api/v1/tickets/${t.id}`)).body.sede, 'SEDE-MI');
});

test('two operators transferring the same request at once: exactly one wins, the other gets 409 ticket_transferred', async () => {
  const t = await open('w-race');
  const racing = await racingApp();
  const [a, b] = await Promise.all([
    transfer(await office('SEDE-MI', 'op-a'), t.id, { sede: 'SEDE-RM', reason: 'Roma' }, racing),
    transfer(await office('SEDE-MI', 'op-b'), t.id, { sede: 'SEDE-NA', reason: 'Napoli' }, racing),
  ]);
  await racing.close();
  const statuses = [a.status, b.status].sort();
  assert.equal(statuses, [200, 409]);
  const loser = a.status === 409 ? a : b;
  const winner = a.status === 200 ? a : b;
  assert.is(loser.body.error.code, 'ticket_transferred');
  const { audit, notices } = await written(t.id);
  assert.is(audit.filter((x) => x.action === 'transferred').length, 1);
  assert.is(notices.filter((x) => x.kind === 'transferred').length, 1);
  assert.is((await call(await office(winner.body.sede), 'GET', `/api/v1/tickets/${t.id}`)).status, 200);
});

test('a transfer racing a close: exactly one wins and the loser gets a 409', async () => {
  const racing = await racingApp();
  for (let i = 0; i < 4; i++) {
    const t = await open(`w-close-race-${i}`);
    const mi = await office('SEDE-MI');
    const move = () => transfer(mi, t.id, { sede: 'SEDE-RM', reason: REASON }, racing);
    const close = () => call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Pratica definita' }, racing);
    // Sent in both orders, so either may reach the database first.
    const [moved, closed] = i % 2 === 0 ? await Promise.all([move(), close()]) : (await Promise.all([close(), move()])).reverse();
    assert.equal([moved!.status, closed!.status].sort(), [200, 409]);
    const row = (await createSqlTicketStore(db()).get(t.id))!;
    if (moved!.status === 200) {
      assert.is(closed!.body.error.code, 'ticket_transferred');
      assert.equal([row.sede, row.status], ['SEDE-RM', 'open']);
    } else {
      assert.is(moved!.body.error.code, 'ticket_closed');
      assert.equal([row.sede, row.status], ['SEDE-MI', 'closed']);
    }
  }
  await racing.close();
});

test('an office action that read the ticket before a transfer committed is not applied after it (ticket_transferred)', async () => {
  const store = createSqlTicketStore(db());
  const t = await open('w-stale');
  const before = (await store.get(t.id))!;
  // The first read (the visibility check) sees the ticket as it was: the transfer commits in between.
  let stale = true;
  const service = new TicketService({ store: { ...store, get: async (id) => (stale ? ((stale = false), before) : store.get(id)) }, clock });
  assert.is((await transfer(await office('SEDE-MI'), t.id, { sede: 'SEDE-RM', reason: REASON })).status, 200);
  const mi = { sub: 'op-late', role: 'office', sede: 'SEDE-MI', name: null, matricole: [] } as unknown as Identity;
  const err = await service.changeStatus(mi, t.id, { status: 'closed', outcome: 'Pratica definita' }).catch((e: AppError) => e);
  assert.is((err as AppError).code, 'ticket_transferred');
  stale = true;
  const late = await service.reply(mi, t.id, 'Risposta tardiva').catch((e: AppError) => e);
  assert.is((late as AppError).code, 'ticket_transferred');
  const now = (await store.get(t.id))!;
  assert.equal([now.sede, now.status, now.lastReplySeq], ['SEDE-RM', 'open', 1]);
});

test('GET /api/v1/offices lists every office by name for staff; users and advisors get 403', async () => {
  const res = await call(await office('SEDE-MI'), 'GET', '/api/v1/offices');
  assert.is(res.status, 200);
  const items = res.body.items as { code: string; name: string }[];
  assert.ok(items.length > 100, `one office per province (${items.length})`);
  assert.ok(items.some((o) => o.code === 'SEDE-RM' && o.name === 'INPS Sede di Roma'));
  const names = items.map((o) => o.name);
  assert.equal(names, [...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  assert.is((await call(await token({ role: 'supervisor', sub: 'sup-1' }), 'GET', '/api/v1/offices')).status, 200);
  assert.is((await call(await worker('w-offices'), 'GET', '/api/v1/offices')).body.error.code, 'forbidden');
  assert.is((await call(await token({ role: 'advisor', sub: 'adv-1' }), 'GET', '/api/v1/offices')).status, 403);
  assert.is((await call(null, 'GET', '/api/v1/offices')).status, 401);
});

test('the transfer notice: where it went, never why; an interlocuzione is a "comunicazione"', () => {
  const base = { kind: 'transferred', recipientKind: 'user', protocol: 'LINPS-2026-000042', sedeName: 'INPS Sede di Roma', dueAt: null, withdrawn: false, link: 'https://x.example/' } as const;
  const user = composeNotice({ ...base, interlocuzione: false });
  assert.is(user.subject, 'INFO CIG – Richiesta LINPS-2026-000042 trasferita');
  assert.match(user.text, /^Gentile utente,\n\nLa sua richiesta Linea INPS n\. LINPS-2026-000042 è stata trasferita per competenza a INPS Sede di Roma\.\nTrova i dettagli accedendo a INFO CIG: https:\/\/x\.example\/\n/);
  const letter = composeNotice({ ...base, interlocuzione: true, sms: true });
  assert.is(letter.text, 'INFO CIG: La comunicazione n. LINPS-2026-000042 è stata trasferita per competenza a INPS Sede di Roma. Trova i dettagli accedendo a INFO CIG: https://x.example/');
});

test('a request transferred on and then erased by retention answers the sede that had it not_found, as one that never existed', async () => {
  const t = await open('w-erased');
  const [mi, rm] = [await office('SEDE-MI'), await office('SEDE-RM')];
  assert.is((await transfer(mi, t.id, { sede: 'SEDE-RM', reason: REASON })).status, 200);
  assert.is((await call(rm, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Pratica definita' })).status, 200);
  assert.is((await call(mi, 'GET', `/api/v1/tickets/${t.id}`)).body.error.code, 'ticket_transferred', 'before the sweep');
  // Last in this file: the sweep erases every request closed before its cut-off.
  const later = new ManualClock(MONDAY_10.getTime() + 100 * 24 * HOUR);
  const erased = await new Retention({ db: db(), clock: later, days: 90, log: pino({ level: 'silent' }) }).sweep();
  assert.ok(erased.tickets >= 1);
  for (const r of [await call(mi, 'GET', `/api/v1/tickets/${t.id}`), await call(mi, 'POST', `/api/v1/tickets/${t.id}/notes`, { body: 'Ancora io' })]) {
    assert.equal([r.status, r.body.error.code], [404, 'not_found']);
  }
});

test.run();
