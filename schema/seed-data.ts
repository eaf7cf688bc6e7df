/**
 * What `seed()` writes: where the province list lives, how a province's
 * territorial office is named, and the demo advisors (also offered by the
 * development sign-in page).
 */
import { fileURLToPath } from 'node:url';
import { AUDIENCES, TOPICS } from '../routing/types.ts';
import type { AdvisorSkills } from './tables.ts';

/** `code,name,region,istat_code`, one province a line, no quoting. */
export const PROVINCES_CSV = fileURLToPath(new URL('./data/provinces.csv', import.meta.url));

export interface ProvinceSeed {
  code: string;
  name: string;
  region: string;
  istat: string;
}

export interface OfficeSeed {
  code: string;
  name: string;
  province: string;
  email: string;
}

/** The sede code of the territorial office seeded for a province: `SEDE-MI`. */
export function officeCodeFor(provinceCode: string): string {
  return `SEDE-${provinceCode.toUpperCase()}`;
}

/** The territorial office seeded for a province (one per province). */
export function officeFor(province: ProvinceSeed): OfficeSeed {
  return {
    code: officeCodeFor(province.code),
    name: `INPS Sede di ${province.name}`,
    province: province.code,
    // demo addresses on a reserved domain: nothing is ever delivered
    email: `sede.${province.code.toLowerCase()}@inps.example`,
  };
}

export interface DemoAdvisor {
  /** The JWT `sub`. */
  id: string;
  name: string;
  capacity: number;
  skills: AdvisorSkills;
  /** One line for the sign-in page. */
  summary: string;
}

export const DEMO_ADVISORS: readonly DemoAdvisor[] = [
  {
    id: 'adv-rossi',
    name: 'Giulia Rossi',
    capacity: 3,
    skills: { audiences: [...AUDIENCES], topics: [...TOPICS], languages: ['it'], provinces: [], regions: [] },
    summary: 'Tutti gli utenti e gli argomenti, tutta Italia',
  },
  {
    id: 'adv-bianchi',
    name: 'Marco Bianchi',
    capacity: 3,
    skills: { audiences: ['worker'], topics: [...TOPICS], languages: ['it'], provinces: [], regions: ['Lombardia'] },
    summary: 'Lavoratori, Lombardia',
  },
  {
    id: 'adv-esposito',
    name: 'Anna Esposito',
    capacity: 3,
    skills: {
      audiences: ['employer', 'intermediary'],
      topics: [...TOPICS],
      languages: ['it', 'en'],
      provinces: [],
      regions: ['Campania', 'Lazio'],
    },
    summary: 'Aziende e intermediari, Campania e Lazio (it, en)',
  },
];
