/**
 * Linea INPS tickets over HTTP (app.inject), their status: the office takes a
 * request in charge, replies and closes it with an outcome; the transitions
 * that are refused (from closed, unknown, without an outcome) change nothing;
 * a closed ticket takes no reply; a user may withdraw their request only while
 * it is open. Minimal fastify with the ticket routes and a throw-away seeded
 * database (test/helpers/ticket-api.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ticketAudit } from '../schema/ticket-tables.ts';
import { MONDAY_10, ticketApi, type Json } from './helpers/ticket-api.ts';

const HOUR = 3_600_000;
const api = ticketApi(test);
const { clock, call, worker, office, open, auditCount, notices } = api;

test('the office takes it in charge, replies and closes it with an outcome; the worker sees the thread and the status', async () => {
  const wTok = await worker('w-flow');
  const t = await open(wTok);
  const mi = await office('SEDE-MI', 'op-flow');

  clock.advance(HOUR);
  const taken = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' });
  assert.is(taken.status, 200, JSON.stringify(taken.body));
  assert.is(taken.body.status, 'in_progress');
  assert.is(taken.body.takenBy, 'op-flow');
  assert.is(taken.body.takenAt, new Date(MONDAY_10.getTime() + HOUR).toISOString());

  clock.advance(HOUR);
  const answer = await call(mi, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Il pagamento è stato disposto il 28 febbraio.' });
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  assert.is(answer.body.seq, 2);
  assert.is(answer.body.author.id, 'op-flow');

  const back = await call(wTok, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Grazie, ricevuto.' });
  assert.is(back.status, 201);
  assert.is(back.body.seq, 3);
  assert.is(back.body.author.id, undefined, 'users see the role and name, not ids');

  clock.advance(HOUR);
  const closed = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Pagamento disposto' });
  assert.is(closed.status, 200);
  assert.is(closed.body.status, 'closed');
  assert.is(closed.body.outcome, 'Pagamento disposto');
  assert.is(closed.body.closedBy, 'op-flow');

  const seen = await call(wTok, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(seen.status, 200);
  assert.is(seen.body.status, 'closed');
  assert.is(seen.body.outcome, 'Pagamento disposto');
  assert.equal(seen.body.replies.map((r: Json) => r.seq), [1, 2, 3]);
  assert.equal(seen.body.replies.map((r: Json) => r.author.role), ['worker', 'office', 'worker']);
  assert.is(seen.body.replies[1].body, 'Il pagamento è stato disposto il 28 febbraio.');
  assert.is(seen.body.audit, undefined, 'the audit trail is for staff');
  assert.is(seen.body.takenBy, undefined);

  const staffView = await call(mi, 'GET', `/api/v1/tickets/${t.id}`);
  assert.equal(staffView.body.audit.map((a: Json) => a.action), ['created', 'taken_in_charge', 'replied', 'replied', 'closed']);
  assert.equal(staffView.body.audit[4].detail, { from: 'in_progress', to: 'closed', outcome: 'Pagamento disposto' });

  const sent = await notices(t.id);
  assert.equal(sent.map((n) => [n.kind, n.recipientKind, n.recipientId]), [
    ['registered', 'user', 'w-flow'],
    ['taken_in_charge', 'user', 'w-flow'],
    ['replied', 'user', 'w-flow'],
    ['replied', 'sede', 'SEDE-MI'],
    ['closed', 'user', 'w-flow'],
  ]);
  assert.ok(sent.every((n) => !JSON.stringify(n.payload).includes('28 febbraio')), 'notices never carry the thread text');
});

test('staff read in the audit trail who acted by name, as their token named them then; a row kept from before names were stored reads none', async () => {
  const t = await open(await worker('w-names'));
  const laura = await api.token({ role: 'office', sub: 'op-bianchi', sede: 'SEDE-MI', name: 'Laura Bianchi' });
  assert.is((await call(laura, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' })).status, 200);
  // An older row: its detail has no name.
  await api.database.db.insert(ticketAudit).values({ ticketId: t.id, at: new Date(clock.now()), actorId: 'op-vecchio', actorRole: 'office', action: 'replied', detail: { seq: 9 } });
  const renamed = await api.token({ role: 'office', sub: 'op-bianchi', sede: 'SEDE-MI', name: 'Laura Bianchi Rossi' });
  const detail = await call(renamed, 'GET', `/api/v1/tickets/${t.id}`);
  assert.equal(detail.body.audit.map((a: Json) => [a.action, a.actor]), [
    ['created', { id: 'w-names', role: 'worker', name: 'Mario Bianchi' }],
    ['taken_in_charge', { id: 'op-bianchi', role: 'office', name: 'Laura Bianchi' }],
    ['replied', { id: 'op-vecchio', role: 'office', name: null }],
  ]);
  assert.equal(detail.body.audit[1].detail, { from: 'open', to: 'in_progress' }, 'the name is the actor’s, not part of what changed');
});

test('moving a closed ticket back to in_progress is 409 illegal_transition and changes nothing', async () => {
  const t = await open(await worker('w-illegal'));
  const mi = await office('SEDE-MI');
  assert.is((await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Risolto' })).status, 200);
  const auditBefore = await auditCount(t.id);
  const noticesBefore = (await notices(t.id)).length;
  const before = await call(mi, 'GET', `/api/v1/tickets/${t.id}`);

  for (const change of [{ status: 'in_progress' }, { status: 'open' }, { status: 'closed', outcome: 'Di nuovo' }]) {
    const res = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, change);
    assert.is(res.status, 409, JSON.stringify(change));
    assert.is(res.body.error.code, 'illegal_transition');
  }
  const after = await call(mi, 'GET', `/api/v1/tickets/${t.id}`);
  assert.equal(after.body, before.body);
  assert.is(await auditCount(t.id), auditBefore);
  assert.is((await notices(t.id)).length, noticesBefore);
});

test('an unknown status is 400 validation_failed, in a change and in a search', async () => {
  const t = await open(await worker('w-unknown'));
  const mi = await office('SEDE-MI');
  const res = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'reopened' });
  assert.is(res.status, 400);
  assert.is(res.body.error.code, 'validation_failed');
  const search = await call(mi, 'GET', '/api/v1/tickets?status=reopened');
  assert.is(search.status, 400);
  assert.is(search.body.error.code, 'validation_failed');
  assert.is(await auditCount(t.id), 1);
});

test('closing needs an outcome; taking in charge takes none', async () => {
  const t = await open(await worker('w-outcome'));
  const mi = await office('SEDE-MI');
  const noOutcome = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed' });
  assert.is(noOutcome.status, 400);
  assert.is(noOutcome.body.error.code, 'validation_failed');
  const blank = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: '   ' });
  assert.is(blank.status, 400);
  const withOutcome = await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress', outcome: 'x' });
  assert.is(withOutcome.status, 400);
  assert.is(await auditCount(t.id), 1);
  assert.is((await notices(t.id)).length, 1);
});

test('replying to a closed ticket is 409 ticket_closed and writes nothing', async () => {
  const wTok = await worker('w-closed-reply');
  const t = await open(wTok);
  const mi = await office('SEDE-MI');
  await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Risolto' });
  const auditBefore = await auditCount(t.id);
  const noticesBefore = (await notices(t.id)).length;
  for (const tok of [wTok, mi]) {
    const res = await call(tok, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Ancora una cosa' });
    assert.is(res.status, 409);
    assert.is(res.body.error.code, 'ticket_closed');
  }
  const detail = await call(mi, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(detail.body.replies.length, 1);
  assert.is(await auditCount(t.id), auditBefore);
  assert.is((await notices(t.id)).length, noticesBefore);
});

test('the worker may withdraw their own open ticket, and may not take it in charge', async () => {
  const wTok = await worker('w-withdraw');
  const t = await open(wTok);
  const take = await call(wTok, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' });
  assert.is(take.status, 409);
  assert.is(take.body.error.code, 'illegal_transition');
  const withdrawn = await call(wTok, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed' });
  assert.is(withdrawn.status, 200);
  assert.is(withdrawn.body.status, 'closed');
  assert.is(withdrawn.body.outcome, 'withdrawn');
  const sent = await notices(t.id);
  assert.equal(sent.map((n) => [n.kind, n.recipientKind, n.recipientId]), [
    ['registered', 'user', 'w-withdraw'],
    ['closed', 'sede', 'SEDE-MI'],
  ]);
});

test('a user cannot withdraw a ticket once the office has taken it in charge', async () => {
  const wTok = await worker('w-late-withdraw');
  const t = await open(wTok);
  await call(await office('SEDE-MI'), 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' });
  const res = await call(wTok, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'withdrawn' });
  assert.is(res.status, 409);
  assert.is(res.body.error.code, 'illegal_transition');
});

test.run();
