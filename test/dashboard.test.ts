/**
 * The supervisor dashboard (issue 8), live: who may see it, the live numbers
 * against /metrics at the same instant, waits against closing time, the audited
 * controls, the ticket-only flag and the WebSocket feed. A real server on a
 * ManualClock and the real calendar (Tuesday 10 March 2026, 17:55 in Rome: five
 * minutes before closing). The daily snapshots, history, CSV and ratings are in
 * test/dashboard-history.test.ts, on a server of their own.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dashboardAudit, ticketOnlyProvinces } from '../schema/dashboard-tables.ts';
import { advisors } from '../schema/tables.ts';
import { DashboardFeed, type FeedClient } from '../server/dashboard-feed.ts';
import { DashboardService } from '../server/dashboard-service.ts';
import { CLIENT_FRAMES } from '../server/ws-frames.ts';
import { dashboardSession, SEEDED_DAY, until, type DashServer, type Json } from './helpers/dashboard-server.ts';

// The session registers this file's hooks: its own server and database before the tests, the clock back to NOW before each.
let server: DashServer;
const { clock, call, supervisor, office, signIn } = dashboardSession(test, (started) => (server = started));

async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/metrics`);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

// ---------------------------------------------------------------------------
// The situation: advisors, users waiting in GE/MI/RM, two chats in TO (one escalated), a ticket in NA.

let situation: Promise<void> | null = null;
/** Tommaso's socket: he answers the chats he is given (see answerAll). */
let advTo: Awaited<ReturnType<typeof signIn>>;
function createSituation(): Promise<void> {
  situation ??= (async () => {
    advTo = await signIn({ role: 'advisor', sub: 'adv-to', name: 'Tommaso Torinese', skills: ['province:TO'] });
    await signIn({ role: 'advisor', sub: 'adv-away', name: 'Alba Assente' });
    await advTo.request({ type: 'advisor.status', status: 'available' });
    for (const [role, sub, province] of [
      ['worker', 'w-ge-1', 'GE'],
      ['worker', 'w-ge-2', 'GE'],
      ['employer', 'e-mi-1', 'MI'],
      ['worker', 'w-rm-1', 'RM'],
    ] as const) {
      const s = await signIn({ role, sub, province, name: sub, ...(role === 'employer' ? { matricola: '1234567890' } : {}) });
      const joined = await s.request({ type: 'chat.request', topic: 'cigo', waitAnyway: true });
      assert.is(joined.type, 'ok', JSON.stringify(joined));
      clock.advance(10_000);
    }
    const t1 = await signIn({ role: 'worker', sub: 'w-to-1', province: 'TO', name: 'Primo Torino' });
    t1.send({ type: 'chat.request', topic: 'payment' });
    const a1 = await t1.next('conversation.assigned');
    const esc = await advTo.request({ type: 'conversation.escalate', conversationId: a1.conversationId, summary: 'Pagamento da verificare in sede' });
    assert.is(esc.type, 'ok', JSON.stringify(esc));
    const t2 = await signIn({ role: 'worker', sub: 'w-to-2', province: 'TO', name: 'Seconda Torino' });
    t2.send({ type: 'chat.request', topic: 'fis' });
    await t2.next('conversation.assigned');
    await answerAll();
    const created = await call(await server.token({ role: 'worker', sub: 'w-na', province: 'NA', name: 'Nadia' }), 'POST', '/api/v1/tickets', {
      subject: 'Pagamento CIGO di febbraio',
      category: 'payment',
      body: 'Non ho ancora ricevuto il pagamento.',
    });
    assert.is(created.status, 201, created.text);
  })();
  return situation;
}

/**
 * Tommaso writes in every chat he holds. A chat left unanswered would, at any sweep that runs
 * while a test has moved the clock on (a month, below), set him away and hand it on
 * (router-sweep.ts): the tests after it would then find him away or not, by timing.
 */
async function answerAll(): Promise<void> {
  const held = (await server.services.state.snapshot()).advisors.find((a) => a.id === 'adv-to')!.conversations;
  for (const conversationId of held) {
    const ack = await advTo.request({ type: 'message.send', conversationId, clientMsgId: `hello-${conversationId}`, text: 'Buongiorno' });
    assert.is(ack.type, 'message.ack', JSON.stringify(ack));
  }
}

// ---------------------------------------------------------------------------
// Permissions

test('the live view is for supervisors and office operators only', async () => {
  assert.is((await call(null, 'GET', '/api/v1/dashboard/live')).status, 401);
  for (const claims of [
    { role: 'worker', province: 'MI' },
    { role: 'advisor' },
    { role: 'employer', province: 'MI', matricola: '1234567890' },
    { role: 'office', sede: 'SEDE-XX' }, // not a known office
  ]) {
    const res = await call(await server.token(claims), 'GET', '/api/v1/dashboard/live');
    assert.is(res.status, 403, JSON.stringify(claims));
    assert.is(res.body.error.code, 'forbidden');
  }
  const live = await call(await supervisor(), 'GET', '/api/v1/dashboard/live');
  assert.is(live.status, 200);
  assert.is(live.body.provinces.length, 110, 'a supervisor sees every province');
  assert.is(live.body.scope.role, 'supervisor');
});

test('an office operator sees its sede: its provinces, the advisors who can serve them (no names), its tickets', async () => {
  await createSituation();
  const res = await call(await office('SEDE-GE'), 'GET', '/api/v1/dashboard/live');
  assert.is(res.status, 200, res.text);
  const live = res.body;
  assert.equal(live.scope, { role: 'office', sede: 'SEDE-GE', provinces: ['GE'] });
  assert.equal(live.provinces.map((p: Json) => p.code), ['GE']);
  assert.equal(live.queues.map((q: Json) => `${q.province}:${q.audience}:${q.length}`), ['GE:worker:2']);
  assert.is(live.totals.waiting, 2);
  assert.is(live.advisors.length, 1, 'the national advisor only (the other serves TO)');
  assert.not.ok('name' in live.advisors[0] || 'id' in live.advisors[0], 'no names or ids for an office');
  assert.equal(live.tickets.map((t: Json) => t.sede), ['SEDE-GE']);
  const history = await call(await office('SEDE-GE'), 'GET', '/api/v1/dashboard/history?sede=SEDE-MI');
  assert.is(history.status, 403, 'an office cannot read another sede');
  for (const [method, path, body] of [
    ['POST', '/api/v1/dashboard/snapshots', { day: SEEDED_DAY }],
    ['POST', '/api/v1/dashboard/provinces/GE/ticket-only', { on: true }],
    ['POST', '/api/v1/dashboard/advisors/adv-away/queues', { provinces: ['GE'], regions: [] }],
    ['GET', '/api/v1/dashboard/audit', undefined],
  ] as const) {
    const r = await call(await office('SEDE-GE'), method, path, body);
    assert.is(r.status, 403, `${method} ${path} is for supervisors`);
  }
});

// ---------------------------------------------------------------------------
// Live numbers = /metrics

async function compareWithMetrics(what: { queues: boolean } = { queues: true }): Promise<Json> {
  const [m, res] = await Promise.all([scrape(), call(await supervisor(), 'GET', '/api/v1/dashboard/live')]);
  assert.is(res.status, 200, res.text);
  const live = res.body;
  if (what.queues) {
    const metricQueues = [...m.keys()].filter((k) => k.startsWith('infocig_queue_length{'));
    assert.is(live.queues.length, metricQueues.length, 'the same queues');
    for (const q of live.queues) {
      const labels = `{province="${q.province}",audience="${q.audience}"}`;
      assert.is(m.get(`infocig_queue_length${labels}`), q.length, `length ${labels}`);
      assert.ok(Math.abs(m.get(`infocig_queue_oldest_wait_seconds${labels}`)! - q.oldestWaitSeconds) < 0.001, `oldest wait ${labels}`);
    }
    for (const status of ['available', 'away', 'offline']) assert.is(m.get(`infocig_advisors{status="${status}"}`), live.totals.advisors[status], status);
    assert.is(m.get('infocig_conversations_active'), live.totals.conversationsActive);
    assert.ok(Math.abs(m.get('infocig_advisor_occupancy_ratio')! - live.totals.occupancy) < 0.001, 'occupancy');
  }
  const statusKey: Record<string, string> = { open: 'open', in_progress: 'inProgress', closed: 'closed' };
  const metricTickets = [...m.entries()].filter(([k]) => k.startsWith('infocig_tickets{'));
  let seen = 0;
  for (const t of live.tickets) {
    for (const [status, field] of Object.entries(statusKey)) {
      const v = m.get(`infocig_tickets{sede="${t.sede}",status="${status}"}`) ?? 0;
      assert.is(t[field], v, `${t.sede} ${status}`);
      if (v) seen++;
    }
    assert.is(t.overdue, m.get(`infocig_tickets_overdue{sede="${t.sede}"}`) ?? 0, `${t.sede} overdue`);
  }
  assert.is(seen, metricTickets.filter(([, v]) => v > 0).length, 'no sede in /metrics missing from the dashboard');
  return live;
}

test('the supervisor view shows the same queues, advisors and tickets as /metrics', async () => {
  await createSituation();
  clock.advance(95_000);
  const live = await compareWithMetrics();
  assert.equal(live.queues.map((q: Json) => `${q.province}:${q.audience}:${q.length}`), ['GE:worker:2', 'MI:employer:1', 'RM:worker:1']);
  assert.is(live.queues[0].oldestWaitSeconds, 95);
  assert.is(live.totals.waiting, 4);
  assert.is(live.totals.conversationsActive, 1);
  assert.equal(live.totals.advisors, { available: 1, away: 1, offline: 0 });
  const adv = live.advisors.find((a: Json) => a.id === 'adv-to');
  assert.equal([adv.name, adv.status, adv.load, adv.capacity, adv.provinces], ['Tommaso Torinese', 'available', 1, 3, ['TO']]);
  const to = live.tickets.find((t: Json) => t.sede === 'SEDE-TO');
  const na = live.tickets.find((t: Json) => t.sede === 'SEDE-NA');
  assert.equal([to.open, na.open, to.overdue], [1, 1, 0]);
  const ge = live.provinces.find((p: Json) => p.code === 'GE');
  assert.equal([ge.waiting, ge.byAudience.worker, ge.sede], [2, 2, 'SEDE-GE']);
});

test('waits are set against the closing time: a queue that cannot be served before 18:00 is flagged', async () => {
  await createSituation();
  const live = (await call(await supervisor(), 'GET', '/api/v1/dashboard/live')).body;
  assert.is(live.service.closesAt, '2026-03-10T17:00:00.000Z');
  assert.ok(live.service.secondsToClose <= 300 && live.service.secondsToClose > 0, String(live.service.secondsToClose));
  const ge = live.queues.find((q: Json) => q.province === 'GE');
  assert.is(ge.estimatedWaitSeconds, null, 'nobody serves GE: no estimate');
  assert.is(ge.beyondClosing, true);
  assert.is(live.provinces.find((p: Json) => p.code === 'GE').heat, 4);
  assert.is(live.provinces.find((p: Json) => p.code === 'BO').heat, 0);
});

// ---------------------------------------------------------------------------
// Controls

test('a supervisor moves an advisor to the GE queue: directory, live state (same status) and audit; GE users get served', async () => {
  await createSituation();
  const sup = await supervisor();
  const before = (await server.services.state.snapshot()).advisors.find((a) => a.id === 'adv-to')!;
  const res = await call(sup, 'POST', '/api/v1/dashboard/advisors/adv-to/queues', { provinces: ['GE', 'TO'], regions: [] });
  assert.is(res.status, 200, res.text);
  assert.equal([res.body.status, res.body.provinces, res.body.load], ['available', ['GE', 'TO'], 1]);
  const after = (await server.services.state.snapshot()).advisors.find((a) => a.id === 'adv-to')!;
  assert.equal([after.status, after.capacity, after.skills.provinces], [before.status, before.capacity, ['GE', 'TO']]);
  const [row] = await server.db.db.select().from(advisors).where(eq(advisors.id, 'adv-to'));
  assert.equal(row?.skills.provinces, ['GE', 'TO'], 'stored in the staff directory');
  const [audit] = await server.db.db.select().from(dashboardAudit).where(eq(dashboardAudit.target, 'adv-to'));
  assert.equal([audit?.actorId, audit?.actorRole, audit?.action], ['sup-1', 'supervisor', 'advisor.queues']);
  assert.equal(audit?.detail, { advisorName: 'Tommaso Torinese', before: { provinces: ['TO'], regions: [] }, after: { provinces: ['GE', 'TO'], regions: [] } });
  await until('the GE users to be assigned', async () => (await server.services.state.snapshot()).advisors.find((a) => a.id === 'adv-to')!.conversations.length === 3);
  await answerAll();
  const list = await call(sup, 'GET', '/api/v1/dashboard/audit?target=adv-to');
  assert.is(list.body.items[0].action, 'advisor.queues');
  assert.is((await call(sup, 'POST', '/api/v1/dashboard/advisors/nobody/queues', { provinces: [], regions: [] })).status, 404);
  assert.is((await call(sup, 'POST', '/api/v1/dashboard/advisors/adv-to/queues', { provinces: ['ZZ'], regions: [] })).body.error.code, 'unknown_province');
  assert.is((await call(sup, 'POST', '/api/v1/dashboard/advisors/adv-to/queues', { provinces: [], regions: ['Atlantide'] })).status, 400);
  // The advisor back to TO only, for the other tests.
  await call(sup, 'POST', '/api/v1/dashboard/advisors/adv-to/queues', { provinces: ['TO'], regions: [] });
});

test('a province switched to ticket only: flag, live view, audit, other nodes within a refresh, and back', async () => {
  const sup = await supervisor();
  const on = await call(sup, 'POST', '/api/v1/dashboard/provinces/bo/ticket-only', { on: true });
  assert.is(on.status, 200, on.text);
  assert.equal([on.body.province, on.body.on, on.body.changed], ['BO', true, true]);
  assert.ok(server.dashboard.isTicketOnly('BO') && server.dashboard.isTicketOnly('bo'));
  assert.not.ok(server.dashboard.isTicketOnly('MO'));
  const live = (await call(sup, 'GET', '/api/v1/dashboard/live')).body;
  assert.equal(live.ticketOnly, ['BO']);
  assert.is(live.provinces.find((p: Json) => p.code === 'BO').ticketOnly, true);
  // Another node reading the same database.
  const other = new DashboardService({ db: server.db.db, state: server.services.state, clock, schedule: server.services.schedule, handleSeconds: () => 300 });
  await other.start();
  assert.ok(other.isTicketOnly('BO'), 'another node sees it after its refresh');
  other.close();
  // chat.request consults the flag (docs/dashboard.md).
  const user = await signIn({ role: 'worker', sub: 'w-bo', province: 'BO' });
  const err = await user.request({ type: 'chat.request', topic: 'cigo' });
  assert.equal([err.type, err.code], ['error', 'ticket_only']);
  const again = await call(sup, 'POST', '/api/v1/dashboard/provinces/BO/ticket-only', { on: true });
  assert.is(again.body.changed, false, 'already on');
  const off = await call(sup, 'POST', '/api/v1/dashboard/provinces/BO/ticket-only', { on: false });
  assert.equal([off.body.on, off.body.changed], [false, true]);
  assert.not.ok(server.dashboard.isTicketOnly('BO'));
  assert.is((await server.db.db.select().from(ticketOnlyProvinces)).length, 0);
  const audit = await server.db.db.select().from(dashboardAudit).where(eq(dashboardAudit.target, 'BO'));
  assert.equal(audit.map((a) => [a.actorId, a.action, a.detail]), [
    ['sup-1', 'province.ticket_only', { on: true, changed: true }],
    ['sup-1', 'province.ticket_only', { on: true, changed: false }],
    ['sup-1', 'province.ticket_only', { on: false, changed: true }],
  ]);
  assert.is((await call(sup, 'POST', '/api/v1/dashboard/provinces/ZZ/ticket-only', { on: true })).body.error.code, 'unknown_province');
  assert.is((await call(sup, 'POST', '/api/v1/dashboard/provinces/BO/ticket-only', {})).status, 400);
});

test('a month later the same tickets are overdue on both sides (and SLA breaches are counted)', async () => {
  await createSituation();
  clock.advance(30 * 86_400_000);
  // The routing sweep times out waiting users meanwhile: tickets only are compared here.
  const live = await compareWithMetrics({ queues: false });
  const to = live.tickets.find((t: Json) => t.sede === 'SEDE-TO');
  assert.equal([to.overdue, to.slaBreaches], [1, 1]);
  assert.is(live.tickets.find((t: Json) => t.sede === 'SEDE-NA').overdue, 1);
  assert.is(live.totals.tickets.overdue, live.tickets.reduce((n: number, t: Json) => n + t.overdue, 0));
});

// ---------------------------------------------------------------------------
// The feed

function fakeClient(identity: Json): FeedClient & { frames: Json[]; closed: boolean } {
  const c = {
    sessionId: randomUUID(),
    identity: { sub: 'x', name: null, province: null, fiscalCode: null, matricola: null, matricole: [], sede: null, skills: [], lang: null, exp: 0, ...identity },
    closed: false,
    frames: [] as Json[],
    send(frame: object) {
      c.frames.push(frame as Json);
    },
  };
  return c as unknown as FeedClient & { frames: Json[]; closed: boolean };
}

test('the feed pushes dashboard.update to subscribers every interval, per scope, and stops when nobody listens', async () => {
  const feed = new DashboardFeed({ dashboard: server.dashboard, intervalMs: 40 });
  const sup = fakeClient({ role: 'supervisor', sub: 'sup-f' });
  const ge = fakeClient({ role: 'office', sub: 'op-f', sede: 'SEDE-GE' });
  const worker = fakeClient({ role: 'worker', sub: 'w-f', province: 'MI' });
  try {
    await feed.subscribe(worker);
    assert.unreachable('a worker may not subscribe');
  } catch (err) {
    assert.is((err as { code?: string }).code, 'forbidden');
  }
  assert.not.ok(feed.running, 'no timer without subscribers');
  const first = (await feed.subscribe(sup)) as Json;
  assert.is(first.type, 'dashboard.update');
  assert.is(first.live.scope.role, 'supervisor');
  assert.ok(feed.running);
  await feed.subscribe(ge);
  await until('two pushes each', () => sup.frames.length >= 2 && ge.frames.length >= 2, 3000);
  assert.ok(ge.frames.every((f) => f.type === 'dashboard.update' && f.live.scope.sede === 'SEDE-GE'));
  assert.is(sup.frames[0]!.live.provinces.length, 110);
  sup.closed = true; // the socket went away
  await feed.tick(); // returns at once when the timer's round is under way: that round or the next sweeps
  await until('the closed subscriber is dropped', () => feed.subscribers === 1, 3000).catch(() => {});
  assert.is(feed.subscribers, 1);
  await feed.unsubscribe(ge);
  assert.not.ok(feed.running, 'the timer stops with the last subscriber');
  const n = ge.frames.length;
  await new Promise((r) => setTimeout(r, 120));
  assert.is(ge.frames.length, n, 'nothing after unsubscribe');
  feed.close();
});

test('over /ws once the frames are wired: dashboard.subscribe answers with the live view, then updates follow', async () => {
  if (!('dashboard.subscribe' in CLIENT_FRAMES)) {
    console.log('  (dashboard.subscribe is not in server/ws-frames.ts yet: the page polls; see docs/dashboard.md for the wiring)');
    return;
  }
  const s = await signIn({ role: 'supervisor', sub: 'sup-ws' });
  s.send({ type: 'dashboard.subscribe', id: 'sub1' });
  const first = await s.next('dashboard.update', (f) => f.re === 'sub1');
  assert.is((first.live as Json).scope.role, 'supervisor');
  await s.next('dashboard.update', () => true, 5000);
  const w = await signIn({ role: 'worker', sub: 'w-ws', province: 'MI' });
  w.send({ type: 'dashboard.subscribe', id: 'sub2' });
  const err = await w.next('error', (f) => f.re === 'sub2');
  assert.is(err.code, 'forbidden');
});

test('who waits in each language, and the available advisors who may answer in it as the router counts them', async () => {
  await createSituation();
  const adv = await signIn({ role: 'advisor', sub: 'adv-de', name: 'Dora Deutsch', skills: ['lang:de', 'province:TO'] });
  await adv.request({ type: 'advisor.status', status: 'available' });
  const user = await signIn({ role: 'worker', sub: 'w-bz-de', province: 'BZ', name: 'Berta' });
  const joined = await user.request({ type: 'chat.request', topic: 'cigo', lang: 'de', waitAnyway: true });
  assert.is(joined.type, 'ok', JSON.stringify(joined));
  clock.advance(30_000);
  try {
    const all = (await call(await supervisor(), 'GET', '/api/v1/dashboard/live')).body;
    const row = (live: Json, lang: string) => live.languages.find((l: Json) => l.lang === lang);
    assert.is(all.languages[0].lang, 'it', 'Italian first');
    // Tommaso lists no language (serves all), Dora lists German only.
    assert.equal(row(all, 'de'), { lang: 'de', waiting: 1, oldestWaitSeconds: 30, advisorsAvailable: 2 });
    assert.is(row(all, 'it').advisorsAvailable, 1, 'Dora does not count for Italian');
    assert.is(row(all, 'it').waiting, all.totals.waiting - 1, 'every other waiting user reads Italian');
    assert.equal(all.advisors.find((a: Json) => a.id === 'adv-de').languages, ['de']);
    // The office of Bolzano sees its own province: nobody available covers it.
    const bz = (await call(await office('SEDE-BZ'), 'GET', '/api/v1/dashboard/live')).body;
    assert.equal(bz.languages.map((l: Json) => [l.lang, l.waiting, l.advisorsAvailable]), [['it', 0, 0], ['de', 1, 0]]);
  } finally {
    await user.request({ type: 'chat.cancel' });
    await adv.request({ type: 'advisor.status', status: 'away' });
  }
});

test.run();
