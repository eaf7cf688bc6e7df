/**
 * The supervisor dashboard (issue 8): who may see it, the live numbers against
 * /metrics at the same instant, the daily snapshot against counts computed here
 * from the rows in the database, the CSV, the audited controls, the ticket-only
 * flag and the WebSocket feed. A real server on a ManualClock and the real
 * calendar (Tuesday 10 March 2026, 17:55 in Rome: five minutes before closing).
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, type Clock } from '../routing/clock.ts';
import { defaultScheduleConfig, zonedTimeToUtc } from '../routing/schedule.ts';
import { conversationWaits, dashboardAudit, ticketOnlyProvinces } from '../schema/dashboard-tables.ts';
import { advisors, conversations } from '../schema/tables.ts';
import { tickets } from '../schema/ticket-tables.ts';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { computeDay, dayBounds, nextRunAfter, scheduleDailySnapshots } from '../server/daily-snapshot.ts';
import { DashboardFeed, type FeedClient } from '../server/dashboard-feed.ts';
import { csvCell } from '../server/csv.ts';
import { DashboardService } from '../server/dashboard-service.ts';
import type { Db } from '../server/db.ts';
import { dashboardRoutes } from '../server/http-dashboard.ts';
import { createServices, type Services } from '../server/services.ts';
import { CLIENT_FRAMES } from '../server/ws-frames.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';
import { TestSocket } from './helpers/ws-client.ts';

type Json = Record<string, any>;

const NOW = zonedTimeToUtc('2026-03-10', '17:55', 'Europe/Rome').getTime();
const SEEDED_DAY = '2026-03-05';
const clock = new ManualClock(NOW);

// ---------------------------------------------------------------------------
// The server, with the dashboard's service and routes mounted here while server/services.ts
// and server/app.ts do not build them yet (they are used as they are once they do).

interface DashServer {
  url: string;
  wsUrl: string;
  services: Services;
  dashboard: DashboardService;
  /** server/services.ts builds the dashboard itself (the lead's wiring is in). */
  wired: boolean;
  db: TestDatabase;
  token(claims: Record<string, unknown> & { role: string }): Promise<string>;
  close(): Promise<void>;
}

async function startDashboardServer(o: { clock: Clock }): Promise<DashServer> {
  const config = loadConfig({ AUTH_DEV: '1', PORT: '0', LOG_LEVEL: 'silent' });
  const db = await testDatabase();
  const services = await createServices(config, { db, clock: o.clock, schedule: defaultScheduleConfig(), logger: pino({ level: 'silent' }) });
  const own = (services as unknown as { dashboard?: DashboardService }).dashboard;
  const dashboard =
    own ??
    new DashboardService({
      db: db.db,
      state: services.state,
      clock: o.clock,
      schedule: services.schedule,
      handleSeconds: () => services.router.handling.mean(),
      estimate: (snapshot) => services.router.infos(snapshot),
      onRoutingChange: () => void services.router.dispatch(),
    });
  await dashboard.start();
  const app = await buildApp(services);
  if (!app.hasRoute({ method: 'GET', url: '/api/v1/dashboard/live' })) await app.register(dashboardRoutes, { auth: services.auth, dashboard });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    services,
    dashboard,
    wired: own !== undefined,
    db,
    token: (claims) => services.dev!.issue(claims as never),
    async close() {
      if (!own) dashboard.close();
      await app.close();
      await db.cleanup();
    },
  };
}

// ---------------------------------------------------------------------------

let server: DashServer;
const sockets: TestSocket[] = [];

test.before(async () => {
  try {
    server = await startDashboardServer({ clock });
  } catch (err) {
    console.error('could not start the server:', err); // uvu does not print errors of hooks
    throw err;
  }
});

test.after(async () => {
  for (const s of sockets) s.drop();
  await server?.close();
});

test.before.each(() => {
  clock.set(NOW);
});

async function call(token: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json; text: string; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: Json = {};
  try {
    json = JSON.parse(text);
  } catch {
    /* CSV */
  }
  return { status: res.status, body: json, text, headers: res.headers };
}

const supervisor = () => server.token({ role: 'supervisor', sub: 'sup-1', name: 'Sara Supervisori' });
const office = (sede: string) => server.token({ role: 'office', sub: `op-${sede}`, sede, name: `Operatore ${sede}` });

async function signIn(claims: Record<string, unknown> & { role: string }): Promise<TestSocket> {
  const [socket] = await TestSocket.signIn(server.wsUrl, await server.token(claims));
  sockets.push(socket);
  return socket;
}

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

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// ---------------------------------------------------------------------------
// The situation: advisors, users waiting in GE/MI/RM, two chats in TO (one escalated), a ticket in NA.

let situation: Promise<void> | null = null;
function createSituation(): Promise<void> {
  situation ??= (async () => {
    const advTo = await signIn({ role: 'advisor', sub: 'adv-to', name: 'Tommaso Torinese', skills: ['province:TO'] });
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
    const created = await call(await server.token({ role: 'worker', sub: 'w-na', province: 'NA', name: 'Nadia' }), 'POST', '/api/v1/tickets', {
      subject: 'Pagamento CIGO di febbraio',
      category: 'payment',
      body: 'Non ho ancora ricevuto il pagamento.',
    });
    assert.is(created.status, 201, created.text);
  })();
  return situation;
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
  assert.ok(ge.estimatedWaitSeconds > live.service.secondsToClose, 'nobody serves GE: the estimate passes closing');
  assert.is(ge.beyondClosing, true);
  assert.is(live.provinces.find((p: Json) => p.code === 'GE').heat, 4);
  assert.is(live.provinces.find((p: Json) => p.code === 'BO').heat, 0);
});

// ---------------------------------------------------------------------------
// Daily snapshot = counts from the database

const rome = (day: string, hhmm: string) => zonedTimeToUtc(day, hhmm, 'Europe/Rome');
const shift = (day: string, n: number) => new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

async function seedDay(db: Db): Promise<void> {
  const D = SEEDED_DAY;
  const conv = (id: string, province: string, openedAt: Date, closedAt: Date | null, outcome: string | null, rating: number | null = null) => ({
    id,
    userId: `u-${id}`,
    userRole: 'worker' as const,
    province,
    audience: 'worker' as const,
    topic: 'cigo' as const,
    entry: 'omnia' as const,
    advisorId: 'adv-seed',
    status: closedAt ? ('closed' as const) : ('open' as const),
    outcome,
    rating,
    openedAt,
    closedAt,
  });
  await db.insert(conversations).values([
    conv('c1', 'GE', rome(D, '15:10'), rome(D, '15:20'), 'resolved', 4),
    conv('c2', 'GE', rome(D, '15:30'), rome(D, '15:50'), 'escalated'),
    conv('c3', 'MI', rome(D, '16:00'), null, null),
    conv('c4', 'MI', rome(shift(D, -1), '17:59'), rome(D, '00:05'), 'escalated', 3),
    conv('c5', 'RM', rome(shift(D, 1), '00:00'), null, null),
    conv('c6', 'RM', new Date(rome(shift(D, 1), '00:00').getTime() - 1000), null, null),
    conv('c7', 'GE', rome(D, '17:00'), rome(D, '17:10'), 'resolved', 5),
    conv('c8', 'RM', rome(shift(D, -1), '16:00'), rome(shift(D, -1), '16:20'), 'resolved', 1), // rated the day before
  ]);
  await db.insert(conversationWaits).values([
    { conversationId: 'c1', requestedAt: rome(D, '15:09'), waitMs: 30_000 },
    { conversationId: 'c2', requestedAt: rome(D, '15:28'), waitMs: 90_000 },
    { conversationId: 'c3', requestedAt: rome(D, '15:50'), waitMs: 600_000 },
    { conversationId: 'c4', requestedAt: rome(shift(D, -1), '17:50'), waitMs: 540_000 },
    { conversationId: 'c7', requestedAt: rome(D, '16:58'), waitMs: 120_000 },
  ]);
  let n = 0;
  const ticket = (o: { sede: string; province: string | null; createdAt: Date; closedAt?: Date; status?: 'open' | 'in_progress' | 'closed'; dueAt?: Date | null; respondedAt?: Date; conversationId?: string }) => {
    n++;
    const status = o.status ?? (o.closedAt ? 'closed' : 'open');
    return {
      id: randomUUID(),
      protocol: `LINPS-2026-9${String(n).padStart(5, '0')}`,
      subject: `Richiesta ${n}`,
      category: 'payment' as const,
      origin: o.conversationId ? ('escalation' as const) : ('user' as const),
      userId: `u-t${n}`,
      userRole: 'worker' as const,
      province: o.province,
      sede: o.sede,
      status,
      outcome: status === 'closed' ? 'answered' : null,
      createdBy: `u-t${n}`,
      createdByRole: 'worker',
      createdAt: o.createdAt,
      updatedAt: o.closedAt ?? o.createdAt,
      closedAt: o.closedAt ?? null,
      respondedAt: o.respondedAt ?? null,
      dueAt: o.dueAt === undefined ? new Date(o.createdAt.getTime() + 3 * 86_400_000) : o.dueAt,
      conversationId: o.conversationId ?? null,
    };
  };
  await db.insert(tickets).values([
    ticket({ sede: 'SEDE-GE', province: 'GE', createdAt: rome(D, '15:50'), conversationId: 'c2' }),
    ticket({ sede: 'SEDE-GE', province: 'GE', createdAt: rome(shift(D, -3), '10:00'), dueAt: rome(D, '12:00') }),
    ticket({ sede: 'SEDE-MI', province: 'MI', createdAt: rome(shift(D, -2), '10:00'), closedAt: rome(D, '10:00') }),
    ticket({ sede: 'SEDE-MI', province: 'MI', createdAt: rome(D, '09:00'), closedAt: rome(shift(D, 1), '09:00') }),
    ticket({ sede: 'SEDE-RM', province: null, createdAt: rome(D, '11:00'), status: 'in_progress', dueAt: null }),
    ticket({ sede: 'SEDE-RM', province: 'RM', createdAt: rome(shift(D, 1), '08:00') }),
    ticket({ sede: 'SEDE-NA', province: 'NA', createdAt: rome(shift(D, -10), '10:00'), closedAt: rome(shift(D, -5), '10:00') }),
    ticket({ sede: 'SEDE-MI', province: 'MI', createdAt: rome(shift(D, -1), '09:00'), status: 'in_progress', dueAt: rome(shift(D, -1), '20:00'), respondedAt: rome(shift(D, -1), '10:00') }),
    ticket({ sede: 'SEDE-MI', province: 'MI', createdAt: rome(D, '23:59'), conversationId: 'c4' }),
  ]);
}

/** percentile_cont: linear interpolation between the closest ranks. */
function p90(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const pos = 0.9 * (v.length - 1);
  const lo = Math.floor(pos);
  return v[lo]! + (v[Math.min(lo + 1, v.length - 1)]! - v[lo]!) * (pos - lo);
}

/** The day's figures computed here, in JavaScript, from every row of the tables. */
async function expectedFigures(db: Db, day: string): Promise<Map<string, Json>> {
  const { start, end } = dayBounds(day);
  const s = start.getTime();
  const e = end.getTime();
  const inDay = (d: Date | null) => d !== null && d.getTime() >= s && d.getTime() < e;
  const convs = await db.select().from(conversations);
  const waits = new Map((await db.select().from(conversationWaits)).map((w) => [w.conversationId, w.waitMs / 1000]));
  const tks = await db.select().from(tickets);
  const sedeOf = new Map(
    (await db.execute(sql`select province, office_code from office_provinces`) as unknown as { rows: { province: string; office_code: string }[] }).rows.map((r) => [r.province, r.office_code]),
  );
  const out = new Map<string, Json>();
  const row = (scope: string, key: string) => {
    const k = `${scope}/${key}`;
    if (!out.has(k)) {
      out.set(k, { scope, key, chatsServed: 0, waits: [] as number[], escalations: 0, ticketsOpened: 0, ticketsClosed: 0, ticketsOverdue: 0, backlogEnd: 0, ratingsCount: 0, ratingsSum: 0 });
    }
    return out.get(k)!;
  };
  row('national', 'IT');
  for (const c of convs) {
    const keys = [row('national', 'IT'), row('province', c.province), row('sede', sedeOf.get(c.province)!)];
    for (const r of keys) {
      if (inDay(c.openedAt)) {
        r.chatsServed++;
        if (waits.has(c.id)) r.waits.push(waits.get(c.id));
      }
      if (c.outcome === 'escalated' && inDay(c.closedAt)) r.escalations++;
      if (c.rating !== null && inDay(c.closedAt)) {
        r.ratingsCount++;
        r.ratingsSum += c.rating;
      }
    }
  }
  for (const t of tks) {
    const keys = [row('national', 'IT'), row('sede', t.sede), ...(t.province ? [row('province', t.province)] : [])];
    const backlog = t.createdAt.getTime() < e && (t.closedAt === null || t.closedAt.getTime() >= e);
    for (const r of keys) {
      if (inDay(t.createdAt)) r.ticketsOpened++;
      if (inDay(t.closedAt)) r.ticketsClosed++;
      if (backlog) r.backlogEnd++;
      if (backlog && t.dueAt !== null && t.dueAt.getTime() < e) r.ticketsOverdue++;
    }
  }
  for (const [k, r] of out) {
    const w = r.waits as number[];
    r.avgWaitSeconds = w.length ? Math.round((w.reduce((a, b) => a + b, 0) / w.length) * 1000) / 1000 : null;
    r.p90WaitSeconds = w.length ? Math.round(p90(w)! * 1000) / 1000 : null;
    delete r.waits;
    const empty = r.chatsServed + r.escalations + r.ratingsCount + r.ticketsOpened + r.ticketsClosed + r.backlogEnd === 0;
    if (empty && r.scope !== 'national') out.delete(k);
  }
  return out;
}

test('the daily snapshot of a seeded day matches the counts computed from the database, and taking it twice changes nothing', async () => {
  await seedDay(server.db.db);
  const sup = await supervisor();
  const taken = await call(sup, 'POST', '/api/v1/dashboard/snapshots', { day: SEEDED_DAY });
  assert.is(taken.status, 201, taken.text);
  const history = await call(sup, 'GET', `/api/v1/dashboard/history?from=${SEEDED_DAY}&to=${SEEDED_DAY}`);
  assert.is(history.status, 200, history.text);
  const stored = new Map<string, Json>(history.body.rows.map((r: Json) => [`${r.scope}/${r.key}`, r]));
  const expected = await expectedFigures(server.db.db, SEEDED_DAY);
  assert.equal([...stored.keys()].sort(), [...expected.keys()].sort(), 'the same scopes and keys');
  for (const [k, want] of expected) {
    const { day: _d, name: _n, ...got } = stored.get(k)!;
    assert.equal(got, want, k);
  }
  // A few by hand, to be sure the expectation itself is right.
  const it = stored.get('national/IT')!;
  assert.equal([it.chatsServed, it.escalations, it.ticketsOpened, it.ticketsClosed, it.backlogEnd, it.ticketsOverdue], [5, 2, 4, 1, 6, 2]);
  assert.equal([it.avgWaitSeconds, it.p90WaitSeconds], [(30 + 90 + 600 + 120) / 4, 456]);
  assert.equal([it.ratingsCount, it.ratingsSum], [3, 4 + 3 + 5], 'c1, c4 (opened the day before) and c7; not the unrated c2 nor c8 of the day before');
  assert.equal([stored.get('sede/SEDE-GE')!.ratingsCount, stored.get('province/MI')!.ratingsSum], [2, 3]);
  assert.equal(stored.get('sede/SEDE-GE')!.name, 'INPS Sede di Genova');
  assert.equal(history.body.days, [{ day: SEEDED_DAY, taken: true, ...figures(it) }]);

  const again = await call(sup, 'POST', '/api/v1/dashboard/snapshots', { day: SEEDED_DAY });
  assert.is(again.status, 201);
  const second = await call(sup, 'GET', `/api/v1/dashboard/history?from=${SEEDED_DAY}&to=${SEEDED_DAY}`);
  assert.equal(second.body.rows, history.body.rows, 'idempotent');
  const count = await server.db.db.execute(sql`select count(*)::int as n from dashboard_daily where day = ${SEEDED_DAY}::date`);
  assert.is((count as unknown as { rows: { n: number }[] }).rows[0]!.n, history.body.rows.length, 'one row per scope and key');
  assert.equal(await computeDay(server.db.db, SEEDED_DAY).then((r) => r.length), history.body.rows.length);
});

function figures(r: Json): Json {
  const { day: _d, scope: _s, key: _k, name: _n, ...f } = r;
  return f;
}

test('history: the last 30 days by default, zeros where nothing was taken, an office its sede, bad ranges refused', async () => {
  const sup = await supervisor();
  const h = await call(sup, 'GET', '/api/v1/dashboard/history?rows=false');
  assert.is(h.status, 200, h.text);
  assert.is(h.body.days.length, 30);
  assert.is(h.body.to, '2026-03-10');
  assert.is(h.body.rows, undefined);
  assert.equal(h.body.series, { scope: 'national', key: 'IT', name: 'Italia' });
  const untaken = h.body.days.find((d: Json) => d.day === '2026-03-04');
  assert.equal([untaken.taken, untaken.chatsServed, untaken.avgWaitSeconds], [false, 0, null]);
  const mi = await call(await office('SEDE-MI'), 'GET', `/api/v1/dashboard/history?from=${SEEDED_DAY}&to=${SEEDED_DAY}`);
  assert.is(mi.status, 200);
  assert.equal(mi.body.series.key, 'SEDE-MI');
  assert.equal(mi.body.days[0].ticketsClosed, 1);
  assert.ok(mi.body.rows.every((r: Json) => (r.scope === 'sede' && r.key === 'SEDE-MI') || (r.scope === 'province' && r.key === 'MI')), 'only its own rows');
  assert.is((await call(sup, 'GET', '/api/v1/dashboard/history?from=2026-03-10&to=2026-03-01')).status, 400);
  assert.is((await call(sup, 'GET', '/api/v1/dashboard/history?from=2024-01-01&to=2026-03-01')).status, 400);
  assert.is((await call(sup, 'GET', '/api/v1/dashboard/history?from=2026-02-30')).status, 400);
  assert.is((await call(sup, 'POST', '/api/v1/dashboard/snapshots', { day: '2026-03-11' })).body.error.code, 'validation_failed', 'no future days');
  assert.is((await call(await server.token({ role: 'worker', province: 'MI' }), 'GET', '/api/v1/dashboard/history')).status, 403);
});

/** A small RFC 4180 reader. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

test('the CSV export is an attachment, properly escaped, with the rows of the JSON history', async () => {
  await server.db.db.execute(sql`update offices set name = ${'INPS Sede di Genova, "Centro"\nPiano 2'} where code = 'SEDE-GE'`);
  await server.dashboard.refresh();
  const sup = await supervisor();
  const res = await call(sup, 'GET', `/api/v1/dashboard/history.csv?from=${SEEDED_DAY}&to=${SEEDED_DAY}`);
  assert.is(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
  assert.is(res.headers.get('content-disposition'), `attachment; filename="infocig-cruscotto-italia-${SEEDED_DAY}-${SEEDED_DAY}.csv"`);
  assert.ok(res.text.includes('"INPS Sede di Genova, ""Centro""\nPiano 2"'), 'comma, quotes and newline quoted');
  const [header, ...lines] = parseCsv(res.text);
  assert.equal(header!.slice(0, 5), ['day', 'scope', 'key', 'name', 'chats_served']);
  const json = (await call(sup, 'GET', `/api/v1/dashboard/history?from=${SEEDED_DAY}&to=${SEEDED_DAY}`)).body.rows as Json[];
  assert.is(lines.length, json.length);
  const ge = lines.find((l) => l[2] === 'SEDE-GE')!;
  assert.is(ge[3], 'INPS Sede di Genova, "Centro"\nPiano 2');
  const geJson = json.find((r) => r.key === 'SEDE-GE')!;
  assert.equal(ge.slice(4).map((c) => (c === '' ? null : Number(c))), [
    geJson.chatsServed, geJson.avgWaitSeconds, geJson.p90WaitSeconds, geJson.escalations, geJson.ticketsOpened, geJson.ticketsClosed, geJson.ticketsOverdue, geJson.backlogEnd,
    geJson.ratingsCount, geJson.ratingsSum,
  ]);
  assert.equal(header!.slice(-2), ['ratings_count', 'ratings_sum']);
  const mi = await call(await office('SEDE-MI'), 'GET', `/api/v1/dashboard/history.csv?from=${SEEDED_DAY}&to=${SEEDED_DAY}`);
  assert.match(mi.headers.get('content-disposition') ?? '', /infocig-cruscotto-sede-mi-/);
  assert.not.ok(mi.text.includes('SEDE-GE'), 'an office exports its own sede only');
  assert.is(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`, 'formulas are defused');
  assert.is(csvCell(-3), '-3', 'numbers stay numbers');
  assert.is(csvCell(null), '');
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
  assert.equal(audit?.detail, { before: { provinces: ['TO'], regions: [] }, after: { provinces: ['GE', 'TO'], regions: [] } });
  await until('the GE users to be assigned', async () => (await server.services.state.snapshot()).advisors.find((a) => a.id === 'adv-to')!.conversations.length === 3);
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
  if (server.wired) {
    // chat.request consults the flag once the lead's wiring is in (docs/dashboard.md).
    const user = await signIn({ role: 'worker', sub: 'w-bo', province: 'BO' });
    const err = await user.request({ type: 'chat.request', topic: 'cigo' });
    assert.equal([err.type, err.code], ['error', 'ticket_only']);
  }
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
  await feed.tick();
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

// ---------------------------------------------------------------------------
// The daily timer and the waits

test('the daily run: catch-up of yesterday at start, then 21:00 Rome time, DST included', async () => {
  assert.is(nextRunAfter(NOW, '21:00').toISOString(), '2026-03-10T20:00:00.000Z');
  assert.is(nextRunAfter(Date.parse('2026-03-10T20:30:00Z'), '21:00').toISOString(), '2026-03-11T20:00:00.000Z');
  assert.is(nextRunAfter(Date.parse('2026-03-29T12:00:00Z'), '21:00').toISOString(), '2026-03-29T19:00:00.000Z', 'summer time');
  const { start, end } = dayBounds('2026-03-29');
  assert.is(end.getTime() - start.getTime(), 23 * 3_600_000, 'the spring-forward day has 23 hours');
  const taken: string[] = [];
  const schedule = scheduleDailySnapshots({ take: async (day) => void taken.push(day), clock });
  await until('the catch-up', () => taken.length === 1);
  assert.equal(taken, ['2026-03-09']);
  assert.is(schedule.nextAt?.toISOString(), '2026-03-10T20:00:00.000Z');
  schedule.stop();
});

test('recordWait stores the wait of an assigned chat once', async () => {
  await server.db.db.insert(conversations).values({
    id: 'c-wait', userId: 'u', userRole: 'worker', province: 'MI', audience: 'worker', topic: 'cigo', entry: 'omnia', advisorId: 'a', openedAt: new Date(NOW),
  });
  await server.dashboard.recordWait('c-wait', NOW - 42_000, NOW);
  await server.dashboard.recordWait('c-wait', NOW - 1_000, NOW);
  await server.dashboard.recordWait('no-such-conversation', NOW - 1_000, NOW); // logged, never thrown
  const rows = await server.db.db.select().from(conversationWaits).where(eq(conversationWaits.conversationId, 'c-wait'));
  assert.equal(rows.map((r) => r.waitMs), [42_000]);
});

// ---------------------------------------------------------------------------
// Satisfaction: the ratings users give when they close a chat

/** A user asks, is served by the advisor of their province and closes the chat, with a rating or without. */
async function chatAndClose(sub: string, province: string, rating?: number): Promise<void> {
  const u = await signIn({ role: 'worker', sub, province, name: sub });
  u.send({ type: 'chat.request', topic: 'cigo' });
  const { conversationId } = await u.next('conversation.assigned');
  const closed = await u.request({ type: 'conversation.close', conversationId, ...(rating ? { rating } : {}) });
  assert.is(closed.type, 'ok', JSON.stringify(closed));
}

test("today's ratings: in the live figures and the day's snapshot, not unrated or yesterday's chats, an office its sede's only", async () => {
  const satisfaction = async (token: string) => (await call(token, 'GET', '/api/v1/dashboard/live')).body.totals.satisfaction;
  const sup = await supervisor();
  assert.equal(await satisfaction(sup), { ratings: 0, average: null }, 'nobody has rated today yet');
  const adv = await signIn({ role: 'advisor', sub: 'adv-rating', name: 'Rita Voti', skills: ['province:BA', 'province:FI'] });
  await adv.request({ type: 'advisor.status', status: 'available' });
  await chatAndClose('w-ba-r1', 'BA', 5);
  await chatAndClose('w-ba-r2', 'BA', 4);
  await chatAndClose('w-ba-r3', 'BA');
  await chatAndClose('w-fi-r1', 'FI', 2);
  const yesterday = '2026-03-09';
  await server.db.db.insert(conversations).values({
    id: 'c-rated-yesterday', userId: 'u-y', userRole: 'worker', province: 'BA', audience: 'worker', topic: 'cigo', entry: 'omnia', advisorId: 'adv-rating',
    status: 'closed', rating: 1, openedAt: rome(yesterday, '17:40'), closedAt: rome(yesterday, '17:58'),
  });

  assert.equal(await satisfaction(sup), { ratings: 3, average: 3.667 }, '5, 4 and 2; not the unrated chat nor yesterday’s 1');
  assert.equal(await satisfaction(await office('SEDE-BA')), { ratings: 2, average: 4.5 });
  assert.equal(await satisfaction(await office('SEDE-FI')), { ratings: 1, average: 2 });
  assert.equal(await satisfaction(await office('SEDE-GE')), { ratings: 0, average: null });

  for (const day of [yesterday, '2026-03-10']) assert.is((await call(sup, 'POST', '/api/v1/dashboard/snapshots', { day })).status, 201);
  const h = await call(sup, 'GET', `/api/v1/dashboard/history?from=${yesterday}&to=2026-03-10`);
  assert.is(h.status, 200, h.text);
  assert.equal(h.body.days.map((d: Json) => [d.day, d.ratingsCount, d.ratingsSum]), [[yesterday, 1, 1], ['2026-03-10', 3, 11]]);
  const today = (scope: string, key: string) => h.body.rows.find((r: Json) => r.day === '2026-03-10' && r.scope === scope && r.key === key);
  assert.equal([today('sede', 'SEDE-BA').ratingsCount, today('sede', 'SEDE-BA').ratingsSum, today('province', 'FI').ratingsSum], [2, 9, 2]);
  const ba = await call(await office('SEDE-BA'), 'GET', '/api/v1/dashboard/history?from=2026-03-10&to=2026-03-10');
  assert.equal([ba.body.days[0].ratingsCount, ba.body.days[0].ratingsSum], [2, 9], 'an office reads its own sede');
});

test.run();
