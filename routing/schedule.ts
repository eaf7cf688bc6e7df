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
 * The config and its defaults are in schedule-config.ts, the local-time
 * arithmetic (through Intl, right across DST changes) in zoned-time.ts.
 */
import { addDaysYmd, holidayName, isoWeekdayOfYmd } from './holidays.ts';
import type { RolloutRule, ScheduleConfig } from './schedule-config.ts';
import type { Audience } from './types.ts';
import { localParts, zonedTimeToUtc } from './zoned-time.ts';

// The configuration and the zone arithmetic live in their own files; their names
// stay importable from here, where callers and docs/schedule.md have found them.
export {
  buildRollout,
  DEFAULT_ROLLOUT,
  defaultScheduleConfig,
  REST_OF_ITALY_ROLLOUT_FROM,
  validateScheduleConfig,
  type RolloutRule,
  type ScheduleConfig,
} from './schedule-config.ts';
export { localParts, zonedTimeToUtc } from './zoned-time.ts';

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
  /**
   * When closed: the working days between today and `opensAt` that a national holiday closes
   * (local dates and holiday names), so the user knows why a weekday is skipped. Absent when none.
   */
  holidaysBefore?: { date: string; holiday: string }[];
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
  if (next !== null) {
    result.opensAt = next.toISOString();
    const skipped = holidaysBetween(addDaysYmd(ymd, 1), localParts(next, tz).ymd, config.days);
    if (skipped.length) result.holidaysBefore = skipped;
  }
  return result;
}

/** The days in [from, to) that would be service days but for a national holiday. */
function holidaysBetween(from: string, to: string, days: readonly number[]): { date: string; holiday: string }[] {
  const out: { date: string; holiday: string }[] = [];
  for (let d = from; d < to; d = addDaysYmd(d, 1)) {
    const holiday = holidayName(d);
    if (holiday !== undefined && days.includes(isoWeekdayOfYmd(d))) out.push({ date: d, holiday });
  }
  return out;
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

