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
import { dateField, readDays } from '../lib/date-field.js';
import { say } from '../lib/said.js';
import { $, h } from '../lib/ui.js';

const STATUSES = ['open', 'in_progress', 'closed'];
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
    apply();
  });
  $('#lf-clear').addEventListener('click', () => {
    form.reset();
    $('#lf-error').textContent = '';
    for (const id of ['#lf-from', '#lf-to']) $(id).removeAttribute('aria-invalid');
    applied = {};
    apply();
  });
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
  fill($('#lf-company'), t('tk.filter.allCompanies'), held.map((m) => [m, m]));
  fill($('#lf-status'), t('tk.filter.allStatuses'), STATUSES.map((s) => [s, t(`tk.filter.${s}`)]));
  $('#lf-company-box').hidden = held.length < 2;
  $('#lf-mine-box').hidden = !COMPANY_ROLES.includes(roleOf());
  $('#list-filters').hidden = !anyRequests && !filtersActive();
}

function fill(select, all, choices) {
  const chosen = select.value;
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
