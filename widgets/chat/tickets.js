/**
 * Linea INPS requests from the chat app (docs/tickets.md): the request form
 * (service closed, closing soon, a wait that ran out), the protocol number once
 * registered, "Le mie richieste" and one request's thread with its files and a
 * reply form.
 *
 * Everything goes through the ticket API with the chat client's Bearer token
 * (a fresh one from its token provider after a 401); files are fetched with it
 * and saved through a Blob URL. Files are checked here only for a friendly
 * message (count, size, empty, a name that lies about the content); the server
 * sniffs and enforces. Text reaches the page through textContent only.
 */
import { formatDateTime, formatTime, formatWhen, label, lang, t } from '../i18n.js';
import { $, h, saveBlob } from '../lib/ui.js';

export const TOPICS = ['cigo', 'cigs', 'fis', 'solidarity_fund', 'payment', 'other'];
const USER_ROLES = ['worker', 'employer', 'intermediary'];
const COMPANY_ROLES = ['employer', 'intermediary'];
const MAX_FILES = 3;
const MAX_BYTES = 5 * 1024 * 1024;
/** Extensions that promise a binary type: the content must be one of the accepted ones. */
const BINARY = { pdf: 'PDF', png: 'PNG', jpg: 'JPEG', jpeg: 'JPEG', p7m: 'P7M' };
const TEXT = ['txt', 'csv', 'log'];
const MATRICOLA = /^[0-9A-Za-z][0-9A-Za-z./-]*$/;
const AUTH = ['unauthenticated', 'token_invalid', 'token_expired', 'token_unavailable'];

/** deps: client() → ChatClient, showView(name), view() → current view, announce(text), home() */
let d;
const tk = { token: null, formFrom: null, why: null, created: null, items: null, total: 0, detail: null, views: null, busy: false, auto: {} };

// ---------------------------------------------------------------------------
// API

async function api(path, { method = 'GET', json, form, raw = false } = {}) {
  const client = d.client();
  for (let attempt = 0; ; attempt++) {
    let token = tk.token ?? client.token;
    if (attempt > 0 || !token) {
      try {
        token = tk.token = await client.opts.getToken();
      } catch {
        throw { code: 'token_unavailable' };
      }
    }
    const headers = { authorization: `Bearer ${token}` };
    let body;
    if (json) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form) body = form;
    let res;
    try {
      res = await fetch(new URL(path.replace(/^\//, ''), client.httpBase), { method, headers, body, cache: 'no-store' });
    } catch {
      throw { code: 'network' };
    }
    if (res.status === 401 && attempt === 0) continue;
    if (!res.ok) {
      const b = await res.json().catch(() => null);
      throw { code: b?.error?.code ?? `http_${res.status}`, message: b?.error?.message ?? '', status: res.status };
    }
    return raw ? res : res.json();
  }
}

function errText(err) {
  const code = err?.code ?? 'error';
  if (AUTH.includes(code)) return t('tk.err.auth');
  const key = `tk.err.${code}`;
  const s = t(key);
  return s === key ? t('tk.err.generic', { code }) : s;
}

// ---------------------------------------------------------------------------
// Small parts

function size(n) {
  const nf = (v, digits) => new Intl.NumberFormat(lang() === 'en' ? 'en-GB' : 'it-IT', { maximumFractionDigits: digits }).format(v);
  return n < 1024 ? `${n} B` : n < 1048576 ? `${nf(n / 1024, 0)} KB` : `${nf(n / 1048576, 1)} MB`;
}

function badge(status) {
  return h('span', { class: `badge status-${status}` }, t(`tk.status.${status}`));
}

function fact(key, value) {
  return value ? h('div', {}, h('dt', {}, t(key)), h('dd', {}, value)) : null;
}

const sedeName = (x) => x.sedeName || x.sede;

function mark(el, bad) {
  if (bad) el.setAttribute('aria-invalid', 'true');
  else el.removeAttribute('aria-invalid');
}

function fail(errEl, text, field) {
  errEl.textContent = text;
  if (field) {
    mark(field, true);
    field.focus();
  }
}

/** A send button that stays focusable while busy (a disabled one would drop the keyboard focus). */
function busy(button, on, key) {
  tk.busy = on;
  button.setAttribute('aria-disabled', String(on));
  button.textContent = t(key);
}

/** The first bytes say what a file is; null when none of the accepted binary types. */
async function kindOf(file) {
  const b = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46) return 'PDF';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'PNG';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'JPEG';
  if (b[0] === 0x30 && b[1] >= 0x80) return 'P7M';
  return null;
}

/** A friendly message for the first file the server would refuse (it checks again, by content). */
async function fileProblem(files) {
  if (files.length > MAX_FILES) return t('tk.file.tooMany');
  for (const f of files) {
    const name = f.name;
    if (f.size > MAX_BYTES) return t('tk.file.tooBig', { name });
    if (f.size === 0) return t('tk.file.empty', { name });
    const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1].toLowerCase() ?? '';
    if (TEXT.includes(ext)) continue;
    const kind = await kindOf(f);
    if (!kind) return BINARY[ext] ? t('tk.file.disguised', { name, type: BINARY[ext] }) : t('tk.file.type', { name });
  }
  return null;
}

/** The file input of a form (prefix tk or rp): chosen files listed with sizes, checked on change, clearable. */
function fileField(prefix) {
  const input = $(`#${prefix}-files`);
  const clear = $(`#${prefix}-clear`);
  const error = $(`#${prefix}-error`);
  const render = () => {
    $(`#${prefix}-chosen`).replaceChildren(...[...input.files].map((f) => h('li', {}, `${f.name} (${size(f.size)})`)));
    clear.hidden = input.files.length === 0;
  };
  input.addEventListener('change', async () => {
    render();
    const problem = await fileProblem([...input.files]);
    mark(input, problem);
    error.textContent = problem ?? '';
  });
  clear.addEventListener('click', () => {
    input.value = '';
    render();
    mark(input, false);
    error.textContent = '';
    input.focus();
  });
  return render;
}

let renderTkFiles = () => {};
let renderRpFiles = () => {};

// ---------------------------------------------------------------------------
// The request form

function mount(slot, from) {
  $(slot).append($('#ticket-form'));
  tk.formFrom = from;
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
    if (!el[name].value.trim() || el[name].value === tk.auto[name]) el[name].value = tk.auto[name] = v;
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
  tk.why = { ...why, prefilled: prefill(p) };
  renderWhy();
  d.showView('ticket');
  const text = $('#ticket-why').textContent;
  if (text) d.announce(text);
}

function renderWhy() {
  const w = tk.why;
  if (!w) return;
  const parts = [];
  if (w.code) parts.push(t(`tk.why.${w.code}`, { time: w.closesAt ? formatTime(w.closesAt) : '' }));
  if (w.prefilled) parts.push(t('tk.why.prefilled'));
  $('#ticket-why').textContent = parts.join(' ');
}

async function submitTicket(e) {
  e.preventDefault();
  const form = e.currentTarget;
  if (tk.busy) return;
  const el = form.elements;
  const err = $('#tk-error');
  err.textContent = '';
  for (const x of [el.subject, el.category, el.body, el.matricola, el.files]) mark(x, false);
  const subject = el.subject.value.trim();
  const category = el.category.value;
  const body = el.body.value.trim();
  const matricola = $('#tk-matricola-box').hidden ? '' : el.matricola.value.trim();
  const files = [...el.files.files];
  const missing = !subject ? ['tk.need.subject', el.subject] : !category ? ['tk.need.category', el.category] : !body ? ['tk.need.body', el.body] : matricola && !MATRICOLA.test(matricola) ? ['tk.badMatricola', el.matricola] : null;
  if (missing) return fail(err, t(missing[0]), missing[1]);
  const send = $('#tk-send');
  busy(send, true, 'tk.sending');
  let ticket;
  try {
    const fp = await fileProblem(files);
    if (fp) return fail(err, fp, el.files);
    const fields = { subject, category, body, ...(matricola ? { matricola } : {}) };
    if (files.length) {
      const data = new FormData();
      for (const [k, v] of Object.entries(fields)) data.append(k, v);
      for (const f of files) data.append('files', f, f.name);
      ticket = await api('api/v1/tickets', { method: 'POST', form: data });
    } else {
      ticket = await api('api/v1/tickets', { method: 'POST', json: fields });
    }
  } catch (x) {
    const field = /attachment|payload/.test(x.code) ? el.files : x.code === 'matricola_not_yours' ? el.matricola : null;
    fail(err, `${errText(x)} ${t('tk.kept')}`, field);
    return;
  } finally {
    busy(send, false, 'tk.send');
  }
  form.reset();
  renderTkFiles();
  tk.why = null;
  tk.auto = {};
  tk.created = ticket;
  tk.items = null;
  d.showView('done');
  renderDone();
}

// ---------------------------------------------------------------------------
// Registered

function renderDone() {
  const x = tk.created;
  if (!x) return;
  $('#done-box').replaceChildren(
    h('dl', { class: 'done-facts' },
      fact('tk.done.protocol', h('span', { class: 'tk-protocol big' }, x.protocol)),
      fact('tk.done.sede', sedeName(x)),
      fact('tk.done.due', x.dueAt ? formatWhen(x.dueAt) : null)));
}

// ---------------------------------------------------------------------------
// My requests

const byNews = (a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt);

export async function openMine() {
  d.showView('list');
  const list = $('#tk-list');
  $('#list-error').textContent = '';
  if (!tk.items) $('#list-status').textContent = t('tk.list.loading');
  list.setAttribute('aria-busy', 'true');
  try {
    const r = await api('api/v1/tickets?pageSize=50');
    tk.items = r.items.sort(byNews);
    tk.total = r.total;
    renderList();
  } catch (x) {
    $('#list-status').textContent = '';
    $('#list-error').textContent = errText(x);
  } finally {
    list.removeAttribute('aria-busy');
  }
}

function renderList() {
  if (!tk.items) return;
  $('#tk-list').replaceChildren(...tk.items.map(listItem));
  const n = tk.items.length;
  $('#list-status').textContent = n === 0 ? t('tk.list.none') : n < tk.total ? t('tk.list.partial', { n, total: tk.total }) : t('tk.list.count', { n });
}

function listItem(x) {
  const when = x.status === 'closed' ? t('tk.closedOn', { when: formatDateTime(x.closedAt) }) : x.dueAt ? t('tk.due', { when: formatDateTime(x.dueAt) }) : '';
  const button = h('button', { type: 'button', class: `tk-item is-${x.status}${x.overdue ? ' is-overdue' : ''}` },
    h('span', { class: 'tk-top' }, h('span', { class: 'tk-protocol' }, x.protocol), ' ', badge(x.status), x.overdue ? [' ', h('span', { class: 'badge overdue' }, t('tk.overdue'))] : null),
    h('span', { class: 'tk-subject' }, x.subject),
    h('span', { class: 'tk-meta' }, [label('topic', x.category), when].filter(Boolean).join(' · ')));
  button.addEventListener('click', () => openThread(x.id));
  return h('li', {}, button);
}

// ---------------------------------------------------------------------------
// One request

async function openThread(id, quiet = false) {
  let x;
  try {
    x = await api(`api/v1/tickets/${encodeURIComponent(id)}`);
  } catch (e) {
    $(d.view() === 'thread' ? '#th-error' : '#list-error').textContent = errText(e);
    return;
  }
  if (tk.detail?.id !== x.id) {
    $('#reply-form').reset();
    renderRpFiles();
    $('#rp-error').textContent = '';
  }
  tk.detail = x;
  tk.views = null;
  $('#th-error').textContent = '';
  renderThread();
  void loadViews(x.id);
  d.showView('thread');
  if (!quiet) d.announce(t('tk.opened', { protocol: x.protocol, n: x.replies?.length ?? 0 }));
}

/** Who among the staff has looked at this request and its files (the access log; the office, never the employee). */
async function loadViews(id) {
  try {
    const res = await api(`api/v1/access-log/mine?ticket=${encodeURIComponent(id)}&pageSize=50`);
    if (tk.detail?.id !== id) return;
    tk.views = res;
  } catch {
    tk.views = null; // not shown rather than wrong; the thread itself is unaffected
  }
  renderViews();
}

function renderViews() {
  const v = tk.views;
  const box = $('#th-views-box');
  box.hidden = !v;
  if (!v) return;
  $('#th-views-title').textContent = t('tk.views.title', { n: v.total });
  $('#th-views').replaceChildren(...v.items.map((a) => {
    const named = a.by.sede && a.by.sede === tk.detail?.sede && tk.detail.sedeName;
    const by = a.by.role !== 'office' ? t(`tk.views.by.${a.by.role}`) : named ? tk.detail.sedeName : t('tk.views.by.office', { sede: a.by.sede ?? '' });
    return h('li', {}, t(`tk.views.${a.action}`, { when: formatDateTime(a.at), by }));
  }));
}

function author(a) {
  if (a.role === 'office') return a.name ? `${a.name} – ${t('tk.author.office')}` : t('tk.author.office');
  if (a.role === 'advisor') return a.name ? `${a.name} – ${t('tk.author.advisor')}` : t('tk.author.advisor');
  if (USER_ROLES.includes(a.role) && tk.detail.mine) return t('common.you');
  return a.name || label('role', a.role);
}

function files(list) {
  if (!list?.length) return null;
  return h('ul', { class: 'files', 'aria-label': t('tk.attachments') },
    list.map((a) => {
      const b = h('button', { type: 'button', class: 'link file-link' }, t('tk.dl', { name: a.filename, size: size(a.size) }));
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
    $('#th-error').textContent = errText(x);
  } finally {
    delete button.dataset.busy;
  }
}

function renderThread() {
  const x = tk.detail;
  if (!x) return;
  const closed = x.status === 'closed';
  $('#th-protocol').textContent = x.protocol;
  const st = $('#th-status');
  st.className = `badge status-${x.status}`;
  st.textContent = t(`tk.status.${x.status}`);
  $('#thread-title').textContent = x.subject;
  $('#th-facts').replaceChildren(...[
    fact('tk.f.topic', label('topic', x.category)),
    fact('tk.f.sede', sedeName(x)),
    fact('tk.f.created', formatDateTime(x.createdAt)),
    closed ? null : fact('tk.f.due', x.dueAt ? formatDateTime(x.dueAt) + (x.overdue ? ` – ${t('tk.overdue')}` : '') : null),
    fact('tk.f.matricola', x.matricola),
  ].filter(Boolean));
  const transcript = x.transcript ?? [];
  $('#th-transcript-box').hidden = transcript.length === 0;
  $('#th-transcript').replaceChildren(...transcript.map((m) =>
    h('li', {},
      h('p', { class: 'msg-meta' }, h('strong', {}, USER_ROLES.includes(m.from?.role) ? t('common.you') : t('common.advisor')), ' ', h('time', { datetime: m.at }, formatDateTime(m.at))),
      h('p', { class: 'msg-text' }, m.text))));
  $('#th-replies').replaceChildren(...[...(x.replies ?? [])].sort((a, b) => a.seq - b.seq).map((r) =>
    h('li', { class: `reply ${USER_ROLES.includes(r.author.role) ? 'from-user' : 'from-office'}`, 'data-seq': r.seq },
      h('p', { class: 'msg-meta' }, h('strong', { class: 'msg-who' }, author(r.author)), ' · ', h('time', { datetime: r.at }, formatDateTime(r.at))),
      h('p', { class: 'msg-text' }, r.body),
      files(r.attachments))));
  const box = $('#th-closed');
  box.hidden = !closed;
  const outcome = x.outcome === 'withdrawn' ? t('tk.outcome.withdrawn') : x.outcome ?? '';
  box.textContent = closed ? t('tk.closedBox', { when: formatDateTime(x.closedAt), outcome }) : '';
  // Closed: no more replies, but a reply typed (and refused as ticket_closed) stays on screen, not lost.
  $('#reply-form').hidden = closed && !$('#rp-body').value.trim();
}

async function submitReply(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const x = tk.detail;
  if (!x || tk.busy) return;
  const text = $('#rp-body');
  const input = $('#rp-files');
  const err = $('#rp-error');
  err.textContent = '';
  mark(text, false);
  mark(input, false);
  const body = text.value.trim();
  const list = [...input.files];
  if (!body) return fail(err, t('tk.reply.need'), text);
  const send = $('#rp-send');
  busy(send, true, 'tk.sending');
  try {
    const fp = await fileProblem(list);
    if (fp) return fail(err, fp, input);
    const path = `api/v1/tickets/${encodeURIComponent(x.id)}/replies`;
    if (list.length) {
      const data = new FormData();
      data.append('body', body);
      for (const f of list) data.append('files', f, f.name);
      await api(path, { method: 'POST', form: data });
    } else {
      await api(path, { method: 'POST', json: { body } });
    }
  } catch (y) {
    fail(err, `${errText(y)} ${y.code === 'ticket_closed' ? '' : t('tk.kept')}`.trim(), /attachment|payload/.test(y.code) ? input : null);
    if (y.code === 'ticket_closed') await openThread(x.id, true);
    return;
  } finally {
    busy(send, false, 'tk.reply.send');
  }
  form.reset();
  renderRpFiles();
  tk.items = null;
  await openThread(x.id, true);
  d.announce(t('tk.reply.done'));
  text.focus();
}

// ---------------------------------------------------------------------------
// Set-up

/** deps: { client, showView, view, announce, home } */
export function initTickets(deps) {
  d = deps;
  $('#tk-topic').append(h('option', { value: '', 'data-i18n': 'tk.need.category' }), ...TOPICS.map((c) => h('option', { value: c, 'data-i18n': `topic.${c}` })));
  renderTkFiles = fileField('tk');
  renderRpFiles = fileField('rp');
  $('#ticket-form').addEventListener('submit', submitTicket);
  $('#reply-form').addEventListener('submit', submitReply);
  $('#tk-back').addEventListener('click', () => {
    const from = tk.formFrom;
    if (from === 'list') void openMine();
    else if (from) d.showView(from);
    else d.home();
  });
  $('#done-open').addEventListener('click', () => tk.created && openThread(tk.created.id));
  $('#done-mine').addEventListener('click', () => openMine());
  $('#done-back').addEventListener('click', () => d.home());
  $('#list-back').addEventListener('click', () => d.home());
  $('#list-refresh').addEventListener('click', () => openMine());
  $('#list-new').addEventListener('click', () => offerTicket({}, {}, 'list'));
  $('#thread-back').addEventListener('click', () => openMine());
  $('#thread-refresh').addEventListener('click', () => tk.detail && openThread(tk.detail.id));
}

/** After a language change: everything drawn from data. */
export function renderTickets() {
  renderWhy();
  renderDone();
  renderList();
  renderThread();
  renderViews();
  renderTkFiles();
  renderRpFiles();
}
