/**
 * "Le mie richieste": the user's Linea INPS requests, the most recently
 * changed first (the server's `sort=updated`), a page at a time with
 * "Mostra altre", each with its protocol number, status, company (matricola),
 * who filed it when someone else of the company did ("Presentata dal tuo
 * intermediario"), topic and due or closing time; choosing one opens its thread. The search
 * form above it is ticket-list-filters.js.
 *
 * Separate from the thread and the form, which only tell it that what it
 * holds is out of date (forgetList) after a new request or a reply.
 */
import { formatDate, formatDateTime, formatDue, label, t } from '../i18n.js';
import { say } from '../lib/said.js';
import { forget, readText, writeText } from '../lib/tab-store.js';
import { $, h } from '../lib/ui.js';
import { api, errNodes, reconnecting } from './ticket-api.js';
import { filterQuery, filtersActive, initListFilters, renderFilters } from './ticket-list-filters.js';
import { badge, filedByText } from './ticket-ui.js';

/** Requests a page asks for; coming back to the list asks again for as many as were shown, up to the API's 100. */
const PAGE_SIZE = 20;
const PAGE_SIZE_MAX = 100;

/** deps: { client() → ChatClient, showView(name), home(), openThread(id), newRequest() } */
let d;
/** items: what is shown (null: nothing yet); rows: how many were asked for (a multiple of PAGE_SIZE); seq: the last load. */
const mine = { items: null, total: 0, rows: 0, seq: 0, more: false };

/** Whether "Le mie richieste" (or a request opened from it) was on screen: a reload opens the list again. */
const PLACE_KEY = 'infocig.chat.listShown';
/** Views that say nothing of where the user was (shown while starting, signing in, failing). */
const PASSING = ['loading', 'signin', 'error'];

/** Notes the view shown: the list or a request's thread are kept, any other place the user went forgets them. */
export function keepPlace(view) {
  if (view === 'list' || view === 'thread') writeText(PLACE_KEY, '1');
  else if (!PASSING.includes(view)) forget(PLACE_KEY);
}

/** After a reload on the list or a thread: the list again, with the filters in force. False when it was not shown. */
export function restorePlace() {
  if (readText(PLACE_KEY) !== '1') return false;
  void openMine();
  return true;
}

export function forgetPlace() {
  forget(PLACE_KEY);
}

/** The list changed on the server: the next opening says "loading" again. */
export function forgetList() {
  mine.items = null;
}

/** Opens the list (again): the first rows, as many as were shown before, with the filters in force. */
export async function openMine() {
  d.showView('list');
  await loadShown();
}

/**
 * The list shown, read again (a push, a reconnection: ticket-live.js): the same
 * filters and as many rows, the focus back on the request it was on.
 */
export async function refreshList() {
  const focused = document.activeElement?.closest?.('#tk-list [data-id]')?.dataset.id;
  const drawn = await loadShown();
  if (drawn && focused) $(`#tk-list [data-id="${CSS.escape(focused)}"]`)?.focus();
}

/** The first rows, as many as are shown (at least a page, at most the API's 100). */
function loadShown() {
  return load(0, Math.min(PAGE_SIZE_MAX, Math.max(PAGE_SIZE, mine.rows)));
}

/** After a search: from the top, one page. */
async function search() {
  mine.items = null;
  await load(0, PAGE_SIZE);
}

/** The next page, then the focus on its first request, so a keyboard user reads on from there. */
async function showMore() {
  if (mine.more) return;
  mine.more = true;
  $('#list-more').setAttribute('aria-disabled', 'true');
  const before = mine.items?.length ?? 0;
  let shown = false;
  try {
    shown = await load(mine.rows, PAGE_SIZE);
  } finally {
    mine.more = false;
    $('#list-more').removeAttribute('aria-disabled');
  }
  const next = shown ? $('#tk-list').children[before]?.querySelector('button') : null;
  if (next) next.focus();
}

/**
 * Rows [offset, offset + size): a page of `size` (offset is a multiple of it);
 * the first page replaces what is shown. Whether this answer was drawn (not
 * overtaken by a later load, nor refused).
 */
async function load(offset, size) {
  const seq = ++mine.seq;
  const list = $('#tk-list');
  $('#list-error').textContent = '';
  if (!mine.items) $('#list-status').textContent = t('tk.list.loading');
  list.setAttribute('aria-busy', 'true');
  try {
    const filters = filterQuery();
    const r = await api(`api/v1/tickets?sort=updated&pageSize=${size}&page=${offset / size + 1}${filters ? `&${filters}` : ''}`);
    if (seq !== mine.seq) return false;
    // A request changed between two pages moves up: it is shown once, where it was first.
    const kept = offset === 0 ? [] : (mine.items ?? []);
    const shown = new Set(kept.map((x) => x.id));
    mine.items = [...kept, ...r.items.filter((x) => !shown.has(x.id))];
    mine.total = r.total;
    mine.rows = offset + size;
    renderList();
    return true;
  } catch (x) {
    if (seq !== mine.seq) return false;
    if (!mine.items) {
      // nothing known for these filters: neither the previous search's requests nor "loading" stay
      list.replaceChildren();
      $('#list-more').hidden = true;
      $('#list-status').textContent = '';
    }
    // Read again by itself once the socket is back (ticket-live.js): what is shown stays, "reconnecting…" under it.
    if (reconnecting(x)) $('#list-status').textContent = t('tk.list.reconnecting');
    else say($('#list-error'), () => errNodes(x));
    return false;
  } finally {
    if (seq === mine.seq) list.removeAttribute('aria-busy');
  }
}

export function renderList() {
  renderFilters(mine.total > 0);
  if (!mine.items) return;
  $('#tk-list').replaceChildren(...mine.items.map(listItem));
  const n = mine.items.length;
  $('#list-more').hidden = n >= mine.total;
  $('#list-status').textContent =
    n === 0 ? t(filtersActive() ? 'tk.list.noMatch' : 'tk.list.none') : n < mine.total ? t('tk.list.partial', { n, total: mine.total }) : t('tk.list.count', { n });
}

function listItem(x) {
  // Once the sede has answered, its due time is met: the list says that it answered (open it to read), not "Risposta entro".
  const answered = x.status !== 'closed' && x.respondedAt;
  const when = x.status === 'closed' ? t('tk.closedOn', { when: formatDateTime(x.closedAt) }) : x.dueAt && !answered ? t('tk.due', { when: formatDue(x.dueAt) }) : '';
  const button = h('button', { type: 'button', 'data-id': x.id, class: `tk-item is-${x.status}${x.overdue ? ' is-overdue' : ''}` },
    h('span', { class: 'tk-top' }, h('span', { class: 'tk-protocol' }, x.protocol), ' ', badge(x.status), x.overdue ? [' ', h('span', { class: 'badge overdue' }, t('tk.overdue'))] : null),
    h('span', { class: 'tk-subject' }, x.subject),
    x.matricola ? h('span', { class: 'tk-company' }, t('tk.list.company', { matricola: x.matricola })) : null,
    x.filedBy ? h('span', { class: 'tk-filed-by' }, filedByText(x, d.client()?.role)) : null,
    x.follows ? h('span', { class: 'tk-follows' }, t('tk.list.follows', { protocol: x.follows.protocol })) : null,
    answered ? h('span', { class: 'tk-answered' }, t('tk.answered', { when: formatDateTime(x.respondedAt) })) : null,
    h('span', { class: 'tk-meta' }, [label('topic', x.category), t('tk.list.created', { when: formatDate(x.createdAt) }), when].filter(Boolean).join(' · ')));
  button.addEventListener('click', () => d.openThread(x.id));
  return h('li', {}, button);
}

/** deps: { client() → ChatClient, showView(name), home(), openThread(id), newRequest() } */
export function initList(deps) {
  d = deps;
  initListFilters({ held: () => d.client()?.user?.matricole ?? [], role: () => d.client()?.role, apply: () => void search() });
  $('#list-back').addEventListener('click', () => d.home());
  $('#list-refresh').addEventListener('click', () => openMine());
  $('#list-more').addEventListener('click', () => void showMore());
  $('#list-new').addEventListener('click', () => d.newRequest());
}
