/**
 * The search above "Le mie richieste": the company (for someone acting for
 * several, a labour consultant's clients), the status, words of the subject,
 * the days the requests were sent (from, to: both included) and, for a company
 * user (whose list holds what others of the company filed too), only the
 * requests they filed themselves (the API's `mine`). What was last applied is kept here and turned into the query of
 * GET /api/v1/tickets; what is typed counts only once "Cerca" is pressed.
 *
 * Separate from ticket-list.js, which loads and draws the pages: this file
 * knows the form, that one knows the list. The server narrows the caller's
 * own scope with these filters and never widens it (docs/tickets.md), so the
 * company choices are only a convenience: the matricole the token holds.
 */
import { t } from '../i18n.js';
import { dateField, dayText, readDays } from '../lib/date-field.js';
import { say } from '../lib/said.js';
import { forget, readJson, writeJson } from '../lib/tab-store.js';
import { $, h } from '../lib/ui.js';

const STATUSES = ['open', 'in_progress', 'closed'];
/**
 * The filters in force, kept in the tab across a reload: a consultant who narrowed the list to one company and
 * reloaded found all their companies' requests again, under a form that no longer said which company it had been.
 */
const KEY = 'infocig.chat.listFilters';
const FIELDS = ['matricola', 'status', 'subject', 'from', 'to', 'mine'];
/** Those who see requests others filed: an employer its consultants', a consultant its companies'. */
const COMPANY_ROLES = ['employer', 'intermediary'];

/** The filters in force: { matricola?, status?, subject?, from?, to?, mine? } (days as YYYY-MM-DD, Rome's calendar on the server). */
let applied = {};
/** () → the matricole the signed-in person acts for */
let heldOf = () => [];
/** () → the signed-in person's role */
let roleOf = () => null;

/** deps: { held() → string[], role() → string, apply() } apply loads the list again with the filters in force. */
export function initListFilters({ held, role, apply }) {
  heldOf = held;
  roleOf = role;
  const form = $('#list-filters');
  const dates = [dateField($('#lf-from')), dateField($('#lf-to'))];
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    $('#lf-error').textContent = '';
    // A day that cannot be read or does not exist (31/02) is said, on that field, before anything is asked.
    const days = readDays(dates, $('#lf-error'));
    if (!days) return;
    const next = read(days);
    // Days after each other would find nothing: say so, rather than "no requests".
    if (next.from && next.to && next.from > next.to) {
      say($('#lf-error'), () => t('tk.filter.badRange'));
      // "true": an empty aria-invalid (toggleAttribute's, before) counts as false, and screen readers said nothing.
      for (const input of dates) input.setAttribute('aria-invalid', 'true');
      return $('#lf-from').focus();
    }
    applied = next;
    keep();
    apply();
  });
  $('#lf-clear').addEventListener('click', () => {
    form.reset();
    $('#lf-error').textContent = '';
    for (const id of ['#lf-from', '#lf-to']) $(id).removeAttribute('aria-invalid');
    applied = {};
    keep();
    apply();
  });
  restore();
}

function keep() {
  writeJson(KEY, filtersActive() ? applied : null);
}

/** The filters kept in the tab, in force again and back in the form (the company once its choices are drawn). */
function restore() {
  const kept = readJson(KEY);
  if (!kept || typeof kept !== 'object') return;
  applied = Object.fromEntries(FIELDS.filter((k) => typeof kept[k] === 'string' && kept[k]).map((k) => [k, kept[k]]));
  const f = $('#list-filters').elements;
  f.subject.value = applied.subject ?? '';
  f.from.value = dayText(applied.from ?? '');
  f.to.value = dayText(applied.to ?? '');
  f.mine.checked = applied.mine === 'true';
}

export function forgetFilters() {
  applied = {};
  forget(KEY);
}

export const filtersActive = () => Object.keys(applied).length > 0;

/** The filters in force as query parameters ('' for none). */
export const filterQuery = () => new URLSearchParams(applied).toString();

/**
 * The options in the page's language, the choices kept. The company only for
 * several matricole (an employer has one: its requests are all that company's);
 * the whole form only once there is something to search, or a search in force.
 */
export function renderFilters(anyRequests) {
  const held = heldOf();
  fill($('#lf-company'), t('tk.filter.allCompanies'), held.map((m) => [m, m]), applied.matricola);
  fill($('#lf-status'), t('tk.filter.allStatuses'), STATUSES.map((s) => [s, t(`tk.filter.${s}`)]), applied.status);
  $('#lf-company-box').hidden = held.length < 2;
  $('#lf-mine-box').hidden = !COMPANY_ROLES.includes(roleOf());
  $('#list-filters').hidden = !anyRequests && !filtersActive();
}

/** `wanted`: the choice in force, for a select not yet filled (after a reload). */
function fill(select, all, choices, wanted = '') {
  const chosen = select.value || wanted;
  select.replaceChildren(h('option', { value: '' }, all), ...choices.map(([value, text]) => h('option', { value }, text)));
  select.value = choices.some(([value]) => value === chosen) ? chosen : '';
}

/** The form's filters; `days`: the date fields' [from, to] as YYYY-MM-DD or ''. */
function read([from, to]) {
  const f = $('#list-filters').elements;
  const subject = f.subject.value.trim();
  return {
    ...($('#lf-company-box').hidden || !f.company.value ? {} : { matricola: f.company.value }),
    ...(f.status.value ? { status: f.status.value } : {}),
    ...(subject ? { subject } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(!$('#lf-mine-box').hidden && f.mine.checked ? { mine: 'true' } : {}),
  };
}
