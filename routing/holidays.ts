/**
 * Italian national public holidays (L. 260/1949 as amended, plus L. 151/2025
 * which restores 4 October, San Francesco d'Assisi, from 2026) and the patron
 * days of the main sedi. Pure date arithmetic on 'YYYY-MM-DD' strings: no time
 * zones are involved here (callers pass a local calendar date).
 *
 * The table is right for 2001 onwards (2 June returned to its date in 2001);
 * earlier years get the same modern rules, which is not historically exact.
 */

export interface Holiday {
  date: string; // YYYY-MM-DD
  name: string;
}

/** First year in which 4 October is a national holiday again (L. 151/2025). */
export const SAN_FRANCESCO_FROM_YEAR = 2026;

const FIXED: ReadonlyArray<readonly [mmdd: string, name: string, fromYear?: number]> = [
  ['01-01', 'Capodanno'],
  ['01-06', 'Epifania'],
  ['04-25', 'Festa della Liberazione'],
  ['05-01', 'Festa del Lavoro'],
  ['06-02', 'Festa della Repubblica'],
  ['08-15', 'Ferragosto (Assunzione)'],
  ['10-04', "San Francesco d'Assisi", SAN_FRANCESCO_FROM_YEAR],
  ['11-01', 'Ognissanti'],
  ['12-08', 'Immacolata Concezione'],
  ['12-25', 'Natale'],
  ['12-26', 'Santo Stefano'],
];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad4(n: number): string {
  return String(n).padStart(4, '0');
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 1583 || year > 9999) {
    throw new RangeError(`year must be an integer in 1583..9999, got ${year}`);
  }
}

/** Easter Sunday (Gregorian), by the anonymous Gregorian (Meeus/Jones/Butcher) algorithm. */
export function easterSunday(year: number): string {
  checkYear(year);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}

/** Adds `days` to a YYYY-MM-DD date (proleptic Gregorian, no time zone). */
export function addDaysYmd(ymd: string, days: number): string {
  const y = Number(ymd.slice(0, 4));
  const m = Number(ymd.slice(5, 7));
  const d = Number(ymd.slice(8, 10));
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d + days); // setUTCFullYear: no two-digit-year quirk, overflow rolls over
  return `${pad4(t.getUTCFullYear())}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a YYYY-MM-DD date. */
export function isoWeekdayOfYmd(ymd: string): number {
  const t = new Date(0);
  t.setUTCFullYear(Number(ymd.slice(0, 4)), Number(ymd.slice(5, 7)) - 1, Number(ymd.slice(8, 10)));
  const wd = t.getUTCDay();
  return wd === 0 ? 7 : wd;
}

const byYear = new Map<number, { list: readonly Holiday[]; names: ReadonlyMap<string, string> }>();

function yearTable(year: number): { list: readonly Holiday[]; names: ReadonlyMap<string, string> } {
  let t = byYear.get(year);
  if (t === undefined) {
    checkYear(year);
    const list: Holiday[] = [];
    for (const [mmdd, name, fromYear] of FIXED) {
      if (fromYear === undefined || year >= fromYear) list.push({ date: `${pad4(year)}-${mmdd}`, name });
    }
    const easter = easterSunday(year);
    list.push({ date: easter, name: 'Pasqua' });
    list.push({ date: addDaysYmd(easter, 1), name: "Lunedì dell'Angelo (Pasquetta)" });
    list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
    const frozen = Object.freeze(list.map((h) => Object.freeze(h)));
    t = { list: frozen, names: new Map(frozen.map((h) => [h.date, h.name])) };
    if (byYear.size > 256) byYear.clear();
    byYear.set(year, t);
  }
  return t;
}

/**
 * National holidays of a year, sorted by date. Includes Easter Sunday ("Pasqua",
 * always a Sunday) and, from 2026, 4 October.
 */
export function nationalHolidays(year: number): Holiday[] {
  return yearTable(year).list.map((h) => ({ ...h }));
}

const YMD_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Name of the national holiday on a YYYY-MM-DD date, or undefined. */
export function holidayName(ymd: string): string | undefined {
  const m = YMD_RE.exec(ymd);
  if (m === null) return undefined;
  const year = Number(m[1]);
  if (year < 1583) return undefined;
  return yearTable(year).names.get(ymd);
}

export function isNationalHoliday(ymd: string): boolean {
  return holidayName(ymd) !== undefined;
}

/**
 * Patron-saint days ('MM-DD') of the chef-lieu city of the main sedi, keyed by
 * province code. Used by the ticket SLA (a sede is closed on its city's patron
 * day), NOT by the chat schedule: the chat service is central and only closes
 * on national holidays. A documented subset, not an exhaustive list: a sede not
 * listed here has no extra closed day. Some coincide with a national holiday
 * (VE 25 April; BO 4 October from 2026), which is harmless.
 */
export const PATRON_DAYS: Readonly<Record<string, string>> = Object.freeze({
  AN: '05-04', // Ancona: San Ciriaco
  BA: '12-06', // Bari: San Nicola
  BG: '08-26', // Bergamo: Sant'Alessandro
  BO: '10-04', // Bologna: San Petronio
  BS: '02-15', // Brescia: Santi Faustino e Giovita
  CA: '10-30', // Cagliari: San Saturnino
  CT: '02-05', // Catania: Sant'Agata
  FI: '06-24', // Firenze: San Giovanni Battista
  GE: '06-24', // Genova: San Giovanni Battista
  ME: '06-03', // Messina: Madonna della Lettera
  MI: '12-07', // Milano: Sant'Ambrogio
  MO: '01-31', // Modena: San Geminiano
  NA: '09-19', // Napoli: San Gennaro
  PA: '07-15', // Palermo: Santa Rosalia
  PD: '06-13', // Padova: Sant'Antonio
  PG: '01-29', // Perugia: San Costanzo
  PR: '01-13', // Parma: Sant'Ilario
  RC: '04-23', // Reggio Calabria: San Giorgio
  RM: '06-29', // Roma: Santi Pietro e Paolo
  TN: '06-26', // Trento: San Vigilio
  TO: '06-24', // Torino: San Giovanni Battista
  TS: '11-03', // Trieste: San Giusto
  VE: '04-25', // Venezia: San Marco
  VR: '05-21', // Verona: San Zeno
});

/** The patron day ('MM-DD') of a province's chef-lieu, if listed in PATRON_DAYS. */
export function patronDayOf(province: string): string | undefined {
  return PATRON_DAYS[province.trim().toUpperCase()];
}
