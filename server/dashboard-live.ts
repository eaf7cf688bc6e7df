/**
 * The dashboard's live view (docs/dashboard.md, "Live view"), assembled from one
 * routing snapshot and one grouped query on `tickets`, read the way
 * server/metrics.ts reads them (same definitions), so the supervisor's view and
 * `/metrics` agree at the same instant; plus one query on today's ratings (the
 * satisfaction card), and today's departures (dashboard-departures.ts), which
 * /metrics does not have.
 */
import { sql } from 'drizzle-orm';
import type { WaitInfo } from '../routing/eta.ts';
import { speaksFor } from '../routing/matching.ts';
import { PROVINCES, regionOf } from '../routing/provinces.ts';
import type { AdvisorSkills, AdvisorState, RoutingSnapshot } from '../routing/routing-state.ts';
import { availability, closingTime, type ScheduleConfig } from '../routing/schedule.ts';
import { AUDIENCES, type Audience } from '../routing/types.ts';
import { dayBounds, localDay } from './daily-snapshot.ts';
import { departureFigures, type DepartureCounts } from './dashboard-departures.ts';
import type { DashboardDirectory } from './dashboard-directory.ts';
import type { AdvisorView, DashboardScope, LanguageView, LiveView, ProvinceView, QueueView, SedeTickets } from './dashboard-views.ts';
import { queryRows, type Db } from './db.ts';

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The heat of a province: 0 nobody waiting; 1 waiting; 2 a wait over 2 minutes
 * or five people; 3 over 5 minutes; 4 over 15 minutes, or the queue will not be
 * served before closing.
 */
export function heatOf(waiting: number, oldestWaitSeconds: number, beyondClosing: boolean): number {
  if (waiting === 0) return 0;
  if (oldestWaitSeconds >= 900 || beyondClosing) return 4;
  if (oldestWaitSeconds >= 300) return 3;
  if (oldestWaitSeconds >= 120 || waiting >= 5) return 2;
  return 1;
}

/** Does an advisor's province/region skill cover the province (ignoring audiences and topics)? */
export function covers(skills: AdvisorSkills, province: string): boolean {
  if (skills.provinces.length === 0 && skills.regions.length === 0) return true;
  if (skills.provinces.includes(province)) return true;
  const region = regionOf(province);
  return region !== undefined && skills.regions.includes(region);
}

/** One row of the grouped ticket query: a sede and status with its counts. */
export interface TicketAgg extends Record<string, unknown> {
  sede: string;
  status: string;
  n: number;
  overdue: number;
  sla: number;
  closed_today: number;
}

/** Ticket counts by sede and status, with the overdue, SLA and closed-today figures of `/metrics`. */
export function ticketCounts(db: Db, scope: DashboardScope, at: number): Promise<TicketAgg[]> {
  const now = new Date(at);
  const startOfToday = dayBounds(localDay(now)).start.toISOString();
  const iso = now.toISOString();
  return queryRows<TicketAgg>(
    db,
    sql`select sede, status, count(*)::int as n,
          count(*) filter (where status <> 'closed' and due_at < ${iso}::timestamptz)::int as overdue,
          count(*) filter (where status <> 'closed' and responded_at is null and due_at < ${iso}::timestamptz)::int as sla,
          count(*) filter (where status = 'closed' and closed_at >= ${startOfToday}::timestamptz)::int as closed_today
        from tickets ${scope.kind === 'sede' ? sql`where sede = ${scope.sede}` : sql``}
        group by sede, status`,
  );
}

/** Today's ratings in scope: how many, and their sum. */
export interface RatingsAgg extends Record<string, unknown> {
  n: number;
  total: number;
}

/**
 * The ratings of the chats closed today (local day, like `closedToday`) with one.
 * An office counts the chats of its provinces, as the daily snapshot counts a
 * chat for the sede competent for its province.
 */
export async function ratingsToday(db: Db, scope: DashboardScope, at: number): Promise<RatingsAgg> {
  const { start, end } = dayBounds(localDay(at));
  const provinces = scope.kind === 'sede' ? sql`and province in (${sql.join(scope.provinces.map((p) => sql`${p}`), sql`, `)})` : sql``;
  const [row] = await queryRows<RatingsAgg>(
    db,
    sql`select count(rating)::int as n, coalesce(sum(rating), 0)::int as total
        from conversations
        where status = 'closed' and closed_at >= ${start.toISOString()}::timestamptz and closed_at < ${end.toISOString()}::timestamptz
          and rating is not null ${provinces}`,
  );
  return { n: Number(row?.n ?? 0), total: Number(row?.total ?? 0) };
}

/** What the live view is made of, all read at the same instant `now`. */
export interface LiveInputs {
  scope: DashboardScope;
  snap: RoutingSnapshot;
  ticketRows: TicketAgg[];
  ratings: RatingsAgg;
  departures: DepartureCounts;
  /** Wait estimates by user id. */
  etas: Map<string, WaitInfo>;
  now: number;
  schedule: ScheduleConfig;
  directory: DashboardDirectory;
}

export function buildLiveView(i: LiveInputs): LiveView {
  const { scope, snap, now } = i;
  const inScope = (province: string) => scope.kind === 'all' || scope.provinces.includes(province);
  const closes = closingTime(new Date(now), i.schedule);
  const secondsToClose = closes ? Math.max(0, Math.round((closes.getTime() - now) / 1000)) : null;
  const open = availability(new Date(now), 'RM', 'worker', i.schedule);
  const queues = queueViews(i, inScope, secondsToClose);
  const visibleAdvisors = snap.advisors.filter((a) => scope.kind === 'all' || scope.provinces.some((p) => covers(a.skills, p)));
  const tickets = sedeTickets(scope, i.ticketRows, i.directory);
  return {
    at: new Date(now).toISOString(),
    scope: scope.kind === 'all' ? { role: 'supervisor', sede: null, provinces: null } : { role: 'office', sede: scope.sede, provinces: scope.provinces },
    service: { open: open.open, closesAt: closes ? closes.toISOString() : null, secondsToClose, opensAt: open.opensAt ?? null },
    totals: {
      ...totals(queues, visibleAdvisors, tickets),
      satisfaction: satisfaction(i.ratings),
      // Every province read (the query is already held to an office's own).
      departures: departureFigures(i.departures, new Set([...i.departures.departed.keys(), ...i.departures.served.keys()].filter(inScope))),
    },
    queues,
    provinces: provinceViews(i, inScope, queues),
    advisors: visibleAdvisors
      .map((a) => advisorView(a, scope.kind === 'all'))
      .sort((a, b) => statusRank(a.status) - statusRank(b.status) || b.load - a.load || String(a.name ?? '').localeCompare(String(b.name ?? ''))),
    languages: languageViews(i, inScope, visibleAdvisors),
    tickets,
    ticketOnly: [...i.directory.ticketOnly].filter(inScope).sort(),
  };
}

/** A user's estimated wait for the dashboard: null when unknown (nobody available can serve them). */
function estimate(w: WaitInfo | undefined): number | null {
  if (!w) return 0;
  return w.etaKnown ? w.etaSeconds : null;
}

/** The longest of some estimated waits; unknown (null) when any is: nobody there can serve those users. */
function longestWait(etas: (number | null)[]): number | null {
  return etas.includes(null) ? null : Math.max(0, ...(etas as number[]));
}

/** One entry per province × audience with someone waiting, the longest wait first. */
function queueViews(i: LiveInputs, inScope: (province: string) => boolean, secondsToClose: number | null): QueueView[] {
  const queues: QueueView[] = [];
  for (const [key, entries] of i.snap.queues) {
    if (entries.length === 0) continue;
    const [province, audience] = key.split(':') as [string, Audience];
    if (!inScope(province)) continue;
    const oldest = Math.max(0, (i.now - Math.min(...entries.map((e) => e.since))) / 1000);
    const eta = longestWait(entries.map((e) => estimate(i.etas.get(e.userId))));
    queues.push({
      province,
      audience,
      length: entries.length,
      oldestWaitSeconds: round3(oldest),
      estimatedWaitSeconds: eta,
      // Unknown: nobody available can serve them, so nobody will before closing unless someone comes back.
      beyondClosing: secondsToClose !== null && (eta === null || eta > secondsToClose),
    });
  }
  return queues.sort((a, b) => b.oldestWaitSeconds - a.oldestWaitSeconds || a.province.localeCompare(b.province) || a.audience.localeCompare(b.audience));
}

/** Every province in scope, waiting or not. */
function provinceViews(i: LiveInputs, inScope: (province: string) => boolean, queues: QueueView[]): ProvinceView[] {
  const provinces: ProvinceView[] = [];
  for (const p of PROVINCES) {
    if (!inScope(p.code)) continue;
    const qs = queues.filter((q) => q.province === p.code);
    const byAudience = Object.fromEntries(AUDIENCES.map((a) => [a, qs.find((q) => q.audience === a)?.length ?? 0])) as Record<Audience, number>;
    const waiting = qs.reduce((n, q) => n + q.length, 0);
    const oldest = Math.max(0, ...qs.map((q) => q.oldestWaitSeconds));
    const eta = longestWait(qs.map((q) => q.estimatedWaitSeconds));
    const beyond = qs.some((q) => q.beyondClosing);
    provinces.push({
      code: p.code,
      name: p.name,
      region: p.region,
      sede: i.directory.sedeOf(p.code),
      waiting,
      byAudience,
      oldestWaitSeconds: oldest,
      estimatedWaitSeconds: eta,
      beyondClosing: beyond,
      advisorsAvailable: i.snap.advisors.filter((a) => a.status === 'available' && covers(a.skills, p.code)).length,
      ticketOnly: i.directory.ticketOnly.has(p.code),
      heat: heatOf(waiting, oldest, beyond),
      departures: departureFigures(i.departures, [p.code]),
    });
  }
  return provinces;
}

/**
 * Italian always, and every language someone in scope waits in or a visible
 * advisor lists; the speakers counted as the router counts them (speaksFor).
 */
function languageViews(i: LiveInputs, inScope: (province: string) => boolean, visibleAdvisors: AdvisorState[]): LanguageView[] {
  const waiting = new Map<string, number[]>();
  for (const entries of i.snap.queues.values()) {
    for (const e of entries) {
      if (!inScope(e.province)) continue;
      const since = waiting.get(e.lang);
      if (since) since.push(e.since);
      else waiting.set(e.lang, [e.since]);
    }
  }
  const langs = new Set(['it', ...waiting.keys(), ...visibleAdvisors.flatMap((a) => a.skills.languages)]);
  const available = visibleAdvisors.filter((a) => a.status === 'available');
  return [...langs]
    .map((lang) => {
      const since = waiting.get(lang) ?? [];
      return {
        lang,
        waiting: since.length,
        oldestWaitSeconds: since.length ? round3(Math.max(0, (i.now - Math.min(...since)) / 1000)) : 0,
        advisorsAvailable: available.filter((a) => speaksFor(a, { lang })).length,
      };
    })
    .sort((a, b) => Number(b.lang === 'it') - Number(a.lang === 'it') || b.waiting - a.waiting || a.lang.localeCompare(b.lang));
}

/** The average is null, not 0, when nobody rated: "no ratings" is not "rated 0". */
function satisfaction(r: RatingsAgg): LiveView['totals']['satisfaction'] {
  return { ratings: r.n, average: r.n ? round3(r.total / r.n) : null };
}

function totals(queues: QueueView[], visibleAdvisors: AdvisorState[], tickets: SedeTickets[]): Omit<LiveView['totals'], 'satisfaction' | 'departures'> {
  const available = visibleAdvisors.filter((a) => a.status === 'available');
  const seats = available.reduce((n, a) => n + a.capacity, 0);
  const held = available.reduce((n, a) => n + a.conversations.length, 0);
  const count = (status: string) => visibleAdvisors.filter((a) => a.status === status).length;
  const sum = (k: keyof SedeTickets) => tickets.reduce((n, t) => n + (t[k] as number), 0);
  return {
    waiting: queues.reduce((n, q) => n + q.length, 0),
    oldestWaitSeconds: Math.max(0, ...queues.map((q) => q.oldestWaitSeconds)),
    conversationsActive: visibleAdvisors.reduce((n, a) => n + a.conversations.length, 0),
    advisors: { available: count('available'), away: count('away'), offline: count('offline') },
    occupancy: seats ? round3(Math.min(1, held / seats)) : 0,
    tickets: { open: sum('open'), inProgress: sum('inProgress'), overdue: sum('overdue'), slaBreaches: sum('slaBreaches'), closedToday: sum('closedToday') },
  };
}

/** Per sede (an office's own even with no tickets), the most overdue first. */
function sedeTickets(scope: DashboardScope, rows: TicketAgg[], directory: DashboardDirectory): SedeTickets[] {
  const by = new Map<string, SedeTickets>();
  const get = (sede: string) => {
    let t = by.get(sede);
    if (!t) by.set(sede, (t = { sede, name: directory.officeName(sede), open: 0, inProgress: 0, closed: 0, overdue: 0, slaBreaches: 0, closedToday: 0 }));
    return t;
  };
  if (scope.kind === 'sede') get(scope.sede);
  for (const r of rows) {
    const t = get(r.sede);
    const n = Number(r.n);
    if (r.status === 'open') t.open += n;
    else if (r.status === 'in_progress') t.inProgress += n;
    else if (r.status === 'closed') t.closed += n;
    t.overdue += Number(r.overdue);
    t.slaBreaches += Number(r.sla);
    t.closedToday += Number(r.closed_today);
  }
  return [...by.values()].sort((a, b) => b.overdue - a.overdue || b.open + b.inProgress - (a.open + a.inProgress) || a.sede.localeCompare(b.sede));
}

/** An advisor as the dashboard shows them: id and name for supervisors only. */
export function advisorView(a: AdvisorState, named: boolean): AdvisorView {
  return {
    ...(named ? { id: a.id, name: a.name } : {}),
    status: a.status,
    load: a.conversations.length,
    capacity: a.capacity,
    provinces: [...a.skills.provinces],
    regions: [...a.skills.regions],
    audiences: [...a.skills.audiences],
    languages: [...a.skills.languages],
  };
}

function statusRank(status: string): number {
  return status === 'available' ? 0 : status === 'away' ? 1 : 2;
}
