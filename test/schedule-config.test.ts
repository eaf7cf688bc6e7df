/**
 * The staged employer roll-out (Milano from December 2022; Torino, Roma, Napoli from
 * 13 February 2023; then the rest of Italy) and the schedule's configuration: its
 * defaults, and validation errors that name the bad field.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROVINCES } from '../routing/provinces.ts';
import {
  DEFAULT_ROLLOUT,
  REST_OF_ITALY_ROLLOUT_FROM,
  availability,
  buildRollout,
  closingTime,
  defaultScheduleConfig,
  nextOpening,
  validateScheduleConfig,
} from '../routing/schedule.ts';

const config = defaultScheduleConfig();
const at = (iso: string): Date => new Date(iso);
const iso = (s: string): string => new Date(s).toISOString();

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


test.run();
