/**
 * The supervisor dashboard (issue 8), by day: the daily snapshot of a seeded day
 * against counts computed here from the rows in the database, the history and its
 * CSV, the daily timer and the recorded waits, the users' ratings. Apart from
 * test/dashboard.test.ts (the live view) because these tests fill the tables with
 * days of their own and read them back; their own server and database keep the
 * two sets from leaning on each other. Same real calendar on a ManualClock.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { zonedTimeToUtc } from '../routing/schedule.ts';
import { conversationWaits, queueDepartures } from '../schema/dashboard-tables.ts';
import { conversations } from '../schema/tables.ts';
import { tickets } from '../schema/ticket-tables.ts';
import { computeDay, dayBounds, nextRunAfter, scheduleDailySnapshots } from '../server/daily-snapshot.ts';
import { csvCell } from '../server/csv.ts';
import type { Db } from '../server/db.ts';
import { dashboardSession, NOW, SEEDED_DAY, until, type DashServer, type Json } from './helpers/dashboard-server.ts';

// The session registers this file's hooks: its own server and database before the tests, the clock back to NOW before each.
let server: DashServer;
const { clock, call, supervisor, office, signIn } = dashboardSession(test, (started) => (server = started));

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
  const departure = (province: string, reason: 'cancelled' | 'self_served' | 'timeout', at: Date) => ({ province, reason, at, audience: 'worker' as const, topic: 'cigo' as const, waitedMs: 45_000 });
  await db.insert(queueDepartures).values([
    departure('GE', 'cancelled', rome(D, '15:05')),
    departure('GE', 'self_served', rome(D, '16:00')),
    departure('TO', 'timeout', rome(D, '17:45')), // TO's only activity that day
    departure('MI', 'cancelled', rome(shift(D, 1), '00:00')), // the next day
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
  const departed = await db.select().from(queueDepartures);
  const sedeOf = new Map(
    (await db.execute(sql`select province, office_code from office_provinces`) as unknown as { rows: { province: string; office_code: string }[] }).rows.map((r) => [r.province, r.office_code]),
  );
  const out = new Map<string, Json>();
  const row = (scope: string, key: string) => {
    const k = `${scope}/${key}`;
    if (!out.has(k)) {
      out.set(k, { scope, key, chatsServed: 0, waits: [] as number[], escalations: 0, ticketsOpened: 0, ticketsClosed: 0, ticketsOverdue: 0, backlogEnd: 0, ratingsCount: 0, ratingsSum: 0, departures: 0, departuresSelfServed: 0 });
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
  for (const d of departed) {
    if (!inDay(d.at)) continue;
    for (const r of [row('national', 'IT'), row('province', d.province), row('sede', sedeOf.get(d.province)!)]) {
      r.departures++;
      if (d.reason === 'self_served') r.departuresSelfServed++;
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
    const empty = r.chatsServed + r.escalations + r.ratingsCount + r.departures + r.ticketsOpened + r.ticketsClosed + r.backlogEnd === 0;
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
  assert.equal([it.departures, it.departuresSelfServed, stored.get('province/TO')?.departures], [3, 1, 1], 'GE twice and TO; not MI after midnight');
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
    geJson.ratingsCount, geJson.ratingsSum, geJson.departures, geJson.departuresSelfServed,
  ]);
  assert.equal(header!.slice(-4), ['ratings_count', 'ratings_sum', 'departures', 'departures_self_served']);
  const mi = await call(await office('SEDE-MI'), 'GET', `/api/v1/dashboard/history.csv?from=${SEEDED_DAY}&to=${SEEDED_DAY}`);
  assert.match(mi.headers.get('content-disposition') ?? '', /infocig-cruscotto-sede-mi-/);
  assert.not.ok(mi.text.includes('SEDE-GE'), 'an office exports its own sede only');
  assert.is(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`, 'formulas are defused');
  assert.is(csvCell(-3), '-3', 'numbers stay numbers');
  assert.is(csvCell(null), '');
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
