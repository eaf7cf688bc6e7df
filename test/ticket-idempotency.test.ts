/**
 * POST /api/v1/tickets with an Idempotency-Key (server/ticket-idempotency.ts, docs/tickets.md
 * "Retried creations"): a retry answers the first ticket (200, Idempotent-Replayed: true) and
 * creates nothing, sends no second notice and counts nothing against the daily limit; the same key
 * with another request is 422 idempotency_key_reused; keys are each person's own; racing retries,
 * on one node or two sharing the database, make one ticket; multipart alike; a malformed key is
 * 400; after 24 hours the key opens a new request. Embedded PGlite or, with DATABASE_URL, PostgreSQL.
 */
import { count, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { outbox, tickets } from '../schema/ticket-tables.ts';
import { injectedApp, injectForm, type InjectedApp, type Json } from './helpers/app.ts';
import { secondNode } from './helpers/second-node.ts';

const clock = new ManualClock(Date.parse('2026-03-03T10:00:00Z'));
const ENV = { TICKETS_PER_USER_PER_DAY: '2' };
let ctx: InjectedApp;

test.before(async () => {
  ctx = await injectedApp(clock, ENV);
});

test.after(async () => {
  await ctx?.close();
});

const worker = (sub: string, on: InjectedApp['services'] = ctx.services) => on.dev!.issue({ role: 'worker', sub, province: 'MI', name: 'Mario Bianchi' } as never);
const REQUEST = { subject: 'Pagamento CIGO di gennaio', category: 'payment', body: 'Non ho ricevuto il pagamento.' };

async function post(tok: string, key: string | null, payload: Json = REQUEST, app: FastifyInstance = ctx.app) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers: { authorization: `Bearer ${tok}`, ...(key === null ? {} : { 'idempotency-key': key }) },
    payload,
  });
  return { status: res.statusCode, body: res.json() as Json, replayed: res.headers['idempotent-replayed'] };
}

async function postForm(tok: string, key: string, files: string[]) {
  const form = new FormData();
  for (const [k, v] of Object.entries(REQUEST)) form.append(k, v);
  for (const [i, text] of files.entries()) form.append('files', new Blob([text], { type: 'text/plain' }), `nota-${i + 1}.txt`);
  const res = await injectForm(ctx.app, tok, '/api/v1/tickets', form, { 'idempotency-key': key });
  return { status: res.statusCode, body: res.json() as Json, replayed: res.headers['idempotent-replayed'] };
}

const db = () => ctx.services.db.db;
const storedBy = async (sub: string) => Number((await db().select({ n: count() }).from(tickets).where(eq(tickets.createdBy, sub)))[0]!.n);
const noticesOf = async (ticketId: string) => Number((await db().select({ n: count() }).from(outbox).where(eq(outbox.ticketId, ticketId)))[0]!.n);

test('the same key twice: one ticket, the same id and protocol, 201 then 200 with Idempotent-Replayed, one notice', async () => {
  const tok = await worker('usr-retry');
  const first = await post(tok, 'form-1a2b');
  assert.is(first.status, 201, JSON.stringify(first.body));
  assert.is(first.replayed, undefined);
  const again = await post(tok, 'form-1a2b');
  assert.is(again.status, 200, JSON.stringify(again.body));
  assert.is(again.replayed, 'true');
  assert.is(again.body.id, first.body.id);
  assert.is(again.body.protocol, first.body.protocol);
  assert.is(again.body.subject, REQUEST.subject);
  assert.is(await storedBy('usr-retry'), 1);
  assert.is(await noticesOf(first.body.id), 1, 'one registered notice');
});

test('a retry at the daily limit is answered, not refused, and counts once', async () => {
  const tok = await worker('usr-limit');
  assert.is((await post(tok, 'k-one')).status, 201);
  const second = await post(tok, 'k-two', { ...REQUEST, subject: 'Altro' });
  assert.is(second.status, 201);
  // Two requests: the limit (2) is reached, yet the retry of the second gets its ticket.
  const retry = await post(tok, 'k-two', { ...REQUEST, subject: 'Altro' });
  assert.equal([retry.status, retry.body.id], [200, second.body.id]);
  const third = await post(tok, 'k-three', { ...REQUEST, subject: 'Terzo' });
  assert.equal([third.status, third.body.error?.code], [429, 'ticket_limit_reached']);
  assert.is(await storedBy('usr-limit'), 2);
});

test('the same key with another request is 422 idempotency_key_reused, and nothing more is stored', async () => {
  const tok = await worker('usr-reuse');
  const first = await post(tok, 'reused');
  assert.is(first.status, 201);
  for (const changed of [{ body: 'Un altro testo.' }, { subject: 'Altro oggetto' }, { category: 'cigo' }]) {
    const res = await post(tok, 'reused', { ...REQUEST, ...changed });
    assert.equal([res.status, res.body.error?.code], [422, 'idempotency_key_reused'], JSON.stringify(changed));
  }
  // Only surrounding blanks differ: the same request, as the service reads it.
  const padded = await post(tok, 'reused', { ...REQUEST, subject: `  ${REQUEST.subject} ` });
  assert.equal([padded.status, padded.body.id], [200, first.body.id]);
  assert.is(await storedBy('usr-reuse'), 1);
});

test('two people with the same key each get their own request, and each retry their own', async () => {
  const [tokA, tokB] = [await worker('usr-a'), await worker('usr-b')];
  const a = await post(tokA, 'shared-key');
  const b = await post(tokB, 'shared-key');
  const office = await post(await ctx.services.dev!.issue({ role: 'office', sub: 'op-mi', sede: 'SEDE-MI', name: 'Operatore' } as never), 'shared-key', { ...REQUEST, to: { userId: 'usr-a' } });
  assert.equal([a.status, b.status, office.status], [201, 201, 201], JSON.stringify(office.body));
  assert.is(new Set([a.body.protocol, b.body.protocol, office.body.protocol]).size, 3);
  const [retryB, retryA] = [await post(tokB, 'shared-key'), await post(tokA, 'shared-key')];
  assert.equal([retryA.status, retryA.body.id, retryB.status, retryB.body.id], [200, a.body.id, 200, b.body.id]);
});

test('an office operator retrying with its key gets the same message back', async () => {
  const tok = await ctx.services.dev!.issue({ role: 'office', sub: 'op-retry', sede: 'SEDE-MI', name: 'Operatore' } as never);
  const payload = { ...REQUEST, to: { userId: 'usr-x' } };
  const first = await post(tok, 'office-k', payload);
  const again = await post(tok, 'office-k', payload);
  assert.equal([first.status, again.status, again.replayed, again.body.id], [201, 200, 'true', first.body.id]);
  const other = await post(tok, 'office-k', { ...REQUEST, to: { userId: 'usr-y' } });
  assert.equal([other.status, other.body.error?.code], [422, 'idempotency_key_reused']);
  assert.is(await storedBy('op-retry'), 1);
});

test('five identical POSTs at once with one key: one ticket, every answer names it, one of them 201', async () => {
  const tok = await worker('usr-race');
  const answers = await Promise.all(Array.from({ length: 5 }, () => post(tok, 'race-key')));
  assert.is(new Set(answers.map((a) => a.body.id)).size, 1, JSON.stringify(answers.map((a) => a.body)));
  assert.equal(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 201]);
  assert.is(await storedBy('usr-race'), 1);
  assert.is(await noticesOf(answers[0]!.body.id), 1);
});

test('the same retry racing on two nodes sharing the database makes one ticket', async () => {
  const other = await secondNode(ctx, clock, ENV);
  try {
    const tokA = await worker('usr-nodes');
    const tokB = await worker('usr-nodes', other.services);
    const answers = await Promise.all([0, 1, 2, 3].map((i) => (i % 2 ? post(tokB, 'two-nodes', REQUEST, other.app) : post(tokA, 'two-nodes'))));
    assert.is(new Set(answers.map((a) => a.body.id)).size, 1, JSON.stringify(answers.map((a) => a.body)));
    assert.equal(answers.map((a) => a.status).sort(), [200, 200, 200, 201]);
    assert.is(await storedBy('usr-nodes'), 1);
  } finally {
    await other.close();
  }
});

test('multipart with a key: the retry answers the ticket and its first files; other files are another request', async () => {
  const tok = await worker('usr-files');
  const first = await postForm(tok, 'with-files', ['prima nota', 'seconda nota']);
  assert.is(first.status, 201, JSON.stringify(first.body));
  const again = await postForm(tok, 'with-files', ['prima nota', 'seconda nota']);
  assert.equal([again.status, again.replayed, again.body.id, again.body.protocol], [200, 'true', first.body.id, first.body.protocol]);
  assert.equal(again.body.attachments, first.body.attachments);
  const changed = await postForm(tok, 'with-files', ['prima nota', 'un altro file']);
  assert.equal([changed.status, changed.body.error?.code], [422, 'idempotency_key_reused']);
  assert.is(await storedBy('usr-files'), 1);
});

test('a malformed key is 400 validation_failed and nothing is stored, JSON and multipart', async () => {
  const tok = await worker('usr-bad');
  for (const key of ['', 'has space', 'x'.repeat(65), 'perché', 'a/b']) {
    const res = await post(tok, key);
    assert.equal([res.status, res.body.error?.code], [400, 'validation_failed'], JSON.stringify(key));
  }
  const form = await postForm(tok, 'bad key!', []);
  assert.equal([form.status, form.body.error?.code], [400, 'validation_failed']);
  assert.is((await post(tok, 'x'.repeat(64))).status, 201, '64 characters are fine');
  assert.is(await storedBy('usr-bad'), 1);
});

test('24 hours on, the same key opens a new request; without a key every POST is a new one', async () => {
  const tok = await worker('usr-later');
  const first = await post(tok, 'daily');
  clock.advance(24 * 3_600_000 - 1000);
  assert.equal((await post(tok, 'daily')).body.id, first.body.id, 'still inside the 24 hours');
  clock.advance(1000);
  const later = await post(tok, 'daily', { ...REQUEST, subject: 'Di nuovo' });
  assert.is(later.status, 201, JSON.stringify(later.body));
  assert.is.not(later.body.protocol, first.body.protocol);
  assert.equal((await post(tok, 'daily', { ...REQUEST, subject: 'Di nuovo' })).body.id, later.body.id, 'the key now names the new one');
  const tokNoKey = await worker('usr-nokey');
  const [x, y] = [await post(tokNoKey, null), await post(tokNoKey, null)];
  assert.equal([x.status, y.status], [201, 201]);
  assert.is.not(x.body.id, y.body.id);
});

test.run();
