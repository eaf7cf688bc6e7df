/**
 * Idempotent seed: provinces (upserted from the CSV), one territorial office
 * per province and the demo advisors (inserted once, then left to operators).
 */
import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import type { Db } from '../server/db.ts';
import { DEMO_ADVISORS, officeFor, PROVINCES_CSV, type ProvinceSeed } from './seed-data.ts';
import { advisors, officeProvinces, offices, provinces } from './tables.ts';

export interface SeedOptions {
  /** Also insert the demo advisors. Default true. */
  demo?: boolean;
  /** Another province list (tests). Default schema/data/provinces.csv. */
  provincesCsv?: string;
  /** The id a demo advisor's `sub` gets (STAFF_ID_KEY: its pseudonym, server/staff-ids.ts), so the demo sign-in finds its row. */
  staffIdOf?: (sub: string) => string;
}

export interface SeedResult {
  provinces: number;
  offices: number;
  advisors: number;
}

const HEADER = ['code', 'name', 'region', 'istat_code'];

/** Parses the province CSV: plain comma-separated values, no quoting allowed. */
export function parseProvincesCsv(text: string): ProvinceSeed[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.trim() !== '');
  const [header, ...rows] = lines.map((line) => line.split(',').map((cell) => cell.trim()));
  if (!header || header.join(',') !== HEADER.join(',')) throw new Error(`provinces CSV: header must be ${HEADER.join(',')}`);
  return rows.map((cells, i) => {
    const [code, name, region, istat] = cells;
    if (cells.length !== 4 || !code || !name || !region || !istat || cells.some((c) => c.includes('"'))) {
      throw new Error(`provinces CSV: line ${i + 2} is not code,name,region,istat_code`);
    }
    return { code, name, region, istat };
  });
}

export async function loadProvinces(file = PROVINCES_CSV): Promise<ProvinceSeed[]> {
  return parseProvincesCsv(await readFile(file, 'utf8'));
}

export async function seed(db: Db, options: SeedOptions = {}): Promise<SeedResult> {
  const rows = await loadProvinces(options.provincesCsv);
  const officeRows = rows.map(officeFor);
  const demo = options.demo !== false ? DEMO_ADVISORS : [];
  await db.transaction(async (tx) => {
    await tx
      .insert(provinces)
      .values(rows)
      .onConflictDoUpdate({
        target: provinces.code,
        set: { name: sql`excluded.name`, region: sql`excluded.region`, istat: sql`excluded.istat` },
      });
    await tx.insert(offices).values(officeRows).onConflictDoNothing();
    await tx
      .insert(officeProvinces)
      .values(officeRows.map((o) => ({ province: o.province, officeCode: o.code })))
      .onConflictDoNothing();
    if (demo.length > 0) {
      await tx
        .insert(advisors)
        .values(demo.map(({ id, name, capacity, skills }) => ({ id: options.staffIdOf?.(id) ?? id, name, capacity, skills })))
        .onConflictDoNothing();
    }
  });
  return { provinces: rows.length, offices: officeRows.length, advisors: demo.length };
}
