/**
 * Languages of the INFO CIG pages: translation, the words of dates, deadlines
 * and sizes. Italian (strings-it.js) is the default and the fallback; every
 * other language is one more strings file in DICTS with the same keys (a missing
 * key falls back to Italian, then to the key itself). `{name}` placeholders are
 * filled by t(key, { name }).
 *
 * In HTML: data-i18n="key" sets textContent; data-i18n-attr="aria-label:key;title:key"
 * sets attributes. applyI18n() re-renders a subtree after setLang(); lines written when
 * something happened (an error) follow a change through lib/said.js.
 */
import de from './strings-de.js';
import en from './strings-en.js';
import it from './strings-it.js';

/** Add a language here (same keys as `it`), to LOCALES and to the labels of the pages that offer it. */
const DICTS = { it, de, en };
/** The languages every page offers, the staff consoles' (advisor, office, dashboard) too. */
export const LANGS = { it: 'Italiano', en: 'English' };
/**
 * The user pages (the chat and its bubble) speak German as well: in the province
 * of Bolzano/Bozen public offices serve citizens in German (DPR 574/1988). A page
 * that offers them says so with offerLangs(USER_LANGS) before its first setLang.
 */
export const USER_LANGS = { it: 'Italiano', de: 'Deutsch', en: 'English' };
/**
 * The office console speaks German too: the sedi of the province of Bolzano/Bozen
 * work in German as well as Italian (its strings: office/strings-de.js).
 */
export const OFFICE_LANGS = USER_LANGS;
/**
 * Keys German lacks on purpose: the advisor console's and the stub pages', which
 * speak Italian and English only (strings-advisor-it.js, strings-advisor-en.js).
 * The staff sign-in's (staff.*) are German too, because the office console shows them.
 */
export const STAFF_ONLY = /^(adv|stub)\./;
/** de-IT: German as written in South Tyrol ("Jänner", dates as 10.12.2026). */
const LOCALES = { it: 'it-IT', de: 'de-IT', en: 'en-GB' };
export const TIME_ZONE = 'Europe/Rome';

let current = 'it';
let offered = LANGS;
const listeners = new Set();

export function lang() {
  return current;
}

/** The languages this page offers (LANGS unless the page says otherwise): what pickLang and setLang choose from. */
export function offerLangs(langs) {
  offered = langs;
}

/** The offered language of a tag like "en-US" or "de_AT", or null. */
function offeredBase(tag) {
  const base = String(tag || '').toLowerCase().split(/[-_]/)[0];
  return Object.hasOwn(offered, base) && Object.hasOwn(DICTS, base) ? base : null;
}

/** The best offered language for a tag like "en-US" or "de-IT"; Italian otherwise. */
export function pickLang(tag) {
  return offeredBase(tag) ?? 'it';
}

/** The offered language of a tag, or null when the page does not speak it (a choice that says nothing). */
export function offeredLang(tag) {
  return offeredBase(tag);
}

/**
 * The language the browser prefers among those offered: the first of the user's
 * languages (most preferred first) that the page speaks, so ["fr-FR", "de-DE"]
 * gives German and ["it-IT", "de-DE"] Italian; Italian when none is offered.
 */
export function browserLang(tags = typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language]) {
  for (const tag of tags) {
    const base = offeredBase(tag);
    if (base) return base;
  }
  return 'it';
}

export function setLang(tag, root = document) {
  current = pickLang(tag);
  if (typeof document !== 'undefined') document.documentElement.lang = current;
  if (root) applyI18n(root);
  for (const fn of listeners) fn(current);
  return current;
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * A t() over a page's dictionaries ({ it, en }): the string in the current
 * language, else the Italian one, else the key itself; `{name}` is filled from vars.
 */
export function translator(dicts) {
  return (key, vars) => {
    const d = dicts[current] ?? dicts.it;
    let s = Object.hasOwn(d, key) ? d[key] : Object.hasOwn(dicts.it, key) ? dicts.it[key] : key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined || vars[k] === null ? m : String(vars[k])));
    return s;
  };
}

/**
 * Translates the markup under root: `data-<name>="key"` sets the text,
 * `data-<name>-attr="aria-label:key;title:key"` sets attributes (name: one word).
 */
export function applyStringsTo(root, name, translate) {
  for (const el of root.querySelectorAll(`[data-${name}]`)) el.textContent = translate(el.dataset[name]);
  for (const el of root.querySelectorAll(`[data-${name}-attr]`)) {
    for (const pair of el.dataset[`${name}Attr`].split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, translate(key));
    }
  }
}

export const t = translator(DICTS);

export function applyI18n(root = document) {
  applyStringsTo(root, 'i18n', t);
}

/** "lunedì 3 marzo alle 15:00" style (due.at in each language), always in Italian time. */
export function formatWhen(iso, withYear = false) {
  const day = formatDay(iso, withYear);
  return day && t('due.at', { day, time: formatTime(iso) });
}

/** The calendar day of an instant in Rome, as YYYY-MM-DD. */
function romeDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/** How many of Rome's calendar days from `now` to the instant: 0 today, 1 tomorrow, -1 yesterday; NaN when unreadable. */
export function daysFromToday(iso, now = Date.now()) {
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms)) return NaN;
  return Math.round((Date.parse(romeDate(ms)) - Date.parse(romeDate(now))) / 86_400_000);
}

/** "martedì 8 dicembre" (with the year when asked), in Rome's calendar. */
export function formatDay(iso, withYear = false) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const parts = { timeZone: TIME_ZONE, weekday: 'long', day: 'numeric', month: 'long', ...(withYear ? { year: 'numeric' } : {}) };
  return new Intl.DateTimeFormat(locale(), parts).format(d);
}

function locale() {
  return LOCALES[current] ?? 'it-IT';
}

export function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

/** A day, "07/12/2026", in Rome's calendar. */
export function formatDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
}

export function formatDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), {
    timeZone: TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(d);
}

/**
 * A deadline. The SLA counts whole working days (routing/working-hours.ts), so
 * many deadlines fall at 00:00, which reads as the wrong day: shown as the end
 * of the day before ("10/12/2026, fine giornata"). `long`: with the weekday.
 */
export function formatDue(iso, long = false) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  if (formatTime(iso) !== '00:00') return long ? formatWhen(iso) : formatDateTime(iso);
  const parts = long ? { weekday: 'long', day: 'numeric', month: 'long' } : { day: '2-digit', month: '2-digit', year: 'numeric' };
  const day = new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, ...parts }).format(new Date(d.getTime() - 1));
  return t('due.endOfDay', { day });
}

/** Bytes as "812 B", "14 KB", "2,5 MB" in the chosen language. */
export function formatSize(bytes) {
  const nf = (v, digits) => new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(v);
  return bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${nf(bytes / 1024, 0)} KB` : `${nf(bytes / 1048576, 1)} MB`;
}

/** A label for a topic/role/entry/outcome code, or the code itself. */
export function label(kind, code) {
  const key = `${kind}.${code}`;
  const s = t(key);
  return s === key ? String(code ?? '') : s;
}
export { DICTS as STRINGS };
