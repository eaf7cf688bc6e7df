/**
 * A moment typed as a day field (lib/date-field.js) and a time field beside it,
 * both in Rome's time (lib/rome-time.js). A native <input type="datetime-local">
 * asks in the BROWSER's format (mm/dd/yyyy and AM/PM in a browser set to
 * American English) and reads the computer's time zone, where the service means
 * Italy's. The time field is text on a 24-hour clock, "hh:mm" shown before it,
 * a digits keypad; 15, 15.30, 15:30 and 1530 are read, and shown as 15:30 when
 * the field is left.
 */
import { lang, onLangChange, t } from '../i18n.js';
import { dayText, parseDay, sayOnField, setDay, typedField } from './date-field.js';
import { parseTime, romeInstant, romeWallTime } from './rome-time.js';

/** The time fields' format hints, redrawn on a language change. */
const hints = new Set();

/** Makes an <input> a time field (24-hour, hh:mm; 15 shown as 15:00 when left); returns it. */
export function timeField(input) {
  hints.add(typedField(input, 'time-field', 'time.format', (value) => parseTime(value).hm ?? ''));
  return input;
}

/** Puts an instant (ISO, or a time in ms) in a day field and a time field, as Rome's clock reads it. */
export function setWhen(dayInput, timeInput, when) {
  const { day, time } = romeWallTime(typeof when === 'number' ? when : Date.parse(when));
  setDay(dayInput, day);
  timeInput.value = time;
}

/**
 * The instants of pairs of fields, `[{ day, time }]`, as ISO UTC ('' for a pair
 * left empty), checked in order. On the first that cannot be read, lacks its
 * day or its time, or names a time Rome's clocks skip: the message in `error`
 * in the page's language, aria-invalid and the focus on the field to fix
 * (unless `focus` is false), and null.
 */
export function readWhen(pairs, error, focus = true) {
  const inputs = pairs.flatMap(({ day, time }) => [day, time]);
  const say = (input, key, vars) => {
    sayOnField(inputs, input, error, key, focus, vars);
    return null;
  };
  const instants = [];
  for (const { day, time } of pairs) {
    const d = parseDay(day.value);
    if (d.error) return say(day, `date.${d.error}`);
    const tm = parseTime(time.value);
    if (tm.error) return say(time, `time.${tm.error}`);
    if (d.iso && !tm.hm) return say(time, 'time.time_missing');
    if (!d.iso && tm.hm) return say(day, 'time.day_missing');
    if (!d.iso) {
      instants.push('');
      continue;
    }
    const r = romeInstant(d.iso, tm.hm);
    if (r.error) return say(time, `time.${r.error}`, () => ({ day: dayText(d.iso, lang()), time: tm.hm }));
    instants.push(r.iso);
  }
  for (const input of inputs) input.removeAttribute('aria-invalid');
  return instants;
}

onLangChange(() => {
  for (const hint of hints) hint.textContent = t('time.format');
});
