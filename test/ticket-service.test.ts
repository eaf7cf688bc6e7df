/**
 * TicketService over the SQL store, without HTTP: the SLA calendar, protocol
 * numbers, the transactional outbox, atomicity and races.
 */
import { randomUUID } from 'node:crypto';
import { count, eq, sql } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { patronDayOf } from '../routing/holidays.ts';
import { dueDate } from '../routing/working-hours.ts';
import { seed } from '../schema/seed.ts';
import { outbox, ticketAudit, ticketReplies, tickets as ticketsTable } from '../schema/ticket-tables.ts';
import type { Identity } from '../server/auth.ts';
import type { ConversationRecord } from '../server/chat-store.ts';
import { createSqlChatStore } from '../server/chat-store-sql.ts';
import { AppError } from '../server/errors.ts';
import { TicketService } from '../server/ticket-service.ts';
import type { TicketStore } from '../server/ticket-store.ts';
import { createSqlTicketStore, OFFICE_MAP_TTL_MS } from '../server/ticket-store-sql.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const MONDAY_10 = new Date('2026-03-02T09:00:00.000Z');

let database: TestDatabase;
let store: TicketStore;
let service: TicketService;
const clock = new ManualClock(MONDAY_10.getTime());

test.before(async () => {
  database = await testDatabase();
  await seed(database.db, { demo: false });
  store = createSqlTicketStore(database.db);
  service = new TicketService({ store, clock });
});

test.after(async () => {
  await database?.cleanup();
});

test.before.each(() => {
  clock.set(MONDAY_10);
});

function identity(fields: Partial<Identity> & Pick<Identity, 'sub' | 'role'>): Identity {
  return { name: null, province: null, fiscalCode: null, matricola: null, matricole: [], sede: null, skills: [], lang: null, exp: 0, ...fields };
}

const worker = (sub: string, province = 'MI') => identity({ sub, role: 'worker', province, name: 'Anna Verdi' });
const office = (sede: string, sub = `op-${sede}`) => identity({ sub, role: 'office', sede });

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, AppError, String(err));
    assert.is((err as AppError).code, code);
    return;
  }
  assert.unreachable(`expected AppError(${code})`);
}

async function rejects(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch {
    return;
  }
  assert.unreachable('expected a failure');
}

async function counts(ticketId: string) {
  const [a] = await database.db.select({ n: count() }).from(ticketAudit).where(eq(ticketAudit.ticketId, ticketId));
  const [o] = await database.db.select({ n: count() }).from(outbox).where(eq(outbox.ticketId, ticketId));
  const [r] = await database.db.select({ n: count() }).from(ticketReplies).where(eq(ticketReplies.ticketId, ticketId));
  return { audit: Number(a?.n), outbox: Number(o?.n), replies: Number(r?.n) };
}

async function outboxKinds(ticketId: string): Promise<string[]> {
  const rows = await database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(outbox.createdAt);
  return rows.map((r) => r.kind);
}

const request = { subject: 'Pagamento diretto FIS', category: 'fis' as const, body: 'Quando arriva il pagamento?' };

/** Makes outbox inserts of these kinds fail inside the database, for the duration of `work`. */
async function withFailingOutbox(kinds: string[], work: () => Promise<void>): Promise<void> {
  const list = kinds.map((k) => `'${k}'`).join(', ');
  await database.db.execute(
    sql.raw(`create or replace function test_fail_outbox() returns trigger language plpgsql as $$
      begin if new.kind in (${list}) then raise exception 'outbox unavailable'; end if; return new; end $$`),
  );
  await database.db.execute(sql.raw('create trigger test_fail_outbox before insert on outbox for each row execute function test_fail_outbox()'));
  try {
    await work();
  } finally {
    await database.db.execute(sql.raw('drop trigger if exists test_fail_outbox on outbox'));
  }
}

test(`the due date skips the sede's patron day: a Milano ticket opened Friday 4 December 2026 is due Thursday 10 December (${kind})`, async () => {
  const friday = new Date('2026-12-04T09:00:00Z'); // 10:00 in Milan
  clock.set(friday);
  const t = await service.createByUser(worker('w-patron'), request);
  // Sat 5, Sun 6, Mon 7 (Sant'Ambrogio, Milan only), Tue 8 (Immacolata) do not count
  assert.is(t.dueAt?.toISOString(), '2026-12-10T09:00:00.000Z');
  assert.is(t.dueAt?.getTime(), dueDate(friday, 48, { timeZone: 'Europe/Rome', patronDay: patronDayOf('MI')! }).getTime());
  const rome = await service.createByUser(worker('w-patron-rm', 'RM'), request);
  assert.is(rome.sede, 'SEDE-RM');
  assert.is(rome.dueAt?.toISOString(), '2026-12-09T09:00:00.000Z', 'Rome works on 7 December');
});

test('protocol numbers follow the local year: the first ticket of 2028 is LINPS-2028-000001', async () => {
  clock.set(new Date('2027-12-31T22:30:00Z')); // 23:30 on New Year's Eve in Rome
  const last = await service.createByUser(worker('w-year'), request);
  assert.match(last.protocol, /^LINPS-2027-\d{6}$/);
  clock.set(new Date('2027-12-31T23:30:00Z')); // 00:30 on 1 January 2028 in Rome
  const first = await service.createByUser(worker('w-year'), request);
  assert.is(first.protocol, 'LINPS-2028-000001');
  const second = await service.createByUser(worker('w-year'), request);
  assert.is(second.protocol, 'LINPS-2028-000002');
});

test('each notice-worthy event writes exactly one outbox row, unsent', async () => {
  const t = await service.createByUser(worker('w-outbox'), request);
  assert.equal(await outboxKinds(t.id), ['registered']);
  clock.advance(60_000);
  await service.changeStatus(office('SEDE-MI'), t.id, { status: 'in_progress' });
  assert.equal(await outboxKinds(t.id), ['registered', 'taken_in_charge']);
  clock.advance(60_000);
  await service.reply(office('SEDE-MI'), t.id, 'Verifichiamo.');
  assert.equal(await outboxKinds(t.id), ['registered', 'taken_in_charge', 'replied']);
  clock.advance(60_000);
  await service.changeStatus(office('SEDE-MI'), t.id, { status: 'closed', outcome: 'Pagamento disposto' });
  assert.equal(await outboxKinds(t.id), ['registered', 'taken_in_charge', 'replied', 'closed']);
  const rows = await store.outbox(t.id);
  assert.ok(rows.every((r) => r.sentAt === null && r.attempts === 0));
  assert.equal(rows[3]!.payload, { protocol: t.protocol, subject: t.subject, sede: 'SEDE-MI', status: 'closed', outcome: 'Pagamento disposto' });
});

test('a change that fails half-way writes nothing: no status change, no audit row, no notice', async () => {
  const t = await service.createByUser(worker('w-atomic'), request);
  await service.changeStatus(office('SEDE-MI'), t.id, { status: 'in_progress' });
  const before = await counts(t.id);
  await withFailingOutbox(['closed', 'replied'], async () => {
    await rejects(service.changeStatus(office('SEDE-MI'), t.id, { status: 'closed', outcome: 'Risolto' }));
    await rejects(service.reply(office('SEDE-MI'), t.id, 'Risposta che non deve restare'));
  });
  assert.equal(await counts(t.id), before);
  const current = await store.get(t.id);
  assert.is(current?.status, 'in_progress');
  assert.is(current?.outcome, null);
  assert.is(current?.lastReplySeq, 1);
  assert.is(current?.respondedAt, null);
  const { reply } = await service.reply(office('SEDE-MI'), t.id, 'Ora funziona');
  assert.is(reply.seq, 2, 'the rolled-back reply left no gap');
});

test('a creation that fails writes no ticket, no reply, no audit row and no notice', async () => {
  const [before] = await database.db.select({ n: count() }).from(ticketsTable);
  await withFailingOutbox(['registered'], async () => {
    await rejects(service.createByUser(worker('w-failed-create'), request));
  });
  const [after] = await database.db.select({ n: count() }).from(ticketsTable);
  assert.is(after?.n, before?.n);
  const mine = await service.list(worker('w-failed-create'));
  assert.is(mine.total, 0);
});

test('illegal transitions and replies to closed tickets write no outbox row', async () => {
  const t = await service.createByUser(worker('w-no-notice'), request);
  await service.changeStatus(office('SEDE-MI'), t.id, { status: 'closed', outcome: 'Risolto' });
  const before = await counts(t.id);
  await rejectsWith(service.changeStatus(office('SEDE-MI'), t.id, { status: 'in_progress' }), 'illegal_transition');
  await rejectsWith(service.reply(worker('w-no-notice'), t.id, 'Ancora?'), 'ticket_closed');
  await rejectsWith(service.changeStatus(office('SEDE-MI'), t.id, { status: 'archived' }), 'validation_failed');
  assert.equal(await counts(t.id), before);
});

test('replies sent at the same time are numbered 2, 3, 4 … without gaps', async () => {
  const w = worker('w-concurrent');
  const t = await service.createByUser(w, request);
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => service.reply(i % 2 ? w : office('SEDE-MI'), t.id, `risposta ${i}`)));
  assert.equal(results.map((r) => r.reply.seq).sort((a, b) => a - b), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const replies = await store.replies(t.id);
  assert.equal(replies.map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
});

test('two operators taking the same ticket at once: one wins, the other gets illegal_transition', async () => {
  const t = await service.createByUser(worker('w-race'), request);
  const outcomes = await Promise.allSettled([
    service.changeStatus(office('SEDE-MI', 'op-a'), t.id, { status: 'in_progress' }),
    service.changeStatus(office('SEDE-MI', 'op-b'), t.id, { status: 'in_progress' }),
  ]);
  const won = outcomes.filter((o) => o.status === 'fulfilled');
  const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  assert.is(won.length, 1);
  assert.is(lost.length, 1);
  assert.is((lost[0]!.reason as AppError).code, 'illegal_transition');
  assert.equal(await outboxKinds(t.id), ['registered', 'taken_in_charge']);
  assert.is((await counts(t.id)).audit, 2);
});

async function conversation(fields: Partial<ConversationRecord> = {}): Promise<ConversationRecord> {
  return createSqlChatStore(database.db).createConversation({
    id: randomUUID(),
    // A user of their own each: a user has one open conversation at a time (conversations_one_open_per_user).
    userId: `w-chat-${randomUUID()}`,
    userRole: 'worker',
    userName: 'Paolo Blu',
    province: 'BO',
    audience: 'worker',
    topic: 'cigs',
    entry: 'omnia',
    context: {},
    advisorId: 'adv-chat',
    advisorName: 'Giulia Rossi',
    openedAt: MONDAY_10,
    ...fields,
  });
}

const advisor = identity({ sub: 'adv-chat', role: 'advisor', name: 'Giulia Rossi' });

test('escalating the same chat twice at once creates one ticket', async () => {
  const conv = await conversation();
  const [a, b] = await Promise.all([
    service.createFromEscalation({ conversation: conv, summary: 'Riepilogo', advisor, transcript: [] }),
    service.createFromEscalation({ conversation: conv, summary: 'Riepilogo', advisor, transcript: [] }),
  ]);
  assert.is(a.id, b.id);
  assert.is(a.sede, 'SEDE-BO');
  assert.equal(await outboxKinds(a.id), ['registered']);
  const [n] = await database.db.select({ n: count() }).from(ticketsTable).where(eq(ticketsTable.conversationId, conv.id));
  assert.is(n?.n, 1);
});

test('only the advisor of the conversation may escalate it', async () => {
  const conv = await conversation();
  const other = identity({ sub: 'adv-other', role: 'advisor' });
  await rejectsWith(service.createFromEscalation({ conversation: conv, summary: 'x', advisor: other, transcript: [] }), 'not_found');
  await rejectsWith(service.createFromEscalation({ conversation: conv, summary: 'x', advisor: worker(conv.userId), transcript: [] }), 'not_found');
  await rejectsWith(service.createFromEscalation({ conversation: conv, summary: '   ', advisor, transcript: [] }), 'validation_failed');
  assert.is(await store.byConversation(conv.id), null);
});

test("an employer's escalated chat carries its matricola and is visible to the employer and its intermediary", async () => {
  const conv = await conversation({ userId: 'emp-chat', userRole: 'employer', audience: 'employer', province: 'PD', context: { matricola: '8800000001' } });
  const t = await service.createFromEscalation({ conversation: conv, summary: 'Conguaglio CIGS', advisor, transcript: [] });
  assert.is(t.matricola, '8800000001');
  assert.is(t.sede, 'SEDE-PD');
  const consultant = identity({ sub: 'int-chat', role: 'intermediary', matricole: ['8800000001'] });
  assert.is((await service.get(consultant, t.id)).ticket.id, t.id);
  assert.is((await service.list(consultant)).total, 1);
  // a worker's chat never takes a matricola from its context
  const workerConv = await conversation({ context: { matricola: '8800000001' } });
  const wt = await service.createFromEscalation({ conversation: workerConv, summary: 'Altro', advisor, transcript: [] });
  assert.is(wt.matricola, null);
});

test('input is trimmed and checked at the service too (for callers other than HTTP)', async () => {
  const w = worker('w-input');
  const t = await service.createByUser(w, { ...request, subject: '  Spazi  ', body: ' corpo ' });
  assert.is(t.subject, 'Spazi');
  assert.is((await store.replies(t.id))[0]!.body, 'corpo');
  await rejectsWith(service.createByUser(w, { ...request, subject: '   ' }), 'validation_failed');
  await rejectsWith(service.createByUser(w, { ...request, subject: 'x'.repeat(201) }), 'validation_failed');
  await rejectsWith(service.createByUser(w, { ...request, category: 'bonus' as never }), 'validation_failed');
  await rejectsWith(service.createByUser(identity({ sub: 'w-noprov', role: 'worker' }), request), 'validation_failed');
  await rejectsWith(service.createByUser(office('SEDE-MI'), request), 'forbidden');
  await rejectsWith(service.createByOffice(w, { to: { userId: 'x' }, ...request }), 'forbidden');
  await rejectsWith(service.createByOffice(office('SEDE-MI'), { to: {}, ...request }), 'validation_failed');
  await rejectsWith(service.reply(w, t.id, ''), 'validation_failed');
  await rejectsWith(service.get(w, 'LINPS-2026-000001'), 'not_found');
  await rejectsWith(service.list(w, { page: 0 }), 'validation_failed');
});

test('a province with no competent office is 422 no_competent_office', async () => {
  const onlyHere = createSqlTicketStore(database.db);
  const lonely = new TicketService({ store: { ...onlyHere, sedeOfProvince: async () => null }, clock });
  await rejectsWith(lonely.createByUser(worker('w-lonely'), request), 'no_competent_office');
});

test(`forty creations at once get forty different protocol numbers, each with its first reply, audit row and notice (${kind})`, async () => {
  clock.set(new Date('2029-05-02T08:00:00Z'));
  const made = await Promise.all(Array.from({ length: 40 }, (_, i) => service.createByUser(worker(`w-burst-${i}`), request)));
  const protocols = made.map((t) => t.protocol);
  assert.is(new Set(protocols).size, 40);
  assert.equal([...protocols].sort(), Array.from({ length: 40 }, (_, i) => `LINPS-2029-${String(i + 1).padStart(6, '0')}`));
  for (const t of made) {
    assert.equal(await counts(t.id), { audit: 1, outbox: 1, replies: 1 });
    const [notice] = await store.outbox(t.id);
    assert.equal([notice?.kind, notice?.recipientId, notice?.payload.protocol], ['registered', t.userId, t.protocol]);
    assert.equal(await store.get(t.id), t, 'what the creator was answered is what was stored');
  }
});

test(`a creation that fails among others fails alone: the rest are stored with their notices (${kind})`, async () => {
  await database.db.execute(
    sql.raw(`create or replace function test_fail_ticket() returns trigger language plpgsql as $$
      begin if new.subject = 'rifiutata' then raise exception 'refused'; end if; return new; end $$`),
  );
  await database.db.execute(sql.raw('create trigger test_fail_ticket before insert on tickets for each row execute function test_fail_ticket()'));
  try {
    const attempts = Array.from({ length: 6 }, (_, i) => service.createByUser(worker(`w-mixed-${i}`), i === 3 ? { ...request, subject: 'rifiutata' } : request));
    const settled = await Promise.allSettled(attempts);
    assert.equal(settled.map((s) => s.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    for (const s of settled) if (s.status === 'fulfilled') assert.equal(await counts(s.value.id), { audit: 1, outbox: 1, replies: 1 });
    const [refused] = await database.db.select({ n: count() }).from(ticketsTable).where(eq(ticketsTable.subject, 'rifiutata'));
    assert.is(Number(refused?.n), 0);
  } finally {
    await database.db.execute(sql.raw('drop trigger if exists test_fail_ticket on tickets'));
  }
});

test(`a year whose sequence is missing goes on after the highest number already stored (${kind})`, async () => {
  clock.set(new Date('2031-03-03T09:00:00Z'));
  const first = await service.createByUser(worker('w-seq'), request);
  assert.is(first.protocol, 'LINPS-2031-000001');
  await database.db.update(ticketsTable).set({ protocol: 'LINPS-2031-000041' }).where(eq(ticketsTable.id, first.id));
  await database.db.execute(sql.raw('drop sequence ticket_protocol_2031'));
  const next = await service.createByUser(worker('w-seq'), request);
  assert.is(next.protocol, 'LINPS-2031-000042');
});

test(`a change to the office map reaches new tickets once the remembered answer is ${OFFICE_MAP_TTL_MS / 1000} s old (${kind})`, async () => {
  const mapped = createSqlTicketStore(database.db, { now: () => clock.now() });
  const svc = new TicketService({ store: mapped, clock });
  assert.is((await svc.createByUser(worker('w-map', 'LO'), request)).sede, 'SEDE-LO');
  await database.db.execute(sql`update office_provinces set office_code = 'SEDE-MI' where province = 'LO'`);
  try {
    clock.advance(OFFICE_MAP_TTL_MS - 1);
    assert.is((await svc.createByUser(worker('w-map', 'LO'), request)).sede, 'SEDE-LO', 'still the remembered answer');
    clock.advance(1);
    assert.is((await svc.createByUser(worker('w-map', 'LO'), request)).sede, 'SEDE-MI');
  } finally {
    await database.db.execute(sql`update office_provinces set office_code = 'SEDE-LO' where province = 'LO'`);
  }
});

test.run();
