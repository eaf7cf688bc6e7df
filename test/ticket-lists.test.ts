/**
 * Linea INPS tickets over HTTP (app.inject), who sees which: an office its own
 * sede's, a supervisor every sede's (read only), an intermediary the matricole
 * it represents; everyone else the same 404, advisors 403, no token 401. Then
 * the office's list: search by status, subject, matricola and dates, pages,
 * and overdue tickets first; an intermediary's search, which stays within its
 * own companies, and the last-change-first order (`sort=updated`) of the
 * users' "Le mie richieste". Minimal fastify with the ticket routes and a
 * throw-away seeded database (test/helpers/ticket-api.ts).
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ids, ticketApi, type Json } from './helpers/ticket-api.ts';

const api = ticketApi(test);
const { clock, call, token, worker, office, open, auditCount } = api;

test('the Milano office sees the ticket in its list and in detail with the audit trail; the Roma office gets 404', async () => {
  const t = await open(await worker('w-visible'));
  const mi = await office('SEDE-MI');
  const list = await call(mi, 'GET', '/api/v1/tickets?status=open&pageSize=100');
  assert.is(list.status, 200);
  assert.ok(ids(list.body).includes(t.id));
  const detail = await call(mi, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(detail.status, 200);
  assert.is(detail.body.user.id, 'w-visible');
  assert.is(detail.body.user.fiscalCode, 'BNCMRA80A01F205X');
  assert.is(detail.body.replies.length, 1);
  assert.is(detail.body.replies[0].body, 'Non ho ricevuto il pagamento.');
  assert.equal(detail.body.audit.map((a: Json) => a.action), ['created']);
  assert.is(detail.body.audit[0].actor.id, 'w-visible');

  const rm = await office('SEDE-RM');
  const hidden = await call(rm, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(hidden.status, 404);
  assert.is(hidden.body.error.code, 'not_found');
  const rmList = await call(rm, 'GET', '/api/v1/tickets?pageSize=100');
  assert.not.ok(ids(rmList.body).includes(t.id));
  const rmSede = await call(rm, 'GET', '/api/v1/tickets?sede=SEDE-MI&pageSize=100');
  assert.is(rmSede.body.total, 0, 'an office cannot widen its view with ?sede=');
});

test('another worker, an advisor and a stranger id all get the same 404, for reading, replying and changing status', async () => {
  const t = await open(await worker('w-owner'));
  const other = await worker('w-other');
  const advisor = await token({ role: 'advisor', sub: 'adv-x' });
  const absent = randomUUID();
  const answers: Json[] = [];
  for (const [tok, id] of [[other, t.id], [advisor, t.id], [other, absent], [other, 'not-a-uuid']] as const) {
    answers.push((await call(tok, 'GET', `/api/v1/tickets/${id}`)).body);
    const reply = await call(tok, 'POST', `/api/v1/tickets/${id}/replies`, { body: 'ciao' });
    assert.is(reply.status, 404);
    answers.push(reply.body);
    const change = await call(tok, 'PATCH', `/api/v1/tickets/${id}`, { status: 'closed', outcome: 'withdrawn' });
    assert.is(change.status, 404);
    answers.push(change.body);
  }
  for (const body of answers) assert.equal(body, { error: { code: 'not_found', message: 'Not found' } });
  const list = await call(other, 'GET', '/api/v1/tickets?pageSize=100');
  assert.not.ok(ids(list.body).includes(t.id));
  assert.is(await auditCount(t.id), 1);
});

test('advisors list no tickets (403) and cannot open one over HTTP', async () => {
  const advisor = await token({ role: 'advisor', sub: 'adv-list' });
  const list = await call(advisor, 'GET', '/api/v1/tickets');
  assert.is(list.status, 403);
  assert.is(list.body.error.code, 'forbidden');
  const created = await call(advisor, 'POST', '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y' });
  assert.is(created.status, 403);
});

test('without a token every ticket route answers 401 unauthenticated', async () => {
  const id = randomUUID();
  for (const [method, url, payload] of [
    ['GET', '/api/v1/tickets', undefined],
    ['GET', `/api/v1/tickets/${id}`, undefined],
    ['POST', '/api/v1/tickets', { subject: 'a', category: 'cigo', body: 'b' }],
    ['POST', `/api/v1/tickets/${id}/replies`, { body: 'b' }],
    ['PATCH', `/api/v1/tickets/${id}`, { status: 'closed' }],
  ] as const) {
    const res = await call(null, method, url, payload);
    assert.is(res.status, 401, `${method} ${url}`);
    assert.is(res.body.error.code, 'unauthenticated');
  }
});

test('a supervisor sees the tickets of every sede but changes nothing', async () => {
  const t1 = await open(await worker('w-sup-na', 'NA'));
  const t2 = await open(await worker('w-sup-to', 'TO'));
  const sup = await token({ role: 'supervisor', sub: 'sup-1' });
  const list = await call(sup, 'GET', '/api/v1/tickets?pageSize=100');
  assert.ok(ids(list.body).includes(t1.id) && ids(list.body).includes(t2.id));
  const bySede = await call(sup, 'GET', '/api/v1/tickets?sede=SEDE-NA&pageSize=100');
  assert.equal(ids(bySede.body), [t1.id]);
  const detail = await call(sup, 'GET', `/api/v1/tickets/${t2.id}`);
  assert.is(detail.status, 200);
  assert.ok(Array.isArray(detail.body.audit));
  const change = await call(sup, 'PATCH', `/api/v1/tickets/${t2.id}`, { status: 'in_progress' });
  assert.is(change.status, 403);
  assert.is(await auditCount(t2.id), 1);
});

test('an intermediary sees the tickets of the matricole it represents, and files only for those', async () => {
  const employer = await token({ role: 'employer', sub: 'emp-pv', province: 'PV', matricola: '5500000001' });
  const fromEmployer = await open(employer, { subject: 'Cassa integrazione reparto B' });
  assert.is(fromEmployer.matricola, '5500000001');
  const consultant = await token({ role: 'intermediary', sub: 'int-pv', province: 'PV', matricole: ['5500000001', '5500000002'] });
  const stranger = await token({ role: 'intermediary', sub: 'int-other', province: 'PV', matricole: ['5500000009'] });

  const seen = await call(consultant, 'GET', '/api/v1/tickets');
  assert.equal(ids(seen.body), [fromEmployer.id]);
  assert.is(seen.body.items[0].mine, false);
  assert.is((await call(consultant, 'GET', `/api/v1/tickets/${fromEmployer.id}`)).status, 200);
  assert.is((await call(stranger, 'GET', `/api/v1/tickets/${fromEmployer.id}`)).status, 404);
  assert.is((await call(stranger, 'GET', '/api/v1/tickets')).body.total, 0);

  const forCompany = await open(consultant, { subject: 'Per conto della ditta', matricola: '5500000001' });
  assert.is(forCompany.matricola, '5500000001');
  assert.is(forCompany.sede, 'SEDE-PV');
  const employerList = await call(employer, 'GET', '/api/v1/tickets');
  assert.equal(ids(employerList.body).sort(), [fromEmployer.id, forCompany.id].sort());
  assert.equal(ids((await call(consultant, 'GET', '/api/v1/tickets?matricola=5500000001')).body).sort(), [fromEmployer.id, forCompany.id].sort());

  const notMine = await call(consultant, 'POST', '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y', matricola: '5500000009' });
  assert.is(notMine.status, 403);
  assert.is(notMine.body.error.code, 'matricola_not_yours');
  const workerTry = await call(await worker('w-pv', 'PV'), 'POST', '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y', matricola: '5500000001' });
  assert.is(workerTry.status, 403);
  assert.is(workerTry.body.error.code, 'matricola_not_yours');
  const employerOther = await call(employer, 'POST', '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y', matricola: '5500000002' });
  assert.is(employerOther.status, 403);
  // the employer sees it but did not open it: it cannot withdraw it
  const withdraw = await call(employer, 'PATCH', `/api/v1/tickets/${forCompany.id}`, { status: 'closed' });
  assert.is(withdraw.status, 409);
});

test('the office searches by status, subject, matricola and date range, and pages through the results', async () => {
  // Bergamo: a sede of its own, so other tests' tickets do not interfere
  const bgOffice = await office('SEDE-BG');
  const employer = await token({ role: 'employer', sub: 'emp-bg', province: 'BG', matricola: '4900000001' });
  const w = await worker('w-bg', 'BG');
  clock.set(new Date('2026-03-02T09:00:00Z'));
  const a = await open(w, { subject: 'Anticipo CIGS marzo', category: 'cigs' });
  clock.set(new Date('2026-03-10T15:00:00Z'));
  const b = await open(employer, { subject: 'Conguaglio FIS', category: 'fis' });
  clock.set(new Date('2026-03-20T08:00:00Z'));
  const c = await open(w, { subject: 'Domanda cigs respinta: 100% da rivedere', category: 'cigs' });
  await call(bgOffice, 'PATCH', `/api/v1/tickets/${c.id}`, { status: 'in_progress' });

  const q = async (query: string) => {
    const res = await call(bgOffice, 'GET', `/api/v1/tickets?${query}`);
    assert.is(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  assert.equal(ids(await q('pageSize=100')).sort(), [a.id, b.id, c.id].sort());
  assert.equal(ids(await q('status=in_progress')), [c.id]);
  assert.equal(ids(await q('status=open')).sort(), [a.id, b.id].sort());
  assert.equal(ids(await q('subject=CIGS')).sort(), [a.id, c.id].sort(), 'case-insensitive contains');
  assert.equal(ids(await q('subject=100%25')), [c.id]);
  assert.equal(ids(await q('subject=%25')), [c.id], '% is taken literally');
  assert.equal(ids(await q('matricola=4900000001')), [b.id]);
  assert.is(b.matricola, '4900000001');
  assert.equal(ids(await q('from=2026-03-05&to=2026-03-10')), [b.id], 'the to date counts whole');
  assert.equal(ids(await q('from=2026-03-11')), [c.id]);
  assert.equal(ids(await q('to=2026-03-02')), [a.id]);
  assert.equal(ids(await q('from=2026-03-10T16:00:00Z')), [c.id]);
  assert.equal(ids(await q('updatedFrom=2026-03-20')), [c.id]);
  const bad = await call(bgOffice, 'GET', '/api/v1/tickets?from=2026-02-30');
  assert.is(bad.status, 400);
  const badInstant = await call(bgOffice, 'GET', '/api/v1/tickets?from=yesterday');
  assert.is(badInstant.status, 400);
  const unknownParam = await call(bgOffice, 'GET', '/api/v1/tickets?sort=protocol');
  assert.is(unknownParam.status, 400);

  const page1 = await q('pageSize=2&page=1');
  const page2 = await q('pageSize=2&page=2');
  const page3 = await q('pageSize=2&page=3');
  assert.is(page1.total, 3);
  assert.is(page1.page, 1);
  assert.is(page1.pageSize, 2);
  assert.is(page1.items.length, 2);
  assert.is(page2.items.length, 1);
  assert.is(page3.items.length, 0);
  assert.is(page3.total, 3);
  assert.equal([...ids(page1), ...ids(page2)], [a.id, b.id, c.id], 'by due time');
  assert.is((await call(bgOffice, 'GET', '/api/v1/tickets?pageSize=101')).status, 400);
  assert.is((await call(bgOffice, 'GET', '/api/v1/tickets?page=0')).status, 400);
});

test('an overdue ticket is flagged and listed first, ahead of one due earlier that the office has answered', async () => {
  const fg = await office('SEDE-FG');
  const w = await worker('w-fg', 'FG');
  clock.set(new Date('2026-03-02T09:00:00Z'));
  const answered = await open(w, { subject: 'Risposto in tempo' });
  await call(fg, 'POST', `/api/v1/tickets/${answered.id}/replies`, { body: 'Stiamo verificando.' });
  clock.set(new Date('2026-03-02T10:00:00Z'));
  const late = await open(w, { subject: 'Senza risposta' });
  clock.set(new Date('2026-03-04T12:00:00Z')); // Wednesday: both past their due time
  const fresh = await open(w, { subject: 'Appena aperto' });

  const list = await call(fg, 'GET', '/api/v1/tickets');
  assert.equal(ids(list.body), [late.id, answered.id, fresh.id]);
  assert.equal((list.body.items as Json[]).map((t) => t.overdue), [true, false, false]);
  assert.equal(ids((await call(fg, 'GET', '/api/v1/tickets?overdue=true')).body), [late.id]);
  assert.equal(ids((await call(fg, 'GET', '/api/v1/tickets?overdue=false')).body), [answered.id, fresh.id]);
  const userView = await call(w, 'GET', `/api/v1/tickets/${late.id}`);
  assert.is(userView.body.overdue, true);

  await call(fg, 'PATCH', `/api/v1/tickets/${late.id}`, { status: 'closed', outcome: 'Risolto' });
  assert.equal(ids((await call(fg, 'GET', '/api/v1/tickets?overdue=true')).body), [], 'a closed ticket is not overdue');
});

test('an intermediary narrows its own list by company, status and subject; a company it does not hold gives an empty page, never that company\'s requests', async () => {
  const consultant = await token({ role: 'intermediary', sub: 'int-cr', province: 'CR', matricole: ['5800000001', '5800000002'] });
  const employerA = await token({ role: 'employer', sub: 'emp-cr-a', province: 'CR', matricola: '5800000001' });
  const employerB = await token({ role: 'employer', sub: 'emp-cr-b', province: 'CR', matricola: '5800000002' });
  const strangerC = await token({ role: 'employer', sub: 'emp-cr-c', province: 'CR', matricola: '5800000009' });
  const own = await open(consultant, { subject: 'Delega per lo studio' });
  const ofA = await open(employerA, { subject: 'Conguaglio CIGO reparto A' });
  const ofB = await open(employerB, { subject: 'Conguaglio FIS' });
  const ofC = await open(strangerC, { subject: 'Conguaglio CIGO altra ditta' });
  await call(await office('SEDE-CR'), 'PATCH', `/api/v1/tickets/${ofB.id}`, { status: 'in_progress' });

  const q = async (query: string) => {
    const res = await call(consultant, 'GET', `/api/v1/tickets?${query}`);
    assert.is(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  assert.equal(ids(await q('pageSize=100')).sort(), [own.id, ofA.id, ofB.id].sort());
  assert.equal((await q('matricola=5800000001')).items.map((t: Json) => [t.id, t.matricola]), [[ofA.id, '5800000001']]);
  assert.equal(ids(await q('status=in_progress')), [ofB.id]);
  assert.equal(ids(await q('status=open&matricola=5800000002')), []);
  assert.equal(ids(await q('subject=conguaglio')).sort(), [ofA.id, ofB.id].sort(), 'the other company\'s "Conguaglio" is not among them');
  const notHeld = await q('matricola=5800000009');
  assert.equal([notHeld.total, notHeld.items], [0, []], 'the same empty page as an unknown matricola');
  assert.is(ofC.matricola, '5800000009');
  assert.equal(ids(await call(strangerC, 'GET', '/api/v1/tickets?matricola=5800000001').then((r) => r.body)), [], 'nor the other way round');
});

test('sort=updated lists the last change first, and pages follow that order', async () => {
  const w = await worker('w-sort', 'CR');
  const first = await open(w, { subject: 'Prima' });
  clock.set(new Date('2026-03-02T10:00:00Z'));
  const second = await open(w, { subject: 'Seconda' });
  clock.set(new Date('2026-03-02T11:00:00Z'));
  const third = await open(w, { subject: 'Terza' });
  clock.set(new Date('2026-03-02T12:00:00Z'));
  await call(await office('SEDE-CR'), 'POST', `/api/v1/tickets/${first.id}/replies`, { body: 'Risposta della sede.' });

  const page = async (n: number) => (await call(w, 'GET', `/api/v1/tickets?sort=updated&pageSize=2&page=${n}`)).body;
  const [p1, p2] = [await page(1), await page(2)];
  assert.equal([...ids(p1), ...ids(p2)], [first.id, third.id, second.id], 'the answered one first, then the newest');
  assert.is(p1.total, 3);
  assert.equal(ids((await call(w, 'GET', '/api/v1/tickets?sort=due')).body), [first.id, second.id, third.id], 'the default order, by due time');
  const bad = await call(w, 'GET', '/api/v1/tickets?sort=protocol');
  assert.is(bad.status, 400);
  assert.is(bad.body.error.code, 'validation_failed');
});

test.run();
