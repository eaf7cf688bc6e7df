/**
 * The service calendar (routing/schedule.ts, routing/holidays.ts): national holidays,
 * the afternoon hours across both DST changes, and properties over 2022–2030. The
 * staged employer roll-out and the schedule's configuration are in schedule-config.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { AUDIENCES, type Audience } from '../routing/types.ts';
import { PROVINCES } from '../routing/provinces.ts';
import { easterSunday, isNationalHoliday, nationalHolidays } from '../routing/holidays.ts';
import {
  availability,
  defaultScheduleConfig,
  localParts,
  nextOpening,
  zonedTimeToUtc,
  type ScheduleConfig,
} from '../routing/schedule.ts';

const config = defaultScheduleConfig();
const at = (iso: string): Date => new Date(iso);
const iso = (s: string): string => new Date(s).toISOString();

// ---------------------------------------------------------------------------
// Holidays

test('Easter Sunday is right for known years', () => {
  assert.is(easterSunday(2024), '2024-03-31');
  assert.is(easterSunday(2025), '2025-04-20');
  assert.is(easterSunday(2026), '2026-04-05');
  assert.is(easterSunday(2027), '2027-03-28');
  assert.is(easterSunday(2038), '2038-04-25');
  assert.is(easterSunday(2000), '2000-04-23');
  assert.is(easterSunday(2285), '2285-03-22'); // the earliest possible date
});

test('4 October (San Francesco) is a national holiday only from 2026', () => {
  const h2025 = nationalHolidays(2025).map((h) => h.date);
  const h2026 = nationalHolidays(2026).map((h) => h.date);
  assert.not.ok(h2025.includes('2025-10-04'));
  assert.ok(h2026.includes('2026-10-04'));
  assert.is(h2026.length, h2025.length + 1);
  assert.not.ok(isNationalHoliday('2024-10-04'));
  assert.ok(isNationalHoliday('2027-10-04'));
});

test('the 2026 holidays are the twelve national days plus Easter Sunday, sorted by date', () => {
  assert.equal(
    nationalHolidays(2026).map((h) => h.date),
    [
      '2026-01-01', '2026-01-06', '2026-04-05', '2026-04-06', '2026-04-25', '2026-05-01', '2026-06-02',
      '2026-08-15', '2026-10-04', '2026-11-01', '2026-12-08', '2026-12-25', '2026-12-26',
    ],
  );
  for (const h of nationalHolidays(2026)) assert.ok(h.name.length > 0);
  assert.not.ok(isNationalHoliday('2026-04-03')); // Good Friday is not a holiday
  assert.not.ok(isNationalHoliday('2026-12-24'));
  assert.not.ok(isNationalHoliday('not a date'));
});

test('Easter Monday 2026 is 6 April and the service is closed that afternoon', () => {
  assert.ok(isNationalHoliday('2026-04-06'));
  const a = availability(at('2026-04-06T16:00:00+02:00'), 'MI', 'worker', config);
  assert.is(a.open, false);
  assert.is(a.reason, 'holiday');
  assert.match(a.holiday ?? '', /Angelo/);
  assert.is(a.opensAt, iso('2026-04-07T15:00:00+02:00'));
});

test('Monday 4 October 2027 is closed for San Francesco, while Friday 4 October 2024 was open', () => {
  const a = availability(at('2027-10-04T16:00:00+02:00'), 'RM', 'worker', config);
  assert.is(a.open, false);
  assert.is(a.reason, 'holiday');
  assert.is(a.holiday, "San Francesco d'Assisi");
  assert.is(a.opensAt, iso('2027-10-05T15:00:00+02:00'));
  assert.is(availability(at('2024-10-04T16:00:00+02:00'), 'RM', 'worker', config).open, true);
});

test('a holiday on a weekend reports the holiday (Sunday 4 October 2026)', () => {
  const a = availability(at('2026-10-04T16:00:00+02:00'), 'RM', 'worker', config);
  assert.is(a.reason, 'holiday');
  assert.is(a.opensAt, iso('2026-10-05T15:00:00+02:00'));
  assert.is(availability(at('2026-10-03T16:00:00+02:00'), 'RM', 'worker', config).reason, 'weekend');
});

// ---------------------------------------------------------------------------
// Hours

for (const [season, day, offset] of [
  ['winter (UTC+1)', '2026-01-14', '+01:00'],
  ['summer (UTC+2)', '2026-07-15', '+02:00'],
] as const) {
  const next = day === '2026-01-14' ? '2026-01-15' : '2026-07-16';
  test(`in ${season} a weekday opens at 15:00 and closes at 18:00 local time`, () => {
    const t = (hhmmss: string) => at(`${day}T${hhmmss}${offset}`);
    const before = availability(t('14:59:59.999'), 'TO', 'worker', config);
    assert.equal(before, { open: false, reason: 'outside_hours', opensAt: iso(`${day}T15:00:00${offset}`) });
    const opening = availability(t('15:00:00'), 'TO', 'worker', config);
    assert.equal(opening, { open: true, closesAt: iso(`${day}T18:00:00${offset}`) });
    assert.is(availability(t('17:59:59.999'), 'TO', 'worker', config).open, true);
    const closing = availability(t('18:00:00'), 'TO', 'worker', config);
    assert.equal(closing, { open: false, reason: 'outside_hours', opensAt: iso(`${next}T15:00:00${offset}`) });
    assert.is(availability(t('09:00:00'), 'TO', 'worker', config).opensAt, iso(`${day}T15:00:00${offset}`));
  });
}

test('the UTC instants of opening differ by one hour between winter and summer', () => {
  assert.is(zonedTimeToUtc('2026-01-14', '15:00', 'Europe/Rome').toISOString(), '2026-01-14T14:00:00.000Z');
  assert.is(zonedTimeToUtc('2026-07-15', '15:00', 'Europe/Rome').toISOString(), '2026-07-15T13:00:00.000Z');
});

test('on Friday evening the next opening is Monday at 15:00', () => {
  const a = availability(at('2026-05-08T18:30:00+02:00'), 'NA', 'worker', config);
  assert.equal(a, { open: false, reason: 'outside_hours', opensAt: iso('2026-05-11T15:00:00+02:00') });
  const sat = availability(at('2026-05-09T16:00:00+02:00'), 'NA', 'worker', config);
  assert.equal(sat, { open: false, reason: 'weekend', opensAt: iso('2026-05-11T15:00:00+02:00') });
  assert.is(nextOpening(at('2026-05-10T23:59:00+02:00'), 'NA', 'worker', config)?.toISOString(), iso('2026-05-11T15:00:00+02:00'));
});

test('a holiday Monday pushes the Friday-evening opening to Tuesday (Easter 2026)', () => {
  const a = availability(at('2026-04-03T19:00:00+02:00'), 'MI', 'worker', config);
  // The Monday skipped is named, so "it opens on Tuesday" does not read like a mistake.
  assert.equal(a, { open: false, reason: 'outside_hours', opensAt: iso('2026-04-07T15:00:00+02:00'), holidaysBefore: [{ date: '2026-04-06', holiday: "Lunedì dell'Angelo (Pasquetta)" }] });
});

test('a weekday holiday between today and the opening is named; one on a weekend, or today\'s own, is not', () => {
  // Monday 7 December 2026 evening: Tuesday 8 is the Immacolata, the chat opens on Wednesday 9.
  const monday = availability(at('2026-12-07T19:30:00+01:00'), 'MI', 'employer', config);
  assert.equal(monday, { open: false, reason: 'outside_hours', opensAt: iso('2026-12-09T15:00:00+01:00'), holidaysBefore: [{ date: '2026-12-08', holiday: 'Immacolata Concezione' }] });
  // The morning of the Immacolata: today is the holiday (reason and name), nothing skipped after it.
  assert.equal(availability(at('2026-12-08T10:00:00+01:00'), 'MI', 'worker', config), { open: false, reason: 'holiday', holiday: 'Immacolata Concezione', opensAt: iso('2026-12-09T15:00:00+01:00') });
  // Friday 2 October 2026 evening: Sunday 4 October (San Francesco) is a weekend day, not a closed working day.
  assert.equal(availability(at('2026-10-02T18:30:00+02:00'), 'RM', 'worker', config), { open: false, reason: 'outside_hours', opensAt: iso('2026-10-05T15:00:00+02:00') });
  // Before 15:00 on a working day it opens today: nothing between.
  assert.not.ok('holidaysBefore' in availability(at('2026-12-07T10:00:00+01:00'), 'MI', 'worker', config));
});

test('the spring DST weekend: Friday 27 March 2026 evening opens Monday 15:00 CEST', () => {
  const a = availability(at('2026-03-27T18:00:00+01:00'), 'MI', 'worker', config);
  assert.is(a.opensAt, '2026-03-30T13:00:00.000Z');
  assert.is(availability(at('2026-03-29T01:59:00+01:00'), 'MI', 'worker', config).reason, 'weekend');
  assert.is(availability(at('2026-03-29T03:00:00+02:00'), 'MI', 'worker', config).reason, 'weekend');
  assert.is(availability(at('2026-03-30T12:59:00Z'), 'MI', 'worker', config).open, false);
  assert.equal(availability(at('2026-03-30T13:00:00Z'), 'MI', 'worker', config), {
    open: true,
    closesAt: '2026-03-30T16:00:00.000Z',
  });
});

test('the autumn DST weekend: Friday 23 October 2026 evening opens Monday 15:00 CET', () => {
  const a = availability(at('2026-10-23T18:00:00+02:00'), 'MI', 'worker', config);
  assert.is(a.opensAt, '2026-10-26T14:00:00.000Z');
  assert.is(availability(at('2026-10-26T13:59:00Z'), 'MI', 'worker', config).open, false);
  assert.equal(availability(at('2026-10-26T14:00:00Z'), 'MI', 'worker', config), {
    open: true,
    closesAt: '2026-10-26T17:00:00.000Z',
  });
});

test('local time is read through the time zone rules on both sides of each DST change', () => {
  assert.equal(localParts(at('2026-03-29T00:59:59Z'), 'Europe/Rome'), { ymd: '2026-03-29', isoWeekday: 7, minutes: 119 });
  assert.equal(localParts(at('2026-03-29T01:00:00Z'), 'Europe/Rome'), { ymd: '2026-03-29', isoWeekday: 7, minutes: 180 });
  assert.equal(localParts(at('2026-10-25T00:59:59Z'), 'Europe/Rome'), { ymd: '2026-10-25', isoWeekday: 7, minutes: 179 });
  assert.equal(localParts(at('2026-10-25T01:00:00Z'), 'Europe/Rome'), { ymd: '2026-10-25', isoWeekday: 7, minutes: 120 });
  assert.equal(localParts(at('2026-12-31T23:30:00Z'), 'Europe/Rome'), { ymd: '2027-01-01', isoWeekday: 5, minutes: 30 });
  assert.equal(localParts(at('2026-12-31T23:30:00Z'), 'America/New_York'), { ymd: '2026-12-31', isoWeekday: 4, minutes: 1110 });
});

test('zonedTimeToUtc maps a missing spring time forward and an ambiguous autumn time to its first occurrence', () => {
  assert.is(zonedTimeToUtc('2026-03-29', '01:30', 'Europe/Rome').toISOString(), '2026-03-29T00:30:00.000Z');
  assert.is(zonedTimeToUtc('2026-03-29', '02:30', 'Europe/Rome').toISOString(), '2026-03-29T01:30:00.000Z');
  assert.is(zonedTimeToUtc('2026-03-29', '03:30', 'Europe/Rome').toISOString(), '2026-03-29T01:30:00.000Z');
  assert.is(zonedTimeToUtc('2026-10-25', '02:30', 'Europe/Rome').toISOString(), '2026-10-25T00:30:00.000Z');
  assert.is(zonedTimeToUtc('2026-10-25', '03:30', 'Europe/Rome').toISOString(), '2026-10-25T02:30:00.000Z');
  assert.is(zonedTimeToUtc('2026-11-01', '01:30', 'America/New_York').toISOString(), '2026-11-01T05:30:00.000Z');
  assert.throws(() => zonedTimeToUtc('2026-02-30', '15:00', 'Europe/Rome'), /YYYY-MM-DD/);
  assert.throws(() => zonedTimeToUtc('2026-02-01', '25:00', 'Europe/Rome'), /HH:MM/);
});

test('Christmas, Santo Stefano and the weekend chain together (2026 and 2022)', () => {
  // 2026: Thu 24 open, Fri 25 Natale, Sat 26 Santo Stefano, Sun 27, Mon 28 open.
  const eve = availability(at('2026-12-24T18:00:00+01:00'), 'RM', 'worker', config);
  assert.equal(eve, { open: false, reason: 'outside_hours', opensAt: iso('2026-12-28T15:00:00+01:00'), holidaysBefore: [{ date: '2026-12-25', holiday: 'Natale' }] });
  const xmas = availability(at('2026-12-25T16:00:00+01:00'), 'RM', 'worker', config);
  assert.equal(xmas, { open: false, reason: 'holiday', holiday: 'Natale', opensAt: iso('2026-12-28T15:00:00+01:00') });
  assert.is(availability(at('2026-12-26T16:00:00+01:00'), 'RM', 'worker', config).holiday, 'Santo Stefano');
  assert.is(availability(at('2026-12-27T16:00:00+01:00'), 'RM', 'worker', config).reason, 'weekend');
  // 2022: Fri 23 open, Sat 24, Sun 25 Natale, Mon 26 Santo Stefano, Tue 27 open.
  assert.is(availability(at('2022-12-23T18:00:00+01:00'), 'RM', 'worker', config).opensAt, iso('2022-12-27T15:00:00+01:00'));
  const stefano = availability(at('2022-12-26T15:30:00+01:00'), 'RM', 'worker', config);
  assert.equal(stefano, { open: false, reason: 'holiday', holiday: 'Santo Stefano', opensAt: iso('2022-12-27T15:00:00+01:00') });
  // New Year 2027: Thu 31 Dec open, Fri 1 Jan, weekend, Mon 4 Jan open.
  assert.is(availability(at('2026-12-31T19:00:00+01:00'), 'RM', 'worker', config).opensAt, iso('2027-01-04T15:00:00+01:00'));
});

// ---------------------------------------------------------------------------
// Property

test('for any instant in 2022–2030: closed means the next opening is later and open; open means a later closing and a local hour in [15, 18)', () => {
  const from = Date.UTC(2022, 0, 1);
  const to = Date.UTC(2031, 0, 1);
  const codes = [...PROVINCES.map((p) => p.code), 'SU'];
  fc.assert(
    fc.property(
      fc.integer({ min: from, max: to - 1 }),
      fc.constantFrom(...codes),
      fc.constantFrom(...(AUDIENCES as readonly Audience[])),
      (ms, province, audience) => {
        const now = new Date(ms);
        const a = availability(now, province, audience, config);
        if (a.open) {
          if (a.closesAt === undefined || Date.parse(a.closesAt) <= ms) return false;
          const hour = Math.floor(localParts(now, 'Europe/Rome').minutes / 60);
          if (hour < 15 || hour >= 18) return false;
          return Date.parse(a.closesAt) - ms <= 3 * 3_600_000;
        }
        if (a.opensAt === undefined) return false;
        const next = new Date(a.opensAt);
        if (next.getTime() <= ms) return false;
        const b = availability(next, province, audience, config);
        if (!b.open) return false;
        // and it is not open a minute earlier: opensAt really is the opening
        return !availability(new Date(next.getTime() - 60_000), province, audience, config).open;
      },
    ),
    { numRuns: 5000 },
  );
});

test('opening and closing instants for every day 2022–2030 are 15:00 and 18:00 Rome time', () => {
  const cfg: ScheduleConfig = config;
  for (let day = Date.UTC(2022, 0, 1); day < Date.UTC(2031, 0, 1); day += 86_400_000) {
    const ymd = new Date(day).toISOString().slice(0, 10);
    const open = zonedTimeToUtc(ymd, cfg.opensAt, cfg.timeZone);
    const lp = localParts(open, cfg.timeZone);
    assert.is(lp.ymd, ymd);
    assert.is(lp.minutes, 15 * 60);
    const offsetHours = (Date.parse(`${ymd}T15:00:00Z`) - open.getTime()) / 3_600_000;
    assert.ok(offsetHours === 1 || offsetHours === 2, ymd);
  }
});

test.run();
