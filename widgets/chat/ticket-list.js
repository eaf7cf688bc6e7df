/**
 * "Le mie richieste": the user's Linea INPS requests, the most recently
 * changed first, each with its protocol number, status, topic and due or
 * closing time; choosing one opens its thread.
 *
 * Separate from the thread and the form, which only tell it that what it
 * holds is out of date (forgetList) after a new request or a reply.
 */
import { formatDateTime, formatDue, label, t } from '../i18n.js';
import { $, h } from '../lib/ui.js';
import { api, errText } from './ticket-api.js';
import { badge } from './ticket-ui.js';

const byNews = (a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt);

/** deps: { showView(name), home(), openThread(id), newRequest() } */
let d;
const mine = { items: null, total: 0 };

/** The list changed on the server: the next opening says "loading" again. */
export function forgetList() {
  mine.items = null;
}

export async function openMine() {
  d.showView('list');
  const list = $('#tk-list');
  $('#list-error').textContent = '';
  if (!mine.items) $('#list-status').textContent = t('tk.list.loading');
  list.setAttribute('aria-busy', 'true');
  try {
    const r = await api('api/v1/tickets?pageSize=50');
    mine.items = r.items.sort(byNews);
    mine.total = r.total;
    renderList();
  } catch (x) {
    $('#list-status').textContent = '';
    $('#list-error').textContent = errText(x);
  } finally {
    list.removeAttribute('aria-busy');
  }
}

export function renderList() {
  if (!mine.items) return;
  $('#tk-list').replaceChildren(...mine.items.map(listItem));
  const n = mine.items.length;
  $('#list-status').textContent = n === 0 ? t('tk.list.none') : n < mine.total ? t('tk.list.partial', { n, total: mine.total }) : t('tk.list.count', { n });
}

function listItem(x) {
  const when = x.status === 'closed' ? t('tk.closedOn', { when: formatDateTime(x.closedAt) }) : x.dueAt ? t('tk.due', { when: formatDue(x.dueAt) }) : '';
  const button = h('button', { type: 'button', class: `tk-item is-${x.status}${x.overdue ? ' is-overdue' : ''}` },
    h('span', { class: 'tk-top' }, h('span', { class: 'tk-protocol' }, x.protocol), ' ', badge(x.status), x.overdue ? [' ', h('span', { class: 'badge overdue' }, t('tk.overdue'))] : null),
    h('span', { class: 'tk-subject' }, x.subject),
    h('span', { class: 'tk-meta' }, [label('topic', x.category), when].filter(Boolean).join(' · ')));
  button.addEventListener('click', () => d.openThread(x.id));
  return h('li', {}, button);
}

/** deps: { showView(name), home(), openThread(id), newRequest() } */
export function initList(deps) {
  d = deps;
  $('#list-back').addEventListener('click', () => d.home());
  $('#list-refresh').addEventListener('click', () => openMine());
  $('#list-new').addEventListener('click', () => d.newRequest());
}
