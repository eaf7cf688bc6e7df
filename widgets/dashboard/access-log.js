/**
 * The dashboard's "access to personal data" panel, for supervisors: who among
 * operators, advisors and supervisors read whose chat, request or file, or
 * looked a matricola up (GET /api/v1/access-log, docs/access-log.md). Filter by
 * person, staff member, subject and days; newest first, 50 at a time.
 */
import { formatDateTime } from '../i18n.js';
import { dateField, readDays } from '../lib/date-field.js';
import { showError } from '../lib/error-words.js';
import { $, h } from '../lib/ui.js';
import { dt } from './strings.js';

const PAGE_SIZE = 50;

/**
 * Wires the panel's form; `api(path, { raw })` is the dashboard's signed-in GET,
 * `saveCsv(response, fallbackName)` saves a download. Returns a re-render for a language change.
 */
export function accessLogPanel(api, saveCsv) {
  /** seq: the last load; a search's answer overtaken by a later search (or "more") is not drawn. */
  const view = { query: null, items: [], total: 0, page: 0, error: null, seq: 0 };
  const form = $('#access-form');
  const dates = [dateField($('#access-from')), dateField($('#access-to'))];

  /** The form's filters as a query, or null when a day cannot be read or does not exist (said on its field). */
  function filters() {
    const f = form.elements;
    const q = new URLSearchParams();
    for (const name of ['owner', 'actor', 'subject']) {
      const v = f[name].value.trim();
      if (v) q.set(name, v);
    }
    const days = readDays(dates, $('#access-error'));
    if (!days) return null;
    days.forEach((day, i) => day && q.set(['from', 'to'][i], day));
    return q;
  }

  /** The rows the form's filters select, oldest first, as a CSV file (the server records the export). */
  async function download() {
    $('#access-error').textContent = '';
    const q = filters();
    if (!q) return;
    try {
      await saveCsv(await api(`/api/v1/access-log.csv?${q}`, { raw: true }), 'infocig-accessi.csv');
    } catch (err) {
      showError($('#access-error'), err, { lead: dt('access.failed') });
    }
  }

  async function load(more) {
    if (!more) {
      $('#access-error').textContent = '';
      const q = filters();
      if (!q) return;
      q.set('pageSize', String(PAGE_SIZE));
      view.query = q;
      view.items = [];
      view.page = 0;
    }
    const q = new URLSearchParams(view.query);
    q.set('page', String(view.page + 1));
    const mine = ++view.seq;
    try {
      const res = await api(`/api/v1/access-log?${q}`);
      // A slow answer for filters since changed would show their rows under the new ones.
      if (mine !== view.seq) return;
      view.items = [...view.items, ...res.items];
      view.total = res.total;
      view.page = res.page;
      view.error = null;
    } catch (err) {
      if (mine !== view.seq) return;
      view.error = err;
    }
    render();
  }

  function row(a) {
    const who = [a.actor.id, dt(`access.role.${a.actor.role}`), a.actor.sede].filter(Boolean).join(' · ');
    return h('tr', {},
      h('td', {}, h('time', { datetime: a.at }, formatDateTime(a.at))),
      h('td', {}, who),
      h('td', {}, dt(`access.action.${a.action}`)),
      h('td', { class: 'mono' }, a.subjectId),
      h('td', { class: 'mono' }, a.ownerId ?? '—'));
  }

  function render() {
    if (view.error) showError($('#access-error'), view.error, { lead: dt('access.failed') });
    else $('#access-error').textContent = '';
    const body = $('#access-table tbody');
    $('#access-count').textContent = view.query ? dt('access.count', { n: view.total }) : '';
    if (view.query && view.items.length === 0 && !view.error) {
      body.replaceChildren(h('tr', {}, h('td', { colspan: '5', class: 'note' }, dt('access.none'))));
    } else {
      body.replaceChildren(...view.items.map(row));
    }
    $('#access-table').hidden = !view.query;
    $('#access-more').hidden = view.items.length >= view.total;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load(false);
  });
  $('#access-more').addEventListener('click', () => void load(true));
  $('#access-csv').addEventListener('click', () => void download());
  return render;
}
