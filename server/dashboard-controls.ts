/**
 * The dashboard's controls (docs/dashboard.md, "Controls"), for supervisors only:
 * move an advisor between queues, switch a province to "ticket only", take a
 * day's snapshot; each audited in `dashboard_audit`, which they can read back.
 */
import { desc, eq } from 'drizzle-orm';
import type { Clock } from '../routing/clock.ts';
import { findProvince, REGIONS } from '../routing/provinces.ts';
import type { AdvisorSkills, RoutingState } from '../routing/routing-state.ts';
import { dashboardAudit, ticketOnlyProvinces } from '../schema/dashboard-tables.ts';
import { advisors } from '../schema/tables.ts';
import type { Identity } from './auth.ts';
import { isCalendarDay, localDay, SNAPSHOT_TIME_ZONE, takeSnapshot, type DailyRow } from './daily-snapshot.ts';
import { advisorView } from './dashboard-live.ts';
import type { AdvisorView, AuditView } from './dashboard-views.ts';
import type { Db } from './db.ts';
import { AppError } from './errors.ts';
import type { StaffIdOf } from './staff-ids.ts';

export interface ControlDeps {
  db: Db;
  state: RoutingState;
  clock: Clock;
  /** Called after a control changed the routing state. */
  onRoutingChange?: () => void;
  /** RETENTION_DAYS: days whose chats may be erased are not re-taken. */
  retentionDays?: number | null;
  /** STAFF_ID_KEY: the id a provider `sub` gets (server/staff-ids.ts); absent: ids are subs. */
  staffIdOf?: StaffIdOf;
}

export function requireSupervisor(identity: Identity): void {
  if (identity.role !== 'supervisor') throw new AppError('forbidden', 'only supervisors use the dashboard controls');
}

/** A `dashboard_audit` row: who did what to which target, when (announcements.ts writes its own too). */
export function auditRow(identity: Identity, at: Date, action: string, target: string, detail: Record<string, unknown>) {
  return { at, actorId: identity.sub, actorRole: identity.role, actorName: identity.name, action, target, detail };
}

/** Takes (or re-takes) a day's snapshot; audited when a person asks for it. */
export async function takeDaySnapshot(deps: Pick<ControlDeps, 'db' | 'clock' | 'retentionDays'>, day: string, by?: Identity): Promise<DailyRow[]> {
  if (by && by.role !== 'supervisor') throw new AppError('forbidden', 'only supervisors take snapshots');
  if (!isCalendarDay(day)) throw new AppError('validation_failed', 'day is not a calendar day (YYYY-MM-DD)');
  const now = new Date(deps.clock.now());
  if (day > localDay(now)) throw new AppError('validation_failed', 'day is in the future');
  // A re-take recounts from the chats and tickets; once retention has erased some of a day's (the cut-off's own day
  // included), it would only shrink what was recorded while they existed.
  if (deps.retentionDays && day <= localDay(new Date(now.getTime() - deps.retentionDays * 86_400_000))) throw new AppError('snapshot_day_erased', day);
  const rows = await takeSnapshot(deps.db, day, now, SNAPSHOT_TIME_ZONE);
  if (by) await deps.db.insert(dashboardAudit).values(auditRow(by, now, 'snapshot.taken', day, { rows: rows.length }));
  return rows;
}

/** Known province codes, deduplicated and sorted; unknown_province otherwise. */
export function provinceCodes(codes: string[]): string[] {
  const known = codes.map((code) => {
    const p = findProvince(code);
    if (!p) throw new AppError('unknown_province', code);
    return p.code;
  });
  return [...new Set(known)].sort();
}

/**
 * Moves an advisor between queues: sets the provinces and regions they serve
 * (both empty: all Italy), in the staff directory and, when they are signed in,
 * in the live routing state with their status and chats unchanged. `named` is
 * their id or, with STAFF_ID_KEY, the provider `sub` a supervisor knows them by.
 */
export async function moveAdvisor(deps: ControlDeps, identity: Identity, named: string, input: { provinces: string[]; regions: string[] }): Promise<AdvisorView> {
  requireSupervisor(identity);
  const provinces = provinceCodes(input.provinces);
  const regions = [...new Set(input.regions)];
  for (const r of regions) if (!REGIONS.includes(r)) throw new AppError('validation_failed', `unknown region: ${r}`);

  const { db, state, clock } = deps;
  const found = (await findAdvisor(deps, named)) ?? (deps.staffIdOf ? await findAdvisor(deps, deps.staffIdOf(named)) : null);
  if (!found) throw new AppError('not_found');
  const { id: advisorId, row, live } = found;
  const before = row?.skills ?? live!.skills;
  const skills: AdvisorSkills = { ...before, provinces, regions };
  const now = new Date(clock.now());
  await db.transaction(async (tx) => {
    if (row) await tx.update(advisors).set({ skills }).where(eq(advisors.id, advisorId));
    else await tx.insert(advisors).values({ id: advisorId, name: live!.name ?? advisorId, capacity: live!.capacity, skills });
    await tx.insert(dashboardAudit).values(
      // The advisor's name as known now, so the trail reads "Tommaso Torinese – adv-to", not the code alone.
      auditRow(identity, now, 'advisor.queues', advisorId, {
        ...(live?.name ?? row?.name ? { advisorName: live?.name ?? row?.name } : {}),
        before: { provinces: before.provinces, regions: before.regions },
        after: { provinces, regions },
      }),
    );
  });
  // Re-read just before writing, so the status and chats carried over are the latest.
  const current = (await state.snapshot()).advisors.find((a) => a.id === advisorId);
  if (!current) return { id: advisorId, name: row?.name ?? null, status: 'offline', load: 0, capacity: row?.capacity ?? 0, provinces, regions, audiences: skills.audiences, languages: skills.languages };
  const next = await state.upsertAdvisor({ id: current.id, name: current.name, capacity: current.capacity, skills: { ...current.skills, provinces, regions } }, current.status, clock.now());
  deps.onRoutingChange?.();
  return advisorView(next, true);
}

/**
 * An advisor by id, in the staff directory or signed in now; null when neither. With
 * STAFF_ID_KEY a supervisor may name one by the provider `sub` they know instead: the
 * caller tries its pseudonym next, and what is stored, audited and answered is the pseudonym.
 */
async function findAdvisor(deps: Pick<ControlDeps, 'db' | 'state'>, id: string) {
  const [row] = await deps.db.select().from(advisors).where(eq(advisors.id, id)).limit(1);
  const live = (await deps.state.snapshot()).advisors.find((a) => a.id === id);
  return row || live ? { id, row, live } : null;
}

export interface TicketOnlyChange {
  province: string;
  on: boolean;
  changed: boolean;
  since: string | null;
}

/** Switches a province to "ticket only" (or back) in the database, audited; the caller updates its memory. */
export async function setTicketOnly(deps: Pick<ControlDeps, 'db' | 'clock'>, identity: Identity, code: string, on: boolean): Promise<TicketOnlyChange> {
  requireSupervisor(identity);
  const province = findProvince(code)?.code;
  if (!province) throw new AppError('unknown_province', code);
  const now = new Date(deps.clock.now());
  const { changed, since } = await deps.db.transaction(async (tx) => {
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
  return { province, on, changed, since: since === null ? null : since.toISOString() };
}

/** The latest audit entries (50 by default, at most 500), optionally for one target. */
export async function readAudit(db: Db, identity: Identity, o: { limit?: number; target?: string } = {}): Promise<AuditView[]> {
  requireSupervisor(identity);
  const limit = Math.min(Math.max(1, o.limit ?? 50), 500);
  const rows = await db
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
