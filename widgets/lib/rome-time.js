/**
 * Times of day as Italians type them, and Rome's wall time ⇄ instants.
 *
 * The service and its users live on Europe/Rome time: an announcement "from
 * 15:00" means 15:00 in Rome whatever the time zone of the laptop it is typed
 * on (a supervisor on a trip, a browser set to New York). `new Date('…T15:00')`
 * would read the computer's zone, so the conversion here asks Intl what Rome's
 * clock reads at an instant and never uses the local zone. No library: Intl's
 * time-zone data is the browser's own (and Node's, full ICU since Node 13).
 *
 * Daylight saving: on the last Sunday of March Rome's clocks go from 02:00 to
 * 03:00, so 02:30 that night does not exist (`time_dst_gap`: refused, never
 * moved silently to 03:30); on the last Sunday of October 02:00–02:59 happens
 * twice, and the first (still summer time, +02:00) is taken.
 *
 * Pure (no DOM): the field that uses it is lib/time-field.js.
 */
export const ROME = 'Europe/Rome';

/** Rome's clock, to the minute, at an instant; formatToParts keeps it free of any language's punctuation. */
const clock = new Intl.DateTimeFormat('en-US', {
  timeZone: ROME, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
});

const pad = (n) => String(n).padStart(2, '0');

/** What Rome's clock reads at `ms`: { day: 'YYYY-MM-DD', time: 'HH:MM' }. */
export function romeWallTime(ms) {
  const p = Object.fromEntries(clock.formatToParts(ms).map(({ type, value }) => [type, value]));
  return { day: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

/** Rome's offset from UTC at an instant, in ms (+1 h in winter, +2 h in summer). */
function offsetAt(ms) {
  const minute = Math.floor(ms / 60_000) * 60_000; // the clock above stops at the minute
  const { day, time } = romeWallTime(minute);
  return Date.parse(`${day}T${time}:00Z`) - minute;
}

/**
 * A time of day typed on a 24-hour clock: { hm: 'HH:MM' }, { hm: '' } for
 * nothing, or { error: 'time_unreadable' | 'time_nonexistent' }. Read: 15,
 * 15:30, 15.30 (as Italians often write it), 1530 and 930 (a digits keypad has
 * no colon), 9 and 9:05. Not read: 3 pm, seconds, a minute of one digit (9:5
 * is 09:05 or 09:50?). An hour past 23 or a minute past 59 is "nonexistent".
 */
export function parseTime(text) {
  const s = String(text ?? '').trim();
  if (!s) return { hm: '' };
  const g = /^(\d{1,2})(?:\s*[:.]\s*(\d{2}))?$/.exec(s) ?? /^(\d{1,2})(\d{2})$/.exec(s);
  if (!g) return { error: 'time_unreadable' };
  const [hour, minute] = [Number(g[1]), Number(g[2] ?? 0)];
  if (hour > 23 || minute > 59) return { error: 'time_nonexistent' };
  return { hm: `${pad(hour)}:${pad(minute)}` };
}

/**
 * The instant (ISO, UTC, as the API takes it) when Rome's clock reads `time`
 * ('HH:MM') on `day` ('YYYY-MM-DD'); { error: 'time_dst_gap' } for a time the
 * clocks skip. Each offset Rome has around that day is tried, and kept when
 * Rome's clock at the instant it gives reads what was asked.
 */
export function romeInstant(day, time) {
  const wall = Date.parse(`${day}T${time}:00Z`);
  if (Number.isNaN(wall)) throw new RangeError(`not a day and a time: ${day} ${time}`);
  const offsets = new Set([offsetAt(wall - 86_400_000), offsetAt(wall), offsetAt(wall + 86_400_000)]);
  const found = [...offsets]
    .map((offset) => wall - offset)
    .filter((ms) => { const w = romeWallTime(ms); return w.day === day && w.time === time; })
    .sort((a, b) => a - b);
  return found.length ? { iso: new Date(found[0]).toISOString() } : { error: 'time_dst_gap' };
}
