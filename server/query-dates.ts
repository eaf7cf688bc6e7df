/**
 * `from`/`to` filters of the list endpoints (tickets, access log): a calendar
 * day (`2026-03-02`, in the service's time zone: `from` its first instant,
 * `to` the first instant of the next day, so `to` includes the whole day) or an
 * ISO 8601 instant with its offset. Errors name the field.
 */
import { addDaysYmd } from '../routing/holidays.ts';
import { zonedTimeToUtc } from '../routing/zoned-time.ts';
import { AppError } from './errors.ts';

const YMD = /^\d{4}-\d{2}-\d{2}$/;

/** The JSON Schema of such a parameter (the shape only; `queryBoundary` checks the calendar). */
export const DATE_OR_INSTANT = { type: 'string', minLength: 10, maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:\\d{2}))?$' } as const;

export function queryBoundary(field: string, value: string, side: 'start' | 'end', timeZone: string): Date {
  const v = value.trim();
  if (YMD.test(v)) {
    const d = new Date(`${v}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) throw new AppError('validation_failed', `${field} is not a calendar date`);
    return zonedTimeToUtc(side === 'start' ? v : addDaysYmd(v, 1), '00:00', timeZone);
  }
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(ms)) throw new AppError('invalid_instant', field);
  return new Date(ms);
}
