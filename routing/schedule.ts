/**
 * The chat service schedule: when INFO CIG is open, for whom, and when it opens
 * next. Pure functions (no I/O, no `Date.now()`): callers pass the instant.
 *
 * Rules (see docs/schedule.md):
 * - open Monday–Friday 15:00–18:00 Europe/Rome, closed on national holidays
 *   (the chat is central: local patron days do not close it);
 * - workers are served everywhere from day one; employers and intermediaries
 *   only where a rollout rule covering their province and audience has started;
 * - `always: true` (SERVICE_HOURS=always) opens every hour of every day.
 *
 * All local-time arithmetic goes through Intl (never a fixed UTC offset), so the
 * answers stay right across the DST changes.
 */
import { AUDIENCES, type Audience } from './types.ts';
import { addDaysYmd, holidayName, isoWeekdayOfYmd } from './holidays.ts';
import { findProvince } from './provinces.ts';

export interface RolloutRule {
  /** Province codes, or '*' for every province not named by another rule for that audience. */
  provinces: string[] | '*';
  audiences: Audience[];
  /** First local (Europe/Rome) date of service, YYYY-MM-DD. */
  from: string;
}

export interface ScheduleConfig {
  /** SERVICE_HOURS=always: open every hour. */
  always: boolean;
  /** IANA zone of opensAt/closesAt/days and of the rollout dates, 'Europe/Rome'. */
  timeZone: string;
  /** Local opening time, 'HH:MM' (inclusive). */
  opensAt: string;
  /** Local closing time, 'HH:MM' (exclusive), after opensAt on the same day. */
  closesAt: string;
  /** ISO weekdays open (1 = Monday … 7 = Sunday). */
  days: number[];
  /** Employer/intermediary access by province. */
  rollout: RolloutRule[];
}

export type ClosedReason = 'outside_hours' | 'weekend' | 'holiday' | 'not_rolled_out';

export interface Availability {
  open: boolean;
  reason?: ClosedReason;
  /** Name of the national holiday, when reason is 'holiday'. */
  holiday?: string;
  /** When closed: the next opening for this user, ISO UTC. */
  opensAt?: string;
  /** When open: today's closing, ISO UTC. */
  closesAt?: string;
}

// ---------------------------------------------------------------------------
// Defaults

/**
 * ASSUMPTION: the date from which employers and intermediaries in the rest of
 * Italy (outside MI, TO, RM, NA) are served. Not taken from a source; override
 * it with `buildRollout(...)` or the `rollout` field of the config.
 */
export const REST_OF_ITALY_ROLLOUT_FROM = '2023-09-01';

const EMPLOYER_SIDE: readonly Audience[] = ['employer', 'intermediary'];

/** The staged rollout for employers and intermediaries, with a configurable rest-of-Italy date. */
export function buildRollout(restOfItalyFrom: string = REST_OF_ITALY_ROLLOUT_FROM): RolloutRule[] {
  return [
    { provinces: ['MI'], audiences: [...EMPLOYER_SIDE], from: '2022-12-01' },
    { provinces: ['TO', 'RM', 'NA'], audiences: [...EMPLOYER_SIDE], from: '2023-02-13' },
    { provinces: '*', audiences: [...EMPLOYER_SIDE], from: restOfItalyFrom },
  ];
}

/** MI from 2022-12-01; TO, RM, NA from 2023-02-13; the rest from REST_OF_ITALY_ROLLOUT_FROM. Frozen. */
export const DEFAULT_ROLLOUT: RolloutRule[] = Object.freeze(
  buildRollout().map((r) =>
    Object.freeze({
      provinces: r.provinces === '*' ? r.provinces : Object.freeze(r.provinces),
      audiences: Object.freeze(r.audiences),
      from: r.from,
    }),
  ),
) as unknown as RolloutRule[];

function cloneRollout(rules: readonly RolloutRule[]): RolloutRule[] {
  return rules.map((r) => ({
    provinces: r.provinces === '*' ? '*' : [...r.provinces],
    audiences: [...r.audiences],
    from: r.from,
  }));
}

/** Europe/Rome, Mon–Fri 15:00–18:00, DEFAULT_ROLLOUT; fields in `overrides` win. Always a fresh object. */
export function defaultScheduleConfig(overrides: Partial<ScheduleConfig> = {}): ScheduleConfig {
  const base: ScheduleConfig = {
    always: false,
    timeZone: 'Europe/Rome',
    opensAt: '15:00',
    closesAt: '18:00',
    days: [1, 2, 3, 4, 5],
    rollout: cloneRollout(DEFAULT_ROLLOUT),
  };
  const merged: ScheduleConfig = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
  }
  merged.days = [...merged.days];
  merged.rollout = cloneRollout(merged.rollout);
  return merged;
}

// ---------------------------------------------------------------------------
// Time zones

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

function isValidYmd(ymd: string): boolean {
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

// ---------------------------------------------------------------------------
// Rules

/**
 * First local date of service for a province and audience, '' if served from
 * day one (workers), null if no rule covers them (never). A rule naming the
 * province wins over a '*' rule; among several, the earliest date wins.
 */
export function rolloutStart(province: string, audience: Audience, rules: readonly RolloutRule[]): string | null {
  if (audience === 'worker') return '';
  const code = typeof province === 'string' ? province.trim().toUpperCase() : '';
  let named: string | null = null;
  let wildcard: string | null = null;
  for (const r of rules) {
    if (!r.audiences.includes(audience)) continue;
    if (r.provinces === '*') {
      if (wildcard === null || r.from < wildcard) wildcard = r.from;
    } else if (r.provinces.includes(code)) {
      if (named === null || r.from < named) named = r.from;
    }
  }
  return named ?? wildcard;
}

/** Is the local date a service day (an open weekday and not a national holiday)? */
function isServiceDay(ymd: string, days: readonly number[]): boolean {
  return days.includes(isoWeekdayOfYmd(ymd)) && holidayName(ymd) === undefined;
}

/** First service day on or after `ymd` (within ~2 years), or null. */
function serviceDayOnOrAfter(ymd: string, days: readonly number[]): string | null {
  if (days.length === 0) return null;
  let d = ymd;
  for (let i = 0; i < 800; i++) {
    if (isServiceDay(d, days)) return d;
    d = addDaysYmd(d, 1);
  }
  return null;
}

function openingOnOrAfterDay(ymd: string, config: ScheduleConfig): Date | null {
  const day = serviceDayOnOrAfter(ymd, config.days);
  return day === null ? null : zonedTimeToUtc(day, config.opensAt, config.timeZone);
}

/** Whether the service is open at `at` for this user and, if not, why and until when. */
export function availability(at: Date, province: string, audience: Audience, config: ScheduleConfig): Availability {
  if (config.always) return { open: true };
  const tz = config.timeZone;
  const ms = at.getTime();
  const { ymd, isoWeekday } = localParts(at, tz);

  const from = rolloutStart(province, audience, config.rollout);
  if (from === null) return { open: false, reason: 'not_rolled_out' };
  if (ymd < from) {
    const first = openingOnOrAfterDay(from, config);
    return first === null
      ? { open: false, reason: 'not_rolled_out' }
      : { open: false, reason: 'not_rolled_out', opensAt: first.toISOString() };
  }

  const holiday = holidayName(ymd);
  const weekdayOpen = config.days.includes(isoWeekday);
  if (holiday === undefined && weekdayOpen) {
    const opens = zonedTimeToUtc(ymd, config.opensAt, tz).getTime();
    const closes = zonedTimeToUtc(ymd, config.closesAt, tz).getTime();
    if (ms >= opens && ms < closes) return { open: true, closesAt: new Date(closes).toISOString() };
    if (ms < opens) return { open: false, reason: 'outside_hours', opensAt: new Date(opens).toISOString() };
  }
  const next = openingOnOrAfterDay(addDaysYmd(ymd, 1), config);
  const result: Availability = { open: false };
  if (holiday !== undefined) {
    result.reason = 'holiday';
    result.holiday = holiday;
  } else {
    result.reason = weekdayOpen ? 'outside_hours' : 'weekend';
  }
  if (next !== null) result.opensAt = next.toISOString();
  return result;
}

/**
 * The earliest instant at or after `at` when the service is open for this user:
 * `at` itself when already open, null when it never opens (no rule covers them).
 */
export function nextOpening(at: Date, province: string, audience: Audience, config: ScheduleConfig): Date | null {
  const a = availability(at, province, audience, config);
  if (a.open) return new Date(at.getTime());
  return a.opensAt === undefined ? null : new Date(a.opensAt);
}

/**
 * Today's closing instant, if `at` falls on a local service day before closing
 * time (open now, or opening later today); otherwise null. Always null with
 * `always: true`. Ignores the rollout (it is the same for every user).
 */
export function closingTime(at: Date, config: ScheduleConfig): Date | null {
  if (config.always) return null;
  const { ymd } = localParts(at, config.timeZone);
  if (!isServiceDay(ymd, config.days)) return null;
  const closes = zonedTimeToUtc(ymd, config.closesAt, config.timeZone);
  return at.getTime() < closes.getTime() ? closes : null;
}

// ---------------------------------------------------------------------------
// Validation

const CONFIG_KEYS = ['always', 'timeZone', 'opensAt', 'closesAt', 'days', 'rollout'] as const;
const RULE_KEYS = ['provinces', 'audiences', 'from'] as const;

function fail(field: string, message: string): never {
  throw new Error(`${field}: ${message}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) fail(`${where}.${k}`, 'unknown field');
  }
  for (const k of allowed) {
    if (obj[k] === undefined) fail(`${where}.${k}`, 'required');
  }
}

/**
 * Checks a complete schedule config (e.g. parsed JSON merged over
 * `defaultScheduleConfig()`) and returns a fresh, typed copy. Throws an Error
 * whose message starts with the bad field, e.g. `schedule.opensAt: expected HH:MM`.
 */
export function validateScheduleConfig(input: unknown): ScheduleConfig {
  if (!isPlainObject(input)) fail('schedule', 'expected an object');
  checkKeys(input, CONFIG_KEYS, 'schedule');

  const { always, timeZone, opensAt, closesAt, days, rollout } = input;
  if (typeof always !== 'boolean') fail('schedule.always', 'expected a boolean');
  if (typeof timeZone !== 'string' || timeZone === '') fail('schedule.timeZone', 'expected an IANA time zone name');
  try {
    formatterFor(timeZone);
  } catch {
    fail('schedule.timeZone', `unknown time zone "${timeZone}"`);
  }
  if (typeof opensAt !== 'string' || !HHMM_RE.test(opensAt)) fail('schedule.opensAt', 'expected HH:MM');
  if (typeof closesAt !== 'string' || !HHMM_RE.test(closesAt)) fail('schedule.closesAt', 'expected HH:MM');
  if (closesAt <= opensAt) fail('schedule.closesAt', `must be after schedule.opensAt (${opensAt})`);

  if (!Array.isArray(days)) fail('schedule.days', 'expected an array of ISO weekdays 1..7');
  if (days.length === 0) fail('schedule.days', 'expected at least one ISO weekday');
  const seenDays = new Set<number>();
  days.forEach((d: unknown, i: number) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 7) {
      fail(`schedule.days[${i}]`, 'expected an ISO weekday 1..7');
    }
    if (seenDays.has(d)) fail(`schedule.days[${i}]`, `duplicate weekday ${d}`);
    seenDays.add(d);
  });

  if (!Array.isArray(rollout)) fail('schedule.rollout', 'expected an array of rules');
  const rules: RolloutRule[] = rollout.map((raw: unknown, i: number): RolloutRule => {
    const where = `schedule.rollout[${i}]`;
    if (!isPlainObject(raw)) fail(where, 'expected an object');
    checkKeys(raw, RULE_KEYS, where);
    const { provinces, audiences, from } = raw;
    let codes: string[] | '*';
    if (provinces === '*') {
      codes = '*';
    } else if (Array.isArray(provinces)) {
      if (provinces.length === 0) fail(`${where}.provinces`, "expected '*' or a non-empty array of province codes");
      codes = provinces.map((p: unknown, j: number) => {
        if (typeof p !== 'string' || !/^[A-Z]{2}$/.test(p)) {
          fail(`${where}.provinces[${j}]`, 'expected a two-letter upper-case province code');
        }
        if (findProvince(p) === undefined) fail(`${where}.provinces[${j}]`, `unknown province code "${p}"`);
        return p;
      });
    } else {
      fail(`${where}.provinces`, "expected '*' or an array of province codes");
    }
    if (!Array.isArray(audiences) || audiences.length === 0) {
      fail(`${where}.audiences`, `expected a non-empty array of ${AUDIENCES.join('|')}`);
    }
    const auds = audiences.map((a: unknown, j: number) => {
      if (typeof a !== 'string' || !(AUDIENCES as readonly string[]).includes(a)) {
        fail(`${where}.audiences[${j}]`, `expected one of ${AUDIENCES.join('|')}`);
      }
      return a as Audience;
    });
    if (typeof from !== 'string' || !isValidYmd(from)) fail(`${where}.from`, 'expected YYYY-MM-DD');
    return { provinces: codes, audiences: auds, from };
  });

  return { always, timeZone, opensAt, closesAt, days: [...(days as number[])], rollout: rules };
}
