/**
 * The way into a chat: whether the service is open for the user's province and
 * audience, the start form (topic and first question), the closed view and the
 * closing-time choice (wait anyway, or leave a request).
 *
 * Separate from chat.js because every refusal of a chat request that offers a
 * Linea INPS request instead (service closed, closing soon, ticket only) is
 * decided here, in one place, and handed to tickets.js together with what the
 * user had already told the chat.
 */
import { daysFromToday, formatDay, formatTime, formatWhen, lang, t } from '../i18n.js';
import { holidayLabel } from '../lib/holiday-names.js';
import { say } from '../lib/said.js';
import { $, h } from '../lib/ui.js';
import { asksCompany, companyNote, fillCompanySelect, matricolaOf } from './company.js';
import { showFailure } from './request-error.js';
import { forgetStartDraft, initStartDraft, startCompany } from './start-draft.js';
import { TOPICS, formDirty, mountClosed, offerTicket, openMine } from './tickets.js';

const CLOSED_REASONS = ['outside_hours', 'weekend', 'holiday', 'not_rolled_out'];

/** deps: { state, showView(name) } */
let d;

/** The last checkAvailability: of two in flight, the later one decides. */
let checking = 0;

/**
 * `note`: the key of what the start view says instead of "Servizio aperto" (why the user is back there).
 * Whether it showed the start or closed view: an answer that arrives after the user chose another view
 * meanwhile ("Indietro" from the list on a slow line, then a request) is dropped, as ticket-thread.js's are.
 */
export async function checkAvailability(note) {
  const { state } = d;
  const c = state.client;
  const province = c.user?.province;
  const audience = ['worker', 'employer', 'intermediary'].includes(c.role) ? c.role : 'worker';
  clearTimeout(state.recheck);
  const asked = state.navigation;
  const mine = ++checking;
  if (!province) {
    showStart(null, note);
    return true;
  }
  let av = null;
  try {
    av = await c.availability(province, audience);
  } catch {
    /* said on the start view below */
  }
  if (state.navigation !== asked || checking !== mine) return false;
  // Asked again from the closed view (its button, or a reconnection) and not answered: the service is
  // still closed as far as anyone knows, and the request being written is there; the start form was not.
  if (!av && state.view === 'closed' && state.closedInfo) $('#closed-check-error').textContent = t('avail.error');
  else if (!av) showStart(null, 'avail.error');
  else if (av.open) showStart(av, note);
  else showClosed(av);
  return true;
}

/**
 * Which company the chat is about, for a consultant (an intermediary's
 * clients, or none in particular): asked only when the host page did not say
 * (OMNIA IS knows the application's matricola). The choices and why they are
 * so: company.js. When the company is known without asking (an employer's),
 * the form says which it is.
 */
function renderCompany() {
  const { state } = d;
  const held = state.client?.user?.matricole ?? [];
  fillCompanySelect($('#company'), held, startCompany(held));
  $('#company-field').hidden = !askCompany();
  const role = state.client?.role;
  // A worker's page may name their employer's matricola too: the chat is about their own pay, not "an azienda".
  const known = role === 'employer' || role === 'intermediary' ? state.context.matricola || (!askCompany() && held.length === 1 ? held[0] : '') : '';
  const note = $('#company-known');
  note.hidden = !known;
  note.textContent = known ? companyNote(role, known) : '';
}

/** Whether the start form asks which company the chat is about. */
function askCompany() {
  const { state } = d;
  return !state.context.matricola && asksCompany(state.client?.role, state.client?.user?.matricole ?? []);
}

/** The page's context with the company chosen, or the only one held, for chat.request and the request form. */
function contextWithCompany() {
  const { state } = d;
  const held = state.client?.user?.matricole ?? [];
  // Asked: what was chosen ("Nessuna in particolare" is none, even with one company held); else the only one held.
  const matricola = state.context.matricola || (askCompany() ? matricolaOf($('#company').value) : held.length === 1 ? held[0] : '');
  return matricola ? { ...state.context, matricola } : { ...state.context };
}

/** The start view's line under its title, as a key and the closing time: said again in a new language. */
let startNote = null;

function renderStartNote() {
  $('#start-avail').textContent = startNote ? t(startNote.key, startNote.closesAt ? { time: formatTime(startNote.closesAt) } : {}) : '';
}

function showStart(av, note) {
  const { state } = d;
  renderCompany();
  state.closedInfo = null;
  state.queue = null;
  state.conv = null;
  startNote = note ? { key: note } : av?.closesAt ? { key: 'avail.openUntil', closesAt: av.closesAt } : av ? { key: 'avail.open' } : null;
  renderStartNote();
  clearStartError();
  d.showView('start');
}

function showClosed(info) {
  const { state } = d;
  state.closedInfo = info;
  $('#closed-check-error').textContent = '';
  renderClosed(info);
  d.showView('closed');
  // Look again by itself when it opens (if that is within a day).
  const ms = info.opensAt ? new Date(info.opensAt).getTime() - Date.now() : NaN;
  clearTimeout(state.recheck);
  // Not while the user is writing a request: "Verifica di nuovo" is there for that.
  if (ms > 0 && ms < 86_400_000) state.recheck = setTimeout(() => state.view === 'closed' && !formDirty() && checkAvailability(), ms + 2000);
  mountClosed(prefillFromChat());
}

/** What the user already told the chat, for the request form. */
export function prefillFromChat() {
  const { state } = d;
  const form = $('#start-form').elements;
  return {
    category: state.request?.topic ?? form.topic.value,
    body: state.request?.text ?? $('#question').value.trim(),
    // "Nessuna in particolare" chosen for the chat is chosen for the request too.
    matricola: contextWithCompany().matricola ?? (askCompany() ? $('#company').value : ''),
  };
}

/** Asks for a chat; the refusals that offer a Linea INPS request are handled here, others are returned. */
async function askChat(req, waitAnyway = false) {
  const { state } = d;
  state.request = req;
  const f = { topic: req.topic, entry: state.entry, lang: lang() };
  if (req.text) f.text = req.text;
  const context = contextWithCompany();
  if (Object.keys(context).length) f.context = context;
  if (waitAnyway) f.waitAnyway = true;
  try {
    await state.client.request('chat.request', f);
    $('#question').value = '';
    forgetStartDraft();
    return null;
  } catch (err) {
    if (err?.code === 'service_closed') showClosed({ reason: err.reason, opensAt: err.opensAt, holidaysBefore: err.holidaysBefore });
    else if (err?.code === 'closing_soon') showClosing(err);
    else if (err?.code === 'ticket_only') offerTicket({ code: 'ticket_only' }, prefillFromChat());
    else return err ?? { code: 'error' };
    return null;
  }
}

function showClosing(f) {
  d.state.closing = { etaSeconds: f.etaSeconds, closesAt: f.closesAt };
  renderClosing();
  $('#closing-error').textContent = '';
  d.showView('closing');
  $('#closing-title').focus();
}

function renderClosing() {
  const c = d.state.closing;
  if (!c) return;
  $('#closing-text').textContent = t('tk.closing.text', { minutes: Math.max(1, Math.ceil((c.etaSeconds ?? 0) / 60)), time: formatTime(c.closesAt) });
}

function renderClosed(info) {
  const key = CLOSED_REASONS.includes(info.reason) ? info.reason : 'other';
  $('#closed-reason').textContent = t(`avail.reason.${key}`, { holiday: info.holiday ? ` (${holidayLabel(info.holiday, t)})` : '' });
  // A chat not yet rolled out for employers here never opened: it "will be available from" a day, perhaps months away (with its year).
  const opens = key === 'not_rolled_out' ? t('avail.availableFrom', { when: formatWhen(info.opensAt, true) }) : opensText(info.opensAt);
  $('#closed-opens').textContent = info.opensAt ? [opens, ...skippedHolidays(info.holidaysBefore)].join(' ') : '';
}

/**
 * "Apre oggi alle 15:00" before the opening on a working day and "Apre domani" the evening before, in Rome's
 * calendar: "Riapre lunedì 7 dicembre" read on Monday 7 December morning made people look for the wrong day.
 */
function opensText(opensAt) {
  const days = daysFromToday(opensAt);
  if (days === 0) return t('avail.opensToday', { time: formatTime(opensAt) });
  if (days === 1) return t('avail.opensTomorrow', { time: formatTime(opensAt) });
  return t('avail.opensAt', { when: formatWhen(opensAt) });
}

/**
 * "Martedì 8 dicembre è festivo (Immacolata Concezione)." for each working day before the opening that a
 * holiday closes: without it, "Riapre mercoledì" on a Monday evening reads like a mistake.
 */
function skippedHolidays(days) {
  if (!Array.isArray(days)) return [];
  return days.map(({ date, holiday }) => {
    const day = formatDay(`${date}T12:00:00Z`);
    return t('avail.holidayBefore', { day: day.charAt(0).toLocaleUpperCase(lang()) + day.slice(1), holiday: holidayLabel(holiday, t) });
  });
}

/** After a language change: the closed reason and the closing-time text. */
export function renderAvailability() {
  if (d.state.closedInfo) renderClosed(d.state.closedInfo);
  const checkError = $('#closed-check-error');
  if (checkError.textContent) checkError.textContent = t('avail.error');
  renderStartNote();
  renderCompany();
  renderClosing();
}

/** The start form's error, with its code (data-code) and the field it marked. */
function clearStartError() {
  const err = $('#start-error');
  err.textContent = '';
  delete err.dataset.code;
  $('#company').removeAttribute('aria-invalid');
}

async function submitStart(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const topic = form.elements.topic.value;
  const err = $('#start-error');
  const company = $('#company');
  clearStartError();
  if (!topic) {
    say(err, () => t('start.pickTopic'));
    form.querySelector('input[name="topic"]').focus();
    return;
  }
  if (askCompany() && !company.value) {
    say(err, () => t('start.companyNeeded'));
    err.dataset.code = 'company_required';
    company.setAttribute('aria-invalid', 'true');
    company.focus();
    return;
  }
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const f = await askChat({ topic, text: $('#question').value.trim() });
    if (f?.code === 'already_in_conversation') say(err, () => t('start.already'));
    else if (f) showFailure(err, f, 'start.failed');
  } finally {
    button.disabled = false;
  }
}

/** deps: { state, showView(name) } */
export function initAvailability(deps) {
  d = deps;
  const topics = $('#topics');
  for (const code of TOPICS) {
    topics.append(h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'topic', value: code }), h('span', { 'data-i18n': `topic.${code}` })));
  }
  $('#closed-check').addEventListener('click', () => void checkAvailability());
  $('#start-form').addEventListener('submit', submitStart);
  initStartDraft();
  for (const id of ['#start-mine', '#closed-mine']) $(id).addEventListener('click', () => openMine());
  $('#closing-wait').addEventListener('click', async () => {
    $('#closing-error').textContent = '';
    const f = await askChat(d.state.request, true);
    if (f) showFailure($('#closing-error'), f, 'start.failed');
  });
  $('#closing-leave').addEventListener('click', () => offerTicket({ code: 'closing', closesAt: d.state.closing?.closesAt }, prefillFromChat(), 'closing'));
}
