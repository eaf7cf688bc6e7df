/**
 * Italian provinces (the 110 supra-municipal units of 1 January 2026) as used
 * for rollout rules and the ticket SLA. Pure lookups over the generated table in
 * routing/provinces-data.ts (regenerate it with `npx tsx scripts/gen-provinces.ts`).
 */
import { PROVINCE_RECORDS } from './provinces-data.ts';

/** Two-letter *sigla automobilistica*, e.g. `MI`. */
export type ProvinceCode = string;

export interface Province {
  code: ProvinceCode;
  /** ISTAT spelling, e.g. "Bolzano/Bozen", "Reggio nell'Emilia". */
  name: string;
  /** ISTAT region name, e.g. "Lombardia", "Valle d'Aosta/Vallée d'Aoste". */
  region: string;
  /** 3-digit ISTAT *storico* code, e.g. "015" for Milano. */
  istat: string;
}

export const PROVINCES: readonly Province[] = Object.freeze(
  PROVINCE_RECORDS.map((r) => Object.freeze({ code: r.code, name: r.name, region: r.region, istat: r.istat })),
);

/** The 20 regions, in order of first appearance in the ISTAT-sorted table. */
export const REGIONS: readonly string[] = Object.freeze([...new Set(PROVINCES.map((p) => p.region))]);

/**
 * Codes that other systems may still send but that are no longer provinces.
 * They deliberately do NOT resolve through `findProvince`: a legacy code has to
 * be resolved through the user's comune (the old unit was split).
 */
export const LEGACY_PROVINCE_ALIASES: Readonly<
  Record<string, { name: string; istat: string; abolished: string; successors: readonly ProvinceCode[]; note: string }>
> = Object.freeze({
  SU: Object.freeze({
    name: 'Sud Sardegna',
    istat: '111',
    abolished: '2026-01-01',
    successors: Object.freeze(['CA', 'VS', 'CI', 'OG', 'NU']),
    note:
      'Abolished by the Sardinian reform on 2026-01-01; its comuni went to CA (53), VS (28), CI (24), ' +
      'OG (Seui) and NU (Seulo). Resolve through the comune, never by code alone.',
  }),
});

const BY_CODE: ReadonlyMap<string, Province> = new Map(PROVINCES.map((p) => [p.code, p]));
const BY_REGION: ReadonlyMap<string, readonly Province[]> = (() => {
  const m = new Map<string, Province[]>();
  for (const p of PROVINCES) {
    const list = m.get(p.region);
    if (list) list.push(p);
    else m.set(p.region, [p]);
  }
  return new Map([...m].map(([k, v]) => [k, Object.freeze(v)] as const));
})();

/** Trims and upper-cases; returns the code only if it is exactly two letters A–Z. */
export function normalizeProvinceCode(code: string): ProvinceCode | undefined {
  if (typeof code !== 'string') return undefined;
  const c = code.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(c) ? c : undefined;
}

/** The current province for a code (` mi ` works); legacy codes such as `SU` give undefined. */
export function findProvince(code: string): Province | undefined {
  const c = normalizeProvinceCode(code);
  return c === undefined ? undefined : BY_CODE.get(c);
}

export function isProvinceCode(code: string): boolean {
  return findProvince(code) !== undefined;
}

/** Region name of a province code, or undefined for unknown/legacy codes. */
export function regionOf(code: string): string | undefined {
  return findProvince(code)?.region;
}

/** Provinces of a region by exact ISTAT region name (empty array when unknown). */
export function provincesOfRegion(region: string): readonly Province[] {
  return BY_REGION.get(region) ?? [];
}
