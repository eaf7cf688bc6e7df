/**
 * What the dashboard keeps in memory from the database: the provinces switched
 * to "ticket only" and the office map (which sede is competent for which
 * province, and the offices' names). Read whole at each refresh, so a change made
 * on another node shows here within the service's refresh interval.
 */
import { sql } from 'drizzle-orm';
import { findProvince } from '../routing/provinces.ts';
import { ticketOnlyProvinces, type DailyScopeValue } from '../schema/dashboard-tables.ts';
import { queryRows, type Db } from './db.ts';

export class DashboardDirectory {
  /** Province codes switched to ticket only. Mutated in place so a bound reader stays valid. */
  readonly ticketOnly = new Set<string>();
  private sedeOfProvince = new Map<string, string>();
  private officeNames = new Map<string, string>();

  /** Re-reads the ticket-only flags, the office map and the office names now. */
  async refresh(db: Db): Promise<void> {
    const [flags, map, offices] = await Promise.all([
      db.select({ province: ticketOnlyProvinces.province }).from(ticketOnlyProvinces),
      queryRows<{ province: string; office_code: string }>(db, sql`select province, office_code from office_provinces`),
      queryRows<{ code: string; name: string }>(db, sql`select code, name from offices`),
    ]);
    this.ticketOnly.clear();
    for (const f of flags) this.ticketOnly.add(f.province);
    this.sedeOfProvince = new Map(map.map((r) => [r.province, r.office_code]));
    this.officeNames = new Map(offices.map((r) => [r.code, r.name]));
  }

  /** The sede competent for a province, if any. */
  sedeOf(province: string): string | null {
    return this.sedeOfProvince.get(province) ?? null;
  }

  officeName(sede: string): string | null {
    return this.officeNames.get(sede) ?? null;
  }

  /** The provinces a sede is competent for, sorted; none for an unknown sede. */
  provincesOf(sede: string): string[] {
    return [...this.sedeOfProvince].filter(([, s]) => s === sede).map(([p]) => p).sort();
  }

  /** The display name of a history scope's key. */
  nameOf(scope: DailyScopeValue, key: string): string {
    if (scope === 'national') return 'Italia';
    if (scope === 'sede') return this.officeName(key) ?? key;
    return findProvince(key)?.name ?? key;
  }
}
