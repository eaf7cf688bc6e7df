/**
 * The daily snapshot: the figures of one local (Europe/Rome) day per sede, per
 * province and for the whole country, computed from the `conversations`,
 * `conversation_waits` and `tickets` rows and stored in `dashboard_daily`.
 *
 * Every figure is derived from timestamps, never from "the status now", so a day
 * taken again later gives the same numbers (a ticket closed the next morning still
 * counts in that day's backlog): `takeSnapshot(day)` is an idempotent upsert.
 *
 *   chats served      conversations opened (assigned) during the day
 *   avg / p90 wait    over those, from conversation_waits (null when no wait is known)
 *   escalations       conversations closed as `escalated` during the day
 *   ratings           count and sum of the ratings of chats closed during the day
 *   departures        users who left a queue unserved during the day (queue_departures),
 *                     and apart those who found their answer in the tips (self_served)
 *   tickets opened    created during the day;  tickets closed: closed during the day
 *   backlog at end    created before the end of the day and not closed by then
 *   overdue at end    of that backlog, due before the end of the day
 *
 * Chats belong to the sede competent for their province (`office_provinces`),
 * tickets to their own `sede` (and `province`, when they have one).
 *
 * `scheduleDailySnapshots` runs it once a day (21:00 local by default, after the
 * service has closed) for that day and the day before, and once at start for
 * yesterday, so a node that was down at 21:00 catches up. Several nodes doing it
 * at once is harmless: the upsert converges.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import { addDaysYmd } from '../routing/holidays.ts';
import { zonedTimeToUtc } from '../routing/zoned-time.ts';
import { DAILY_TIME_ZONE, everyDayAt, localDay, nextRunAfter, type DailyTimer } from './daily-timer.ts';
import { dashboardDaily, type DailyScopeValue, type NewDashboardDailyRow } from '../schema/dashboard-tables.ts';
import { queryRows, type Db } from './db.ts';

export const SNAPSHOT_TIME_ZONE = DAILY_TIME_ZONE;
export const NATIONAL_KEY = 'IT';

export interface DayFigures {
  chatsServed: number;
  avgWaitSeconds: number | null;
  p90WaitSeconds: number | null;
  escalations: number;
  ticketsOpened: number;
  ticketsClosed: number;
  ticketsOverdue: number;
  backlogEnd: number;
  /** Chats closed that day with a rating, and the sum of those ratings (average = sum / count). */
  ratingsCount: number;
  ratingsSum: number;
  /** Users who left a queue unserved that day; of them, those who found the answer in the tips. */
  departures: number;
  departuresSelfServed: number;
}

export interface DailyRow extends DayFigures {
  day: string;
  scope: DailyScopeValue;
  key: string;
}

export const EMPTY_FIGURES: Readonly<DayFigures> = Object.freeze({
  chatsServed: 0,
  avgWaitSeconds: null,
  p90WaitSeconds: null,
  escalations: 0,
  ticketsOpened: 0,
  ticketsClosed: 0,
  ticketsOverdue: 0,
  backlogEnd: 0,
  ratingsCount: 0,
  ratingsSum: 0,
  departures: 0,
  departuresSelfServed: 0,
});

const YMD = /^\d{4}-\d{2}-\d{2}$/;

export function isCalendarDay(day: string): boolean {
  if (!YMD.test(day)) return false;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

/** The local day's first instant and the next day's (exclusive end), DST-aware. */
export function dayBounds(day: string, timeZone = SNAPSHOT_TIME_ZONE): { start: Date; end: Date } {
  return { start: zonedTimeToUtc(day, '00:00', timeZone), end: zonedTimeToUtc(addDaysYmd(day, 1), '00:00', timeZone) };
}

export { localDay, nextRunAfter };

type Grouping = { scope: DailyScopeValue; chatKey: SQL; chatJoin: SQL; ticketKey: SQL; ticketWhere: SQL };

const GROUPINGS: Grouping[] = [
  { scope: 'national', chatKey: sql.raw(`'${NATIONAL_KEY}'`), chatJoin: sql``, ticketKey: sql.raw(`'${NATIONAL_KEY}'`), ticketWhere: sql`true` },
  {
    scope: 'sede',
    chatKey: sql`op.office_code`,
    chatJoin: sql`join office_provinces op on op.province = c.province`,
    ticketKey: sql`t.sede`,
    ticketWhere: sql`true`,
  },
  { scope: 'province', chatKey: sql`c.province`, chatJoin: sql``, ticketKey: sql`t.province`, ticketWhere: sql`t.province is not null` },
];

interface ChatAgg extends Record<string, unknown> {
  key: string;
  served: number;
  avg_wait: number | string | null;
  p90_wait: number | string | null;
}
/** Chats closed in the day: the escalated ones and the ratings. */
interface ClosedAgg extends Record<string, unknown> {
  key: string;
  escalated: number;
  rated: number;
  rating_sum: number;
}
interface DepartureAgg extends Record<string, unknown> {
  key: string;
  departed: number;
  self_served: number;
}
interface TicketAgg extends Record<string, unknown> {
  key: string;
  opened: number;
  closed: number;
  backlog: number;
  overdue: number;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);

/** The figures of one day, every scope, from the rows as they are now. Reads only. */
export async function computeDay(db: Db, day: string, timeZone = SNAPSHOT_TIME_ZONE): Promise<DailyRow[]> {
  if (!isCalendarDay(day)) throw new RangeError(`computeDay: not a calendar day: ${day}`);
  const { start, end } = dayBounds(day, timeZone);
  const s = start.toISOString();
  const e = end.toISOString();
  const out: DailyRow[] = [];
  for (const g of GROUPINGS) {
    const chats = await queryRows<ChatAgg>(
      db,
      sql`select ${g.chatKey} as key, count(*)::int as served,
            avg(w.wait_ms)::float8 / 1000 as avg_wait,
            (percentile_cont(0.9) within group (order by w.wait_ms))::float8 / 1000 as p90_wait
          from conversations c ${g.chatJoin}
          left join conversation_waits w on w.conversation_id = c.id
          where c.opened_at >= ${s}::timestamptz and c.opened_at < ${e}::timestamptz
          group by 1`,
    );
    const closed = await queryRows<ClosedAgg>(
      db,
      sql`select ${g.chatKey} as key, count(*) filter (where c.outcome = 'escalated')::int as escalated,
            count(c.rating)::int as rated, coalesce(sum(c.rating), 0)::int as rating_sum
          from conversations c ${g.chatJoin}
          where c.closed_at >= ${s}::timestamptz and c.closed_at < ${e}::timestamptz
          group by 1`,
    );
    // Aliased `c` so the grouping's key and join (written for chats) apply as they are.
    const departed = await queryRows<DepartureAgg>(
      db,
      sql`select ${g.chatKey} as key, count(*)::int as departed, count(*) filter (where c.reason = 'self_served')::int as self_served
          from queue_departures c ${g.chatJoin}
          where c.at >= ${s}::timestamptz and c.at < ${e}::timestamptz
          group by 1`,
    );
    const tickets = await queryRows<TicketAgg>(
      db,
      sql`select ${g.ticketKey} as key,
            count(*) filter (where t.created_at >= ${s}::timestamptz)::int as opened,
            count(*) filter (where t.closed_at >= ${s}::timestamptz and t.closed_at < ${e}::timestamptz)::int as closed,
            count(*) filter (where t.closed_at is null or t.closed_at >= ${e}::timestamptz)::int as backlog,
            count(*) filter (where (t.closed_at is null or t.closed_at >= ${e}::timestamptz) and t.due_at < ${e}::timestamptz)::int as overdue
          from tickets t
          where t.created_at < ${e}::timestamptz and (t.closed_at is null or t.closed_at >= ${s}::timestamptz) and ${g.ticketWhere}
          group by 1`,
    );
    const rows = new Map<string, DailyRow>();
    const row = (key: string) => {
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { day, scope: g.scope, key, ...EMPTY_FIGURES }));
      return r;
    };
    if (g.scope === 'national') row(NATIONAL_KEY);
    for (const c of chats) {
      const r = row(c.key);
      r.chatsServed = Number(c.served);
      r.avgWaitSeconds = round(num(c.avg_wait));
      r.p90WaitSeconds = round(num(c.p90_wait));
    }
    for (const x of closed) {
      const r = row(x.key);
      r.escalations = Number(x.escalated);
      r.ratingsCount = Number(x.rated);
      r.ratingsSum = Number(x.rating_sum);
    }
    for (const x of departed) {
      const r = row(x.key);
      r.departures = Number(x.departed);
      r.departuresSelfServed = Number(x.self_served);
    }
    for (const t of tickets) {
      const r = row(t.key);
      r.ticketsOpened = Number(t.opened);
      r.ticketsClosed = Number(t.closed);
      r.backlogEnd = Number(t.backlog);
      r.ticketsOverdue = Number(t.overdue);
    }
    for (const r of rows.values()) {
      const empty = r.chatsServed === 0 && r.escalations === 0 && r.ratingsCount === 0 && r.departures === 0 && r.ticketsOpened === 0 && r.ticketsClosed === 0 && r.backlogEnd === 0;
      if (!empty || r.scope === 'national') out.push(r);
    }
  }
  return out.sort((a, b) => a.scope.localeCompare(b.scope) || a.key.localeCompare(b.key));
}

/**
 * Computes the day and stores it: rows of that day are replaced in one
 * transaction (a sede that had figures at the last take and has none now loses
 * its row). Idempotent: the same rows come out of the same database.
 */
export async function takeSnapshot(db: Db, day: string, now: Date, timeZone = SNAPSHOT_TIME_ZONE): Promise<DailyRow[]> {
  const rows = await computeDay(db, day, timeZone);
  const values: NewDashboardDailyRow[] = rows.map((r) => ({ ...r, takenAt: now }));
  await db.transaction(async (tx) => {
    await tx.execute(sql`delete from dashboard_daily where day = ${day}::date`);
    if (values.length) {
      await tx
        .insert(dashboardDaily)
        .values(values)
        .onConflictDoUpdate({
          target: [dashboardDaily.day, dashboardDaily.scope, dashboardDaily.key],
          set: {
            chatsServed: sql`excluded.chats_served`,
            avgWaitSeconds: sql`excluded.avg_wait_seconds`,
            p90WaitSeconds: sql`excluded.p90_wait_seconds`,
            escalations: sql`excluded.escalations`,
            ticketsOpened: sql`excluded.tickets_opened`,
            ticketsClosed: sql`excluded.tickets_closed`,
            ticketsOverdue: sql`excluded.tickets_overdue`,
            backlogEnd: sql`excluded.backlog_end`,
            ratingsCount: sql`excluded.ratings_count`,
            ratingsSum: sql`excluded.ratings_sum`,
            departures: sql`excluded.departures`,
            departuresSelfServed: sql`excluded.departures_self_served`,
            takenAt: sql`excluded.taken_at`,
          },
        });
    }
  });
  return rows;
}

export type DailySchedule = DailyTimer;

export interface DailyScheduleOptions {
  /** Takes one day (e.g. `(day) => dashboard.takeSnapshot(day)`). */
  take: (day: string) => Promise<unknown>;
  clock: Clock;
  log?: Pick<Logger, 'info' | 'warn'>;
  /** Local time of the daily run, HH:MM. Default 21:00. */
  at?: string;
  timeZone?: string;
  /** Take yesterday once at start (catch-up). Default true. */
  catchUp?: boolean;
}

/** Runs the snapshot every day at `at` (local) for that day and the one before; timers are unref'd. */
export function scheduleDailySnapshots(o: DailyScheduleOptions): DailySchedule {
  const tz = o.timeZone ?? SNAPSHOT_TIME_ZONE;
  const run = async (days: string[]) => {
    for (const day of days) {
      try {
        await o.take(day);
        o.log?.info({ day }, 'daily snapshot taken');
      } catch (err) {
        o.log?.warn({ err, day }, 'daily snapshot failed; it is taken again at the next run');
      }
    }
  };
  if (o.catchUp !== false) void run([addDaysYmd(localDay(o.clock.now(), tz), -1)]);
  return everyDayAt({ at: o.at ?? '21:00', clock: o.clock, timeZone: tz, run: (today) => run([addDaysYmd(today, -1), today]) });
}
