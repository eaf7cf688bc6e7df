/**
 * Who left a queue without being served (docs/dashboard.md, "Departures"): each
 * of the five ways out is stored once in queue_departures with its reason,
 * province, audience, topic and wait; a served user is none; a failed insert
 * never reaches the user; the live view shows today's per province and in
 * total (an office its own sede's), the daily snapshot counts them, re-taking a
 * day changes nothing and rows taken before the migration read 0.
 * Real server, sockets and ManualClock on the real calendar (Tuesday 10 March
 * 2026, 17:55 in Rome), embedded and on PostgreSQL.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { zonedTimeToUtc } from '../routing/schedule.ts';
import { queueDepartures } from '../schema/dashboard-tables.ts';
import { conversations } from '../schema/tables.ts';
import { MIGRATIONS_FOLDER, type Db } from '../server/db.ts';
import { QueueDepartures } from '../server/queue-departures.ts';
import { dashboardSession, NOW, until, type DashServer, type Json } from './helpers/dashboard-server.ts';
import type { TestSocket } from './helpers/ws-client.ts';

let server: DashServer;
// A waiting user whose socket drops is let go after 150 ms instead of a minute.
const { clock, call, supervisor, office, signIn } = dashboardSession(test, (started) => (server = started), { userGraceMs: 150 });

const rome = (day: string, hhmm: string) => zonedTimeToUtc(day, hhmm, 'Europe/Rome');
const TODAY = '2026-03-10';
const YESTERDAY = '2026-03-09';

test.before.each(async () => {
  await server.services.departures.idle();
  await server.db.db.delete(queueDepartures);
});

async function stored(): Promise<Json[]> {
  await server.services.departures.idle();
  // By reason: the recorder inserts without waiting for the one before, so on PostgreSQL two
  // departures close together may take their ids in either order.
  const rows = await server.db.db.select().from(queueDepartures).orderBy(queueDepartures.reason, queueDepartures.at);
  return rows.map(({ reason, province, audience, topic, waitedMs, at }) => ({ reason, province, audience, topic, waitedMs, at: at.getTime() }));
}

/** Signs in and takes a place in the queue (waiting even if the router thinks it will close first). */
async function waiting(claims: { role: string; sub: string; province: string }, topic: string): Promise<TestSocket> {
  const s = await signIn({ ...claims, name: claims.sub });
  s.send({ type: 'chat.request', topic, waitAnyway: true });
  await s.next('queue.joined');
  return s;
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('each of the five ways out of a queue unserved is recorded once, with its reason, province, audience, topic and wait', async () => {
  const cancelledBefore = await metric('infocig_queue_abandoned_total', '{reason="cancelled"}');

  const a = await waiting({ role: 'worker', sub: 'dep-cancel', province: 'MI' }, 'cigo');
  clock.advance(30_000);
  assert.is((await a.request({ type: 'chat.cancel' })).type, 'ok');

  clock.set(NOW);
  const b = await waiting({ role: 'employer', sub: 'dep-tips', province: 'PD' }, 'payment');
  clock.advance(12_000);
  assert.is((await b.request({ type: 'chat.cancel', reason: 'self_served' })).type, 'ok');

  clock.set(NOW);
  const c = await waiting({ role: 'intermediary', sub: 'dep-gone', province: 'TO' }, 'fis');
  clock.advance(7_000);
  c.drop();
  await until('the grace period to run out', async () => (await stored()).length === 3);

  // Past maxWaitSeconds (2700 s): let go with a Linea INPS offer, by the sweep of any node.
  clock.set(NOW);
  const d = await waiting({ role: 'worker', sub: 'dep-timeout', province: 'GE' }, 'cigs');
  clock.set(NOW + 2_701_000);
  await Promise.all([server.services.sweep.run(), server.services.sweep.run()]); // two sweeps, one departure
  assert.is((await d.next('queue.left')).reason, 'timeout');

  // 18:31, past closing (18:00) and its 30-minute cut-off, within maxWaitSeconds.
  clock.set(NOW);
  const e = await waiting({ role: 'worker', sub: 'dep-closed', province: 'NA' }, 'solidarity_fund');
  clock.set(rome(TODAY, '18:31').getTime());
  await server.services.sweep.run();
  assert.is((await e.next('queue.left')).reason, 'closed');

  await new Promise((r) => setTimeout(r, 1200)); // a routing tick of the node's own timer: nothing more to record
  assert.equal(await stored(), [
    { reason: 'cancelled', province: 'MI', audience: 'worker', topic: 'cigo', waitedMs: 30_000, at: NOW + 30_000 },
    { reason: 'closed', province: 'NA', audience: 'worker', topic: 'solidarity_fund', waitedMs: 36 * 60_000, at: NOW + 36 * 60_000 },
    { reason: 'disconnected', province: 'TO', audience: 'intermediary', topic: 'fis', waitedMs: 7_000, at: NOW + 7_000 },
    { reason: 'self_served', province: 'PD', audience: 'employer', topic: 'payment', waitedMs: 12_000, at: NOW + 12_000 },
    { reason: 'timeout', province: 'GE', audience: 'worker', topic: 'cigs', waitedMs: 2_701_000, at: NOW + 2_701_000 },
  ]);
  assert.is(await metric('infocig_queue_abandoned_total', '{reason="cancelled"}'), cancelledBefore + 1, 'the Prometheus counter counts as before');
});

test("a failed insert does not fail the user's cancel: they get their answer, the failure is counted", async () => {
  const unrecorded = await metric('infocig_queue_departures_unrecorded_total');
  const s = await waiting({ role: 'worker', sub: 'dep-fault', province: 'BO' }, 'cigo');
  await server.db.db.execute(sql`alter table queue_departures rename to queue_departures_away`);
  try {
    assert.is((await s.request({ type: 'chat.cancel' })).type, 'ok');
    assert.is((await s.next('queue.left')).reason, 'cancelled');
    await server.services.departures.idle();
    assert.is(await metric('infocig_queue_departures_unrecorded_total'), unrecorded + 1);
  } finally {
    await server.db.db.execute(sql`alter table queue_departures_away rename to queue_departures`);
  }
  assert.equal(await stored(), []);
});

test('a failed insert is logged with the province and reason only, never thrown', async () => {
  const warned: unknown[] = [];
  let failed = 0;
  const broken = { insert: () => ({ values: () => Promise.reject(new Error('connection lost')) }) } as unknown as Db;
  const departures = new QueueDepartures({ db: broken, clock: new ManualClock(NOW), log: { warn: (o: unknown) => void warned.push(o) }, onFailed: () => failed++ });
  await departures.record({ province: 'MI', audience: 'worker', topic: 'cigo', since: NOW - 5_000 }, 'cancelled'); // resolves
  assert.is(failed, 1);
  const { err, ...fields } = warned[0] as Record<string, unknown>;
  assert.ok(err instanceof Error);
  assert.equal(fields, { province: 'MI', reason: 'cancelled' });
});

/** Departure rows as the router would have written them. */
async function depart(province: string, reason: string, at: Date, audience = 'worker'): Promise<void> {
  await server.db.db.insert(queueDepartures).values({ at, province, audience: audience as 'worker', topic: 'cigo', reason: reason as 'cancelled', waitedMs: 60_000 });
}

async function served(id: string, province: string, openedAt: Date): Promise<void> {
  await server.db.db.insert(conversations).values({
    id, userId: `u-${id}`, userRole: 'worker', province, audience: 'worker', topic: 'cigo', entry: 'omnia', advisorId: 'adv-seed', status: 'closed', outcome: 'resolved', openedAt, closedAt: openedAt,
  });
}

test("the live view shows today's departures by reason per province and in total, with the share of who asked; an office only its sede's", async () => {
  await depart('MI', 'cancelled', rome(TODAY, '15:10'));
  await depart('MI', 'cancelled', rome(TODAY, '16:40'), 'employer');
  await depart('MI', 'self_served', rome(TODAY, '17:00'));
  await depart('GE', 'timeout', rome(TODAY, '00:00'));
  await depart('MI', 'disconnected', rome(YESTERDAY, '23:59')); // yesterday: not today's
  await served('live-mi-1', 'MI', rome(TODAY, '15:00'));
  await served('live-mi-2', 'MI', rome(TODAY, '17:30'));
  await served('live-ge-y', 'GE', rome(YESTERDAY, '17:00')); // served yesterday

  const sup = await call(await supervisor(), 'GET', '/api/v1/dashboard/live');
  assert.is(sup.status, 200, sup.text);
  const reasons = (o: Json) => ({ cancelled: 0, self_served: 0, disconnected: 0, timeout: 0, closed: 0, ...o });
  assert.equal(sup.body.totals.departures, { total: 4, byReason: reasons({ cancelled: 2, self_served: 1, timeout: 1 }), chatsServed: 2, leftUnservedShare: 0.667 });
  const prov = (view: CallResultBody, code: string) => view.provinces.find((p: Json) => p.code === code)?.departures;
  assert.equal(prov(sup.body, 'MI'), { total: 3, byReason: reasons({ cancelled: 2, self_served: 1 }), chatsServed: 2, leftUnservedShare: 0.6 });
  assert.equal(prov(sup.body, 'GE'), { total: 1, byReason: reasons({ timeout: 1 }), chatsServed: 0, leftUnservedShare: 1 });
  assert.equal(prov(sup.body, 'RM'), { total: 0, byReason: reasons({}), chatsServed: 0, leftUnservedShare: null }, 'nobody asked: no share, not 0 %');

  const mi = (await call(await office('SEDE-MI'), 'GET', '/api/v1/dashboard/live')).body;
  assert.is(mi.totals.departures.total, 3, 'its own provinces only');
  assert.is(prov(mi, 'MI').total, 3);
  assert.is(prov(mi, 'GE'), undefined, 'another sede’s province is not shown');
  const ge = (await call(await office('SEDE-GE'), 'GET', '/api/v1/dashboard/live')).body;
  assert.equal([ge.totals.departures.total, ge.totals.departures.chatsServed, prov(ge, 'GE').total, prov(ge, 'MI')], [1, 0, 1, undefined]);
});

type CallResultBody = Json;

test('the daily snapshot counts the day’s departures, self-served apart, per scope; re-taking the day gives the same rows', async () => {
  const day = '2026-03-04';
  await depart('FI', 'cancelled', rome(day, '15:30'));
  await depart('FI', 'self_served', rome(day, '16:00'));
  await depart('FI', 'self_served', rome(day, '16:10'));
  await depart('BA', 'closed', rome(day, '18:30'));
  await depart('BA', 'closed', rome('2026-03-05', '00:00')); // the next day
  await depart('BA', 'timeout', new Date(rome(day, '00:00').getTime() - 1)); // the day before
  const sup = await supervisor();
  const take = async () => {
    const r = await call(sup, 'POST', '/api/v1/dashboard/snapshots', { day });
    assert.is(r.status, 201, r.text);
    const h = await call(sup, 'GET', `/api/v1/dashboard/history?from=${day}&to=${day}`);
    return h.body as Json;
  };
  const first = await take();
  const figures = (scope: string, key: string) => {
    const r = first.rows.find((x: Json) => x.scope === scope && x.key === key);
    return r && [r.departures, r.departuresSelfServed];
  };
  assert.equal([first.days[0].departures, first.days[0].departuresSelfServed], [4, 2], 'national');
  assert.equal(figures('province', 'FI'), [3, 2]);
  assert.equal(figures('sede', 'SEDE-FI'), [3, 2]);
  assert.equal(figures('province', 'BA'), [1, 0], 'a province whose only activity is a departure gets its row');
  const again = await take();
  assert.equal(again, first, 'same rows the second time');

  const csv = (await call(sup, 'GET', `/api/v1/dashboard/history.csv?from=${day}&to=${day}`)).text.split('\r\n');
  const header = csv[0]!.split(',');
  const fi = csv.find((l) => l.startsWith(`${day},province,FI,`))!.split(',');
  assert.equal([fi[header.indexOf('departures')], fi[header.indexOf('departures_self_served')]], ['3', '2']);
});

test('rows of dashboard_daily taken before the departures migration read 0 and 0', async () => {
  const journal = JSON.parse(await readFile(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.endsWith('_dashboard_departures'));
  assert.ok(at > 0, 'the migration is in the journal');
  const dir = await mkdtemp(join(tmpdir(), 'infocig-departures-'));
  const client = new PGlite();
  try {
    await cp(MIGRATIONS_FOLDER, dir, { recursive: true });
    await writeFile(join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: dir });
    await db.execute(sql`insert into dashboard_daily (day, scope, key, chats_served, escalations, tickets_opened, tickets_closed, tickets_overdue, backlog_end, taken_at)
                         values ('2026-01-15', 'national', 'IT', 7, 1, 2, 3, 0, 4, now())`);
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const { rows } = await client.query<Json>(`select chats_served, departures, departures_self_served from dashboard_daily`);
    assert.equal(rows, [{ chats_served: 7, departures: 0, departures_self_served: 0 }]);
  } finally {
    await client.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a served user is not a departure: assigned, closed, and no sweep lets them go', async () => {
  const adv = await signIn({ role: 'advisor', sub: 'adv-dep', name: 'Dario Partenze', skills: ['province:CA'] });
  await adv.request({ type: 'advisor.status', status: 'available' });
  const u = await signIn({ role: 'worker', sub: 'dep-served', province: 'CA', name: 'Servito' });
  u.send({ type: 'chat.request', topic: 'cigo', waitAnyway: true });
  const { conversationId } = await u.next('conversation.assigned');
  assert.is((await u.request({ type: 'chat.cancel' })).code, 'not_waiting', 'no longer in the queue');
  assert.is((await u.request({ type: 'conversation.close', conversationId })).type, 'ok');
  clock.set(NOW + 3_000_000);
  await server.services.sweep.run();
  assert.equal(await stored(), []);
  const live = (await call(await supervisor(), 'GET', '/api/v1/dashboard/live')).body;
  assert.equal([live.totals.departures.total, live.provinces.find((p: Json) => p.code === 'CA').departures.chatsServed], [0, 1]);
});

test.run();
