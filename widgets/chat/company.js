/**
 * Which company a chat or a Linea INPS request is about, for the two forms that
 * ask it (the chat's start form, the request form): the same choices and the
 * same words in both, so a consultant reads one question, not two.
 *
 * An employer, whose requests are all its company's, and anyone whose host page
 * names the company are not asked: the form says which it is. A consultant is
 * asked whenever they hold a company, one or several: a general question (not
 * about a company) is a choice of its own, "Nessuna in particolare (domanda
 * generale)", which with one company they could not make before. The first
 * choice is "Scegli l'azienda…" (empty, refused if left: company_required):
 * "no company" as the default made consultants forget to choose, and the
 * advisor or the sede got no matricola; the one company as the default would
 * file every general question under it.
 */
import { t } from '../i18n.js';
import { h } from '../lib/ui.js';

/** The value of "Nessuna in particolare (domanda generale)": chosen, but no matricola. */
export const NO_COMPANY = 'none';

/** Whether a form asks `role`, holding the matricole `held`, which company it is about (the host page's aside). */
export function asksCompany(role, held) {
  return role === 'intermediary' ? held.length > 0 : held.length > 1;
}

/** The options of a company select: "Scegli l'azienda…", each matricola held, then "Nessuna in particolare". */
export function companyOptions(held) {
  return [
    h('option', { value: '' }, t('start.companyPick')),
    ...held.map((m) => h('option', { value: m }, m)),
    h('option', { value: NO_COMPANY }, t('start.companyNone')),
  ];
}

/** Fills `select` with the choices for `held`, keeping `wanted` (or the current choice) if it is still one. */
export function fillCompanySelect(select, held, wanted = select.value) {
  select.replaceChildren(...companyOptions(held));
  select.value = held.includes(wanted) || wanted === NO_COMPANY ? wanted : '';
}

/** The matricola of a choice ('' for none or not chosen). */
export const matricolaOf = (value) => (value === NO_COMPANY ? '' : value);

/** "Riguarda la tua azienda, matricola INPS …" for an employer; "Riguarda l'azienda con matricola …" for a consultant. */
export function companyNote(role, matricola) {
  return t(role === 'employer' ? 'start.companyYours' : 'start.companyKnown', { matricola });
}
