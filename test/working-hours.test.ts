import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { PATRON_DAYS, patronDayOf } from '../routing/holidays.ts';
import { findProvince } from '../routing/provinces.ts';
import { localParts } from '../routing/zoned-time.ts';
import { addWorkingHours, dueDate, isWorkingDay, workingHoursBetween } from '../routing/working-hours.ts';

const TZ = 'Europe/Rome';
const at = (iso: string): Date => new Date(iso);
const iso = (s: string): string => new Date(s).toISOString();
const due48 = (start: string, patronDay?: string): string =>
  dueDate(at(start), 48, patronDay === undefined ? { timeZone: TZ } : { timeZone: TZ, patronDay }).toISOString();

test('working days are Monday to Friday, minus national holidays and the patron day', () => {
  assert.ok(isWorkingDay('2026-01-14'));
  assert.not.ok(isWorkingDay('2026-01-17')); // Saturday
  assert.not.ok(isWorkingDay('2026-01-18')); // Sunday
  assert.not.ok(isWorkingDay('2026-04-06')); // Easter Monday
  assert.ok(isWorkingDay('2026-04-03')); // Good Friday is a working day
  assert.ok(isWorkingDay('2026-12-07'));
  assert.not.ok(isWorkingDay('2026-12-07', '12-07')); // Sant'Ambrogio in Milano
  assert.ok(isWorkingDay('2025-10-06'));
  assert.not.ok(isWorkingDay('2027-10-04')); // San Francesco, from 2026
});

test('48 working hours from a Tuesday morning fall due on Thursday morning', () => {
  assert.is(due48('2026-01-13T10:00:00+01:00'), iso('2026-01-15T10:00:00+01:00'));
});

test('48 working hours from a Friday morning skip the weekend and fall due on Tuesday morning', () => {
  assert.is(due48('2026-01-16T10:00:00+01:00'), iso('2026-01-20T10:00:00+01:00'));
});

test('a ticket opened at the weekend starts counting on Monday and is due at the end of Tuesday', () => {
  assert.is(due48('2026-01-17T12:00:00+01:00'), iso('2026-01-21T00:00:00+01:00'));
  assert.is(due48('2026-01-19T00:00:00+01:00'), iso('2026-01-21T00:00:00+01:00'));
});

test('Easter Monday is skipped: Thursday before Easter 2026 is due on Tuesday after it', () => {
  assert.is(due48('2026-04-02T10:00:00+02:00'), iso('2026-04-07T10:00:00+02:00'));
});

test("Milano's patron day (7 December) adds a day that Roma does not have", () => {
  // Fri 4 Dec 2026: weekend, Mon 7 (Sant'Ambrogio in MI only), Tue 8 Immacolata.
  assert.is(due48('2026-12-04T10:00:00+01:00', PATRON_DAYS.MI), iso('2026-12-10T10:00:00+01:00'));
  assert.is(due48('2026-12-04T10:00:00+01:00', PATRON_DAYS.RM), iso('2026-12-09T10:00:00+01:00'));
  assert.is(due48('2026-12-04T10:00:00+01:00'), iso('2026-12-09T10:00:00+01:00'));
});

test('Christmas 2026 (Friday) and Santo Stefano (Saturday) push a Wednesday ticket to Monday', () => {
  assert.is(due48('2026-12-23T12:00:00+01:00'), iso('2026-12-28T12:00:00+01:00'));
});

test('a due date across the spring DST weekend keeps the local time of day', () => {
  assert.is(due48('2026-03-27T10:00:00+01:00'), iso('2026-03-31T10:00:00+02:00'));
  assert.is(due48('2026-10-23T10:00:00+02:00'), iso('2026-10-27T10:00:00+01:00'));
});

test('addWorkingHours accepts extra closed days, fractional hours and zero', () => {
  const closedWednesday = (ymd: string) => ymd === '2026-01-14';
  assert.is(
    addWorkingHours(at('2026-01-13T10:00:00+01:00'), 48, { timeZone: TZ, extraClosedDays: closedWednesday }).toISOString(),
    iso('2026-01-16T10:00:00+01:00'),
  );
  assert.is(addWorkingHours(at('2026-01-13T10:00:00+01:00'), 1.5, { timeZone: TZ }).toISOString(), iso('2026-01-13T11:30:00+01:00'));
  const saturday = at('2026-01-17T12:00:00+01:00');
  assert.is(addWorkingHours(saturday, 0, { timeZone: TZ }).getTime(), saturday.getTime());
  assert.throws(() => addWorkingHours(saturday, -1, { timeZone: TZ }), /hours/);
  assert.throws(() => addWorkingHours(saturday, Number.NaN, { timeZone: TZ }), /hours/);
  assert.throws(() => dueDate(saturday, 48, { timeZone: TZ, patronDay: '7 Dec' }), /patronDay/);
});

test('the patron-day table names real provinces and valid MM-DD dates', () => {
  for (const [code, mmdd] of Object.entries(PATRON_DAYS)) {
    assert.ok(findProvince(code), code);
    assert.match(mmdd, /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);
  }
  assert.is(PATRON_DAYS.MI, '12-07');
  assert.is(PATRON_DAYS.RM, '06-29');
  assert.is(PATRON_DAYS.TO, '06-24');
  assert.is(PATRON_DAYS.GE, '06-24');
  assert.is(PATRON_DAYS.FI, '06-24');
  assert.is(PATRON_DAYS.NA, '09-19');
  assert.is(PATRON_DAYS.BO, '10-04');
  assert.is(PATRON_DAYS.PA, '07-15');
  assert.is(PATRON_DAYS.BA, '12-06');
  assert.is(PATRON_DAYS.VE, '04-25');
  assert.is(patronDayOf(' mi '), '12-07');
  assert.is(patronDayOf('XX'), undefined);
});

test('workingHoursBetween undoes addWorkingHours, and the last counted instant is on a working day', () => {
  const patrons = [undefined, ...Object.values(PATRON_DAYS)];
  fc.assert(
    fc.property(
      fc.integer({ min: Date.UTC(2022, 0, 1), max: Date.UTC(2030, 11, 31) }),
      fc.integer({ min: 0, max: 240 * 60 }),
      fc.constantFrom(...patrons),
      (ms, minutes, patronDay) => {
        const hours = minutes / 60;
        const start = new Date(ms);
        const opts = patronDay === undefined ? { timeZone: TZ } : { timeZone: TZ, extraClosedDays: (y: string) => y.slice(5) === patronDay };
        const end = addWorkingHours(start, hours, opts);
        if (end.getTime() < start.getTime()) return false;
        if (end.getTime() - start.getTime() < hours * 3_600_000 - 1) return false;
        if (hours > 0) {
          const lastDay = localParts(new Date(end.getTime() - 1), TZ).ymd;
          if (!isWorkingDay(lastDay, patronDay)) return false;
        }
        return Math.abs(workingHoursBetween(start, end, opts) - hours) < 1e-9;
      },
    ),
    { numRuns: 2000 },
  );
});

test.run();
