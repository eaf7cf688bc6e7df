/**
 * Routing configuration as data: thresholds, grace periods, capacity defaults and
 * the employer roll-out. Loaded from a JSON file (config/routing.json, or the file
 * named by ROUTING_CONFIG) over these defaults; every field is checked, and a bad
 * one stops start-up with a message naming it.
 */
import { isProvinceCode } from './provinces.ts';
import type { RolloutRule } from './schedule-config.ts';
import type { Audience } from './types.ts';

export interface RoutingConfig {
  /** Simultaneous chats of an advisor the staff directory does not list. */
  defaultCapacity: number;
  /** Handling time assumed before any chat has been measured, seconds. */
  defaultHandleSeconds: number;
  /** How many recent handling times the wait estimate averages. */
  handleSampleSize: number;
  /** A waiting user whose last socket closed keeps their place this long, seconds. */
  userGraceSeconds: number;
  /** An advisor whose last socket closed keeps their chats this long, then they are re-queued, seconds. */
  advisorGraceSeconds: number;
  /** An assigned chat the advisor has not answered in this time is offered to another, seconds. */
  unansweredSeconds: number;
  /** Longest wait in a queue before the user is offered a Linea INPS request instead, seconds. */
  maxWaitSeconds: number;
  /** Users still waiting at closing time are served until this many minutes after it. */
  closingCutoffMinutes: number;
  /** Waiting users are told their position at most this often, milliseconds. */
  positionPushMs: number;
  /** Each advisor is told of the users waiting for them at most this often (`advisor.queue`), milliseconds. */
  advisorQueuePushMs: number;
  overflow: {
    /** After this wait, advisors of the same region may serve the user, seconds. */
    regionAfterSeconds: number;
    /** After this wait, any advisor with the right skills may, seconds. */
    nationalAfterSeconds: number;
    /**
     * After this wait, an advisor who does not list the user's language may serve
     * them (told so on both sides), seconds; 86400 keeps the language strict.
     */
    languageAfterSeconds: number;
  };
  rollout: {
    /** When employers and intermediaries of provinces not listed were admitted (YYYY-MM-DD). */
    restOfItalyFrom: string;
    /** Earlier admissions by province (YYYY-MM-DD), e.g. the Milano pilot. */
    provinces: Record<string, string>;
  };
}

export const DEFAULT_ROUTING_CONFIG: RoutingConfig = {
  defaultCapacity: 3,
  defaultHandleSeconds: 300,
  handleSampleSize: 50,
  userGraceSeconds: 60,
  advisorGraceSeconds: 60,
  unansweredSeconds: 120,
  maxWaitSeconds: 2700,
  closingCutoffMinutes: 30,
  positionPushMs: 1000,
  advisorQueuePushMs: 2000,
  overflow: { regionAfterSeconds: 300, nationalAfterSeconds: 900, languageAfterSeconds: 300 },
  rollout: {
    restOfItalyFrom: '2023-09-01',
    provinces: { MI: '2022-12-01', TO: '2023-02-13', RM: '2023-02-13', NA: '2023-02-13' },
  },
};

export class RoutingConfigError extends Error {
  constructor(
    readonly field: string,
    why: string,
  ) {
    super(`routing config ${field}: ${why}`);
  }
}

const YMD = /^\d{4}-\d{2}-\d{2}$/;

function integer(obj: Record<string, unknown>, key: string, path: string, fallback: number, min: number, max: number): number {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RoutingConfigError(`${path}${key}`, `expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function object(v: unknown, path: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RoutingConfigError(path, 'expected an object');
  return v as Record<string, unknown>;
}

function noExtras(obj: Record<string, unknown>, allowed: string[], path: string): void {
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) throw new RoutingConfigError(`${path}${key}`, 'unknown field');
}

function date(v: unknown, path: string): string {
  if (typeof v !== 'string' || !YMD.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new RoutingConfigError(path, `expected a date YYYY-MM-DD, got ${JSON.stringify(v)}`);
  return v;
}

/** Checks a parsed config file and fills what it leaves out from the defaults. */
export function validateRoutingConfig(input: unknown, base: RoutingConfig = DEFAULT_ROUTING_CONFIG): RoutingConfig {
  const root = object(input, '(root)');
  const top = Object.keys(base).filter((k) => k !== '$schema');
  noExtras(root, [...top, '$schema', 'comment'], '');
  const overflowIn = object(root.overflow, 'overflow');
  noExtras(overflowIn, ['regionAfterSeconds', 'nationalAfterSeconds', 'languageAfterSeconds'], 'overflow.');
  const rolloutIn = object(root.rollout, 'rollout');
  noExtras(rolloutIn, ['restOfItalyFrom', 'provinces'], 'rollout.');
  const provincesIn = object(rolloutIn.provinces, 'rollout.provinces');
  const provinces: Record<string, string> = rolloutIn.provinces === undefined ? { ...base.rollout.provinces } : {};
  for (const [code, day] of Object.entries(provincesIn)) {
    if (!isProvinceCode(code)) throw new RoutingConfigError(`rollout.provinces.${code}`, 'unknown province code');
    provinces[code] = date(day, `rollout.provinces.${code}`);
  }
  const overflow = {
    regionAfterSeconds: integer(overflowIn, 'regionAfterSeconds', 'overflow.', base.overflow.regionAfterSeconds, 0, 86_400),
    nationalAfterSeconds: integer(overflowIn, 'nationalAfterSeconds', 'overflow.', base.overflow.nationalAfterSeconds, 0, 86_400),
    languageAfterSeconds: integer(overflowIn, 'languageAfterSeconds', 'overflow.', base.overflow.languageAfterSeconds, 0, 86_400),
  };
  if (overflow.nationalAfterSeconds < overflow.regionAfterSeconds) {
    throw new RoutingConfigError('overflow.nationalAfterSeconds', 'must not be shorter than overflow.regionAfterSeconds');
  }
  return {
    defaultCapacity: integer(root, 'defaultCapacity', '', base.defaultCapacity, 1, 50),
    defaultHandleSeconds: integer(root, 'defaultHandleSeconds', '', base.defaultHandleSeconds, 10, 7200),
    handleSampleSize: integer(root, 'handleSampleSize', '', base.handleSampleSize, 1, 10_000),
    userGraceSeconds: integer(root, 'userGraceSeconds', '', base.userGraceSeconds, 0, 3600),
    advisorGraceSeconds: integer(root, 'advisorGraceSeconds', '', base.advisorGraceSeconds, 0, 3600),
    unansweredSeconds: integer(root, 'unansweredSeconds', '', base.unansweredSeconds, 5, 3600),
    maxWaitSeconds: integer(root, 'maxWaitSeconds', '', base.maxWaitSeconds, 60, 86_400),
    closingCutoffMinutes: integer(root, 'closingCutoffMinutes', '', base.closingCutoffMinutes, 0, 240),
    positionPushMs: integer(root, 'positionPushMs', '', base.positionPushMs, 100, 60_000),
    advisorQueuePushMs: integer(root, 'advisorQueuePushMs', '', base.advisorQueuePushMs, 100, 60_000),
    overflow,
    rollout: {
      restOfItalyFrom: rolloutIn.restOfItalyFrom === undefined ? base.rollout.restOfItalyFrom : date(rolloutIn.restOfItalyFrom, 'rollout.restOfItalyFrom'),
      provinces,
    },
  };
}

/** The employer and intermediary roll-out as schedule rules: listed provinces, then the rest. */
export function rolloutRules(config: RoutingConfig): RolloutRule[] {
  const employerSide: Audience[] = ['employer', 'intermediary'];
  const byDay = new Map<string, string[]>();
  for (const [code, day] of Object.entries(config.rollout.provinces)) byDay.set(day, [...(byDay.get(day) ?? []), code]);
  return [
    ...[...byDay].map(([from, provinces]) => ({ provinces, audiences: [...employerSide], from })),
    { provinces: '*' as const, audiences: [...employerSide], from: config.rollout.restOfItalyFrom },
  ];
}
