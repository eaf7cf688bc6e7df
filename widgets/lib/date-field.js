/**
 * A day typed in the page's own language. A native <input type="date"> shows
 * its format in the BROWSER's language: an Italian page in a browser set to
 * American English asks for "mm/dd/yyyy", and an Italian reads 07/12 as
 * 7 December where the field means 12 July. These fields are plain text in
 * the page's format instead, with the format written beside them:
 * it gg/mm/aaaa, de TT.MM.JJJJ (as South Tyrol writes it), en dd/mm/yyyy:
 * the English pages are read by people who live and work in Italy, and every
 * date the pages show in English is day first already (en-GB, i18n.js).
 *
 * Accepted: day, month, year with / . - , or spaces between (1/2/2026,
 * 01.02.2026, 1-2-26: a two-digit year is 20yy), eight digits (01022026, what
 * a phone's digits-only keypad allows), and an ISO date pasted (2026-02-01).
 * The code that sends gets YYYY-MM-DD, as the API takes it. A date that does
 * not exist (31/02/2026) or cannot be read is an error in the page's language
 * naming the field; what was typed is never cleared.
 *
 * No calendar button: the browser's calendar pop-up names months and weekdays
 * (and starts the week) in the browser's language again, showPicker() needs a
 * rendered input and is missing in older browsers, and keyboard and screen
 * reader support of the pop-up varies. Typing a day is what a search needs.
 */
import { lang, onLangChange, t } from '../i18n.js';
import { say } from './said.js';

/** The separator each language writes between day, month and year. */
const SEPARATOR = { it: '/', en: '/', de: '.' };
const FIRST_YEAR = 1900;
const LAST_YEAR = 2099;
/** The fields on the page, redrawn in the new format on a language change. */
const fields = new Set();

/**
 * The day a text means: { iso: 'YYYY-MM-DD' }, { iso: '' } for nothing typed,
 * or { error: 'date_unreadable' | 'date_nonexistent' }.
 */
export function parseDay(text) {
  const s = String(text ?? '').trim();
  if (!s) return { iso: '' };
  const sep = '\\s*[-/.,\\s]\\s*';
  let g = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const [y, m, d] = g
    ? [g[1], g[2], g[3]]
    : (g = new RegExp(`^(\\d{1,2})${sep}(\\d{1,2})${sep}(\\d{4}|\\d{2})\\.?$`).exec(s) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(s))
      ? [g[3], g[2], g[1]]
      : [];
  if (!y) return { error: 'date_unreadable' };
  const year = y.length === 2 ? 2000 + Number(y) : Number(y);
  const [month, day] = [Number(m), Number(d)];
  if (year < FIRST_YEAR || year > LAST_YEAR) return { error: 'date_unreadable' };
  // Date.UTC rolls 31 February over into March: a day that comes back different does not exist.
  const date = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || day < 1 || date.getUTCDate() !== day) return { error: 'date_nonexistent' };
  return { iso: date.toISOString().slice(0, 10) };
}

/** YYYY-MM-DD as the language writes it: 01/02/2026, 01.02.2026; '' for ''. */
export function dayText(iso, language = lang()) {
  const g = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  if (!g) return '';
  const sep = SEPARATOR[language] ?? SEPARATOR.it;
  return [g[3], g[2], g[1]].join(sep);
}

/** The field's name for its error: its label's words, without the format hint. */
export function nameOf(input) {
  return (input.labels?.[0]?.textContent ?? input.name).trim();
}

/**
 * Says `key` (date.* or time.*) on one of a form's typed fields: in `error`,
 * naming the field and quoting what was typed, aria-invalid on it alone of
 * `inputs`, and the focus on it (unless `focus` is false). What was typed
 * stays. The message is said again in a new language (lib/said.js), with the
 * field's label in it and `vars()` then. Shared with lib/time-field.js.
 */
export function sayOnField(inputs, input, error, key, focus = true, vars = () => ({})) {
  // "true", not "": an empty aria-invalid counts as false (WAI-ARIA), so screen readers would not say it.
  for (const other of inputs) other.removeAttribute('aria-invalid');
  input.setAttribute('aria-invalid', 'true');
  // What was typed when it was refused, not what the field holds when the language changes.
  const text = input.value.trim();
  say(error, () => t(key, { label: nameOf(input), text, ...vars() }));
  if (focus) input.focus();
}

/**
 * Makes an <input> a typed field of class `kind`: text with a digits keypad,
 * the format (string `formatKey`) shown before it and read out with it, and
 * `tidy(value)` (what was understood, or '') written back when it is left.
 * Returns the hint, for a language change. Shared with lib/time-field.js.
 */
export function typedField(input, kind, formatKey, tidy) {
  Object.assign(input, { type: 'text', inputMode: 'numeric', autocomplete: 'off', spellcheck: false });
  input.classList.add(kind);
  const hint = document.createElement('span');
  hint.id = `${input.id}-format`;
  hint.className = 'date-format';
  hint.textContent = t(formatKey);
  input.before(hint);
  const described = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  input.setAttribute('aria-describedby', [hint.id, ...described].join(' '));
  input.addEventListener('change', () => {
    const tidied = tidy(input.value);
    if (tidied) input.value = tidied;
  });
  return hint;
}

/**
 * Makes an <input> a date field: the format shown before it, a day typed
 * rewritten in the page's format when the field is left (so 1/2 shows as
 * 01/02/2026: which day was understood).
 */
export function dateField(input) {
  const hint = typedField(input, 'date-field', 'date.format', (value) => dayText(parseDay(value).iso ?? ''));
  fields.add({ input, hint });
  return input;
}

/** Puts a day (YYYY-MM-DD, or '') in a date field, in the page's format. */
export function setDay(input, iso) {
  input.value = dayText(iso);
}

/**
 * The days of date fields as YYYY-MM-DD ('' for an empty one), checked in
 * order. On the first that cannot be read or does not exist: its message in
 * `error`, aria-invalid and the focus on it (unless `focus` is false: a
 * refresh nobody asked for takes no focus), and null; what was typed stays.
 */
export function readDays(inputs, error, focus = true) {
  const days = [];
  for (const input of inputs) {
    const r = parseDay(input.value);
    if (r.error) {
      sayOnField(inputs, input, error, `date.${r.error}`, focus);
      return null;
    }
    days.push(r.iso);
  }
  for (const input of inputs) input.removeAttribute('aria-invalid');
  return days;
}

onLangChange((language) => {
  for (const { input, hint } of fields) {
    hint.textContent = t('date.format');
    // A day typed in one language's format, shown in the new one's; one that cannot be read stays as typed.
    const { iso } = parseDay(input.value);
    if (iso) input.value = dayText(iso, language);
  }
});
