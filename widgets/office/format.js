/**
 * How the office console words a failed API call, in the chosen language.
 * Separate from office.js because the list, the ticket view and the forms all
 * show these, and none of them owns the others.
 */
import { daysFromToday } from '../i18n.js';
import { tr } from './strings.js';

/**
 * "Scade oggi" / "Scade domani" for a request still to answer whose due time is near, else ''.
 * A deadline at 00:00 is the end of the day before (as formatDue shows it), so it counts there.
 * Overdue and closed requests have their own words.
 */
export function dueSoon(t, now = Date.now()) {
  if (!t.dueAt || t.overdue || t.status === 'closed') return '';
  const days = daysFromToday(new Date(Date.parse(t.dueAt) - 1).toISOString(), now);
  return days === 0 ? tr('off.dueToday') : days === 1 ? tr('off.dueTomorrow') : '';
}

export function errorText(err) {
  const code = err?.code ?? 'error';
  // Which file, when the server said (a refused attachment).
  if (err?.file && tr(`off.err.${code}.file`) !== `off.err.${code}.file`) return tr(`off.err.${code}.file`, { file: err.file });
  const key = `off.err.${code}`;
  const s = tr(key, { message: err?.message ?? '' });
  return s === key ? tr('off.err.generic', { code }) : s;
}
