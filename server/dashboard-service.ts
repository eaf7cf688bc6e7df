/**
 * The supervisor dashboard (issue 8, docs/dashboard.md): the live view of queues,
 * advisors and ticket backlogs; the daily history and its CSV; the controls
 * (move an advisor between queues, switch a province to "ticket only"), each
 * audited in `dashboard_audit`.
 *
 * Who sees what: a supervisor everything; an office operator (claim `sede`) the
 * provinces its sede is competent for (`office_provinces`), the advisors who can
 * serve them (without names) and its own tickets; anyone else `forbidden`.
 *
 * The live numbers are read the way server/metrics.ts reads them (one routing
 * snapshot, one grouped query on `tickets`, the same definitions), so the
 * supervisor's view and `/metrics` agree at the same instant.
 */
import { desc, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import { waitInfos, type WaitInfo } from '../routing/eta.ts';
import { addDaysYmd } from '../routing/holidays.ts';
import { findProvince, PROVINCES, regionOf, REGIONS } from '../routing/provinces.ts';
import type { AdvisorSkills, AdvisorState, RoutingSnapshot, RoutingState } from '../routing/routing-state.ts';
import { availability, closingTime, type ScheduleConfig } from '../routing/schedule.ts';
import { AUDIENCES, type Audience } from '../routing/types.ts';
import { conversationWaits, dashboardAudit, dashboardDaily, ticketOnlyProvinces, type DailyScopeValue } from '../schema/dashboard-tables.ts';
import { advisors } from '../schema/tables.ts';
import type { Identity } from './auth.ts';
import { dayBounds, isCalendarDay, localDay, NATIONAL_KEY, SNAPSHOT_TIME_ZONE, takeSnapshot, type DailyRow, type DayFigures } from './daily-snapshot.ts';
import { queryRows, type Db } from './db.ts';
import { AppError } from './errors.ts';

export interface DashboardDeps {
  db: Db;
  state: RoutingState;
  clock: Clock;
  schedule: ScheduleConfig;
  /** The handling time the wait estimate assumes, seconds (read at each view). */
  handleSeconds: () => number;
  /** Another wait estimate (the router's, when it has a better one). Default routing/eta.ts. */
  estimate?: (snapshot: RoutingSnapshot, now: number) => Map<string, WaitInfo>;
  /** Called after a control changed the routing state (e.g. `() => void router.dispatch()`). */
  onRoutingChange?: () => void;
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** How often the ticket-only flags and the office map are re-read (other nodes' changes). Default 5 s. */
  refreshMs?: number;
}

/** Who is looking: everything, or one sede and its provinces. */
export type DashboardScope = { kind: 'all' } | { kind: 'sede'; sede: string; provinces: string[] };

export interface QueueView {
  province: string;
  audience: Audience;
  length: number;
  oldestWaitSeconds: number;
  /** Estimated wait of the last user in the queue: when it would be empty with no new arrivals. */
  estimatedWaitSeconds: number;
  /** The estimate ends after today's closing. */
  beyondClosing: boolean;
}

export interface ProvinceView {
  code: string;
  name: string;
  region: string;
  sede: string | null;
  waiting: number;
  byAudience: Record<Audience, number>;
  oldestWaitSeconds: number;
  estimatedWaitSeconds: number;
  beyondClosing: boolean;
  /** Available advisors whose provinces or regions cover this province (national ones included). */
  advisorsAvailable: number;
  ticketOnly: boolean;
  /** 0 nobody waiting … 4 critical (see heatOf). */
  heat: number;
}

export interface AdvisorView {
  /** Supervisors only. */
  id?: string;
  name?: string | null;
  status: string;
  load: number;
  capacity: number;
  provinces: string[];
  regions: string[];
  audiences: string[];
}

export interface SedeTickets {
  sede: string;
  name: string | null;
  open: number;
  inProgress: number;
  closed: number;
  /** Open or in progress and past due: the figure of `infocig_tickets_overdue`. */
  overdue: number;
  /** Past due and the user not yet recontacted: the 48-working-hour SLA missed. */
  slaBreaches: number;
  closedToday: number;
}

export interface LiveView {
  at: string;
  scope: { role: 'supervisor' | 'office'; sede: string | null; provinces: string[] | null };
  service: { open: boolean; closesAt: string | null; secondsToClose: number | null; opensAt: string | null };
  totals: {
    waiting: number;
    oldestWaitSeconds: number;
    conversationsActive: number;
    advisors: { available: number; away: number; offline: number };
    occupancy: number;
    tickets: { open: number; inProgress: number; overdue: number; slaBreaches: number; closedToday: number };
  };
  queues: QueueView[];
  provinces: ProvinceView[];
  advisors: AdvisorView[];
  tickets: SedeTickets[];
  ticketOnly: string[];
}

export interface HistoryQuery {
  from?: string;
  to?: string;
  sede?: string;
  province?: string;
  /** Include the per-scope rows (default true); the series is always there. */
  rows?: boolean;
}

export interface HistoryDay extends DayFigures {
  day: string;
  /** False when no snapshot was taken for that day (figures are then zero/null). */
  taken: boolean;
}

export interface HistoryRow extends DailyRow {
  name: string;
}

export interface History {
  from: string;
  to: string;
  series: { scope: DailyScopeValue; key: string; name: string };
  days: HistoryDay[];
  rows?: HistoryRow[];
}

export interface AuditView {
  at: string;
  actor: { id: string; role: string; name: string | null };
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

export const HISTORY_MAX_DAYS = 366;
export const HISTORY_DEFAULT_DAYS = 30;

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

interface TicketAgg extends Record<string, unknown> {
  sede: string;
  status: string;
  n: number;
  overdue: number;
  sla: number;
  closed_today: number;
}

export class DashboardService {
  private readonly ticketOnlySet = new Set<string>();
  private sedeOfProvince = new Map<string, string>();
  private officeNames = new Map<string, string>();
  private loaded: Promise<void> | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: DashboardDeps) {}

  /** Loads the ticket-only flags and the office map, then re-reads them every few seconds. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.refreshTimer) return;
    this.refreshTimer = setInterval(() => void this.refresh().catch((err) => this.deps.log?.warn({ err }, 'dashboard refresh failed')), this.deps.refreshMs ?? 5000);
    this.refreshTimer.unref();
  }

  close(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
  }

  /**
   * Whether users of this province are to be offered a Linea INPS request instead
   * of a place in the queue. Synchronous, from memory: set at once on this node,
   * within `refreshMs` on the others. Bound, so it can be passed around as is.
   */
  readonly isTicketOnly = (province: string): boolean => this.ticketOnlySet.has(province.toUpperCase());

  /** Records how long a user waited before their conversation was assigned. Never throws. */
  async recordWait(conversationId: string, since: number, assignedAt: number): Promise<void> {
    try {
      await this.deps.db
        .insert(conversationWaits)
        .values({ conversationId, requestedAt: new Date(since), waitMs: Math.max(0, Math.round(assignedAt - since)) })
        .onConflictDoNothing();
    } catch (err) {
      this.deps.log?.warn({ err, conversationId }, 'wait not recorded');
    }
  }

  /** The caller's scope, or forbidden. */
  async scopeOf(identity: Identity): Promise<DashboardScope> {
    if (identity.role === 'supervisor') return { kind: 'all' };
    if (identity.role === 'office') {
      if (!identity.sede) throw new AppError('forbidden', 'an office operator needs a sede');
      await this.ensureLoaded();
      const provinces = this.provincesOf(identity.sede);
      if (provinces.length === 0) throw new AppError('forbidden', 'your sede is not a known office');
      return { kind: 'sede', sede: identity.sede, provinces };
    }
    throw new AppError('forbidden', 'the dashboard is for supervisors and office operators');
  }

  async live(identity: Identity): Promise<LiveView> {
    return this.liveFor(await this.scopeOf(identity));
  }

  /** The live view of a scope: one routing snapshot and one query on tickets. */
  async liveFor(scope: DashboardScope): Promise<LiveView> {
    await this.ensureLoaded();
    const { state, clock, schedule } = this.deps;
    const [snap, ticketRows] = await Promise.all([state.snapshot(), this.ticketCounts(scope)]);
    const now = clock.now();
    const inScope = (province: string) => scope.kind === 'all' || scope.provinces.includes(province);

    const closes = closingTime(new Date(now), schedule);
    const secondsToClose = closes ? Math.max(0, Math.round((closes.getTime() - now) / 1000)) : null;
    const open = availability(new Date(now), 'RM', 'worker', schedule);

    const etas = this.estimate(snap, now);
    const queues: QueueView[] = [];
    for (const [key, entries] of snap.queues) {
      if (entries.length === 0) continue;
      const [province, audience] = key.split(':') as [string, Audience];
      if (!inScope(province)) continue;
      const oldest = Math.max(0, (now - Math.min(...entries.map((e) => e.since))) / 1000);
      const eta = Math.max(0, ...entries.map((e) => etas.get(e.userId)?.etaSeconds ?? 0));
      queues.push({
        province,
        audience,
        length: entries.length,
        oldestWaitSeconds: round3(oldest),
        estimatedWaitSeconds: eta,
        beyondClosing: secondsToClose !== null && eta > secondsToClose,
      });
    }
    queues.sort((a, b) => b.oldestWaitSeconds - a.oldestWaitSeconds || a.province.localeCompare(b.province) || a.audience.localeCompare(b.audience));

    const visibleAdvisors = snap.advisors.filter((a) => scope.kind === 'all' || scope.provinces.some((p) => covers(a.skills, p)));
    const provinces: ProvinceView[] = [];
    for (const p of PROVINCES) {
      if (!inScope(p.code)) continue;
      const qs = queues.filter((q) => q.province === p.code);
      const byAudience = Object.fromEntries(AUDIENCES.map((a) => [a, qs.find((q) => q.audience === a)?.length ?? 0])) as Record<Audience, number>;
      const waiting = qs.reduce((n, q) => n + q.length, 0);
      const oldest = Math.max(0, ...qs.map((q) => q.oldestWaitSeconds));
      const eta = Math.max(0, ...qs.map((q) => q.estimatedWaitSeconds));
      const beyond = qs.some((q) => q.beyondClosing);
      provinces.push({
        code: p.code,
        name: p.name,
        region: p.region,
        sede: this.sedeOfProvince.get(p.code) ?? null,
        waiting,
        byAudience,
        oldestWaitSeconds: oldest,
        estimatedWaitSeconds: eta,
        beyondClosing: beyond,
        advisorsAvailable: snap.advisors.filter((a) => a.status === 'available' && covers(a.skills, p.code)).length,
        ticketOnly: this.ticketOnlySet.has(p.code),
        heat: heatOf(waiting, oldest, beyond),
      });
    }

    const tickets = this.sedeTickets(scope, ticketRows);
    const available = visibleAdvisors.filter((a) => a.status === 'available');
    const seats = available.reduce((n, a) => n + a.capacity, 0);
    const held = available.reduce((n, a) => n + a.conversations.length, 0);
    const count = (status: string) => visibleAdvisors.filter((a) => a.status === status).length;
    const sum = (k: keyof SedeTickets) => tickets.reduce((n, t) => n + (t[k] as number), 0);

    return {
      at: new Date(now).toISOString(),
      scope: scope.kind === 'all' ? { role: 'supervisor', sede: null, provinces: null } : { role: 'office', sede: scope.sede, provinces: scope.provinces },
      service: {
        open: open.open,
        closesAt: closes ? closes.toISOString() : null,
        secondsToClose,
        opensAt: open.opensAt ?? null,
      },
      totals: {
        waiting: queues.reduce((n, q) => n + q.length, 0),
        oldestWaitSeconds: Math.max(0, ...queues.map((q) => q.oldestWaitSeconds)),
        conversationsActive: visibleAdvisors.reduce((n, a) => n + a.conversations.length, 0),
        advisors: { available: count('available'), away: count('away'), offline: count('offline') },
        occupancy: seats ? round3(Math.min(1, held / seats)) : 0,
        tickets: { open: sum('open'), inProgress: sum('inProgress'), overdue: sum('overdue'), slaBreaches: sum('slaBreaches'), closedToday: sum('closedToday') },
      },
      queues,
      provinces,
      advisors: visibleAdvisors
        .map((a) => advisorView(a, scope.kind === 'all'))
        .sort((a, b) => statusRank(a.status) - statusRank(b.status) || b.load - a.load || String(a.name ?? '').localeCompare(String(b.name ?? ''))),
      tickets,
      ticketOnly: [...this.ticketOnlySet].filter(inScope).sort(),
    };
  }

  // -------------------------------------------------------------------------
  // History

  async history(identity: Identity, q: HistoryQuery): Promise<History> {
    const scope = await this.scopeOf(identity);
    const today = localDay(this.deps.clock.now());
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
    await this.ensureLoaded();
    const series: History['series'] = province
      ? { scope: 'province', key: province, name: findProvince(province)!.name }
      : sede
        ? { scope: 'sede', key: sede, name: this.officeNames.get(sede) ?? sede }
        : { scope: 'national', key: NATIONAL_KEY, name: 'Italia' };

    const stored = await this.deps.db
      .select()
      .from(dashboardDaily)
      .where(sql`${dashboardDaily.day} between ${from}::date and ${to}::date`)
      .orderBy(dashboardDaily.day, dashboardDaily.scope, dashboardDaily.key);
    const taken = new Set(stored.filter((r) => r.scope === 'national').map((r) => r.day));
    const seriesRows = new Map(stored.filter((r) => r.scope === series.scope && r.key === series.key).map((r) => [r.day, r]));
    const days: HistoryDay[] = [];
    for (let d = from; d <= to; d = addDaysYmd(d, 1)) {
      const r = seriesRows.get(d);
      days.push({ day: d, taken: taken.has(d), ...figuresOf(r) });
    }
    const out: History = { from, to, series, days };
    if (q.rows !== false) {
      const sedeProvinces = sede ? new Set(this.provincesOf(sede)) : null;
      const keep = (r: DailyRow) => {
        if (province) return r.scope === 'province' && r.key === province;
        if (sede) return (r.scope === 'sede' && r.key === sede) || (r.scope === 'province' && sedeProvinces!.has(r.key));
        return true;
      };
      out.rows = stored
        .map((r) => ({ day: r.day, scope: r.scope, key: r.key, ...figuresOf(r) }))
        .filter(keep)
        .map((r) => ({ ...r, name: this.nameOf(r.scope, r.key) }));
    }
    return out;
  }

  /** The history rows as CSV (RFC 4180, CRLF, a header line). */
  async historyCsv(identity: Identity, q: HistoryQuery): Promise<{ csv: string; filename: string }> {
    const h = await this.history(identity, { ...q, rows: true });
    const header = [
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
    ];
    const lines = [header.map(csvCell).join(',')];
    for (const r of h.rows ?? []) {
      lines.push(
        [r.day, r.scope, r.key, r.name, r.chatsServed, r.avgWaitSeconds, r.p90WaitSeconds, r.escalations, r.ticketsOpened, r.ticketsClosed, r.ticketsOverdue, r.backlogEnd]
          .map(csvCell)
          .join(','),
      );
    }
    const label = h.series.scope === 'national' ? 'italia' : h.series.key.toLowerCase();
    return { csv: `${lines.join('\r\n')}\r\n`, filename: `infocig-cruscotto-${label}-${h.from}-${h.to}.csv` };
  }

  // -------------------------------------------------------------------------
  // Snapshot

  /** Takes (or re-takes) a day's snapshot; audited when a person asks for it. */
  async takeSnapshot(day: string, by?: Identity): Promise<DailyRow[]> {
    if (by && by.role !== 'supervisor') throw new AppError('forbidden', 'only supervisors take snapshots');
    if (!isCalendarDay(day)) throw new AppError('validation_failed', 'day is not a calendar day (YYYY-MM-DD)');
    const now = new Date(this.deps.clock.now());
    if (day > localDay(now)) throw new AppError('validation_failed', 'day is in the future');
    const rows = await takeSnapshot(this.deps.db, day, now, SNAPSHOT_TIME_ZONE);
    if (by) await this.deps.db.insert(dashboardAudit).values(auditRow(by, now, 'snapshot.taken', day, { rows: rows.length }));
    return rows;
  }

  // -------------------------------------------------------------------------
  // Controls

  /**
   * Moves an advisor between queues: sets the provinces and regions they serve
   * (both empty: all Italy), in the staff directory and, when they are signed in,
   * in the live routing state with their status and chats unchanged.
   */
  async moveAdvisor(identity: Identity, advisorId: string, input: { provinces: string[]; regions: string[] }): Promise<AdvisorView> {
    requireSupervisor(identity);
    const provinces = [...new Set(input.provinces.map((code) => {
      const p = findProvince(code);
      if (!p) throw new AppError('unknown_province', code);
      return p.code;
    }))].sort();
    const regions = [...new Set(input.regions)];
    for (const r of regions) if (!REGIONS.includes(r)) throw new AppError('validation_failed', `unknown region: ${r}`);

    const { db, state, clock } = this.deps;
    const [row] = await db.select().from(advisors).where(eq(advisors.id, advisorId)).limit(1);
    const live = (await state.snapshot()).advisors.find((a) => a.id === advisorId);
    if (!row && !live) throw new AppError('not_found');
    const before = row?.skills ?? live!.skills;
    const skills: AdvisorSkills = { ...before, provinces, regions };
    const now = new Date(clock.now());
    await db.transaction(async (tx) => {
      if (row) await tx.update(advisors).set({ skills }).where(eq(advisors.id, advisorId));
      else await tx.insert(advisors).values({ id: advisorId, name: live!.name ?? advisorId, capacity: live!.capacity, skills });
      await tx.insert(dashboardAudit).values(
        auditRow(identity, now, 'advisor.queues', advisorId, {
          before: { provinces: before.provinces, regions: before.regions },
          after: { provinces, regions },
        }),
      );
    });
    // Re-read just before writing, so the status and chats carried over are the latest.
    const current = (await state.snapshot()).advisors.find((a) => a.id === advisorId);
    let view: AdvisorView;
    if (current) {
      const next = await state.upsertAdvisor({ id: current.id, name: current.name, capacity: current.capacity, skills: { ...current.skills, provinces, regions } }, current.status, clock.now());
      view = advisorView(next, true);
      this.deps.onRoutingChange?.();
    } else {
      view = { id: advisorId, name: row?.name ?? null, status: 'offline', load: 0, capacity: row?.capacity ?? 0, provinces, regions, audiences: skills.audiences };
    }
    return view;
  }

  /** Switches a province to "ticket only" (or back); audited; effective at once on this node. */
  async setTicketOnly(identity: Identity, code: string, on: boolean): Promise<{ province: string; on: boolean; changed: boolean; since: string | null }> {
    requireSupervisor(identity);
    const province = findProvince(code)?.code;
    if (!province) throw new AppError('unknown_province', code);
    const now = new Date(this.deps.clock.now());
    const { changed, since } = await this.deps.db.transaction(async (tx) => {
      let result: { changed: boolean; since: Date | null };
      if (on) {
        const inserted = await tx.insert(ticketOnlyProvinces).values({ province, since: now, setBy: identity.sub }).onConflictDoNothing().returning();
        const [row] = await tx.select().from(ticketOnlyProvinces).where(eq(ticketOnlyProvinces.province, province));
        result = { changed: inserted.length > 0, since: row?.since ?? now };
      } else {
        const deleted = await tx.delete(ticketOnlyProvinces).where(eq(ticketOnlyProvinces.province, province)).returning();
        result = { changed: deleted.length > 0, since: null };
      }
      await tx.insert(dashboardAudit).values(auditRow(identity, now, 'province.ticket_only', province, { on, changed: result.changed }));
      return result;
    });
    if (on) this.ticketOnlySet.add(province);
    else this.ticketOnlySet.delete(province);
    return { province, on, changed, since: since === null ? null : since.toISOString() };
  }

  async audit(identity: Identity, o: { limit?: number; target?: string } = {}): Promise<AuditView[]> {
    requireSupervisor(identity);
    const limit = Math.min(Math.max(1, o.limit ?? 50), 500);
    const rows = await this.deps.db
      .select()
      .from(dashboardAudit)
      .where(o.target ? eq(dashboardAudit.target, o.target) : undefined)
      .orderBy(desc(dashboardAudit.id))
      .limit(limit);
    return rows.map((r) => ({
      at: r.at.toISOString(),
      actor: { id: r.actorId, role: r.actorRole, name: r.actorName },
      action: r.action,
      target: r.target,
      detail: r.detail,
    }));
  }

  // -------------------------------------------------------------------------
  // Internals

  private estimate(snap: RoutingSnapshot, now: number): Map<string, WaitInfo> {
    if (this.deps.estimate) return this.deps.estimate(snap, now);
    return waitInfos(snap, { now, regionOf: (p) => regionOf(p) }, this.deps.handleSeconds());
  }

  private async ticketCounts(scope: DashboardScope): Promise<TicketAgg[]> {
    const now = new Date(this.deps.clock.now());
    const startOfToday = dayBounds(localDay(now)).start.toISOString();
    const iso = now.toISOString();
    return queryRows<TicketAgg>(
      this.deps.db,
      sql`select sede, status, count(*)::int as n,
            count(*) filter (where status <> 'closed' and due_at < ${iso}::timestamptz)::int as overdue,
            count(*) filter (where status <> 'closed' and responded_at is null and due_at < ${iso}::timestamptz)::int as sla,
            count(*) filter (where status = 'closed' and closed_at >= ${startOfToday}::timestamptz)::int as closed_today
          from tickets ${scope.kind === 'sede' ? sql`where sede = ${scope.sede}` : sql``}
          group by sede, status`,
    );
  }

  private sedeTickets(scope: DashboardScope, rows: TicketAgg[]): SedeTickets[] {
    const by = new Map<string, SedeTickets>();
    const get = (sede: string) => {
      let t = by.get(sede);
      if (!t) by.set(sede, (t = { sede, name: this.officeNames.get(sede) ?? null, open: 0, inProgress: 0, closed: 0, overdue: 0, slaBreaches: 0, closedToday: 0 }));
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

  private provincesOf(sede: string): string[] {
    return [...this.sedeOfProvince].filter(([, s]) => s === sede).map(([p]) => p).sort();
  }

  private nameOf(scope: DailyScopeValue, key: string): string {
    if (scope === 'national') return 'Italia';
    if (scope === 'sede') return this.officeNames.get(key) ?? key;
    return findProvince(key)?.name ?? key;
  }

  private ensureLoaded(): Promise<void> {
    this.loaded ??= this.refresh().catch((err: unknown) => {
      this.loaded = null;
      throw err;
    });
    return this.loaded;
  }

  /** Re-reads the ticket-only flags, the office map and the office names now. */
  async refresh(): Promise<void> {
    const { db } = this.deps;
    const [flags, map, offices] = await Promise.all([
      db.select({ province: ticketOnlyProvinces.province }).from(ticketOnlyProvinces),
      queryRows<{ province: string; office_code: string }>(db, sql`select province, office_code from office_provinces`),
      queryRows<{ code: string; name: string }>(db, sql`select code, name from offices`),
    ]);
    this.ticketOnlySet.clear();
    for (const f of flags) this.ticketOnlySet.add(f.province);
    this.sedeOfProvince = new Map(map.map((r) => [r.province, r.office_code]));
    this.officeNames = new Map(offices.map((r) => [r.code, r.name]));
    this.loaded ??= Promise.resolve();
  }
}

function requireSupervisor(identity: Identity): void {
  if (identity.role !== 'supervisor') throw new AppError('forbidden', 'only supervisors use the dashboard controls');
}

function auditRow(identity: Identity, at: Date, action: string, target: string, detail: Record<string, unknown>) {
  return { at, actorId: identity.sub, actorRole: identity.role, actorName: identity.name, action, target, detail };
}

function advisorView(a: AdvisorState, named: boolean): AdvisorView {
  return {
    ...(named ? { id: a.id, name: a.name } : {}),
    status: a.status,
    load: a.conversations.length,
    capacity: a.capacity,
    provinces: [...a.skills.provinces],
    regions: [...a.skills.regions],
    audiences: [...a.skills.audiences],
  };
}

function statusRank(status: string): number {
  return status === 'available' ? 0 : status === 'away' ? 1 : 2;
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
  };
}

/**
 * One CSV cell: quoted when it holds a comma, quote, CR or LF (quotes doubled).
 * Text that a spreadsheet would run as a formula (= + - @, tab, CR first) gets a
 * leading apostrophe; numbers are written as they are.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
