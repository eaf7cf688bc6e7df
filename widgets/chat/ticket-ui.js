/**
 * Small pieces every Linea INPS view draws with: a status badge,
 * a fact of a request, a field marked invalid, an error that takes the focus to
 * its field, and the send button that says it is busy.
 *
 * Separate so the form, the list and the thread draw these the same way; the
 * busy flag is one for both forms, so a request and a reply are never sent at
 * the same time.
 */
import { t } from '../i18n.js';
import { say } from '../lib/said.js';
import { h } from '../lib/ui.js';

let sending = false;

export function badge(status) {
  return h('span', { class: `badge status-${status}` }, t(`tk.status.${status}`));
}

export function fact(key, value) {
  return value ? h('div', {}, h('dt', {}, t(key)), h('dd', {}, value)) : null;
}

/**
 * When the sede answers by, with how it is counted: a request sent on a working
 * day is due at the same clock time days later, which users read as the time
 * they sent it unless the rule is said next to it.
 */
export function dueFact(key, when) {
  const el = fact(key, when ? [when, h('span', { class: 'due-rule' }, t('tk.due.rule'))] : null);
  el?.classList.add('due');
  return el;
}

export const sedeName = (x) => x.sedeName || x.sede;

/**
 * "Presentata dal tuo intermediario": a company's request that someone else of its side filed
 * (the API's `filedBy`, a role), said from where the reader (`role`) stands: to an employer its
 * consultant, to a consultant the company or another consultant. '' for the reader's own and the sede's.
 */
export function filedByText(x, role) {
  if (!x.filedBy) return '';
  return t(`tk.filedBy.${x.filedBy}${x.filedBy === role ? '.other' : ''}`);
}

export function mark(el, bad) {
  if (bad) el.setAttribute('aria-invalid', 'true');
  else el.removeAttribute('aria-invalid');
}

/**
 * Says what is wrong (`words()`: a sentence, or a refusal's nodes, errNodes), again in a new language
 * (lib/said.js), and, with a field, marks it and goes there.
 */
export function fail(errEl, words, field) {
  say(errEl, words);
  if (field) {
    mark(field, true);
    field.focus();
  }
}

/** A send button that stays focusable while busy (a disabled one would drop the keyboard focus). */
export function busy(button, on, key) {
  sending = on;
  button.setAttribute('aria-disabled', String(on));
  button.textContent = t(key);
}

/** Whether a request or a reply is being sent. */
export const isBusy = () => sending;
