/**
 * One Linea INPS request: its facts (with the requests it follows or that
 * follow it, each opening its own thread), the chat transcript it came from,
 * the chained replies with their files (fetched with the Bearer token and
 * saved through a Blob URL), the user's reply form, "who consulted the
 * request" (the access log as the user may see it) and, on a request closed
 * in the last days, "Non è risolto? Scrivi una richiesta collegata".
 *
 * Separate from the list and the form because a request's thread is the one
 * view that is redrawn from the server after every change (a reply, a refusal
 * because the office closed it, a refresh) without losing what the user typed.
 */
import { formatDateTime, formatDue, formatSize, label, t } from '../i18n.js';
import { idempotencyKeeper } from '../lib/idempotency.js';
import { say } from '../lib/said.js';
import { forget, readJson, writeJson } from '../lib/tab-store.js';
import { $, h, saveBlob } from '../lib/ui.js';
import { api, errNodes, reconnecting } from './ticket-api.js';
import { fileField, fileProblem } from './ticket-files.js';
import { forgetList, openMine } from './ticket-list.js';
import { busy, dueFact, fact, fail, filedByText, isBusy, mark, sedeName } from './ticket-ui.js';

const USER_ROLES = ['worker', 'employer', 'intermediary'];

/** deps: { client() → ChatClient, showView(name), view() → current view, navigation() → views shown so far, announce(text), followUp(request) } */
let d;
/** sending: the Idempotency-Key of the reply being sent, until the server has it; opening: the last openThread. */
const th = { detail: null, views: null, sending: idempotencyKeeper(), opening: 0 };
let renderRpFiles = () => {};
/**
 * Replies being written, by request ({ [ticketId]: text }), kept in the tab until sent or "Esci", as the new
 * request's form is (ticket-form.js): a reload, a new sign-in at the identity provider or opening another
 * request no longer throws a long answer to the sede away. Files cannot be kept.
 */
const REPLY_DRAFTS_KEY = 'infocig.chat.replyDrafts';

function replyDrafts() {
  const all = readJson(REPLY_DRAFTS_KEY, {});
  return typeof all === 'object' && !Array.isArray(all) ? all : {};
}

function keepReplyDraft() {
  const id = th.detail?.id;
  if (!id) return;
  const all = replyDrafts();
  const text = $('#rp-body').value;
  if (text.trim()) all[id] = text;
  else delete all[id];
  writeJson(REPLY_DRAFTS_KEY, Object.keys(all).length ? all : null);
}

/** "Esci": the replies being written are not left in the tab for whoever signs in next. */
export function forgetReplyDrafts() {
  forget(REPLY_DRAFTS_KEY);
}

export async function openThread(id, quiet = false) {
  // The user may go elsewhere while it loads ("Indietro" after "Aggiorna" on a slow line) or choose
  // another request: an answer arriving after that is dropped rather than pulling them back here.
  const asked = d.navigation();
  const opening = ++th.opening;
  const current = () => d.navigation() === asked && th.opening === opening;
  let x;
  try {
    x = await api(`api/v1/tickets/${encodeURIComponent(id)}`);
  } catch (e) {
    if (!current()) return;
    // The thread on screen, read during a reconnect (a server restart): it stays, "reconnecting…" under it, and is
    // read again by itself once connected (ticket-live.js), as "Le mie richieste" is; not "Connessione assente".
    if (d.view() === 'thread' && th.detail?.id === id && reconnecting(e)) $('#th-reconnecting').textContent = t('tk.thread.reconnecting');
    else say($(d.view() === 'thread' ? '#th-error' : '#list-error'), () => errNodes(e));
    return;
  }
  if (!current()) return;
  if (th.detail?.id !== x.id) {
    $('#reply-form').reset();
    const draft = replyDrafts()[x.id];
    if (typeof draft === 'string') $('#rp-body').value = draft;
    renderRpFiles();
    $('#rp-error').textContent = '';
  }
  th.detail = x;
  th.views = null;
  $('#th-error').textContent = '';
  $('#th-reconnecting').textContent = '';
  renderThread();
  void loadViews(x.id);
  d.showView('thread');
  const n = x.replies?.length ?? 0;
  if (!quiet) d.announce(t(n === 1 ? 'tk.openedOne' : 'tk.opened', { protocol: x.protocol, n }));
}

/** The request whose thread is open (or was last), if any. */
export function shownThread() {
  return th.detail?.id ?? null;
}

/** Whether the thread on screen was read at or after `updatedAt` (ISO times, which sort as text). */
export function threadShowsUpdate(id, updatedAt) {
  return th.detail?.id === id && typeof th.detail.updatedAt === 'string' && th.detail.updatedAt >= updatedAt;
}

/**
 * The open thread read again (a push, a reconnection: ticket-live.js): new
 * replies and status drawn, the reply being typed and its files left alone.
 * Quiet on failure: the next push, reconnection or "Aggiorna" tries again.
 */
export async function refreshThread() {
  const id = th.detail?.id;
  if (!id) return;
  const x = await api(`api/v1/tickets/${encodeURIComponent(id)}`).catch(() => null);
  // Left meanwhile (back to the list, another request): nothing to redraw, and no view is forced.
  if (!x || d.view() !== 'thread' || th.detail?.id !== id) return;
  th.detail = x;
  $('#th-reconnecting').textContent = '';
  renderThread();
}

/** Who among the staff has looked at this request and its files (the access log; the office, never the employee). */
async function loadViews(id) {
  try {
    const res = await api(`api/v1/access-log/mine?ticket=${encodeURIComponent(id)}&pageSize=50`);
    if (th.detail?.id !== id) return;
    th.views = res;
  } catch {
    th.views = null; // not shown rather than wrong; the thread itself is unaffected
  }
  renderViews();
}

function renderViews() {
  const v = th.views;
  const box = $('#th-views-box');
  box.hidden = !v;
  if (!v) return;
  $('#th-views-title').textContent = t('tk.views.title', { n: v.total });
  $('#th-views').replaceChildren(...v.items.map((a) => {
    // The office by its name: another sede (answering a follow-up of this request) is not the request's own.
    const named = a.by.sedeName || (a.by.sede && a.by.sede === th.detail?.sede && th.detail.sedeName);
    const by = a.by.role !== 'office' ? t(`tk.views.by.${a.by.role}`) : named || t('tk.views.by.office', { sede: a.by.sede ?? '' });
    return h('li', {}, t(`tk.views.${a.action}${a.forFollowUp ? '.followUp' : ''}`, { when: formatDateTime(a.at), by }));
  }));
}

/**
 * Who wrote a reply. On a company's request the employer and its consultants all write: "Tu" only for
 * the reader's own (the API's `author.mine`), the others by name and role ("Studio Colombo – Intermediario").
 */
function author(a) {
  if (a.role === 'office') return a.name ? `${a.name} – ${t('tk.author.office')}` : t('tk.author.office');
  if (a.role === 'advisor') return a.name ? `${a.name} – ${t('tk.author.advisor')}` : t('tk.author.advisor');
  if (USER_ROLES.includes(a.role) && (a.mine ?? th.detail.mine)) return t('common.you');
  return a.name ? `${a.name} – ${label('role', a.role)}` : label('role', a.role);
}

function files(list) {
  if (!list?.length) return null;
  return h('ul', { class: 'files', 'aria-label': t('tk.attachments') },
    list.map((a) => {
      const b = h('button', { type: 'button', class: 'link file-link' }, t('tk.dl', { name: a.filename, size: formatSize(a.size) }));
      b.addEventListener('click', () => download(a, b));
      return h('li', {}, b);
    }));
}

async function download(a, button) {
  if (button.dataset.busy) return;
  button.dataset.busy = '1';
  $('#th-error').textContent = '';
  try {
    const res = await api(a.href, { raw: true });
    saveBlob(a.filename, await res.blob());
    d.announce(t('tk.dl.done', { name: a.filename }));
  } catch (x) {
    say($('#th-error'), () => errNodes(x));
  } finally {
    delete button.dataset.busy;
  }
}

function renderThread() {
  const x = th.detail;
  if (!x) return;
  const closed = x.status === 'closed';
  $('#th-protocol').textContent = x.protocol;
  const st = $('#th-status');
  st.className = `badge status-${x.status}`;
  st.textContent = t(`tk.status.${x.status}`);
  $('#thread-title').textContent = x.subject;
  const filedBy = $('#th-filed-by');
  filedBy.textContent = filedByText(x, d.client()?.role);
  filedBy.hidden = !x.filedBy;
  $('#th-facts').replaceChildren(...[
    fact('tk.f.topic', label('topic', x.category)),
    fact('tk.f.sede', sedeName(x)),
    fact('tk.f.created', formatDateTime(x.createdAt)),
    closed ? null : x.respondedAt ? fact('tk.f.answered', formatDateTime(x.respondedAt)) : dueFact('tk.f.due', x.dueAt ? formatDue(x.dueAt) + (x.overdue ? ` – ${t('tk.overdue')}` : '') : null),
    fact('tk.f.matricola', x.matricola),
    fact('tk.f.follows', x.follows ? link(x.follows) : null),
    fact('tk.f.followedBy', x.followedBy?.length ? h('span', { class: 'tk-links' }, x.followedBy.map(link)) : null),
  ].filter(Boolean));
  renderTranscript(x.transcript ?? []);
  $('#th-replies').replaceChildren(...[...(x.replies ?? [])].sort((a, b) => a.seq - b.seq).map(reply));
  const box = $('#th-closed');
  box.hidden = !closed;
  const outcome = x.outcome === 'withdrawn' ? t('tk.outcome.withdrawn') : x.outcome ?? '';
  box.textContent = closed ? t('tk.closedBox', { when: formatDateTime(x.closedAt), outcome }) : '';
  // Closed: no more replies, but a reply typed (and refused as ticket_closed) stays on screen, not lost.
  $('#reply-form').hidden = closed && !$('#rp-body').value.trim();
  // Closed without solving it: a new request linked to this one, while the server says it may (followUpUntil).
  $('#th-follow-up').hidden = !(closed && x.followUpUntil);
  $('#th-follow-up-note').textContent = closed && x.followUpUntil ? t('tk.followUp.note', { when: formatDateTime(x.followUpUntil), sede: sedeName(x) }) : '';
}

/** Another request of the chain, opening its thread; only its number once it is erased. */
function link(l) {
  if (!l.id) return t('tk.followUp.gone', { protocol: l.protocol });
  const b = h('button', { type: 'button', class: 'link tk-link' }, l.protocol);
  b.addEventListener('click', () => void openThread(l.id));
  return b;
}

/** In the chat a request came from, the user is the one who filed it: "Tu" to them, their role ("Intermediario") to their company. */
function transcriptAuthor(role) {
  if (!USER_ROLES.includes(role)) return t('common.advisor');
  return th.detail?.mine === false ? label('role', role) : t('common.you');
}

/** The chat the request came from, if it came from one. */
function renderTranscript(transcript) {
  $('#th-transcript-box').hidden = transcript.length === 0;
  $('#th-transcript').replaceChildren(...transcript.map((m) =>
    h('li', {},
      h('p', { class: 'msg-meta' }, h('strong', {}, transcriptAuthor(m.from?.role)), ' ', h('time', { datetime: m.at }, formatDateTime(m.at))),
      h('p', { class: 'msg-text' }, m.text))));
}

function reply(r) {
  return h('li', { class: `reply ${USER_ROLES.includes(r.author.role) ? 'from-user' : 'from-office'}`, 'data-seq': r.seq },
    h('p', { class: 'msg-meta' }, h('strong', { class: 'msg-who' }, author(r.author)), ' · ', h('time', { datetime: r.at }, formatDateTime(r.at))),
    h('p', { class: 'msg-text' }, r.body),
    files(r.attachments));
}

async function submitReply(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const x = th.detail;
  if (!x || isBusy()) return;
  const text = $('#rp-body');
  const input = $('#rp-files');
  const err = $('#rp-error');
  err.textContent = '';
  mark(text, false);
  mark(input, false);
  const body = text.value.trim();
  const list = [...input.files];
  if (!body) return fail(err, () => t('tk.reply.need'), text);
  const send = $('#rp-send');
  busy(send, true, 'tk.sending');
  try {
    const fp = await fileProblem(list);
    if (fp) return fail(err, fp, input);
    await sendReply(x.id, body, list);
  } catch (y) {
    fail(err, () => errNodes(y, y.code === 'ticket_closed' ? '' : t('tk.kept')), /attachment|payload/.test(y.code) ? input : null);
    if (y.code === 'ticket_closed') await openThread(x.id, true);
    return;
  } finally {
    busy(send, false, 'tk.reply.send');
  }
  th.sending.done();
  form.reset();
  keepReplyDraft();
  renderRpFiles();
  forgetList();
  await openThread(x.id, true);
  d.announce(t('tk.reply.done'));
  text.focus();
}

/**
 * Multipart when there are files, JSON otherwise. The same reply sent again (after "Connessione
 * assente": the first may have been stored, its answer lost) keeps its Idempotency-Key, so the
 * server answers the first reply instead of storing it twice; another text, other files or
 * another request is a new reply, with a new key.
 */
function sendReply(id, body, list) {
  const path = `api/v1/tickets/${encodeURIComponent(id)}/replies`;
  const what = JSON.stringify([id, body, list.map((f) => [f.name, f.size, f.lastModified])]);
  const headers = { 'idempotency-key': th.sending.keyFor(what) };
  if (!list.length) return api(path, { method: 'POST', json: { body }, headers });
  const data = new FormData();
  data.append('body', body);
  for (const f of list) data.append('files', f, f.name);
  return api(path, { method: 'POST', form: data, headers });
}

/** After a language change: the open request, its readers and the chosen files. */
export function renderThreadView() {
  renderThread();
  renderViews();
  renderRpFiles();
}

/** deps: { client() → ChatClient, showView(name), view() → current view, navigation() → views shown so far, announce(text), followUp(request) } */
export function initThread(deps) {
  d = deps;
  $('#th-follow-up-open').addEventListener('click', () => th.detail && d.followUp(th.detail));
  renderRpFiles = fileField('rp');
  $('#reply-form').addEventListener('submit', submitReply);
  $('#rp-body').addEventListener('input', keepReplyDraft);
  $('#thread-back').addEventListener('click', () => openMine());
  $('#thread-refresh').addEventListener('click', () => th.detail && openThread(th.detail.id));
}
