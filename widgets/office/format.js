/**
 * How the office console words a failed API call, in the chosen language.
 * Separate from office.js because the list, the ticket view and the forms all
 * show these, and none of them owns the others.
 */
import { daysFromToday } from '../i18n.js';
import { errorNodes } from '../lib/error-words.js';
import { say } from '../lib/said.js';
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

/** The console's own words for a refusal (off.err.<code>), or undefined for the shared ones (widgets/lib/error-words.js). */
function officeWords(code, err) {
  // Which file, when the server said (a refused attachment).
  if (err?.file && tr(`off.err.${code}.file`) !== `off.err.${code}.file`) return tr(`off.err.${code}.file`, { file: err.file });
  const key = `off.err.${code}`;
  const s = tr(key);
  return s === key ? undefined : s;
}

/** The fields of the console's forms by the server's names, so a validation_failed names the one to correct. */
const fields = () => ({
  subject: tr('off.compose.subject'), category: tr('off.compose.topic'), body: tr('off.compose.body'),
  'to.userId': tr('off.compose.user'), 'to.matricola': tr('off.compose.matricola'),
  sede: tr('off.transfer.sede'), reason: tr('off.transfer.reason'), outcome: tr('off.close.outcome'),
});

/**
 * A refused action in words, its code apart, for replaceChildren(). `own(code)`: words of the
 * caller's for a code it says better (a request gone to another sede), else undefined.
 */
export function refusalNodes(err, own) {
  return errorNodes(err, { own: (code, e) => own?.(code, e) ?? officeWords(code, e), fields: fields() });
}

/** Shows a refused action on `el` (an error line under a form, the list, the request), again in a new language (lib/said.js). */
export function showRefusal(el, err) {
  say(el, () => refusalNodes(err));
}
