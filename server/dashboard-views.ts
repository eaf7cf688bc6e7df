/**
 * The shapes the supervisor dashboard answers (docs/dashboard.md): the live view,
 * the daily history and the audit trail, plus who is looking (the scope). Types
 * only, shared by the service, the routes and the WebSocket feed.
 */
import type { Audience } from '../routing/types.ts';
import type { DailyScopeValue } from '../schema/dashboard-tables.ts';
import type { DailyRow, DayFigures } from './daily-snapshot.ts';
import type { DepartureFigures } from './dashboard-departures.ts';

/** Who is looking: everything, or one sede and its provinces. */
export type DashboardScope = { kind: 'all' } | { kind: 'sede'; sede: string; provinces: string[] };

export interface QueueView {
  province: string;
  audience: Audience;
  length: number;
  oldestWaitSeconds: number;
  /** Estimated wait of the last user in the queue: when it would be empty with no new arrivals. */
  /** Null when nobody available can serve some of those waiting: the wait cannot be estimated. */
  estimatedWaitSeconds: number | null;
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
  /** Null when nobody available can serve some of those waiting: the wait cannot be estimated. */
  estimatedWaitSeconds: number | null;
  beyondClosing: boolean;
  /** Available advisors whose provinces or regions cover this province (national ones included). */
  advisorsAvailable: number;
  ticketOnly: boolean;
  /** 0 nobody waiting … 4 critical (see heatOf). */
  heat: number;
  /** Who left this province's queues unserved today, and the share of those who asked. */
  departures: DepartureFigures;
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
  /** The languages the advisor listed; empty: serves every language (routing/matching.ts speaksFor). */
  languages: string[];
}

/**
 * One language in play: waiting in it, or spoken by a visible advisor. Tells a
 * supervisor at once that German readers in Bolzano wait with no German speaker
 * available (they go to anyone only after the language overflow).
 */
export interface LanguageView {
  lang: string;
  waiting: number;
  oldestWaitSeconds: number;
  /** Available advisors who may serve it before the overflow: those listing it or listing none. */
  advisorsAvailable: number;
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
    /** Ratings (1-5) of the chats closed today in scope; `average` null when there is none. */
    satisfaction: { ratings: number; average: number | null };
    /** Who left a queue unserved today in scope, by reason, and the share of those who asked. */
    departures: DepartureFigures;
  };
  queues: QueueView[];
  provinces: ProvinceView[];
  advisors: AdvisorView[];
  /** Italian first, then the others by most waiting; see LanguageView. */
  languages: LanguageView[];
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
