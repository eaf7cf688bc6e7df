/**
 * The schedule's configuration: its shape, the defaults (Mon–Fri 15:00–18:00
 * Europe/Rome and the staged rollout for employers and intermediaries), and the
 * check of a config read from outside. Pure (no I/O). See docs/schedule.md.
 */
import { findProvince } from './provinces.ts';
import { AUDIENCES, type Audience } from './types.ts';
import { isHhmm, isKnownTimeZone, isValidYmd } from './zoned-time.ts';

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
  if (!isKnownTimeZone(timeZone)) fail('schedule.timeZone', `unknown time zone "${timeZone}"`);
  if (typeof opensAt !== 'string' || !isHhmm(opensAt)) fail('schedule.opensAt', 'expected HH:MM');
  if (typeof closesAt !== 'string' || !isHhmm(closesAt)) fail('schedule.closesAt', 'expected HH:MM');
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
