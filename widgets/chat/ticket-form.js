/**
 * The new Linea INPS request: the form (in the closed view, or in a view of
 * its own saying why: closing time, a wait that ran out, a topic handled only
 * by request), prefilled from what the user told the chat, sent with its
 * attachments; then the protocol number, sede and due time once registered.
 * From a request closed in the last days it is a follow-up ("richiesta
 * collegata", offerFollowUp): the subject names that request, the company is
 * its own, and it goes to the sede that closed it (the server decides).
 *
 * Separate from the list and the thread because this form moves between two
 * places (#closed-slot, #ticket-slot) and must never lose what the user typed:
 * a prefill only overwrites a field the user has not changed.
 */
import { formatDateTime, formatDue, formatTime, formatWhen, t } from '../i18n.js';
import { forget, readJson, writeJson } from '../lib/tab-store.js';
import { $, h } from '../lib/ui.js';
import { idempotencyKeeper } from '../lib/idempotency.js';
import { api, errNodes } from './ticket-api.js';
import { fileField, fileProblem } from './ticket-files.js';
import { forgetList, openMine } from './ticket-list.js';
import { openThread } from './ticket-thread.js';
import { asksCompany, companyNote, fillCompanySelect, matricolaOf } from './company.js';
import { busy, dueFact, fact, fail, isBusy, mark, sedeName } from './ticket-ui.js';

export const TOPICS = ['cigo', 'cigs', 'fis', 'solidarity_fund', 'payment', 'other'];
const COMPANY_ROLES = ['employer', 'intermediary'];
const SUBJECT_MAX = 200;
/**
 * What the user has typed in a new request, kept in the tab until it is sent: a reload, or a new sign-in
 * at the identity provider when the session could not be renewed (a redirect), would otherwise lose a long
 * text. Files cannot be kept. Forgotten on sending and on "Esci" (forgetDraft).
 */
const DRAFT_KEY = 'infocig.chat.ticketDraft';
const DRAFT_FIELDS = ['subject', 'category', 'body', 'matricola'];

/** deps: { client() → ChatClient, showView(name), announce(text), home() } */
let d;
/**
 * from: the view "Indietro" returns to; why: what the form's view says; auto: the values last prefilled;
 * created: the last request registered; follows: the closed request a follow-up names ({ id, protocol,
 * sede, matricola, closedAt }), else null; sending: the Idempotency-Key of the request being sent,
 * until one is registered; draftCompany: the company of a kept draft, until the choices are known (after the sign-in).
 */
const tf = { from: null, why: null, created: null, auto: {}, follows: null, sending: idempotencyKeeper(), draftCompany: '' };
let renderTkFiles = () => {};

function mount(slot, from) {
  $(slot).append($('#ticket-form'));
  tf.from = from;
  $('#tk-back').hidden = slot === '#closed-slot';
  renderCompany();
  renderTitle();
}

/** The companies the request may be about: none for a worker, nor for a follow-up (it keeps the company of the request it follows). */
function heldCompanies() {
  const c = d.client();
  return COMPANY_ROLES.includes(c?.role) && !tf.follows ? (c.user?.matricole ?? []) : [];
}

/**
 * Which company the request is about (company.js): a consultant chooses among theirs, or none in
 * particular (a matricola not held is refused by the server, so none is typed); an employer reads which
 * it is. Drawn again on a language change.
 */
function renderCompany() {
  const held = heldCompanies();
  const asked = asksCompany(d.client()?.role, held);
  const select = $('#tk-matricola');
  fillCompanySelect(select, held, select.value || tf.draftCompany);
  if (held.length) tf.draftCompany = '';
  $('#tk-matricola-box').hidden = !asked;
  const note = $('#tk-company-known');
  note.hidden = asked || held.length !== 1;
  note.textContent = note.hidden ? '' : companyNote(d.client().role, held[0]);
}

/** The matricola the request is sent with ('' for none): the one chosen, or the only one held when not asked. */
function chosenMatricola() {
  const held = heldCompanies();
  if (asksCompany(d.client()?.role, held)) return matricolaOf($('#tk-matricola').value);
  return held.length === 1 ? held[0] : '';
}

/** The form's heading says whether it is a follow-up (data-i18n, so a language change redraws it). */
function renderTitle() {
  const title = $('#ticket-title');
  title.dataset.i18n = tf.follows ? 'tk.followUp.title' : 'tk.leave';
  title.textContent = t(title.dataset.i18n);
}

/**
 * Fills topic, text and matricola from what the chat was told, unless the user
 * changed them: a field is overwritten only while empty or still as last filled.
 * Returns whether the form holds what the chat was told.
 */
function prefill(p = {}) {
  const el = $('#ticket-form').elements;
  for (const name of ['subject', 'category', 'body', 'matricola']) {
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

/** Values still as prefilled (not typed by the user) are emptied: they were for another request. */
function dropPrefilled(names) {
  const el = $('#ticket-form').elements;
  for (const name of names) {
    if (tf.auto[name] !== undefined && el[name].value === tf.auto[name]) el[name].value = '';
    delete tf.auto[name];
  }
}

/** Not a follow-up any more: its subject goes with it, unless the user changed it. */
function leaveFollowUp() {
  if (!tf.follows) return;
  tf.follows = null;
  dropPrefilled(['subject']);
}

/**
 * "Non è risolto? Scrivi una richiesta collegata", from the thread of a closed request `x`:
 * the form names it ("Seguito della richiesta …: …", editable), with its topic and an empty
 * text; "Indietro" goes back to its thread.
 */
export function offerFollowUp(x) {
  dropPrefilled(['subject', 'body', 'matricola']);
  tf.follows = { id: x.id, protocol: x.protocol, sede: sedeName(x), matricola: x.matricola, closedAt: x.closedAt };
  mount('#ticket-slot', 'thread');
  const subject = t('tk.followUp.subject', { protocol: x.protocol, subject: x.subject });
  prefill({ subject: subject.length <= SUBJECT_MAX ? subject : `${subject.slice(0, SUBJECT_MAX - 1)}…`, category: x.category });
  tf.why = {};
  renderWhy();
  d.showView('ticket');
  d.announce($('#ticket-why').textContent);
}

/** The form inside the closed view. */
export function mountClosed(p) {
  leaveFollowUp();
  mount('#closed-slot', null);
  prefill(p);
}

/**
 * The form in a view of its own, saying why (`why.code`: timeout, closed,
 * ticket_only, closing; `why.closesAt`), prefilled; `from` is the view "Indietro" returns to (default: the start or closed view).
 */
export function offerTicket(why, p, from = null) {
  leaveFollowUp();
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
  const f = tf.follows;
  if (f) {
    const words = { protocol: f.protocol, when: formatDateTime(f.closedAt), sede: f.sede, matricola: f.matricola ?? '' };
    $('#ticket-why').textContent = t(f.matricola ? 'tk.why.followUpCompany' : 'tk.why.followUp', words);
    return;
  }
  const parts = [];
  if (w.code) parts.push(t(`tk.why.${w.code}`, { time: w.closesAt ? formatTime(w.closesAt) : '' }));
  if (w.prefilled) parts.push(t('tk.why.prefilled'));
  $('#ticket-why').textContent = parts.join(' ');
}

/** The first field missing, as [string key, field, code], or null. */
function missingField(el, { subject, category, body }) {
  if (!subject) return ['tk.need.subject', el.subject];
  if (!category) return ['tk.need.category', el.category];
  if (!body) return ['tk.need.body', el.body];
  if (!$('#tk-matricola-box').hidden && !el.matricola.value) return ['start.companyNeeded', el.matricola, 'company_required'];
  return null;
}

async function submitTicket(e) {
  e.preventDefault();
  const form = e.currentTarget;
  if (isBusy()) return;
  const el = form.elements;
  const err = $('#tk-error');
  err.textContent = '';
  delete err.dataset.code;
  for (const x of [el.subject, el.category, el.body, el.matricola, el.files]) mark(x, false);
  const fields = {
    subject: el.subject.value.trim(),
    category: el.category.value,
    body: el.body.value.trim(),
    matricola: chosenMatricola(),
    follows: tf.follows?.id ?? '',
  };
  const files = [...el.files.files];
  const missing = missingField(el, fields);
  if (missing) {
    if (missing[2]) err.dataset.code = missing[2];
    return fail(err, () => t(missing[0]), missing[1]);
  }
  const send = $('#tk-send');
  busy(send, true, 'tk.sending');
  let ticket;
  try {
    const fp = await fileProblem(files);
    if (fp) return fail(err, fp, el.files);
    ticket = await sendTicket(fields, files);
  } catch (x) {
    const field = /attachment|payload/.test(x.code) ? el.files : x.code === 'matricola_not_yours' ? el.matricola : null;
    fail(err, () => errNodes(x, t('tk.kept')), field);
    return;
  } finally {
    busy(send, false, 'tk.send');
  }
  form.reset();
  forgetDraft();
  renderTkFiles();
  tf.why = null;
  tf.auto = {};
  tf.follows = null;
  tf.sending.done();
  renderTitle();
  tf.created = ticket;
  forgetList();
  d.showView('done');
  renderDone();
}

/**
 * Multipart when there are files, JSON otherwise; no matricola (or follows) field when there is none.
 * Sending the same request again (after a network error: the first may have been registered, its
 * answer lost) reuses its Idempotency-Key, so the server answers the first request instead of
 * opening a second; a changed request is a new one, with a new key.
 */
function sendTicket({ matricola, follows, ...rest }, files) {
  const fields = { ...rest, ...(matricola ? { matricola } : {}), ...(follows ? { follows } : {}) };
  const what = JSON.stringify([fields, files.map((f) => [f.name, f.size, f.lastModified])]);
  const headers = { 'idempotency-key': tf.sending.keyFor(what) };
  if (!files.length) return api('api/v1/tickets', { method: 'POST', json: fields, headers });
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  for (const f of files) data.append('files', f, f.name);
  return api('api/v1/tickets', { method: 'POST', form: data, headers });
}

function renderDone() {
  const x = tf.created;
  if (!x) return;
  $('#done-box').replaceChildren(
    h('dl', { class: 'done-facts' },
      fact('tk.done.protocol', h('span', { class: 'tk-protocol big' }, x.protocol)),
      fact('tk.done.follows', x.follows?.protocol),
      // A consultant acting for several companies reads which one the request is about, as its thread says.
      fact('tk.f.matricola', x.matricola),
      fact('tk.done.sent', x.createdAt ? formatWhen(x.createdAt) : null),
      fact('tk.done.sede', sedeName(x)),
      dueFact('tk.done.due', x.dueAt ? formatDue(x.dueAt, true) : null)));
}

/** After a language change: why the form is offered, the registered request and the chosen files. */
export function renderForm() {
  renderWhy();
  renderCompany();
  renderDone();
  renderTkFiles();
}

/** Keeps the form's typed fields (not a follow-up's: it is written from its thread, and its subject names another request). */
function saveDraft() {
  if (tf.follows) return;
  const el = $('#ticket-form').elements;
  const draft = Object.fromEntries(DRAFT_FIELDS.map((name) => [name, el[name].value]).filter(([name, v]) => v.trim() && v !== tf.auto[name]));
  writeJson(DRAFT_KEY, Object.keys(draft).length ? draft : null);
}

function restoreDraft() {
  const draft = readJson(DRAFT_KEY);
  if (!draft || typeof draft !== 'object') return;
  const el = $('#ticket-form').elements;
  for (const name of DRAFT_FIELDS) if (typeof draft[name] === 'string' && !el[name].value) el[name].value = draft[name];
  // The company choices come with the sign-in: kept until then.
  if (typeof draft.matricola === 'string') tf.draftCompany = draft.matricola;
}

export function forgetDraft() {
  forget(DRAFT_KEY);
}

/** deps: { client() → ChatClient, showView(name), announce(text), home() } */
export function initForm(deps) {
  d = deps;
  $('#tk-topic').append(h('option', { value: '', 'data-i18n': 'tk.need.category' }), ...TOPICS.map((c) => h('option', { value: c, 'data-i18n': `topic.${c}` })));
  renderTkFiles = fileField('tk');
  $('#ticket-form').addEventListener('submit', submitTicket);
  restoreDraft();
  $('#ticket-form').addEventListener('input', saveDraft);
  $('#ticket-form').addEventListener('change', saveDraft);
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
