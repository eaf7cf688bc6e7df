/**
 * INFO CIG territorial office console: the sede's Linea INPS queue (overdue
 * first, then by due time), filters, one ticket at a time with its thread and
 * files, take in charge, reply with up to three files, close with an outcome.
 *
 * Everything goes through the ticket API with `Authorization: Bearer`, files
 * included (fetched, then saved through a Blob URL). Development sign-in
 * (POST /dev/token, role office, a chosen sede) is kept in sessionStorage.
 * User text reaches the page only through textContent; no inline style.
 * Italian by default; English through the shared language switch.
 */
import { LANGS, applyI18n, formatDateTime, label, lang, onLangChange, setLang, t as common } from '../i18n.js';
import { apiError, mintDevToken, savedChoice } from '../lib/dev-token.js';
import { $, announcer, h } from '../lib/ui.js';
import { applyOffice, tr } from './strings.js';

const KEY = 'infocig.office.dev';
const REFRESH_MS = 30_000;
const MAX_FILES = 3;
const MAX_BYTES = 5 * 1024 * 1024;
const SEDI = [
  ['SEDE-MI', 'Milano'], ['SEDE-RM', 'Roma'], ['SEDE-NA', 'Napoli'], ['SEDE-TO', 'Torino'], ['SEDE-BO', 'Bologna'],
  ['SEDE-FI', 'Firenze'], ['SEDE-BA', 'Bari'], ['SEDE-PA', 'Palermo'], ['SEDE-VE', 'Venezia'], ['SEDE-GE', 'Genova'],
];
const OUTCOMES = ['defined', 'info', 'docs', 'notCompetent', 'other'];
/** What is stored as the outcome (the service speaks Italian); `other` takes the operator's words. */
const OUTCOME_TEXT = {
  defined: 'Pratica definita',
  info: 'Informazioni fornite',
  docs: 'Documentazione ricevuta',
  notCompetent: 'Non di competenza della sede',
};

const announce = announcer($('#announce'));

function formatSize(bytes) {
  const loc = lang() === 'en' ? 'en-GB' : 'it-IT';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${new Intl.NumberFormat(loc, { maximumFractionDigits: 0 }).format(bytes / 1024)} KB`;
  return `${new Intl.NumberFormat(loc, { maximumFractionDigits: 1 }).format(bytes / (1024 * 1024))} MB`;
}

function errorText(err) {
  const code = err?.code ?? 'error';
  const key = `off.err.${code}`;
  const s = tr(key, { message: err?.message ?? '' });
  return s === key ? tr('off.err.generic', { code }) : s;
}

// ---------------------------------------------------------------------------
// Sign-in and API

const state = {
  choice: null,
  token: null,
  tokenExp: 0,
  items: [],
  page: 1,
  total: 0,
  partial: false,
  selected: null,
  detail: null,
  known: null,
  timer: null,
  loading: null,
};

const saved = () => savedChoice(KEY, (c) => typeof c.sede === 'string');
const mint = (choice) => mintDevToken({ role: 'office', sub: choice.sub, name: choice.name, sede: choice.sede });

function expiryOf(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.exp === 'number' ? payload.exp * 1000 : 0;
  } catch {
    return 0;
  }
}

async function getToken(fresh = false) {
  if (!fresh && state.token && state.tokenExp - Date.now() > 60_000) return state.token;
  state.token = await mint(state.choice);
  state.tokenExp = expiryOf(state.token);
  return state.token;
}

const apiUrl = (path) => new URL(`..${path}`, location.href);

/** A request to the API with the Bearer token (renewed once on 401); resolves with the Response. */
async function request(path, { method = 'GET', json, form } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = { authorization: `Bearer ${await getToken(attempt > 0)}` };
    let body;
    if (json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form) {
      body = form;
    }
    const res = await fetch(apiUrl(path), { method, headers, body, cache: 'no-store' });
    if (res.status === 401 && attempt === 0) continue;
    if (!res.ok) throw apiError(res, await res.json().catch(() => null));
    return res;
  }
}

const api = async (path, options) => (await request(path, options)).json();

function signIn() {
  const sede = $('#si-sede');
  for (const [code, city] of SEDI) sede.append(h('option', { value: code }, `${code} – ${city}`));
  $('#signin').hidden = false;
  sede.focus();
  $('#signin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.currentTarget.elements;
    const err = $('#si-error');
    err.textContent = '';
    const sub = f.sub.value.trim();
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(sub)) {
      err.textContent = tr('off.signin.bad');
      f.sub.focus();
      return;
    }
    const choice = { sub, name: f.name.value.trim() || sub, sede: f.sede.value };
    try {
      state.choice = choice;
      await getToken(true);
    } catch (x) {
      state.choice = null;
      err.textContent = x.status === 404 ? common('dev.unavailable') : common('dev.failed', { code: x.code });
      return;
    }
    sessionStorage.setItem(KEY, JSON.stringify(choice));
    $('#signin').hidden = true;
    start(choice);
  });
}

// ---------------------------------------------------------------------------
// Queue

function filters() {
  const f = $('#filters').elements;
  return {
    status: f.status.value,
    matricola: f.matricola.value.trim(),
    subject: f.subject.value.trim(),
    from: f.from.value,
    to: f.to.value,
    overdue: f.overdue.checked,
  };
}

function query(f, extra) {
  const q = new URLSearchParams();
  if (f.matricola) q.set('matricola', f.matricola);
  if (f.subject) q.set('subject', f.subject);
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  if (f.overdue) q.set('overdue', 'true');
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

async function loadQueue({ more = false, quiet = false } = {}) {
  const f = filters();
  const error = $('#queue-error');
  if (f.matricola && !/^[0-9A-Za-z][0-9A-Za-z./-]*$/.test(f.matricola)) {
    error.textContent = tr('off.filters.badMatricola');
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
    error.textContent = errorText(err);
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
  list.replaceChildren(...state.items.map(queueItem));
  const n = state.items.length;
  const overdue = state.items.filter((t) => t.overdue).length;
  const parts = [n === 0 ? tr('off.queue.none') : n === 1 ? tr('off.queue.count1') : tr('off.queue.count', { n })];
  if (overdue > 0) parts.push(tr('off.queue.overdueCount', { n: overdue }));
  if (state.partial || (!$('#more').hidden && n < state.total)) parts.push(tr('off.queue.partial', { shown: n, total: state.total }));
  $('#queue-count').textContent = parts.join(' ');
}

function badge(status) {
  return h('span', { class: `badge status-${status}` }, tr(`off.badge.${status}`));
}

function queueItem(t) {
  const selected = t.id === state.selected;
  const who = t.user?.name || t.matricola || t.user?.id || '';
  const meta = [who, t.matricola && who !== t.matricola ? t.matricola : null, t.dueAt ? tr('off.due', { when: formatDateTime(t.dueAt) }) : tr('off.noDue')].filter(Boolean).join(' · ');
  const button = h('button', { type: 'button', class: `q-item${t.overdue ? ' is-overdue' : ''}`, 'aria-current': selected ? 'true' : null, 'data-id': t.id },
    h('span', { class: 'q-top' },
      h('span', { class: 'q-protocol' }, t.protocol), ' ',
      badge(t.status),
      t.overdue ? [' ', h('span', { class: 'badge overdue' }, tr('off.overdue'))] : null),
    h('span', { class: 'q-subject' }, t.subject),
    h('span', { class: 'q-meta' }, meta));
  button.addEventListener('click', () => openTicket(t.id, { focus: true }));
  return h('li', {}, button);
}

// ---------------------------------------------------------------------------
// One ticket

function fact(key, value, extra) {
  if (value === null || value === undefined || value === '') return null;
  return h('div', { class: extra ?? null }, h('dt', {}, tr(key)), h('dd', {}, value));
}

function authorName(author, ticket) {
  if (author.role === 'office') return author.name ? `${author.name} (${tr('off.role.office')})` : tr('off.role.office');
  if (author.role === 'advisor') return author.name ? `${author.name} – ${tr('off.role.advisor')}` : tr('off.role.advisor');
  const role = label('role', author.role);
  return author.name ? `${author.name} (${role})` : ticket.user?.name ?? role;
}

function attachmentList(files) {
  if (!files || files.length === 0) return null;
  return h('ul', { class: 'files', 'aria-label': tr('off.attachments') },
    files.map((a) => {
      const button = h('button', { type: 'button', class: 'link file-link', 'data-href': a.href }, tr('off.dl', { name: a.filename, size: formatSize(a.size) }));
      button.addEventListener('click', () => download(a, button));
      return h('li', {}, button);
    }));
}

async function download(a, button) {
  button.disabled = true;
  $('#t-error').textContent = '';
  try {
    const res = await request(a.href);
    const url = URL.createObjectURL(await res.blob());
    const link = h('a', { href: url, download: a.filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    announce(tr('off.dl.done', { name: a.filename }));
  } catch (err) {
    $('#t-error').textContent = errorText(err);
  } finally {
    button.disabled = false;
  }
}

async function openTicket(id, { focus = false, quiet = false } = {}) {
  state.selected = id;
  for (const b of document.querySelectorAll('.q-item')) {
    if (b.dataset.id === id) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
  let detail;
  try {
    detail = await api(`/api/v1/tickets/${encodeURIComponent(id)}`);
  } catch (err) {
    $('#queue-error').textContent = errorText(err);
    return;
  }
  state.detail = detail;
  renderTicket(detail);
  if (focus) $('#t-title').focus();
  if (!quiet) announce(tr('off.detail.opened', { protocol: detail.protocol }));
}

function renderTicket(t) {
  $('#detail-empty').hidden = true;
  $('#ticket').hidden = false;
  $('#t-protocol').textContent = t.protocol;
  const status = $('#t-status');
  status.className = `badge status-${t.status}`;
  status.textContent = tr(`off.badge.${t.status}`);
  $('#t-overdue').hidden = !t.overdue;
  $('#t-title').textContent = t.subject;

  const user = t.user ?? {};
  const userText = [user.name, user.role ? label('role', user.role) : null].filter(Boolean).join(', ') || user.id || '';
  const taken = t.takenAt ? tr('off.f.takenBy', { when: formatDateTime(t.takenAt), who: t.takenBy ?? '' }) : null;
  $('#t-facts').replaceChildren(...[
    fact('off.f.status', tr(`off.badge.${t.status}`)),
    fact('off.f.category', label('topic', t.category)),
    fact('off.f.origin', tr(`off.origin.${t.origin}`)),
    fact('off.f.user', userText),
    fact('off.f.fiscalCode', user.fiscalCode),
    fact('off.f.matricola', t.matricola),
    fact('off.f.province', t.province),
    fact('off.f.created', formatDateTime(t.createdAt)),
    fact('off.f.due', t.dueAt ? formatDateTime(t.dueAt) + (t.overdue ? ` – ${tr('off.overdue')}` : '') : null, t.overdue ? 'is-overdue' : null),
    fact('off.f.taken', taken),
    fact('off.f.closed', t.closedAt ? formatDateTime(t.closedAt) : null),
    fact('off.f.outcome', t.outcome),
  ].filter(Boolean));

  const transcript = t.transcript ?? [];
  $('#t-transcript-box').hidden = transcript.length === 0;
  $('#t-transcript').replaceChildren(...transcript.map((m) =>
    h('li', {},
      h('p', { class: 'msg-meta' }, h('strong', {}, label('role', m.from?.role)), ' ', h('time', { datetime: m.at }, formatDateTime(m.at))),
      h('p', { class: 'msg-body' }, m.text))));

  $('#t-thread').replaceChildren(...(t.replies ?? []).map((r) =>
    h('li', { class: `reply ${r.author.role === 'office' ? 'from-office' : 'from-user'}`, 'data-seq': r.seq },
      h('p', { class: 'reply-meta' }, h('strong', {}, authorName(r.author, t)), ' · ', h('time', { datetime: r.at }, formatDateTime(r.at))),
      h('p', { class: 'reply-body' }, r.body),
      attachmentList(r.attachments))));

  const closed = t.status === 'closed';
  $('#take-box').hidden = t.status !== 'open';
  $('#reply-form').hidden = closed;
  $('#close-form').hidden = closed;
  const closedBox = $('#t-closed');
  closedBox.hidden = !closed;
  closedBox.textContent = closed ? tr('off.closed.box', { when: formatDateTime(t.closedAt), outcome: t.outcome ?? '' }) : '';
}

async function refreshAfter(action, message) {
  await Promise.all([openTicket(state.selected, { quiet: true }), loadQueue({ quiet: true })]);
  announce(message);
  if (action === 'focus-title') $('#t-title').focus();
}

async function take() {
  const t = state.detail;
  if (!t) return;
  $('#t-error').textContent = '';
  const button = $('#take');
  button.disabled = true;
  try {
    await api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', json: { status: 'in_progress' } });
    await refreshAfter(null, tr('off.take.done', { protocol: t.protocol }));
    $('#reply-text').focus();
  } catch (err) {
    $('#t-error').textContent = errorText(err);
    if (err.code === 'illegal_transition') await openTicket(t.id, { quiet: true });
  } finally {
    button.disabled = false;
  }
}

function renderChosen() {
  const input = $('#reply-files');
  $('#reply-chosen').replaceChildren(...[...input.files].map((f) => h('li', {}, `${f.name} (${formatSize(f.size)})`)));
}

async function sendReply(e) {
  e.preventDefault();
  const t = state.detail;
  if (!t) return;
  const error = $('#reply-error');
  const text = $('#reply-text');
  const input = $('#reply-files');
  error.textContent = '';
  const body = text.value.trim();
  const files = [...input.files];
  let problem = null;
  if (!body) problem = [tr('off.reply.empty'), text];
  else if (files.length > MAX_FILES) problem = [tr('off.reply.tooMany'), input];
  else {
    const big = files.find((f) => f.size > MAX_BYTES);
    const empty = files.find((f) => f.size === 0);
    if (big) problem = [tr('off.reply.tooBig', { name: big.name }), input];
    else if (empty) problem = [tr('off.reply.emptyFile', { name: empty.name }), input];
  }
  if (problem) {
    error.textContent = problem[0];
    problem[1].setAttribute('aria-invalid', 'true');
    problem[1].focus();
    return;
  }
  text.removeAttribute('aria-invalid');
  input.removeAttribute('aria-invalid');
  const form = new FormData();
  form.append('body', body);
  for (const f of files) form.append('files', f, f.name);
  const send = $('#reply-send');
  send.disabled = true;
  send.textContent = tr('off.reply.sending');
  try {
    await api(`/api/v1/tickets/${t.id}/replies`, { method: 'POST', form });
    text.value = '';
    input.value = '';
    renderChosen();
    await refreshAfter(null, tr('off.reply.done'));
    text.focus();
  } catch (err) {
    error.textContent = errorText(err);
  } finally {
    send.disabled = false;
    send.textContent = tr('off.reply.send');
  }
}

async function closeTicket(e) {
  e.preventDefault();
  const t = state.detail;
  if (!t) return;
  const error = $('#close-error');
  error.textContent = '';
  const choice = $('#close-outcome').value;
  const other = $('#close-other');
  const outcome = choice === 'other' ? other.value.trim() : OUTCOME_TEXT[choice];
  if (!outcome) {
    error.textContent = tr('off.close.otherEmpty');
    other.setAttribute('aria-invalid', 'true');
    other.focus();
    return;
  }
  other.removeAttribute('aria-invalid');
  try {
    await api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', json: { status: 'closed', outcome } });
    other.value = '';
    await refreshAfter('focus-title', tr('off.close.done', { protocol: t.protocol }));
  } catch (err) {
    error.textContent = errorText(err);
    if (err.code === 'illegal_transition') await openTicket(t.id, { quiet: true });
  }
}

function renderOutcomes() {
  const select = $('#close-outcome');
  const value = select.value || OUTCOMES[0];
  select.replaceChildren(...OUTCOMES.map((o) => h('option', { value: o }, tr(`off.outcome.${o}`))));
  select.value = value;
  $('#close-other-box').hidden = select.value !== 'other';
}

// ---------------------------------------------------------------------------
// Start

function start(choice) {
  state.choice = choice;
  const city = SEDI.find(([code]) => code === choice.sede)?.[1];
  $('#me').textContent = tr('off.me', { name: choice.name, sede: city ? `${choice.sede} (${city})` : choice.sede });
  $('#signout').hidden = false;
  $('#board').hidden = false;
  renderOutcomes();
  void loadQueue();
  clearInterval(state.timer);
  state.timer = setInterval(() => {
    if (document.visibilityState === 'visible') void loadQueue({ quiet: true });
  }, REFRESH_MS);
}

function boot() {
  const sel = $('#lang');
  for (const [code, name] of Object.entries(LANGS)) sel.append(h('option', { value: code, lang: code }, name));
  sel.addEventListener('change', () => setLang(sel.value));
  onLangChange((code) => {
    sel.value = code;
    applyOffice();
    renderOutcomes();
    if (state.choice) {
      start(state.choice);
      if (state.detail) renderTicket(state.detail);
    }
  });

  $('#filters').addEventListener('submit', (e) => {
    e.preventDefault();
    void loadQueue();
  });
  $('#filters').addEventListener('reset', () => setTimeout(() => void loadQueue(), 0));
  $('#f-status').addEventListener('change', () => void loadQueue());
  $('#f-overdue').addEventListener('change', () => void loadQueue());
  $('#refresh').addEventListener('click', () => void loadQueue());
  $('#more').addEventListener('click', () => void loadQueue({ more: true }));
  $('#take').addEventListener('click', () => void take());
  $('#reply-form').addEventListener('submit', sendReply);
  $('#reply-files').addEventListener('change', renderChosen);
  $('#close-form').addEventListener('submit', closeTicket);
  $('#close-outcome').addEventListener('change', () => {
    $('#close-other-box').hidden = $('#close-outcome').value !== 'other';
  });
  $('#signout').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    location.reload();
  });

  applyOffice();
  setLang(new URLSearchParams(location.search).get('lang') || navigator.language);
  const choice = saved();
  if (choice) start(choice);
  else signIn();
}

applyI18n();
boot();
