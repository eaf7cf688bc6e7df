/**
 * The new Linea INPS request: the form (in the closed view, or in a view of
 * its own saying why: closing time, a wait that ran out, a topic handled only
 * by request), prefilled from what the user told the chat, sent with its
 * attachments; then the protocol number, sede and due time once registered.
 *
 * Separate from the list and the thread because this form moves between two
 * places (#closed-slot, #ticket-slot) and must never lose what the user typed:
 * a prefill only overwrites a field the user has not changed.
 */
import { formatDue, formatTime, t } from '../i18n.js';
import { $, h } from '../lib/ui.js';
import { api, errText } from './ticket-api.js';
import { fileField, fileProblem } from './ticket-files.js';
import { forgetList, openMine } from './ticket-list.js';
import { openThread } from './ticket-thread.js';
import { busy, fact, fail, isBusy, mark, sedeName } from './ticket-ui.js';

export const TOPICS = ['cigo', 'cigs', 'fis', 'solidarity_fund', 'payment', 'other'];
const COMPANY_ROLES = ['employer', 'intermediary'];
const MATRICOLA = /^[0-9A-Za-z][0-9A-Za-z./-]*$/;

/** deps: { client() → ChatClient, showView(name), announce(text), home() } */
let d;
/** from: the view "Indietro" returns to; why: what the form's view says; auto: the values last prefilled; created: the last request registered. */
const tf = { from: null, why: null, created: null, auto: {} };
let renderTkFiles = () => {};

function mount(slot, from) {
  $(slot).append($('#ticket-form'));
  tf.from = from;
  $('#tk-back').hidden = slot === '#closed-slot';
  $('#tk-matricola-box').hidden = !COMPANY_ROLES.includes(d.client()?.role);
}

/**
 * Fills topic, text and matricola from what the chat was told, unless the user
 * changed them: a field is overwritten only while empty or still as last filled.
 * Returns whether the form holds what the chat was told.
 */
function prefill(p = {}) {
  const el = $('#ticket-form').elements;
  for (const name of ['category', 'body', 'matricola']) {
    const v = p[name];
    if (!v || (name === 'category' && !TOPICS.includes(v))) continue;
    if (!el[name].value.trim() || el[name].value === tf.auto[name]) el[name].value = tf.auto[name] = v;
  }
  return (!!p.category && el.category.value === p.category) || (!!p.body && el.body.value === p.body);
}

/** Whether the user has typed or chosen anything in the request form. */
export function formDirty() {
  const el = $('#ticket-form').elements;
  return !!(el.subject.value.trim() || el.body.value.trim() || el.files.files.length);
}

/** The form inside the closed view. */
export function mountClosed(p) {
  mount('#closed-slot', null);
  prefill(p);
}

/**
 * The form in a view of its own, saying why (`why.code`: timeout, closed,
 * ticket_only, closing; `why.closesAt`), prefilled; `from` is the view "Indietro" returns to (default: the start or closed view).
 */
export function offerTicket(why, p, from = null) {
  mount('#ticket-slot', from);
  tf.why = { ...why, prefilled: prefill(p) };
  renderWhy();
  d.showView('ticket');
  const text = $('#ticket-why').textContent;
  if (text) d.announce(text);
}

function renderWhy() {
  const w = tf.why;
  if (!w) return;
  const parts = [];
  if (w.code) parts.push(t(`tk.why.${w.code}`, { time: w.closesAt ? formatTime(w.closesAt) : '' }));
  if (w.prefilled) parts.push(t('tk.why.prefilled'));
  $('#ticket-why').textContent = parts.join(' ');
}

/** The first field missing or wrong, as [string key, field], or null. */
function missingField(el, { subject, category, body, matricola }) {
  if (!subject) return ['tk.need.subject', el.subject];
  if (!category) return ['tk.need.category', el.category];
  if (!body) return ['tk.need.body', el.body];
  if (matricola && !MATRICOLA.test(matricola)) return ['tk.badMatricola', el.matricola];
  return null;
}

async function submitTicket(e) {
  e.preventDefault();
  const form = e.currentTarget;
  if (isBusy()) return;
  const el = form.elements;
  const err = $('#tk-error');
  err.textContent = '';
  for (const x of [el.subject, el.category, el.body, el.matricola, el.files]) mark(x, false);
  const fields = {
    subject: el.subject.value.trim(),
    category: el.category.value,
    body: el.body.value.trim(),
    matricola: $('#tk-matricola-box').hidden ? '' : el.matricola.value.trim(),
  };
  const files = [...el.files.files];
  const missing = missingField(el, fields);
  if (missing) return fail(err, t(missing[0]), missing[1]);
  const send = $('#tk-send');
  busy(send, true, 'tk.sending');
  let ticket;
  try {
    const fp = await fileProblem(files);
    if (fp) return fail(err, fp, el.files);
    ticket = await sendTicket(fields, files);
  } catch (x) {
    const field = /attachment|payload/.test(x.code) ? el.files : x.code === 'matricola_not_yours' ? el.matricola : null;
    fail(err, `${errText(x)} ${t('tk.kept')}`, field);
    return;
  } finally {
    busy(send, false, 'tk.send');
  }
  form.reset();
  renderTkFiles();
  tf.why = null;
  tf.auto = {};
  tf.created = ticket;
  forgetList();
  d.showView('done');
  renderDone();
}

/** Multipart when there are files, JSON otherwise; no matricola field when there is none. */
function sendTicket({ matricola, ...rest }, files) {
  const fields = { ...rest, ...(matricola ? { matricola } : {}) };
  if (!files.length) return api('api/v1/tickets', { method: 'POST', json: fields });
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  for (const f of files) data.append('files', f, f.name);
  return api('api/v1/tickets', { method: 'POST', form: data });
}

function renderDone() {
  const x = tf.created;
  if (!x) return;
  $('#done-box').replaceChildren(
    h('dl', { class: 'done-facts' },
      fact('tk.done.protocol', h('span', { class: 'tk-protocol big' }, x.protocol)),
      fact('tk.done.sede', sedeName(x)),
      fact('tk.done.due', x.dueAt ? formatDue(x.dueAt, true) : null)));
}

/** After a language change: why the form is offered, the registered request and the chosen files. */
export function renderForm() {
  renderWhy();
  renderDone();
  renderTkFiles();
}

/** deps: { client() → ChatClient, showView(name), announce(text), home() } */
export function initForm(deps) {
  d = deps;
  $('#tk-topic').append(h('option', { value: '', 'data-i18n': 'tk.need.category' }), ...TOPICS.map((c) => h('option', { value: c, 'data-i18n': `topic.${c}` })));
  renderTkFiles = fileField('tk');
  $('#ticket-form').addEventListener('submit', submitTicket);
  $('#tk-back').addEventListener('click', () => {
    const from = tf.from;
    if (from === 'list') void openMine();
    else if (from) d.showView(from);
    else d.home();
  });
  $('#done-open').addEventListener('click', () => tf.created && openThread(tf.created.id));
  $('#done-mine').addEventListener('click', () => openMine());
  $('#done-back').addEventListener('click', () => d.home());
}
