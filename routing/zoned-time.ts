/**
 * Wall-clock time in a named time zone, for the schedule and the working-hours
 * arithmetic. Pure (no I/O, no `Date.now()`).
 *
 * All local-time arithmetic goes through Intl (never a fixed UTC offset), so the
 * answers stay right across the DST changes; offsets are cached per UTC hour.
 */
import { addDaysYmd } from './holidays.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** UTC offset (local − UTC, in ms) at an instant, straight from Intl. */
function computeOffset(ms: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  let y = 0;
  let mo = 1;
  let d = 1;
  let h = 0;
  let mi = 0;
  let s = 0;
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        y = Number(p.value);
        break;
      case 'month':
        mo = Number(p.value);
        break;
      case 'day':
        d = Number(p.value);
        break;
      case 'hour':
        h = Number(p.value);
        break;
      case 'minute':
        mi = Number(p.value);
        break;
      case 'second':
        s = Number(p.value);
        break;
      case 'era':
        bc = p.value === 'BC' || p.value === 'B';
        break;
      default:
        break;
    }
  }
  const t = new Date(0);
  t.setUTCFullYear(bc ? 1 - y : y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  const wholeSeconds = Math.floor(ms / 1000) * 1000;
  return t.getTime() - wholeSeconds;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Per zone: UTC-hour bucket → offset, for hours with no offset change inside. */
const offsetCache = new Map<string, Map<number, number>>();

function offsetAt(ms: number, timeZone: string): number {
  let zone = offsetCache.get(timeZone);
  if (zone === undefined) {
    formatterFor(timeZone); // throws RangeError on an unknown zone before we cache anything
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  const bucket = Math.floor(ms / HOUR);
  const cached = zone.get(bucket);
  if (cached !== undefined) return cached;
  const start = bucket * HOUR;
  const atStart = computeOffset(start, timeZone);
  const atEnd = computeOffset(start + HOUR - 1, timeZone);
  if (atStart !== atEnd) return computeOffset(ms, timeZone); // a transition inside this hour: no caching
  if (zone.size >= 4096) zone.clear();
  zone.set(bucket, atStart);
  return atStart;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function ymdOfShifted(t: Date): string {
  const y = t.getUTCFullYear();
  const ys = y >= 0 && y < 10000 ? String(y).padStart(4, '0') : String(y);
  return `${ys}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

/** The local calendar date, ISO weekday (1 = Monday) and minutes since local midnight at an instant. */
export function localParts(at: Date, timeZone: string): { ymd: string; isoWeekday: number; minutes: number } {
  const ms = at.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('localParts: invalid Date');
  const local = new Date(ms + offsetAt(ms, timeZone));
  const wd = local.getUTCDay();
  return {
    ymd: ymdOfShifted(local),
    isoWeekday: wd === 0 ? 7 : wd,
    minutes: local.getUTCHours() * 60 + local.getUTCMinutes(),
  };
}

const YMD_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Is `hhmm` a wall-clock time 'HH:MM' (00:00 to 23:59)? */
export function isHhmm(hhmm: string): boolean {
  return HHMM_RE.test(hhmm);
}

/** Is `ymd` a real calendar date 'YYYY-MM-DD'? */
export function isValidYmd(ymd: string): boolean {
  const m = YMD_RE.exec(ymd);
  if (m === null) return false;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  return addDaysYmd(ymd, 0) === ymd;
}

const zonedCache = new Map<string, number>();

/**
 * The instant at which the wall clock in `timeZone` shows `ymd hhmm`.
 * In a spring-forward gap the time is read with the pre-change offset (so
 * 02:30 on 2026-03-29 in Rome gives 03:30 CEST = 01:30Z); in an autumn overlap
 * the earlier of the two instants is returned.
 */
export function zonedTimeToUtc(ymd: string, hhmm: string, timeZone: string): Date {
  const key = `${timeZone}|${ymd}|${hhmm}`;
  const hit = zonedCache.get(key);
  if (hit !== undefined) return new Date(hit);
  const dm = YMD_RE.exec(ymd);
  const tm = HHMM_RE.exec(hhmm);
  if (dm === null || !isValidYmd(ymd)) throw new RangeError(`zonedTimeToUtc: expected YYYY-MM-DD, got "${ymd}"`);
  if (tm === null) throw new RangeError(`zonedTimeToUtc: expected HH:MM, got "${hhmm}"`);
  const t = new Date(0);
  t.setUTCFullYear(Number(dm[1]), Number(dm[2]) - 1, Number(dm[3]));
  t.setUTCHours(Number(tm[1]), Number(tm[2]), 0, 0);
  const wall = t.getTime(); // the wall-clock reading as if it were UTC
  const before = offsetAt(wall - DAY, timeZone);
  const after = offsetAt(wall + DAY, timeZone);
  const candidates: number[] = [];
  for (const off of before === after ? [before] : [before, after]) {
    const instant = wall - off;
    if (offsetAt(instant, timeZone) === off) candidates.push(instant);
  }
  const result = candidates.length > 0 ? Math.min(...candidates) : wall - before;
  if (zonedCache.size >= 4096) zonedCache.clear();
  zonedCache.set(key, result);
  return new Date(result);
}

/** Whether Intl knows the IANA time zone name. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}
