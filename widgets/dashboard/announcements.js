/**
 * "Avvisi agli utenti", for supervisors: publish a service announcement that
 * users read on the chat's start view and while they wait (POST
 * /api/v1/announcements), the list of those current, scheduled and over in the
 * last 30 days (GET), and "Ritira" (POST …/:id/withdraw). Each change is in the
 * controls' audit list, reloaded through `loadAudit`. "Pubblica" sends nothing:
 * it checks the form and shows what users will see, who and where, from when to
 * when (announcement-preview.js), with "Conferma" / "Annulla" (confirm-box.js);
 * only "Conferma" publishes, exactly what the preview showed.
 *
 * Separate from supervisor-controls.js because it is a form and a table of its
 * own; an office operator never sees or calls any of it.
 *
 * The window is typed as a day and a time each, in Rome's time and the page's
 * format (lib/time-field.js), whatever the browser's language and time zone;
 * the list shows it in Rome's time too (formatDateTime).
 */
import { formatDateTime } from '../i18n.js';
import { dateField } from '../lib/date-field.js';
import { errorNodes, errorSentence } from '../lib/error-words.js';
import { readWhen, setWhen, timeField } from '../lib/time-field.js';
import { $, h } from '../lib/ui.js';
import { previewNodes, whereText, whoText } from './announcement-preview.js';
import { confirmBox } from './confirm-box.js';
import { say, sayError } from '../lib/said.js';
import { dt } from './strings.js';

const ERRORS = ['announcement_window_invalid', 'markup_not_allowed', 'unknown_province'];
const LANG_NAMES = { it: 'IT', de: 'DE', en: 'EN' };

/**
 * `api(path, { method, body })` is the dashboard's signed-in fetch, `announce(text)` speaks,
 * `isSupervisor()` says whether to load anything, `loadAudit()` reloads the audit list.
 */
export function announcementsPanel({ api, announce, isSupervisor, loadAudit }) {
  let items = [];
  /** The last "Ritira" refused, { id, err }: said in its row, by the button, and again in a new language. */
  let withdrawFailure = null;
  /** Between "Conferma" and the server's answer: another "Pubblica" is not taken. */
  let sending = false;
  const form = $('#ann-form');
  const submit = form.querySelector('button[type="submit"]');
  const previewBox = $('#ann-preview');
  const from = { day: dateField($('#ann-from')), time: timeField($('#ann-from-time')) };
  const to = { day: dateField($('#ann-to')), time: timeField($('#ann-to-time')) };

  /** From now until 24 hours later, as Rome's clock reads them: what most announcements need. */
  function suggestWindow() {
    const now = Date.now();
    setWhen(from.day, from.time, now);
    setWhen(to.day, to.time, now + 86_400_000);
  }

  /** The form as the API takes it, with the window's instants (ISO; '' for no start), or a string key of what is wrong. */
  function body([startsAt, endsAt]) {
    const f = form.elements;
    const value = (name) => f[name].value.trim();
    const title = { it: value('titleIt') };
    const text = { it: value('textIt') };
    for (const [l, L] of [['de', 'De'], ['en', 'En']]) {
      const [tl, tx] = [value(`title${L}`), value(`text${L}`)];
      if (!tl !== !tx) return 'ann.error.pair';
      if (tl) [title[l], text[l]] = [tl, tx];
    }
    const provinces = value('provinces').split(',').map((p) => p.trim().toUpperCase()).filter(Boolean);
    const audiences = [...form.querySelectorAll('input[name="audiences"]:checked')].map((i) => i.value);
    return { title, text, severity: f.severity.value, audiences, provinces, ...(startsAt ? { startsAt } : {}), endsAt };
  }

  /** Closes the preview; `refocus`: the focus back on "Pubblica" (Annulla, Escape). */
  function closePreview(refocus) {
    const had = previewBox.contains(document.activeElement);
    previewBox.replaceChildren();
    previewBox.hidden = true;
    if (refocus || had) submit.focus();
  }

  /** Checks the form; if it is right, shows what users will see, the focus on "Conferma". */
  function preview(e) {
    e.preventDefault();
    if (sending) return;
    closePreview(false);
    const err = $('#ann-error');
    err.textContent = '';
    const missing = [...form.querySelectorAll('[required]')].find((el) => !el.value.trim());
    if (missing) {
      say(err, () => dt('ann.error.required'));
      missing.focus();
      return;
    }
    // A day or time that cannot be read, or 02:30 on the night clocks skip, is said on its field.
    const when = readWhen([from, to], err);
    if (!when) return;
    const b = body(when);
    if (typeof b === 'string') {
      say(err, () => dt(b));
      return;
    }
    const { box, focus } = confirmBox({
      question: dt('ann.preview.question'),
      details: previewNodes(b),
      className: 'ann-preview',
      onConfirm: () => void publish(b),
      onCancel: () => closePreview(true),
    });
    previewBox.replaceChildren(box);
    previewBox.hidden = false;
    focus();
  }

  /** Sends `b` as previewed; the result is announced, the focus on the list that shows it (or on "Pubblica" by the error). */
  async function publish(b) {
    const err = $('#ann-error');
    sending = true;
    closePreview(true);
    try {
      const a = await api('/api/v1/announcements', { method: 'POST', body: b });
      announce(dt('ann.published', { title: a.title.it }));
      form.reset();
      form.querySelector('details').open = false;
      suggestWindow();
      await Promise.all([load(), loadAudit()]);
      $('#ann-list-title').focus();
    } catch (x) {
      sayError(err, x, () => ({ lead: dt('ann.publishFailed'), own: (code) => (ERRORS.includes(code) ? dt(`ann.error.${code}`) : undefined) }));
    } finally {
      sending = false;
    }
  }

  async function withdraw(a) {
    withdrawFailure = null; // an earlier refusal stays in sight until this answer redraws the list
    try {
      await api(`/api/v1/announcements/${encodeURIComponent(a.id)}/withdraw`, { method: 'POST' });
      announce(dt('ann.withdrawn', { title: a.title.it }));
      await Promise.all([load(), loadAudit()]);
      $('#ann-list-title').focus(); // the button is gone with its row
    } catch (x) {
      // Shown in the row, under its button (a sighted supervisor would otherwise see nothing), and spoken.
      withdrawFailure = { id: a.id, err: x };
      render();
      withdrawButton(a.id)?.focus();
      announce(errorSentence(x, { lead: dt('ann.withdrawFailed') }));
    }
  }

  const withdrawButton = (id) => [...$('#ann-body').querySelectorAll('button[data-ann]')].find((b) => b.dataset.ann === String(id));

  const scope = (a) => `${whoText(a.audiences)} · ${whereText(a.provinces)}`;

  function row(a) {
    const open = a.status === 'current' || a.status === 'scheduled';
    const langs = Object.keys(a.title).map((l) => LANG_NAMES[l] ?? l).join(', ');
    return h(
      'tr',
      { class: `ann-${a.status}${a.severity === 'warning' ? ' ann-warning' : ''}` },
      h('td', {}, h('span', { class: `ann-status ann-status-${a.status}` }, dt(`ann.status.${a.status}`))),
      h(
        'th',
        { scope: 'row' },
        h('span', { class: 'ann-row-title', lang: 'it' }, a.title.it),
        a.severity === 'warning' ? h('span', { class: 'sub ann-kind' }, dt('ann.severity.warning')) : null,
        h('span', { class: 'sub ann-text', lang: 'it' }, a.text.it),
        h('span', { class: 'sub' }, dt('ann.langs', { langs }), ' · ', dt('ann.by', { name: a.createdBy.name ?? a.createdBy.id })),
      ),
      h('td', {}, scope(a)),
      h(
        'td',
        {},
        dt('ann.window', { from: formatDateTime(a.startsAt), to: formatDateTime(a.endsAt) }),
        a.withdrawnAt ? h('span', { class: 'sub' }, dt('ann.withdrawnAt', { when: formatDateTime(a.withdrawnAt) })) : null,
      ),
      h(
        'td',
        {},
        open ? h('button', { type: 'button', class: 'danger', 'data-ann': a.id, 'aria-label': dt('ann.withdraw.label', { title: a.title.it }), onclick: () => void withdraw(a) }, dt('ann.withdraw')) : '',
        withdrawFailure?.id === a.id ? h('p', { class: 'error ann-withdraw-error' }, ...errorNodes(withdrawFailure.err, { lead: dt('ann.withdrawFailed') })) : null,
      ),
    );
  }

  /** After a language change: the list, and the preview (if open) is closed, its words being the old language's. */
  function renderAll() {
    render();
    closePreview(false);
  }

  function render() {
    $('#ann-body').replaceChildren(...items.map(row));
    $('#ann-none').hidden = items.length > 0;
    $('#ann-table').hidden = items.length === 0;
  }

  async function load() {
    if (!isSupervisor()) return;
    try {
      items = (await api('/api/v1/announcements')).items;
      render();
    } catch (x) {
      sayError($('#ann-error'), x, () => ({ lead: dt('ann.loadFailed') }));
    }
  }

  form.addEventListener('submit', preview);
  // A preview shows what the form held: changed, it would no longer be what "Conferma" sends. Only
  // `input` (an edit, boxes and radios too): `change` also comes when a field left after Enter loses the focus.
  form.addEventListener('input', () => closePreview(false));
  return { load, render: renderAll, suggestWindow };
}
