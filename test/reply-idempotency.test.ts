/**
 * POST /api/v1/tickets/:id/replies and /notes with an Idempotency-Key (server/ticket-writing.ts,
 * docs/tickets.md "Retried creations"): a resent reply answers the first one (200,
 * Idempotent-Replayed: true) and writes nothing: no second reply, audit row or notice, no second
 * count against REPLIES_PER_USER_PER_DAY; it is answered after the ticket was closed or
 * transferred; the same key with another text or other files is 422 idempotency_key_reused;
 * keys are each author's own, on each ticket; racing retries, on one node or two sharing the
 * database, store one reply; multipart alike; notes alike; 24 hours on, the key writes anew;
 * retention erases the keys with the ticket. Embedded PGlite or, with DATABASE_URL, PostgreSQL.
 */
import { and, count, eq, isNotNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { outbox, ticketAudit, ticketNotes, ticketReplies } from '../schema/ticket-tables.ts';
import { injectedApp, injectForm, type InjectedApp, type Json } from './helpers/app.ts';
import { secondNode } from './helpers/second-node.ts';

const clock = new ManualClock(Date.parse('2026-03-03T10:00:00Z'));
const ENV = { REPLIES_PER_USER_PER_DAY: '3', RETENTION_DAYS: '30' };
let ctx: InjectedApp;

test.before(async () => {
  ctx = await injectedApp(clock, ENV);
});

test.after(async () => {
  await ctx?.close();
});

const worker = (sub: string, on: InjectedApp['services'] = ctx.services) => on.dev!.issue({ role: 'worker', sub, province: 'MI', name: 'Mario Bianchi' } as never);
const office = (sub = 'op-mi', sede = 'SEDE-MI') => ctx.services.dev!.issue({ role: 'office', sub, sede, name: 'Laura Bianchi' } as never);
const TEXT = 'Allego la busta paga di febbraio.';

async function post(tok: string, url: string, key: string | null, payload: Json, app: FastifyInstance = ctx.app) {
  const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${tok}`, ...(key === null ? {} : { 'idempotency-key': key }) }, payload });
  return { status: res.statusCode, body: res.json() as Json, replayed: res.headers['idempotent-replayed'] };
}
const reply = (tok: string, id: string, key: string | null, body = TEXT, app?: FastifyInstance) => post(tok, `/api/v1/tickets/${id}/replies`, key, { body }, app);
const note = (tok: string, id: string, key: string | null, body = 'Sentito l’ufficio prestazioni.') => post(tok, `/api/v1/tickets/${id}/notes`, key, { body });

async function replyWithFiles(tok: string, id: string, key: string, files: string[]) {
  const form = new FormData();
  form.append('body', TEXT);
  for (const [i, text] of files.entries()) form.append('files', new Blob([text], { type: 'text/plain' }), `nota-${i + 1}.txt`);
  const res = await injectForm(ctx.app, tok, `/api/v1/tickets/${id}/replies`, form, { 'idempotency-key': key });
  return { status: res.statusCode, body: res.json() as Json, replayed: res.headers['idempotent-replayed'] };
}

async function openRequest(sub: string): Promise<string> {
  const res = await post(await worker(sub), '/api/v1/tickets', null, { subject: 'Pagamento CIGO di gennaio', category: 'payment', body: 'Non ho ricevuto il pagamento.' });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

/** The office closes with an outcome; the user withdraws. */
async function close(tok: string, id: string, outcome?: string): Promise<void> {
  const res = await ctx.call(tok, 'PATCH', `/api/v1/tickets/${id}`, { status: 'closed', ...(outcome ? { outcome } : {}) });
  assert.is(res.status, 200, res.raw);
}

const db = () => ctx.services.db.db;
const n = async (q: Promise<{ n: number }[]>) => Number((await q)[0]!.n);
/** Replies after the request's own text (seq 1). */
const repliesOf = async (id: string) => (await db().select().from(ticketReplies).where(eq(ticketReplies.ticketId, id))).filter((r) => r.seq > 1);
const audited = (id: string, action: string) => n(db().select({ n: count() }).from(ticketAudit).where(and(eq(ticketAudit.ticketId, id), eq(ticketAudit.action, action))));
const notices = (id: string, kind: typeof outbox.$inferSelect['kind']) => n(db().select({ n: count() }).from(outbox).where(and(eq(outbox.ticketId, id), eq(outbox.kind, kind))));

test('a reply sent twice with one key is stored once: 201, then 200 with Idempotent-Replayed and the same reply; one audit row, one notice', async () => {
  const id = await openRequest('usr-retry');
  const tok = await worker('usr-retry');
  const first = await reply(tok, id, 'reply-1a2b');
  assert.equal([first.status, first.replayed], [201, undefined], JSON.stringify(first.body));
  const again = await reply(tok, id, 'reply-1a2b');
  assert.equal([again.status, again.replayed], [200, 'true'], JSON.stringify(again.body));
  assert.equal(again.body, first.body, 'the same seq, author, text and time');
  assert.is((await repliesOf(id)).length, 1);
  assert.is(await audited(id, 'replied'), 1);
  assert.is(await notices(id, 'replied'), 1, 'the sede is told once');
  const office1 = await office();
  const detail = (await post(office1, `/api/v1/tickets/${id}/replies`, 'op-k', { body: 'Verifichiamo.' })).body;
  assert.is(detail.seq, 3, 'the next reply follows without a gap');
  // Without a key nothing changes: the same text twice is two replies.
  assert.equal([(await reply(tok, id, null)).status, (await reply(tok, id, null)).status], [201, 201]);
  assert.is((await repliesOf(id)).length, 4);
});

test('the same key with another text is 422 idempotency_key_reused and nothing more is stored; blanks around the text do not count', async () => {
  const id = await openRequest('usr-reuse');
  const tok = await worker('usr-reuse');
  const first = await reply(tok, id, 'reused');
  assert.is(first.status, 201);
  const other = await reply(tok, id, 'reused', 'Un altro testo.');
  assert.equal([other.status, other.body.error?.code], [422, 'idempotency_key_reused']);
  const padded = await reply(tok, id, 'reused', `  ${TEXT}\n`);
  assert.equal([padded.status, padded.body.seq], [200, first.body.seq]);
  assert.is((await repliesOf(id)).length, 1);
});

test('keys are each author\'s own, on each request: the user and the office with one key write two replies, and each retry gets its own', async () => {
  const id = await openRequest('usr-shared');
  const other = await openRequest('usr-shared');
  const [user, op] = [await worker('usr-shared'), await office()];
  const u = await reply(user, id, 'shared-key');
  const o = await reply(op, id, 'shared-key', 'Ricevuto, verifichiamo.');
  const elsewhere = await reply(user, other, 'shared-key');
  assert.equal([u.status, o.status, elsewhere.status], [201, 201, 201]);
  assert.is(o.body.seq, u.body.seq + 1);
  const [ru, ro] = [await reply(user, id, 'shared-key'), await reply(op, id, 'shared-key', 'Ricevuto, verifichiamo.')];
  assert.equal([ru.status, ru.body.seq, ro.status, ro.body.seq], [200, u.body.seq, 200, o.body.seq]);
  assert.is((await repliesOf(id)).length, 2);
});

test('a resent reply is answered after the office closed the request; a new reply is refused as closed', async () => {
  const id = await openRequest('usr-closed');
  const tok = await worker('usr-closed');
  const first = await reply(tok, id, 'before-close');
  await close(await office(), id, 'Pagamento disposto');
  const again = await reply(tok, id, 'before-close');
  assert.equal([again.status, again.replayed, again.body.seq], [200, 'true', first.body.seq], JSON.stringify(again.body));
  const fresh = await reply(tok, id, 'after-close', 'Ancora una cosa.');
  assert.equal([fresh.status, fresh.body.error?.code], [409, 'ticket_closed']);
  const changed = await reply(tok, id, 'before-close', 'Un altro testo.');
  assert.equal([changed.status, changed.body.error?.code], [422, 'idempotency_key_reused'], 'still its own key, not a reply on a closed request');
});

test('an operator\'s resent reply is answered after the request went to another sede, which the operator no longer sees', async () => {
  const id = await openRequest('usr-moved');
  const op = await office('op-mover');
  const first = await reply(op, id, 'before-move', 'Trasmettiamo alla sede competente.');
  const moved = await post(op, `/api/v1/tickets/${id}/transfer`, null, { sede: 'SEDE-RM', reason: 'Azienda di Roma' });
  assert.is(moved.status, 200, JSON.stringify(moved.body));
  const again = await reply(op, id, 'before-move', 'Trasmettiamo alla sede competente.');
  assert.equal([again.status, again.body.seq, again.body.body], [200, first.body.seq, 'Trasmettiamo alla sede competente.']);
  const fresh = await reply(op, id, 'after-move', 'Altro.');
  assert.equal([fresh.status, fresh.body.error?.code], [409, 'ticket_transferred'], 'a new reply: the request is not this sede\'s any more, and the sede is told so');
});

test('at the daily limit a resent reply is answered, and resending never counted against the limit', async () => {
  const id = await openRequest('usr-limit');
  const tok = await worker('usr-limit');
  assert.is((await reply(tok, id, 'k1', 'Uno')).status, 201);
  assert.equal([(await reply(tok, id, 'k1', 'Uno')).status, (await reply(tok, id, 'k1', 'Uno')).status], [200, 200]);
  assert.is((await reply(tok, id, 'k2', 'Due')).status, 201);
  assert.is((await reply(tok, id, 'k3', 'Tre')).status, 201, 'the third of three: the resends did not count');
  assert.equal([(await reply(tok, id, 'k3', 'Tre')).status], [200], 'at the limit, a resend is answered');
  const fourth = await reply(tok, id, 'k4', 'Quattro');
  assert.equal([fourth.status, fourth.body.error?.code], [429, 'reply_limit_reached']);
  assert.is((await repliesOf(id)).length, 3);
});

test('five identical replies at once with one key: one stored, every answer names it, one of them 201', async () => {
  const id = await openRequest('usr-race');
  const tok = await worker('usr-race');
  const answers = await Promise.all(Array.from({ length: 5 }, () => reply(tok, id, 'race-key')));
  assert.equal(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 201], JSON.stringify(answers.map((a) => a.body)));
  assert.is(new Set(answers.map((a) => a.body.seq)).size, 1);
  assert.is((await repliesOf(id)).length, 1);
  assert.equal([await audited(id, 'replied'), await notices(id, 'replied')], [1, 1]);
});

test('the same resent reply racing on two nodes sharing the database is stored once', async () => {
  const other = await secondNode(ctx, clock, ENV);
  try {
    const id = await openRequest('usr-nodes');
    const [tokA, tokB] = [await worker('usr-nodes'), await worker('usr-nodes', other.services)];
    const answers = await Promise.all([0, 1, 2, 3].map((i) => (i % 2 ? reply(tokB, id, 'two-nodes', TEXT, other.app) : reply(tokA, id, 'two-nodes'))));
    assert.equal(answers.map((a) => a.status).sort(), [200, 200, 200, 201], JSON.stringify(answers.map((a) => a.body)));
    assert.is(new Set(answers.map((a) => a.body.seq)).size, 1);
    assert.is((await repliesOf(id)).length, 1);
  } finally {
    await other.close();
  }
});

test('multipart with a key: the resend answers the reply and its files, even once closed; other files are 422', async () => {
  const id = await openRequest('usr-files');
  const tok = await worker('usr-files');
  const first = await replyWithFiles(tok, id, 'with-files', ['prima nota', 'seconda nota']);
  assert.is(first.status, 201, JSON.stringify(first.body));
  assert.is(first.body.attachments.length, 2);
  const again = await replyWithFiles(tok, id, 'with-files', ['prima nota', 'seconda nota']);
  assert.equal([again.status, again.replayed], [200, 'true']);
  assert.equal(again.body, first.body, 'the same reply and the same files');
  const changed = await replyWithFiles(tok, id, 'with-files', ['prima nota', 'un altro file']);
  assert.equal([changed.status, changed.body.error?.code], [422, 'idempotency_key_reused']);
  await close(tok, id);
  const afterClose = await replyWithFiles(tok, id, 'with-files', ['prima nota', 'seconda nota']);
  assert.equal([afterClose.status, afterClose.body.attachments], [200, first.body.attachments]);
  assert.is((await repliesOf(id)).length, 1);
});

test('a malformed key is 400 validation_failed and nothing is stored, JSON, multipart and notes', async () => {
  const id = await openRequest('usr-bad');
  const tok = await worker('usr-bad');
  for (const key of ['', 'has space', 'x'.repeat(65), 'perché']) {
    const res = await reply(tok, id, key);
    assert.equal([res.status, res.body.error?.code], [400, 'validation_failed'], JSON.stringify(key));
  }
  const form = new FormData();
  form.append('body', TEXT);
  const multipart = await injectForm(ctx.app, tok, `/api/v1/tickets/${id}/replies`, form);
  assert.is(multipart.statusCode, 201, 'no key: fine');
  const bad = await post(await office(), `/api/v1/tickets/${id}/notes`, 'a/b', { body: 'Nota' });
  assert.equal([bad.status, bad.body.error?.code], [400, 'validation_failed']);
  assert.is((await repliesOf(id)).length, 1);
});

test('an internal note sent twice with one key is stored once; another text is 422; a user with a key still gets 404', async () => {
  const id = await openRequest('usr-noted');
  const op = await office('op-notes');
  const first = await note(op, id, 'note-k');
  const again = await note(op, id, 'note-k');
  assert.equal([first.status, again.status, again.replayed], [201, 200, 'true'], JSON.stringify(again.body));
  assert.equal(again.body, first.body);
  const other = await note(op, id, 'note-k', 'Un’altra nota.');
  assert.equal([other.status, other.body.error?.code], [422, 'idempotency_key_reused']);
  const racing = await Promise.all([0, 1, 2].map(() => note(op, id, 'note-race', 'In corsa')));
  assert.equal(racing.map((r) => r.status).sort(), [200, 200, 201]);
  const user = await note(await worker('usr-noted'), id, 'note-k');
  assert.is(user.status, 404);
  assert.is(await n(db().select({ n: count() }).from(ticketNotes).where(eq(ticketNotes.ticketId, id))), 2);
  assert.is(await audited(id, 'noted'), 2);
});

test('24 hours on, the same key writes a new reply', async () => {
  const id = await openRequest('usr-later');
  const tok = await worker('usr-later');
  const first = await reply(tok, id, 'daily');
  clock.advance(24 * 3_600_000 - 1000);
  assert.is((await reply(tok, id, 'daily')).body.seq, first.body.seq, 'still inside the 24 hours');
  clock.advance(1000);
  const later = await reply(tok, id, 'daily', 'Di nuovo.');
  assert.equal([later.status, later.body.seq], [201, first.body.seq + 1], JSON.stringify(later.body));
  assert.is((await reply(tok, id, 'daily', 'Di nuovo.')).body.seq, later.body.seq, 'the key now names the new reply');
});

test('retention erases the keys with the closed request, its replies and notes', async () => {
  const id = await openRequest('usr-erased');
  const tok = await worker('usr-erased');
  await reply(tok, id, 'kept-until-erased');
  await note(await office(), id, 'note-erased');
  await close(tok, id);
  const keyed = async () =>
    (await n(db().select({ n: count() }).from(ticketReplies).where(and(eq(ticketReplies.ticketId, id), isNotNull(ticketReplies.idempotencyKey))))) +
    (await n(db().select({ n: count() }).from(ticketNotes).where(and(eq(ticketNotes.ticketId, id), isNotNull(ticketNotes.idempotencyKey)))));
  assert.is(await keyed(), 2);
  clock.advance(31 * 86_400_000);
  await ctx.services.retention!.sweep();
  assert.is(await keyed(), 0);
});

test.run();
