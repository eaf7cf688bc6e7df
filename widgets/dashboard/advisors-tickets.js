/**
 * The dashboard's two read-only tables of the live snapshot: the advisors with
 * their status and load, and the Linea INPS ticket backlog per sede.
 *
 * Separate from the provinces table because these are rebuilt whole at every
 * update (no sorting, no row or focus to keep, no control in them); `servesText`
 * is shared with the supervisor's "move an advisor" form, which names the same queues.
 */
import { $, h } from '../lib/ui.js';
import { languageName } from './languages.js';
import { dt, fmtNumber } from './strings.js';

/** The provinces and regions an advisor serves, or "all Italy". */
export function servesText(a) {
  const where = [...a.provinces, ...a.regions];
  return where.length ? where.join(', ') : dt('adv.national');
}

export function renderAdvisors(live) {
  const list = live.advisors;
  $('#adv-none').hidden = list.length > 0;
  $('#adv-body').replaceChildren(
    ...list.map((a, i) => {
      const name = a.name ?? dt('adv.anon', { n: i + 1 });
      const full = a.capacity > 0 && a.load >= a.capacity;
      // The user code under the name, small: two namesakes (common in a national staff) are told apart.
      return h('tr', { class: `status-${a.status}` },
        h('th', { scope: 'row' }, name, a.id ? [' ', h('span', { class: 'sub' }, a.id)] : null),
        h('td', {}, h('span', { class: `status status-${a.status}` }, dt(`adv.status.${a.status}`))),
        h('td', { class: 'load-cell' },
          h('meter', { min: 0, max: Math.max(1, a.capacity), value: a.load, optimum: 0, low: Math.max(1, a.capacity) - 0.5, high: Math.max(1, a.capacity), 'aria-label': `${dt('adv.col.load')}: ${a.id ? `${name} (${a.id})` : name}`, class: full ? 'full' : null }),
          h('span', { class: full ? 'load full' : 'load' }, dt('adv.load', { load: a.load, capacity: a.capacity }))),
        h('td', {}, servesText(a)),
        h('td', {}, a.languages?.length ? a.languages.map(languageName).join(', ') : dt('adv.allLangs')));
    }),
  );
}

export function renderTickets(live) {
  const list = live.tickets;
  $('#tickets-none').hidden = list.length > 0;
  $('#tickets-body').replaceChildren(
    ...list.map((t) =>
      h('tr', { class: t.overdue > 0 ? 'breach' : null },
        // The code whole on its line ("SEDE-MI" broke at its hyphen in the narrow column).
        h('th', { scope: 'row' }, t.name ? [`${t.name.replace(/^INPS Sede di /i, '')} `, h('span', { class: 'sede-code' }, `(${t.sede})`)] : t.sede),
        h('td', { class: 'num' }, fmtNumber(t.open)),
        h('td', { class: 'num' }, fmtNumber(t.inProgress)),
        h('td', { class: `num${t.overdue ? ' alert-text' : ''}` }, fmtNumber(t.overdue)),
        h('td', { class: `num${t.slaBreaches ? ' alert-text' : ''}` }, fmtNumber(t.slaBreaches)),
        h('td', { class: 'num' }, fmtNumber(t.closedToday)))),
  );
}
