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
 * This file holds who may look and the in-memory directory's lifecycle; the
 * views are built in dashboard-live.ts and dashboard-history.ts, the controls
 * are in dashboard-controls.ts, the shapes in dashboard-views.ts.
 */
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import { waitInfos, type WaitInfo } from '../routing/eta.ts';
import { regionOf } from '../routing/provinces.ts';
import type { RoutingSnapshot, RoutingState } from '../routing/routing-state.ts';
import type { ScheduleConfig } from '../routing/schedule.ts';
import { conversationWaits } from '../schema/dashboard-tables.ts';
import type { Identity } from './auth.ts';
import { localDay, type DailyRow } from './daily-snapshot.ts';
import { moveAdvisor, readAudit, setTicketOnly, takeDaySnapshot, type TicketOnlyChange } from './dashboard-controls.ts';
import { DashboardDirectory } from './dashboard-directory.ts';
import { historyCsv, historyRequest, readHistory } from './dashboard-history.ts';
import { departuresToday } from './dashboard-departures.ts';
import { buildLiveView, ratingsToday, ticketCounts } from './dashboard-live.ts';
import type { AdvisorView, AuditView, DashboardScope, History, HistoryQuery, LiveView } from './dashboard-views.ts';
import type { Db } from './db.ts';
import { AppError } from './errors.ts';
import type { StaffIdOf } from './staff-ids.ts';

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
  /** RETENTION_DAYS: a day whose chats may have been erased is not re-taken (its figures would shrink). */
  retentionDays?: number | null;
  /** STAFF_ID_KEY: an advisor named by their provider `sub` is found by the pseudonym it gives (server/staff-ids.ts). */
  staffIdOf?: StaffIdOf;
  /** How often the ticket-only flags and the office map are re-read (other nodes' changes). Default 5 s. */
  refreshMs?: number;
}

export class DashboardService {
  private readonly directory = new DashboardDirectory();
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
  readonly isTicketOnly = (province: string): boolean => this.directory.ticketOnly.has(province.toUpperCase());
  /** An office's name by sede code, from the directory (ticket views show it beside the code). */
  readonly officeName = (sede: string): string | null => this.directory.officeName(sede);

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
      const provinces = this.directory.provincesOf(identity.sede);
      if (provinces.length === 0) throw new AppError('forbidden', 'your sede is not a known office');
      return { kind: 'sede', sede: identity.sede, provinces };
    }
    throw new AppError('forbidden', 'the dashboard is for supervisors and office operators');
  }

  async live(identity: Identity): Promise<LiveView> {
    return this.liveFor(await this.scopeOf(identity));
  }

  /** The live view of a scope: one routing snapshot, one query on tickets, one on today's ratings, two on today's departures. */
  async liveFor(scope: DashboardScope): Promise<LiveView> {
    await this.ensureLoaded();
    const { db, state, clock, schedule } = this.deps;
    const at = clock.now();
    const [snap, ticketRows, ratings, departures] = await Promise.all([state.snapshot(), ticketCounts(db, scope, at), ratingsToday(db, scope, at), departuresToday(db, scope, at)]);
    const now = clock.now();
    return buildLiveView({ scope, snap, ticketRows, ratings, departures, etas: this.estimate(snap, now), now, schedule, directory: this.directory });
  }

  async history(identity: Identity, q: HistoryQuery): Promise<History> {
    const scope = await this.scopeOf(identity);
    const request = historyRequest(scope, q, localDay(this.deps.clock.now()));
    await this.ensureLoaded();
    return readHistory(this.deps.db, this.directory, request);
  }

  /** The history rows as CSV (RFC 4180, CRLF, a header line). */
  async historyCsv(identity: Identity, q: HistoryQuery): Promise<{ csv: string; filename: string }> {
    return historyCsv(await this.history(identity, { ...q, rows: true }));
  }

  /** Takes (or re-takes) a day's snapshot; audited when a person asks for it. */
  takeSnapshot(day: string, by?: Identity): Promise<DailyRow[]> {
    return takeDaySnapshot(this.deps, day, by);
  }

  /**
   * Moves an advisor between queues: sets the provinces and regions they serve
   * (both empty: all Italy), in the staff directory and, when they are signed in,
   * in the live routing state with their status and chats unchanged.
   */
  moveAdvisor(identity: Identity, advisorId: string, input: { provinces: string[]; regions: string[] }): Promise<AdvisorView> {
    return moveAdvisor(this.deps, identity, advisorId, input);
  }

  /** Switches a province to "ticket only" (or back); audited; effective at once on this node. */
  async setTicketOnly(identity: Identity, code: string, on: boolean): Promise<TicketOnlyChange> {
    const change = await setTicketOnly(this.deps, identity, code, on);
    if (on) this.directory.ticketOnly.add(change.province);
    else this.directory.ticketOnly.delete(change.province);
    return change;
  }

  audit(identity: Identity, o: { limit?: number; target?: string } = {}): Promise<AuditView[]> {
    return readAudit(this.deps.db, identity, o);
  }

  /** Re-reads the ticket-only flags, the office map and the office names now. */
  async refresh(): Promise<void> {
    await this.directory.refresh(this.deps.db);
    this.loaded ??= Promise.resolve();
  }

  private estimate(snap: RoutingSnapshot, now: number): Map<string, WaitInfo> {
    if (this.deps.estimate) return this.deps.estimate(snap, now);
    return waitInfos(snap, { now, regionOf: (p) => regionOf(p) }, this.deps.handleSeconds());
  }

  private ensureLoaded(): Promise<void> {
    this.loaded ??= this.refresh().catch((err: unknown) => {
      this.loaded = null;
      throw err;
    });
    return this.loaded;
  }
}
