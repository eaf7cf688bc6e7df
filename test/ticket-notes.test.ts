/**
 * Internal notes on Linea INPS tickets (POST /api/v1/tickets/:id/notes and the
 * staff's GET /api/v1/tickets/:id; docs/tickets.md "Internal notes"), on the
 * app as services.ts and app.ts build it (app.inject), on a throw-away seeded
 * database (PGlite, or PostgreSQL when DATABASE_URL is set). The clock is a
 * ManualClock; the notice dispatcher and the retention sweep are run by hand.
 */
import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { mailbox } from '../schema/attachment-tables.ts';
import { outbox, ticketAudit, ticketNotes, tickets as ticketsTable } from '../schema/ticket-tables.ts';
import type { Services } from '../server/services.ts';
import type { Identity } from '../server/auth.ts';
import type { AppError } from '../server/errors.ts';
import { TicketService } from '../server/ticket-service.ts';
import { createSqlTicketStore } from '../server/ticket-store-sql.ts';
import type { TicketStore } from '../server/ticket-store.ts';
import { newConversation } from './helpers/conversations.ts';
import { injectedApp, type InjectedApp, type Json } from './helpers/app.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
/** Monday 2 March 2026, 10:00 in Rome. */
const MONDAY_10 = new Date('2026-03-02T09:00:00.000Z');
const MINUTE = 60_000;
const DAY = 24 * 3_600_000;
const ASKED = 'Ho chiesto all’ufficio prestazioni l’esito del pagamento diretto, attendere risposta';
const WHY = 'Trasferita perché la matricola è di Torino';
const clock = new ManualClock(MONDAY_10.getTime());

let whole: InjectedApp;
let services: Services;

test.before(async () => {
  // Retention on, so the last test can sweep; its timer stays off (the sweep is called).
  whole = await injectedApp(clock, { RETENTION_DAYS: '30' });
  ({ services } = whole);
});

test.after(async () => whole?.close());
test.before.each(() => clock.set(MONDAY_10));

const db = () => services.db.db;
const token = (claims: Record<string, unknown>) => whole.token(claims);
const worker = (sub: string, province = 'MI') => token({ role: 'worker', sub, province, name: 'Mario Bianchi' });
const office = (sede: string, sub = `op-${sede}`) => token({ role: 'office', sub, sede, name: `Operatore ${sede}` });
const supervisor = () => token({ role: 'supervisor', sub: 'sup-1', name: 'Anna Verdi' });

const call: InjectedApp['call'] = (...args) => whole.call(...args);

const note = (tok: string | null, id: string, body: unknown) => call(tok, 'POST', `/api/v1/tickets/${id}/notes`, body);

async function open(userId: string, province = 'MI'): Promise<Json> {
  const res = await call(await worker(userId, province), 'POST', '/api/v1/tickets', { subject: 'Pagamento diretto CIGO', category: 'payment', body: 'Non ho ricevuto il pagamento.' });
  assert.is(res.status, 201, res.raw);
  return res.body;
}

async function stored(ticketId: string) {
  const notes = await db().select().from(ticketNotes).where(eq(ticketNotes.ticketId, ticketId)).orderBy(ticketNotes.seq);
  const audit = await db().select().from(ticketAudit).where(eq(ticketAudit.ticketId, ticketId)).orderBy(ticketAudit.id);
  const notices = await db().select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(outbox.createdAt);
  return { notes, audit, notices };
}

test(`an office operator of the sede adds a note and reads it back in the ticket; a supervisor too (${kind})`, async () => {
  const t = await open('w-notes');
  const mi = await office('SEDE-MI', 'op-conti');
  clock.set(MONDAY_10.getTime() + 5 * MINUTE);
  const first = await note(mi, t.id, { body: `  ${ASKED}\n ` });
  assert.is(first.status, 201, first.raw);
  assert.equal(first.body, { seq: 1, author: { id: 'op-conti', role: 'office', name: 'Operatore SEDE-MI' }, body: ASKED, at: new Date(MONDAY_10.getTime() + 5 * MINUTE).toISOString() });

  clock.set(MONDAY_10.getTime() + 9 * MINUTE);
  const second = await note(await supervisor(), t.id, { body: 'Sollecitato l’ufficio prestazioni.' });
  assert.is(second.status, 201, second.raw);
  assert.equal([second.body.seq, second.body.author], [2, { id: 'sup-1', role: 'supervisor', name: 'Anna Verdi' }]);

  for (const reader of [mi, await supervisor()]) {
    const detail = await call(reader, 'GET', `/api/v1/tickets/${t.id}`);
    assert.is(detail.status, 200);
    assert.equal(detail.body.notes.map((n: Json) => [n.seq, n.author.role, n.body]), [
      [1, 'office', ASKED],
      [2, 'supervisor', 'Sollecitato l’ufficio prestazioni.'],
    ]);
    assert.is(detail.body.replies.length, 1, 'a note is not a reply');
    assert.is(detail.body.replyCount, 1, 'the thread keeps its numbering');
  }
  const { audit } = await stored(t.id);
  assert.equal(audit.filter((a) => a.action === 'noted').map((a) => [a.actorId, a.detail]), [['op-conti', { seq: 1, actorName: 'Operatore SEDE-MI' }], ['sup-1', { seq: 2, actorName: 'Anna Verdi' }]], 'audited with who wrote it, the text kept out of the trail');
});

test('the user who owns the ticket never sees notes, nor a count or a trace of them, and is told nothing', async () => {
  const t = await open('w-private');
  const user = await worker('w-private');
  const before = await call(user, 'GET', `/api/v1/tickets/${t.id}`);
  const noticesBefore = (await stored(t.id)).notices.length;
  await services.notices.runOnce();
  const [mailed] = await db().select({ n: count() }).from(mailbox);

  clock.set(MONDAY_10.getTime() + 30 * MINUTE);
  assert.is((await note(await office('SEDE-MI'), t.id, { body: ASKED })).status, 201);
  assert.is((await note(await supervisor(), t.id, { body: 'Nota del supervisore' })).status, 201);

  const after = await call(user, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(after.status, 200);
  assert.not.ok('notes' in after.body, 'no notes field for the user');
  assert.not.ok(/ufficio prestazioni|supervisore|noted/i.test(after.raw), after.raw);
  assert.equal(after.body, before.body, 'the user’s view is the same as before the notes: no updatedAt, no count, nothing');
  const list = await call(user, 'GET', '/api/v1/tickets');
  assert.not.ok(/ufficio prestazioni|supervisore|notes/i.test(list.raw), list.raw);
  assert.equal(list.body.items.find((x: Json) => x.id === t.id), (({ replies: _r, transcript: _t, followedBy: _f, ...rest }) => rest)(before.body));

  assert.is((await stored(t.id)).notices.length, noticesBefore, 'no notice written for a note');
  await services.notices.runOnce();
  const [mailedAfter] = await db().select({ n: count() }).from(mailbox);
  assert.is(mailedAfter!.n, mailed!.n, 'nothing delivered');
});

test('a company’s people (employer, intermediary) never see the notes of the company’s request', async () => {
  const employer = await token({ role: 'employer', sub: 'emp-notes', province: 'MI', matricola: '6600000001' });
  const opened = await call(employer, 'POST', '/api/v1/tickets', { subject: 'Conguaglio FIS', category: 'fis', body: 'Testo.' });
  assert.is(opened.status, 201, opened.raw);
  assert.is((await note(await office('SEDE-MI'), opened.body.id, { body: ASKED })).status, 201);
  const consultant = await token({ role: 'intermediary', sub: 'int-notes', province: 'MI', matricole: ['6600000001'] });
  for (const who of [employer, consultant]) {
    const detail = await call(who, 'GET', `/api/v1/tickets/${opened.body.id}`);
    assert.is(detail.status, 200);
    assert.not.ok('notes' in detail.body);
    assert.not.ok(detail.raw.includes('ufficio prestazioni'));
    assert.is((await note(who, opened.body.id, { body: 'Posso scrivere una nota?' })).status, 404);
  }
});

test('refused without a trace: another sede, the owner, an advisor and an absent id get the same 404; no sign-in 401', async () => {
  const t = await open('w-refused');
  const before = await stored(t.id);
  const absent = await note(await office('SEDE-MI'), randomUUID(), { body: ASKED });
  assert.is(absent.status, 404);
  assert.is(absent.body.error.code, 'not_found');
  for (const tok of [await office('SEDE-RM'), await worker('w-refused'), await token({ role: 'advisor', sub: 'adv-1' })]) {
    const res = await note(tok, t.id, { body: ASKED });
    assert.equal([res.status, res.body], [absent.status, absent.body]);
  }
  assert.is((await note(await office('SEDE-MI'), 'not-a-uuid', { body: ASKED })).status, 404);
  assert.is((await note(null, t.id, { body: ASKED })).status, 401);
  assert.equal(await stored(t.id), before, 'nothing stored');
});

test('an empty, blank, too long or malformed body answers 400 validation_failed and stores nothing', async () => {
  const t = await open('w-invalid');
  const mi = await office('SEDE-MI');
  const before = await stored(t.id);
  for (const body of [{ body: '' }, { body: '  \n\t ' }, { body: 'x'.repeat(10_001) }, {}, { body: { text: 'x' } }, { body: 'ok', seq: 3 }]) {
    const res = await note(mi, t.id, body);
    assert.equal([res.status, res.body.error?.code], [400, 'validation_failed'], JSON.stringify(body).slice(0, 60));
  }
  assert.is((await note(mi, t.id, { body: 'x'.repeat(10_000) })).status, 201, 'the longest a reply may be');
  assert.is((await stored(t.id)).notes.length, before.notes.length + 1);
});

test('notes are written on a closed request too, and numbered apart from the replies', async () => {
  const t = await open('w-closed');
  const mi = await office('SEDE-MI');
  assert.is((await call(mi, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Il pagamento è in lavorazione.' })).status, 201);
  assert.is((await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Informazioni fornite' })).status, 200);
  const res = await note(mi, t.id, { body: 'Chiusa dopo telefonata con l’azienda' });
  assert.is(res.status, 201, res.raw);
  assert.is(res.body.seq, 1);
  const detail = await call(mi, 'GET', `/api/v1/tickets/${t.id}`);
  assert.equal(detail.body.replies.map((r: Json) => r.seq), [1, 2]);
  assert.equal(detail.body.notes.map((n: Json) => n.seq), [1]);
});

test('notes written at once are numbered 1, 2, 3 … with no gap and no clash', async () => {
  const t = await open('w-many');
  const mi = await office('SEDE-MI');
  const results = await Promise.all([1, 2, 3, 4, 5].map((i) => note(mi, t.id, { body: `Nota ${i}` })));
  assert.equal(results.map((r) => r.status), [201, 201, 201, 201, 201]);
  assert.equal(results.map((r) => r.body.seq).sort(), [1, 2, 3, 4, 5]);
  assert.equal((await stored(t.id)).notes.map((n) => n.seq), [1, 2, 3, 4, 5]);
});

test('after a transfer the new sede reads the notes and adds its own; the old sede is told it was transferred (409)', async () => {
  const t = await open('w-moved');
  const [mi, rm] = [await office('SEDE-MI'), await office('SEDE-RM')];
  assert.is((await note(mi, t.id, { body: WHY })).status, 201);
  assert.is((await call(mi, 'POST', `/api/v1/tickets/${t.id}/transfer`, { sede: 'SEDE-RM', reason: 'Matricola di altra sede' })).status, 200);
  const detail = await call(rm, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(detail.status, 200);
  assert.equal(detail.body.notes.map((n: Json) => [n.author.id, n.body]), [['op-SEDE-MI', WHY]]);
  const own = await note(rm, t.id, { body: 'Presa visione.' });
  assert.equal([own.status, own.body.seq], [201, 2]);
  const late = await note(mi, t.id, { body: 'Ancora io' });
  assert.equal([late.status, late.body.error.code], [409, 'ticket_transferred']);
});

test('an office note that read the ticket before a transfer committed is refused with ticket_transferred, nothing stored', async () => {
  const t = await open('w-race');
  const store = createSqlTicketStore(db());
  // The operator's read happened just before the transfer: the service sees the ticket still at SEDE-MI.
  const stale: TicketStore = { ...store, get: async (id) => ({ ...(await store.get(id))!, sede: 'SEDE-MI' }) };
  const service = new TicketService({ store: stale, clock });
  await db().update(ticketsTable).set({ sede: 'SEDE-RM' }).where(eq(ticketsTable.id, t.id));
  const operator = { sub: 'op-mi', role: 'office', name: 'Operatore', sede: 'SEDE-MI' } as Identity;
  const refused = await service.addNote(operator, t.id, 'Troppo tardi').catch((e: AppError) => e);
  assert.is((refused as AppError).code, 'ticket_transferred');
  assert.is((await stored(t.id)).notes.length, 0);
  const { note: supervisorNote } = await service.addNote({ sub: 'sup-1', role: 'supervisor', name: null } as Identity, t.id, 'Il supervisore scrive ovunque');
  assert.is(supervisorNote.seq, 1, 'a supervisor is bound to no sede');
});

test('an escalation’s note for the sede becomes note 1, atomically; a blank note creates nothing; escalating again leaves it as it was', async () => {
  const conv = await services.store.createConversation(newConversation({ userId: 'w-esc', province: 'MI', openedAt: MONDAY_10 }));
  const advisor = { sub: conv.advisorId, role: 'advisor', name: 'Giulia Rossi' } as Identity;
  const input = { conversation: conv, summary: 'Pagamento non ricevuto', advisor, transcript: [] };
  const blank = await services.tickets.createFromEscalation({ ...input, note: '   ' }).catch((e: AppError) => e);
  assert.is((blank as AppError).code, 'validation_failed');
  assert.is((await services.tickets.list({ sub: 'sup-1', role: 'supervisor' } as Identity, { pageSize: 100 })).items.filter((x) => x.conversationId === conv.id).length, 0, 'refused before anything is written');
  const t = await services.tickets.createFromEscalation({ ...input, note: 'Matricola forse di Torino' });
  assert.is(t.sede, 'SEDE-MI');
  const again = await services.tickets.createFromEscalation({ ...input, note: 'Un’altra nota' });
  assert.is(again.id, t.id);
  const { notes, audit, notices } = await stored(t.id);
  assert.equal(notes.map((n) => [n.seq, n.authorId, n.authorRole, n.body]), [[1, conv.advisorId, 'advisor', 'Matricola forse di Torino']]);
  assert.equal(audit.map((a) => a.action), ['created', 'noted']);
  assert.equal(notices.map((n) => n.kind), ['registered'], 'the note adds no notice');
  const detail = await call(await office('SEDE-MI'), 'GET', `/api/v1/tickets/${t.id}`);
  assert.equal([detail.body.replies[0].body, detail.body.notes[0].body], ['Pagamento non ricevuto', 'Matricola forse di Torino']);
  const mine = await call(await worker('w-esc'), 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(mine.status, 200);
  assert.not.ok(mine.raw.includes('Torino'));
});

test('the retention sweep erases a request’s notes with it', async () => {
  const t = await open('w-old');
  const mi = await office('SEDE-MI');
  assert.is((await note(mi, t.id, { body: ASKED })).status, 201);
  assert.is((await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Pratica definita' })).status, 200);
  assert.is((await stored(t.id)).notes.length, 1);
  clock.set(MONDAY_10.getTime() + 31 * DAY);
  const erased = await services.retention!.sweep();
  assert.ok(erased.tickets >= 1, JSON.stringify(erased));
  assert.is((await stored(t.id)).notes.length, 0);
});

test.run();
