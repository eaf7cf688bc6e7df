import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { AUDIENCES, type Audience } from '../routing/types.ts';
import { PROVINCES } from '../routing/provinces.ts';
import { easterSunday, isNationalHoliday, nationalHolidays } from '../routing/holidays.ts';
import {
  DEFAULT_ROLLOUT,
  REST_OF_ITALY_ROLLOUT_FROM,
  availability,
  buildRollout,
  closingTime,
  defaultScheduleConfig,
  localParts,
  nextOpening,
  validateScheduleConfig,
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
  assert.equal(a, { open: false, reason: 'outside_hours', opensAt: iso('2026-04-07T15:00:00+02:00') });
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
  assert.equal(eve, { open: false, reason: 'outside_hours', opensAt: iso('2026-12-28T15:00:00+01:00') });
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
// Rollout

test('an employer in MI is not served on 30 November 2022 but is on 1 December 2022 at 16:00', () => {
  const before = availability(at('2022-11-30T16:00:00+01:00'), 'MI', 'employer', config);
  assert.equal(before, { open: false, reason: 'not_rolled_out', opensAt: iso('2022-12-01T15:00:00+01:00') });
  const after = availability(at('2022-12-01T16:00:00+01:00'), 'MI', 'employer', config);
  assert.equal(after, { open: true, closesAt: iso('2022-12-01T18:00:00+01:00') });
  assert.is(availability(at('2022-11-30T16:00:00+01:00'), 'MI', 'intermediary', config).reason, 'not_rolled_out');
  assert.is(availability(at('2022-11-30T16:00:00+01:00'), 'MI', 'worker', config).open, true);
});

test('an employer in RM is not served on Friday 10 February 2023 but is on Monday 13 February 2023', () => {
  const before = availability(at('2023-02-10T16:00:00+01:00'), 'RM', 'employer', config);
  assert.equal(before, { open: false, reason: 'not_rolled_out', opensAt: iso('2023-02-13T15:00:00+01:00') });
  assert.is(availability(at('2023-02-13T16:00:00+01:00'), 'RM', 'employer', config).open, true);
  assert.is(availability(at('2023-02-13T16:00:00+01:00'), 'to', 'intermediary', config).open, true);
  assert.is(availability(at('2023-02-10T16:00:00+01:00'), 'MI', 'employer', config).open, true);
});

test('employers elsewhere in Italy are served from the rest-of-Italy date, 1 September 2023 by default', () => {
  assert.is(REST_OF_ITALY_ROLLOUT_FROM, '2023-09-01');
  const before = availability(at('2023-08-31T16:00:00+02:00'), 'BO', 'employer', config);
  assert.equal(before, { open: false, reason: 'not_rolled_out', opensAt: iso('2023-09-01T15:00:00+02:00') });
  assert.is(availability(at('2023-09-01T16:00:00+02:00'), 'BO', 'employer', config).open, true);
  // An unknown or legacy province code falls under '*' too.
  assert.is(availability(at('2023-09-01T16:00:00+02:00'), 'SU', 'intermediary', config).open, true);
});

test('the rest-of-Italy date is configurable, and a rollout starting on a Saturday opens on Monday', () => {
  const later = defaultScheduleConfig({ rollout: buildRollout('2023-09-02') });
  const a = availability(at('2023-09-01T16:00:00+02:00'), 'PA', 'employer', later);
  assert.equal(a, { open: false, reason: 'not_rolled_out', opensAt: iso('2023-09-04T15:00:00+02:00') });
  // the rollout check comes first, even on a weekend before the date
  assert.is(availability(at('2023-08-26T16:00:00+02:00'), 'PA', 'employer', later).reason, 'not_rolled_out');
  // after the date, the usual reasons apply
  assert.is(availability(at('2023-09-02T16:00:00+02:00'), 'PA', 'employer', later).reason, 'weekend');
});

test('a rule naming a province wins over the wildcard rule, even when the wildcard starts earlier', () => {
  const cfg = defaultScheduleConfig({ rollout: buildRollout('2022-01-03') });
  assert.is(availability(at('2022-06-01T16:00:00+02:00'), 'BA', 'employer', cfg).open, true);
  assert.is(availability(at('2022-06-01T16:00:00+02:00'), 'MI', 'employer', cfg).reason, 'not_rolled_out');
});

test('an audience that no rule covers is never served, and nextOpening is null', () => {
  const cfg = defaultScheduleConfig({
    rollout: [{ provinces: ['MI'], audiences: ['employer'], from: '2022-12-01' }],
  });
  const now = at('2024-03-05T16:00:00+01:00');
  assert.equal(availability(now, 'RM', 'employer', cfg), { open: false, reason: 'not_rolled_out' });
  assert.equal(availability(now, 'MI', 'intermediary', cfg), { open: false, reason: 'not_rolled_out' });
  assert.is(nextOpening(now, 'RM', 'employer', cfg), null);
  assert.is(availability(now, 'MI', 'employer', cfg).open, true);
});

test('a worker in any province is subject only to the hours, from day one', () => {
  const early = defaultScheduleConfig({ rollout: [] });
  for (const code of [...PROVINCES.map((p) => p.code), 'SU', '', 'xx']) {
    assert.is(availability(at('2020-01-15T16:00:00+01:00'), code, 'worker', config).open, true, code);
    assert.is(availability(at('2020-01-15T16:00:00+01:00'), code, 'worker', early).open, true, code);
    assert.is(availability(at('2020-01-15T19:00:00+01:00'), code, 'worker', config).reason, 'outside_hours', code);
  }
});

test('with always: true the service is open at every instant, with no closing time', () => {
  const always = defaultScheduleConfig({ always: true });
  for (const t of ['2022-11-30T03:00:00Z', '2026-12-25T12:00:00Z', '2026-04-05T23:59:00Z']) {
    assert.equal(availability(at(t), 'MI', 'employer', always), { open: true });
    assert.is(nextOpening(at(t), 'MI', 'employer', always)?.toISOString(), t.replace('Z', '.000Z'));
    assert.is(closingTime(at(t), always), null);
  }
});

test('closingTime gives today\'s 18:00 on a service day before closing, otherwise null', () => {
  assert.is(closingTime(at('2026-01-14T09:00:00+01:00'), config)?.toISOString(), iso('2026-01-14T18:00:00+01:00'));
  assert.is(closingTime(at('2026-07-15T17:59:00+02:00'), config)?.toISOString(), iso('2026-07-15T18:00:00+02:00'));
  assert.is(closingTime(at('2026-07-15T18:00:00+02:00'), config), null);
  assert.is(closingTime(at('2026-07-18T16:00:00+02:00'), config), null); // Saturday
  assert.is(closingTime(at('2026-12-25T16:00:00+01:00'), config), null); // Natale
});

test('nextOpening is the instant itself when open, otherwise the next opening', () => {
  const open = at('2026-01-14T16:00:00+01:00');
  assert.is(nextOpening(open, 'MI', 'worker', config)?.getTime(), open.getTime());
  assert.is(nextOpening(at('2026-01-14T20:00:00+01:00'), 'MI', 'worker', config)?.toISOString(), iso('2026-01-15T15:00:00+01:00'));
});

// ---------------------------------------------------------------------------
// Config

test('the default config is Europe/Rome, Monday to Friday, 15:00 to 18:00, with the staged rollout', () => {
  assert.equal(config, {
    always: false,
    timeZone: 'Europe/Rome',
    opensAt: '15:00',
    closesAt: '18:00',
    days: [1, 2, 3, 4, 5],
    rollout: [
      { provinces: ['MI'], audiences: ['employer', 'intermediary'], from: '2022-12-01' },
      { provinces: ['TO', 'RM', 'NA'], audiences: ['employer', 'intermediary'], from: '2023-02-13' },
      { provinces: '*', audiences: ['employer', 'intermediary'], from: '2023-09-01' },
    ],
  });
  assert.ok(Object.isFrozen(DEFAULT_ROLLOUT));
  const mine = defaultScheduleConfig();
  mine.days.push(6);
  (mine.rollout[0]!.provinces as string[]).push('BG');
  assert.equal(defaultScheduleConfig().days, [1, 2, 3, 4, 5]);
  assert.equal(defaultScheduleConfig().rollout[0]!.provinces, ['MI']);
  assert.is(defaultScheduleConfig({ opensAt: '09:00' }).opensAt, '09:00');
});

test('a valid config passes validation unchanged', () => {
  assert.equal(validateScheduleConfig(JSON.parse(JSON.stringify(config))), config);
  const weekend = { ...JSON.parse(JSON.stringify(config)), days: [6, 7], timeZone: 'America/New_York' };
  assert.equal(validateScheduleConfig(weekend).days, [6, 7]);
});

test('config validation errors name the bad field', () => {
  const good = (): Record<string, unknown> => JSON.parse(JSON.stringify(config));
  const cases: Array<[(c: Record<string, unknown>) => unknown, RegExp]> = [
    [() => null, /^schedule: expected an object/],
    [() => [], /^schedule: expected an object/],
    [(c) => ({ ...c, opensAt: '3pm' }), /^schedule\.opensAt: expected HH:MM$/],
    [(c) => ({ ...c, opensAt: '24:00' }), /^schedule\.opensAt: expected HH:MM$/],
    [(c) => ({ ...c, closesAt: 1800 }), /^schedule\.closesAt: expected HH:MM$/],
    [(c) => ({ ...c, closesAt: '14:00' }), /^schedule\.closesAt: must be after schedule\.opensAt/],
    [(c) => ({ ...c, always: 'yes' }), /^schedule\.always: /],
    [(c) => ({ ...c, timeZone: 'Mars/Olympus_Mons' }), /^schedule\.timeZone: unknown time zone/],
    [(c) => ({ ...c, days: [] }), /^schedule\.days: /],
    [(c) => ({ ...c, days: [1, 0] }), /^schedule\.days\[1\]: expected an ISO weekday/],
    [(c) => ({ ...c, days: [1, 1] }), /^schedule\.days\[1\]: duplicate/],
    [(c) => ({ ...c, days: '1-5' }), /^schedule\.days: /],
    [(c) => ({ ...c, rollout: {} }), /^schedule\.rollout: /],
    [(c) => ({ ...c, servicehours: 'always' }), /^schedule\.servicehours: unknown field/],
    [(c) => { delete c.timeZone; return c; }, /^schedule\.timeZone: required/],
    [
      (c) => ({ ...c, rollout: [{ provinces: '*', audiences: ['employer'], from: '2023-02-30' }] }),
      /^schedule\.rollout\[0\]\.from: expected YYYY-MM-DD$/,
    ],
    [
      (c) => ({ ...c, rollout: [{ provinces: ['MI', 'SU'], audiences: ['employer'], from: '2023-02-01' }] }),
      /^schedule\.rollout\[0\]\.provinces\[1\]: unknown province code "SU"/,
    ],
    [
      (c) => ({ ...c, rollout: [{ provinces: ['mi'], audiences: ['employer'], from: '2023-02-01' }] }),
      /^schedule\.rollout\[0\]\.provinces\[0\]: expected a two-letter upper-case/,
    ],
    [
      (c) => ({ ...c, rollout: [{ provinces: 'MI', audiences: ['employer'], from: '2023-02-01' }] }),
      /^schedule\.rollout\[0\]\.provinces: /,
    ],
    [
      (c) => ({ ...c, rollout: [{ provinces: '*', audiences: ['advisor'], from: '2023-02-01' }] }),
      /^schedule\.rollout\[0\]\.audiences\[0\]: expected one of worker\|employer\|intermediary/,
    ],
    [
      (c) => ({ ...c, rollout: [{ provinces: '*', audiences: [], from: '2023-02-01' }] }),
      /^schedule\.rollout\[0\]\.audiences: /,
    ],
    [
      (c) => ({ ...c, rollout: [{ provinces: '*', audiences: ['employer'] }] }),
      /^schedule\.rollout\[0\]\.from: required/,
    ],
  ];
  for (const [make, expected] of cases) {
    let message = '(no error)';
    try {
      validateScheduleConfig(make(good()));
    } catch (err) {
      message = (err as Error).message;
    }
    assert.match(message, expected);
  }
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
