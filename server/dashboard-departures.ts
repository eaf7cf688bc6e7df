/**
 * Today's departures on the live dashboard (docs/dashboard.md, "Departures"):
 * who left a queue without being served since local midnight, by reason, per
 * province and in total, and the share of the people who asked today that this
 * is — departures / (departures + chats served today).
 *
 * "Served today" is what the daily snapshot calls chats served: conversations
 * opened (assigned to an advisor) since local midnight, counted for their
 * province. Both counts read the same local day as `closedToday` and the ratings.
 */
import { sql } from 'drizzle-orm';
import { DEPARTURE_REASONS, type DepartureReason } from '../schema/dashboard-tables.ts';
import { dayBounds, localDay } from './daily-snapshot.ts';
import type { DashboardScope } from './dashboard-views.ts';
import { queryRows, type Db } from './db.ts';

export interface DepartureFigures {
  /** Users who left a queue unserved today, whatever the reason. */
  total: number;
  byReason: Record<DepartureReason, number>;
  /** Chats served (assigned) today: the other way out of the queue. */
  chatsServed: number;
  /** total / (total + chatsServed), three decimals; null when nobody asked today. */
  leftUnservedShare: number | null;
}

/** Today's counts per province, as read: departures by reason, chats served. */
export interface DepartureCounts {
  departed: Map<string, Partial<Record<DepartureReason, number>>>;
  served: Map<string, number>;
}

interface ReasonRow extends Record<string, unknown> {
  province: string;
  reason: DepartureReason;
  n: number;
}
interface ServedRow extends Record<string, unknown> {
  province: string;
  n: number;
}

/** Two grouped reads over today's rows (indexes queue_departures_at_idx and conversations_opened_at_idx). */
export async function departuresToday(db: Db, scope: DashboardScope, at: number): Promise<DepartureCounts> {
  const { start, end } = dayBounds(localDay(at));
  const s = start.toISOString();
  const e = end.toISOString();
  const provinces = scope.kind === 'sede' ? sql`and province in (${sql.join(scope.provinces.map((p) => sql`${p}`), sql`, `)})` : sql``;
  const [reasons, served] = await Promise.all([
    queryRows<ReasonRow>(
      db,
      sql`select province, reason, count(*)::int as n from queue_departures
          where at >= ${s}::timestamptz and at < ${e}::timestamptz ${provinces}
          group by province, reason`,
    ),
    queryRows<ServedRow>(
      db,
      sql`select province, count(*)::int as n from conversations
          where opened_at >= ${s}::timestamptz and opened_at < ${e}::timestamptz ${provinces}
          group by province`,
    ),
  ]);
  const departed = new Map<string, Partial<Record<DepartureReason, number>>>();
  for (const r of reasons) {
    const p = departed.get(r.province) ?? {};
    p[r.reason] = Number(r.n);
    departed.set(r.province, p);
  }
  return { departed, served: new Map(served.map((r) => [r.province, Number(r.n)])) };
}

/** The figures of a set of provinces (one for its row, all in scope for the totals). */
export function departureFigures(counts: DepartureCounts, provinces: Iterable<string>): DepartureFigures {
  const byReason = Object.fromEntries(DEPARTURE_REASONS.map((r) => [r, 0])) as Record<DepartureReason, number>;
  let chatsServed = 0;
  for (const p of provinces) {
    const d = counts.departed.get(p);
    if (d) for (const r of DEPARTURE_REASONS) byReason[r] += d[r] ?? 0;
    chatsServed += counts.served.get(p) ?? 0;
  }
  const total = DEPARTURE_REASONS.reduce((n, r) => n + byReason[r], 0);
  const asked = total + chatsServed;
  return { total, byReason, chatsServed, leftUnservedShare: asked ? Math.round((total / asked) * 1000) / 1000 : null };
}
