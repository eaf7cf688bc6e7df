/**
 * The dashboard's daily history (docs/dashboard.md, "History"): the snapshots in
 * `dashboard_daily` between two days, as one series (national, a sede or a
 * province) and, optionally, every row in scope; and the same rows as CSV.
 */
import { sql } from 'drizzle-orm';
import { addDaysYmd } from '../routing/holidays.ts';
import { findProvince } from '../routing/provinces.ts';
import { dashboardDaily } from '../schema/dashboard-tables.ts';
import { isCalendarDay, NATIONAL_KEY, type DailyRow, type DayFigures } from './daily-snapshot.ts';
import type { DashboardDirectory } from './dashboard-directory.ts';
import type { DashboardScope, History, HistoryDay, HistoryQuery } from './dashboard-views.ts';
import type { Db } from './db.ts';
import { csvCell } from './csv.ts';
import { AppError } from './errors.ts';

export const HISTORY_MAX_DAYS = 366;
export const HISTORY_DEFAULT_DAYS = 30;

/** A history request, checked: the days and the series (a province, a sede, or null for national). */
export interface HistoryRequest {
  from: string;
  to: string;
  sede: string | null;
  province: string | null;
  rows: boolean;
}

/**
 * Checks a query against the caller's scope, on `today` (the local calendar day):
 * calendar days, in order, at most HISTORY_MAX_DAYS apart (default the last 30
 * days); an office is held to its own sede and provinces.
 */
export function historyRequest(scope: DashboardScope, q: HistoryQuery, today: string): HistoryRequest {
  const to = q.to ?? today;
  const from = q.from ?? addDaysYmd(to, -(HISTORY_DEFAULT_DAYS - 1));
  if (!isCalendarDay(from)) throw new AppError('validation_failed', 'from is not a calendar day (YYYY-MM-DD)');
  if (!isCalendarDay(to)) throw new AppError('validation_failed', 'to is not a calendar day (YYYY-MM-DD)');
  if (from > to) throw new AppError('validation_failed', 'from is after to');
  if (addDaysYmd(from, HISTORY_MAX_DAYS - 1) < to) throw new AppError('validation_failed', `at most ${HISTORY_MAX_DAYS} days at a time`);

  let sede = q.sede?.trim().toUpperCase() || null;
  const province = q.province ? (findProvince(q.province)?.code ?? null) : null;
  if (q.province && !province) throw new AppError('unknown_province', q.province);
  if (scope.kind === 'sede') {
    if (sede !== null && sede !== scope.sede) throw new AppError('forbidden', 'an office sees its own sede only');
    if (province !== null && !scope.provinces.includes(province)) throw new AppError('forbidden', 'an office sees its own provinces only');
    sede = scope.sede;
  }
  return { from, to, sede, province, rows: q.rows !== false };
}

/** Reads the snapshots of a checked request (the directory loaded: it names sedes and lists their provinces). */
export async function readHistory(db: Db, directory: DashboardDirectory, req: HistoryRequest): Promise<History> {
  const { from, to, sede, province } = req;
  const series: History['series'] = province
    ? { scope: 'province', key: province, name: findProvince(province)!.name }
    : sede
      ? { scope: 'sede', key: sede, name: directory.officeName(sede) ?? sede }
      : { scope: 'national', key: NATIONAL_KEY, name: 'Italia' };
  const stored = await db
    .select()
    .from(dashboardDaily)
    .where(sql`${dashboardDaily.day} between ${from}::date and ${to}::date`)
    .orderBy(dashboardDaily.day, dashboardDaily.scope, dashboardDaily.key);
  const taken = new Set(stored.filter((r) => r.scope === 'national').map((r) => r.day));
  const seriesRows = new Map(stored.filter((r) => r.scope === series.scope && r.key === series.key).map((r) => [r.day, r]));
  const days: HistoryDay[] = [];
  for (let d = from; d <= to; d = addDaysYmd(d, 1)) days.push({ day: d, taken: taken.has(d), ...figuresOf(seriesRows.get(d)) });
  const out: History = { from, to, series, days };
  if (!req.rows) return out;
  const sedeProvinces = sede ? new Set(directory.provincesOf(sede)) : null;
  const keep = (r: DailyRow) => {
    if (province) return r.scope === 'province' && r.key === province;
    if (sede) return (r.scope === 'sede' && r.key === sede) || (r.scope === 'province' && sedeProvinces!.has(r.key));
    return true;
  };
  out.rows = stored
    .map((r) => ({ day: r.day, scope: r.scope, key: r.key, ...figuresOf(r) }))
    .filter(keep)
    .map((r) => ({ ...r, name: directory.nameOf(r.scope, r.key) }));
  return out;
}

function figuresOf(r: DayFigures | undefined): DayFigures {
  return {
    chatsServed: r?.chatsServed ?? 0,
    avgWaitSeconds: r?.avgWaitSeconds ?? null,
    p90WaitSeconds: r?.p90WaitSeconds ?? null,
    escalations: r?.escalations ?? 0,
    ticketsOpened: r?.ticketsOpened ?? 0,
    ticketsClosed: r?.ticketsClosed ?? 0,
    ticketsOverdue: r?.ticketsOverdue ?? 0,
    backlogEnd: r?.backlogEnd ?? 0,
    ratingsCount: r?.ratingsCount ?? 0,
    ratingsSum: r?.ratingsSum ?? 0,
    departures: r?.departures ?? 0,
    departuresSelfServed: r?.departuresSelfServed ?? 0,
  };
}

const CSV_HEADER = [
  'day',
  'scope',
  'key',
  'name',
  'chats_served',
  'avg_wait_seconds',
  'p90_wait_seconds',
  'escalations',
  'tickets_opened',
  'tickets_closed',
  'tickets_overdue',
  'backlog_end',
  // Count and sum, not an average: a spreadsheet adds them over days or sedi and divides once (docs/dashboard.md).
  'ratings_count',
  'ratings_sum',
  // All who left unserved, and of them those who found the answer in the tips (a success, kept apart).
  'departures',
  'departures_self_served',
];

/** A history's rows as CSV (RFC 4180, CRLF, a header line) and the file name to offer. */
export function historyCsv(h: History): { csv: string; filename: string } {
  const lines = [CSV_HEADER.map(csvCell).join(',')];
  for (const r of h.rows ?? []) {
    lines.push(
      [
        r.day, r.scope, r.key, r.name, r.chatsServed, r.avgWaitSeconds, r.p90WaitSeconds, r.escalations,
        r.ticketsOpened, r.ticketsClosed, r.ticketsOverdue, r.backlogEnd, r.ratingsCount, r.ratingsSum,
        r.departures, r.departuresSelfServed,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  const label = h.series.scope === 'national' ? 'italia' : h.series.key.toLowerCase();
  return { csv: `${lines.join('\r\n')}\r\n`, filename: `infocig-cruscotto-${label}-${h.from}-${h.to}.csv` };
}
