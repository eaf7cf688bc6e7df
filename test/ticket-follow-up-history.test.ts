/**
 * A follow-up's history at another sede (docs/tickets.md, "Follow-up requests"):
 * an office that holds a follow-up, transferred in or at the end of a chain of
 * follow-ups, reads the earlier requests it links to, read only, without the
 * other sede's internal notes or audit trail; every read is in the access log
 * before it is sent, and the person sees which office looked. Any other office
 * gets the 404 of an absent id, as before. On the app as app.ts builds it
 * (app.inject), on a throw-away seeded database (PGlite, or PostgreSQL when
 * DATABASE_URL is set), with a ManualClock.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { accessLog } from '../schema/access-tables.ts';
import { injectedApp, injectForm, type InjectedApp, type Json } from './helpers/app.ts';
import { PDF } from './helpers/sample-files.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
/** Monday 2 March 2026, 10:00 in Rome. */
const MONDAY_10 = new Date('2026-03-02T09:00:00.000Z');
const HOUR = 3_600_000;
const clock = new ManualClock(MONDAY_10.getTime());

let whole: InjectedApp;

test.before(async () => {
  whole = await injectedApp(clock);
});
test.after(async () => whole?.close());
test.before.each(() => clock.set(MONDAY_10));

const db = () => whole.services.db.db;
const call: InjectedApp['call'] = (...args) => whole.call(...args);
const worker = (sub: string) => whole.token({ role: 'worker', sub, province: 'MI', name: 'Mario Bianchi' });
const office = (sede: string) => whole.token({ role: 'office', sub: `op-${sede}`, sede, name: `Operatore ${sede}` });
const tick = () => clock.set(clock.now() + HOUR);

/** A worker's request in Milano with a PDF, answered and closed by SEDE-MI, with an internal note of Milano's. */
async function closedInMilano(userId: string): Promise<{ user: string; mi: string; original: Json }> {
  const user = await worker(userId);
  const mi = await office('SEDE-MI');
  const form = new FormData();
  form.append('subject', 'Pagamento CIGO di gennaio');
  form.append('category', 'payment');
  form.append('body', 'Non ho ricevuto il pagamento.');
  form.append('files', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'busta-paga.pdf');
  const res = await injectForm(whole.app, user, '/api/v1/tickets', form);
  assert.is(res.statusCode, 201, res.body);
  const id = (res.json() as Json).id;
  tick();
  assert.is((await call(mi, 'POST', `/api/v1/tickets/${id}/notes`, { body: 'Nota riservata di Milano' })).status, 201);
  assert.is((await call(mi, 'POST', `/api/v1/tickets/${id}/replies`, { body: 'Il pagamento è disposto.' })).status, 201);
  return { user, mi, original: await closeAs(mi, id) };
}

async function closeAs(tok: string, id: string): Promise<Json> {
  const res = await call(tok, 'PATCH', `/api/v1/tickets/${id}`, { status: 'closed', outcome: 'Pagamento disposto' });
  assert.is(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function followUp(user: string, follows: string): Promise<Json> {
  tick();
  const res = await call(user, 'POST', '/api/v1/tickets', { subject: 'Seguito', category: 'payment', body: 'Non è ancora arrivato.', follows });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function transfer(from: string, id: string, sede: string): Promise<void> {
  const res = await call(from, 'POST', `/api/v1/tickets/${id}/transfer`, { sede, reason: 'Competenza della sede' });
  assert.is(res.status, 200, JSON.stringify(res.body));
}

const historyRows = (subjectId: string, sede: string) =>
  db().select().from(accessLog).where(and(eq(accessLog.subjectId, subjectId), eq(accessLog.actorSede, sede)));

test(`an office whose follow-up was transferred in reads the earlier request read only: thread, files, no notes nor audit; recorded first (${kind})`, async () => {
  const { user, mi, original } = await closedInMilano('w-history');
  const f = await followUp(user, original.id);
  const rm = await office('SEDE-RM');
  assert.is((await call(rm, 'GET', `/api/v1/tickets/${original.id}`)).status, 404, 'nothing linked at Roma yet');
  await transfer(mi, f.id, 'SEDE-RM');

  const res = await call(rm, 'GET', `/api/v1/tickets/${original.id}`);
  assert.is(res.status, 200, JSON.stringify(res.body));
  const x = res.body;
  assert.equal([x.sede, x.sedeName, x.status, x.outcome], ['SEDE-MI', 'INPS Sede di Milano', 'closed', 'Pagamento disposto']);
  assert.equal(x.historyOf, { id: f.id, protocol: f.protocol });
  assert.equal(x.replies.map((r: Json) => r.body), ['Non ho ricevuto il pagamento.', 'Il pagamento è disposto.']);
  assert.equal(x.followedBy, [{ id: f.id, protocol: f.protocol }]);
  assert.is(x.notes, undefined, 'Milano\'s internal notes stay Milano\'s');
  assert.is(x.audit, undefined);
  assert.not.ok(res.raw.includes('Nota riservata'));
  // Milano itself still reads it as its own, with notes and no historyOf.
  const own = (await call(mi, 'GET', `/api/v1/tickets/${original.id}`)).body;
  assert.equal([own.notes.length, own.historyOf], [1, undefined]);

  const file = x.replies[0].attachments[0];
  const dl = await whole.app.inject({ method: 'GET', url: file.href, headers: { authorization: `Bearer ${rm}` } });
  assert.is(dl.statusCode, 200);
  assert.ok(dl.rawPayload.equals(PDF));

  const rows = await historyRows(original.id, 'SEDE-RM');
  assert.equal(rows.map((r) => [r.action, r.actorId, r.ownerId, r.detail.followUp]), [['ticket.read', 'op-SEDE-RM', 'w-history', f.id]]);
  const [fileRow] = await historyRows(file.id, 'SEDE-RM');
  assert.equal([fileRow!.action, fileRow!.detail], ['attachment.read', { ticket: original.id, followUp: f.id }]);

  // The person sees which office looked, by name, and why.
  const mine = (await call(user, 'GET', `/api/v1/access-log/mine?ticket=${original.id}`)).body.items;
  const byRoma = mine.filter((a: Json) => a.by.sede === 'SEDE-RM');
  assert.equal(byRoma.map((a: Json) => [a.action, a.by.sedeName, a.forFollowUp]).sort(), [
    ['attachment.read', 'INPS Sede di Roma', true],
    ['ticket.read', 'INPS Sede di Roma', true],
  ]);
  assert.ok(mine.filter((a: Json) => a.by.sede === 'SEDE-MI').every((a: Json) => a.forFollowUp === false && a.by.sedeName === 'INPS Sede di Milano'));
});

test('read only: every write by the reading office answers the 404 of another sede\'s request, and nothing is written', async () => {
  const { user, mi, original } = await closedInMilano('w-readonly');
  const f = await followUp(user, original.id);
  await transfer(mi, f.id, 'SEDE-RM');
  const rm = await office('SEDE-RM');
  assert.is((await call(rm, 'GET', `/api/v1/tickets/${original.id}`)).status, 200, 'Roma reads it');
  const before = (await call(mi, 'GET', `/api/v1/tickets/${original.id}`)).body;
  const writes = [
    await call(rm, 'POST', `/api/v1/tickets/${original.id}/replies`, { body: 'Da Roma' }),
    await call(rm, 'POST', `/api/v1/tickets/${original.id}/notes`, { body: 'Nota di Roma' }),
    await call(rm, 'PATCH', `/api/v1/tickets/${original.id}`, { status: 'in_progress' }),
    await call(rm, 'POST', `/api/v1/tickets/${original.id}/transfer`, { sede: 'SEDE-RM', reason: 'Presa' }),
  ];
  assert.equal(writes.map((w) => [w.status, w.body.error.code]), Array(4).fill([404, 'not_found']));
  const after = (await call(mi, 'GET', `/api/v1/tickets/${original.id}`)).body;
  assert.equal([after.replies.length, after.notes.length, after.updatedAt], [before.replies.length, before.notes.length, before.updatedAt]);
});

test('an office holding no follow-up of it gets the same 404 as an absent id, for the request and its files, and nothing is recorded', async () => {
  const { user, mi, original } = await closedInMilano('w-stranger-sede');
  const f = await followUp(user, original.id);
  await transfer(mi, f.id, 'SEDE-RM');
  assert.is((await call(await office('SEDE-RM'), 'GET', `/api/v1/tickets/${original.id}`)).status, 200, 'the office holding the follow-up reads it');
  const to = await office('SEDE-TO');
  const theirs = await call(to, 'GET', `/api/v1/tickets/${original.id}`);
  const absent = await call(to, 'GET', `/api/v1/tickets/${randomUUID()}`);
  assert.equal([theirs.status, theirs.body], [404, absent.body]);
  const href = (await call(mi, 'GET', `/api/v1/tickets/${original.id}`)).body.replies[0].attachments[0].href;
  assert.is((await whole.app.inject({ method: 'GET', url: href, headers: { authorization: `Bearer ${to}` } })).statusCode, 404);
  assert.is((await call(to, 'GET', `/api/v1/tickets/${f.id}`)).status, 404, 'nor the follow-up itself');
  assert.equal(await historyRows(original.id, 'SEDE-TO'), []);
  // The history is an office's: another person still gets the 404 of a request not theirs.
  assert.is((await call(await worker('w-other'), 'GET', `/api/v1/tickets/${original.id}`)).status, 404);
});

test('along a chain of two follow-ups: the office holding the last one reads both earlier requests, and loses them once it hands it on', async () => {
  const { user, mi, original } = await closedInMilano('w-chain');
  const first = await followUp(user, original.id);
  tick();
  await closeAs(mi, first.id);
  const second = await followUp(user, first.id);
  const rm = await office('SEDE-RM');
  assert.equal([(await call(rm, 'GET', `/api/v1/tickets/${original.id}`)).status, (await call(rm, 'GET', `/api/v1/tickets/${first.id}`)).status], [404, 404]);
  await transfer(mi, second.id, 'SEDE-RM');

  const a = await call(rm, 'GET', `/api/v1/tickets/${original.id}`);
  const b = await call(rm, 'GET', `/api/v1/tickets/${first.id}`);
  assert.equal([a.status, b.status], [200, 200]);
  assert.equal(a.body.historyOf, { id: second.id, protocol: second.protocol });
  assert.equal(a.body.followedBy, [{ id: first.id, protocol: first.protocol }], 'the link on the way to its own follow-up opens too');
  assert.equal([b.body.follows.id, b.body.followedBy], [original.id, [{ id: second.id, protocol: second.protocol }]]);
  assert.equal((await historyRows(original.id, 'SEDE-RM')).map((r) => r.detail.followUp), [second.id]);
  assert.equal((await historyRows(first.id, 'SEDE-RM')).map((r) => r.detail.followUp), [second.id]);

  // Held "at its sede, now": passed on to Napoli, Roma no longer reads the history; Napoli does.
  await transfer(rm, second.id, 'SEDE-NA');
  assert.equal([(await call(rm, 'GET', `/api/v1/tickets/${original.id}`)).status, (await call(rm, 'GET', `/api/v1/tickets/${first.id}`)).status], [404, 404]);
  assert.is((await call(await office('SEDE-NA'), 'GET', `/api/v1/tickets/${original.id}`)).status, 200);
});

test.run();
