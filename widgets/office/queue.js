/**
 * The sede's queue in the office console: the search filters (the less-used
 * ones folded, filter-panel.js), the list as the
 * server orders it (overdue first, then by due time), "show more" paging, the
 * count line and the announcement of new requests on a quiet refresh.
 *
 * Separate from office.js because the list panel is one concern with its own
 * state (items, page, total, partial, known); opening a ticket is handed in.
 */
import { formatDateTime, formatDue } from '../i18n.js';
import { dateField, readDays } from '../lib/date-field.js';
import { say } from '../lib/said.js';
import { $, h } from '../lib/ui.js';
import { filterPanel } from './filter-panel.js';
import { dueSoon, showRefusal } from './format.js';
import { tr } from './strings.js';

/** The form's filters; `from`, `to`: the date fields' days as YYYY-MM-DD or ''. */
function filters([from, to]) {
  const f = $('#filters').elements;
  return {
    status: f.status.value,
    matricola: f.matricola.value.trim(),
    subject: f.subject.value.trim(),
    from,
    to,
    overdue: f.overdue.checked,
    sede: f.sede.value,
  };
}

function query(f, extra) {
  const q = new URLSearchParams();
  if (f.matricola) q.set('matricola', f.matricola);
  if (f.subject) q.set('subject', f.subject);
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  if (f.overdue) q.set('overdue', 'true');
  if (f.sede) q.set('sede', f.sede);
  for (const [k, v] of Object.entries(extra)) q.set(k, String(v));
  return q.toString();
}

/** The server's order: overdue first, then by due time (none last), then oldest first. */
function byUrgency(a, b) {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const da = a.dueAt ? Date.parse(a.dueAt) : Infinity;
  const db = b.dueAt ? Date.parse(b.dueAt) : Infinity;
  if (da !== db) return da - db;
  return Date.parse(a.createdAt) - Date.parse(b.createdAt);
}

function badge(status) {
  return h('span', { class: `badge status-${status}` }, tr(`off.badge.${status}`));
}

/**
 * Focuses request `id`'s row in the list, or the list's first row when it is not listed (closed and
 * no longer "to do", transferred); false when the list is empty.
 */
export function focusRow(id) {
  const rows = [...document.querySelectorAll('#queue .q-item')];
  const row = rows.find((b) => b.dataset.id === id) ?? rows[0];
  row?.focus();
  return Boolean(row);
}

/**
 * @param {object} d
 * @param {object} d.state the console's state (items, page, total, partial, known, selected)
 * @param {(path: string) => Promise<any>} d.api
 * @param {(text: string) => void} d.announce
 * @param {(id: string, o: { focus: boolean }) => void} d.openTicket
 * @returns {(o?: { more?: boolean, quiet?: boolean }) => Promise<void>} loads and shows the queue
 */
export function officeQueue({ state, api, announce, openTicket }) {
  const dates = [dateField($('#f-from')), dateField($('#f-to'))];
  // The fields a refusal names may be folded under "Altri filtri": unfolded first, to be corrected.
  const panel = filterPanel();

  async function loadQueue({ more = false, quiet = false } = {}) {
    const error = $('#queue-error');
    // A day that cannot be read or does not exist (31/02) is said on its field; the list stays as it was,
    // drawn again in the page's language (a language change loads the list: it stayed in the old one).
    const days = readDays(dates, error, false);
    if (!days) {
      if (state.items) renderQueue();
      panel.reveal();
      if (!quiet) dates.find((input) => input.getAttribute('aria-invalid') === 'true')?.focus();
      return;
    }
    const f = filters(days);
    if (f.matricola && !/^[0-9A-Za-z][0-9A-Za-z./-]*$/.test(f.matricola)) {
      if (state.items) renderQueue();
      say(error, () => tr('off.filters.badMatricola'));
      panel.reveal();
      return;
    }
    // Dates the wrong way round match nothing: said as such, not as "no requests" (YYYY-MM-DD compare as text).
    if (f.from && f.to && f.from > f.to) {
      if (state.items) renderQueue();
      say(error, () => tr('off.filters.badRange'));
      for (const input of dates) input.setAttribute('aria-invalid', 'true');
      panel.reveal();
      if (!quiet) $('#f-from').focus();
      return;
    }
    error.textContent = '';
    if (!quiet) $('#queue').setAttribute('aria-busy', 'true');
    try {
      if (f.status === 'active') {
        const lists = await Promise.all(['open', 'in_progress'].map((status) => api(`/api/v1/tickets?${query(f, { status, pageSize: 100 })}`)));
        state.items = lists.flatMap((l) => l.items).sort(byUrgency);
        state.total = lists.reduce((n, l) => n + l.total, 0);
        state.page = 1;
        state.partial = state.items.length < state.total;
        $('#more').hidden = true;
      } else {
        const page = more ? state.page + 1 : 1;
        const extra = { page, pageSize: 25, ...(f.status === 'all' ? {} : { status: f.status }) };
        const list = await api(`/api/v1/tickets?${query(f, extra)}`);
        state.items = more ? [...state.items, ...list.items] : list.items;
        state.total = list.total;
        state.page = page;
        state.partial = false;
        $('#more').hidden = state.items.length >= state.total;
      }
    } catch (err) {
      showRefusal(error, err);
      return;
    } finally {
      $('#queue').removeAttribute('aria-busy');
    }
    const ids = new Set(state.items.map((t) => t.id));
    if (quiet && state.known) {
      const fresh = [...ids].filter((id) => !state.known.has(id)).length;
      if (fresh > 0) announce(tr('off.queue.new', { n: fresh }));
    }
    state.known = ids;
    renderQueue();
  }

  function renderQueue() {
    const list = $('#queue');
    // A keyboard user on a row keeps it when the list is drawn again (the 30-second refresh, after
    // an action): the old button leaving the page sent the focus to the top of the page. A row gone
    // meanwhile (closed or transferred by a colleague) leaves the focus on the one now in its place.
    const was = [...list.querySelectorAll('.q-item')];
    const at = was.indexOf(document.activeElement);
    const focusedId = at >= 0 ? was[at].dataset.id : null;
    list.replaceChildren(...state.items.map(queueItem));
    if (at >= 0) {
      const rows = [...list.querySelectorAll('.q-item')];
      (rows.find((b) => b.dataset.id === focusedId) ?? rows[Math.min(at, rows.length - 1)])?.focus({ preventScroll: true });
    }
    const n = state.items.length;
    const overdue = state.items.filter((t) => t.overdue).length;
    const parts = [n === 0 ? tr('off.queue.none') : n === 1 ? tr('off.queue.count1') : tr('off.queue.count', { n })];
    if (overdue > 0) parts.push(tr('off.queue.overdueCount', { n: overdue }));
    if (state.partial || (!$('#more').hidden && n < state.total)) parts.push(tr('off.queue.partial', { shown: n, total: state.total }));
    $('#queue-count').textContent = parts.join(' ');
  }

  /** A closed request says when it was closed: "entro" its old due time read like a deadline still pending. */
  function dueText(t) {
    if (t.status === 'closed' && t.closedAt) return tr('off.closedOn', { when: formatDateTime(t.closedAt) });
    return t.dueAt ? tr(t.overdue ? 'off.dueWas' : 'off.due', { when: formatDue(t.dueAt) }) : tr('off.noDue');
  }

  function queueItem(t) {
    const selected = t.id === state.selected;
    const who = t.user?.name || t.matricola || t.user?.id || '';
    // A supervisor's list mixes the sedi: each request says whose it is.
    const sede = state.session?.me?.role === 'supervisor' ? t.sedeName || t.sede : null;
    const names = [sede, who].filter(Boolean).join(' · ');
    const matricola = t.matricola && who !== t.matricola ? t.matricola : null;
    // The matricola in its own span, which never gives way: it is what an operator looks for in a company's requests
    // (and searches by), so a long company name is what ends in "…", not "4912…".
    const meta = h('span', { class: 'q-meta', title: [names, matricola].filter(Boolean).join(' · ') },
      h('span', { class: 'q-who' }, names),
      matricola ? [names ? ' · ' : null, h('span', { class: 'q-matricola' }, matricola)] : null);
    const due = dueText(t);
    // Two lines (the state and due time; the subject and who), so that eight rows show at 1024×768. A long subject
    // ends in "…" on its line: its whole text is still the button's name, and the title shows it to the pointer.
    const button = h('button', { type: 'button', class: `q-item${t.overdue ? ' is-overdue' : ''}`, 'aria-current': selected ? 'true' : null, 'data-id': t.id },
      h('span', { class: 'q-top' },
        h('span', { class: 'q-protocol' }, t.protocol), ' ',
        badge(t.status),
        t.overdue ? [' ', h('span', { class: 'badge overdue' }, tr('off.overdue'))] : null,
        // Due today or tomorrow: the same date on every row did not say which to answer first.
        dueSoon(t) ? [' ', h('span', { class: 'badge due-soon' }, dueSoon(t))] : null,
        // a follow-up of a closed request ("Segue la richiesta n. …" in its pane)
        t.follows ? [' ', h('span', { class: 'badge follow-up' }, tr('off.followUp.badge'))] : null, ' ',
        h('span', { class: 'q-due' }, due)),
      h('span', { class: 'q-line' }, h('span', { class: 'q-subject', title: t.subject }, t.subject), ' ', meta));
    button.addEventListener('click', () => openTicket(t.id, { focus: true }));
    return h('li', {}, button);
  }

  return loadQueue;
}
