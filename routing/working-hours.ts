/**
 * Working-hours arithmetic for the ticket SLA ("answer within 48 working hours").
 *
 * Model (see docs/schedule.md): a working day is a local calendar day that is
 * Monday–Friday, not a national holiday and not the sede's patron day. Every
 * instant of a working day counts (whole days, midnight to midnight local time);
 * no instant of a closed day counts. So 48 working hours = two working days'
 * worth of elapsed time with the closed days cut out: a ticket opened on Friday
 * at 10:00 is due on Tuesday at 10:00; one opened on Saturday is due on
 * Wednesday at 00:00 (end of Tuesday). Durations are real elapsed time, so a
 * 23- or 25-hour DST day would count as such (in Italy those are Sundays,
 * which never count anyway).
 */
import { addDaysYmd, isNationalHoliday, isoWeekdayOfYmd } from './holidays.ts';
import { localParts, zonedTimeToUtc } from './zoned-time.ts';

const HOUR = 3_600_000;
/** Safety bound on the day walk (about 27 years). */
const MAX_DAYS = 10_000;

export interface WorkingHoursOptions {
  /** IANA zone whose calendar days are counted, normally 'Europe/Rome'. */
  timeZone: string;
  /** Extra closed local days (YYYY-MM-DD), e.g. a sede's patron day. */
  extraClosedDays?: (ymd: string) => boolean;
}

export interface DueDateOptions {
  timeZone: string;
  /** The sede's patron day, 'MM-DD' (see PATRON_DAYS in holidays.ts). */
  patronDay?: string;
}

/** Monday–Friday, not a national holiday and not the patron day ('MM-DD'). */
export function isWorkingDay(ymd: string, patronDay?: string): boolean {
  const wd = isoWeekdayOfYmd(ymd);
  if (wd > 5) return false;
  if (patronDay !== undefined && ymd.slice(5) === patronDay) return false;
  return !isNationalHoliday(ymd);
}

function closedTest(opts: WorkingHoursOptions): (ymd: string) => boolean {
  const extra = opts.extraClosedDays;
  return (ymd) => !isWorkingDay(ymd) || (extra !== undefined && extra(ymd));
}

/**
 * The instant at which `hours` working hours have elapsed since `start`.
 * Starting on a closed day, the count begins at the next working day's
 * midnight. `hours` may be fractional; 0 returns `start`.
 */
export function addWorkingHours(start: Date, hours: number, opts: WorkingHoursOptions): Date {
  if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be a finite number >= 0, got ${hours}`);
  const startMs = start.getTime();
  if (!Number.isFinite(startMs)) throw new RangeError('addWorkingHours: invalid start Date');
  if (hours === 0) return new Date(startMs);
  const isClosed = closedTest(opts);
  let remaining = hours * HOUR;
  let cursor = startMs;
  let ymd = localParts(start, opts.timeZone).ymd;
  for (let i = 0; i < MAX_DAYS; i++) {
    const nextYmd = addDaysYmd(ymd, 1);
    const dayEnd = zonedTimeToUtc(nextYmd, '00:00', opts.timeZone).getTime();
    if (!isClosed(ymd)) {
      const available = dayEnd - cursor;
      if (remaining <= available) return new Date(cursor + remaining);
      remaining -= available;
    }
    cursor = dayEnd;
    ymd = nextYmd;
  }
  throw new RangeError(`addWorkingHours: no working days found within ${MAX_DAYS} days`);
}

/** Working hours elapsed between two instants (0 if `to` <= `from`); the inverse of addWorkingHours. */
export function workingHoursBetween(from: Date, to: Date, opts: WorkingHoursOptions): number {
  const end = to.getTime();
  let cursor = from.getTime();
  if (!(end > cursor)) return 0;
  const isClosed = closedTest(opts);
  let total = 0;
  let ymd = localParts(from, opts.timeZone).ymd;
  while (cursor < end) {
    const nextYmd = addDaysYmd(ymd, 1);
    const dayEnd = zonedTimeToUtc(nextYmd, '00:00', opts.timeZone).getTime();
    if (!isClosed(ymd)) total += Math.min(dayEnd, end) - cursor;
    cursor = dayEnd;
    ymd = nextYmd;
  }
  return total / HOUR;
}

/** SLA due date: `start` plus `workingHours`, skipping weekends, national holidays and the patron day. */
export function dueDate(start: Date, workingHours: number, opts: DueDateOptions): Date {
  const patron = opts.patronDay;
  if (patron !== undefined && !/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(patron)) {
    throw new RangeError(`patronDay: expected MM-DD, got "${patron}"`);
  }
  return addWorkingHours(start, workingHours, {
    timeZone: opts.timeZone,
    ...(patron === undefined ? {} : { extraClosedDays: (ymd: string) => ymd.slice(5) === patron }),
  });
}
