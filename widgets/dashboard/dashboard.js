/**
 * INFO CIG service dashboard: live queues by province (sortable, with a heat
 * scale), waits against the closing time, advisors and their load, the Linea
 * INPS backlog per sede, the last 30 days as charts, and the supervisor's
 * controls (ticket-only switch per province, moving an advisor between queues).
 *
 * Live data: `dashboard.subscribe` over /ws (a `dashboard.update` every 2 s);
 * when the server does not offer it, or the socket is down, the page polls
 * GET /api/v1/dashboard/live every few seconds. Development sign-in only
 * (POST /dev/token), kept in sessionStorage like the advisor console.
 *
 * No inline style anywhere (CSP style-src 'self'): the heat scale and the
 * charts are classes and SVG attributes; every text goes in through textContent.
 */
import { LANGS, applyI18n, formatTime, formatWhen, lang, onLangChange, setLang } from '../i18n.js';
import { ChatClient } from '../lib/chat-client.js';
import { apiError, mintDevToken, savedChoice } from '../lib/dev-token.js';
import { $, announcer, h, saveBlob } from '../lib/ui.js';
import { accessLogPanel } from './access-log.js';
import { applyStrings, dt, fmtDay, fmtDuration, fmtNumber } from './strings.js';

const KEY = 'infocig.dashboard.dev';
const LANG_KEY = 'infocig.lang';
const POLL_MS = 5000;
const SVG = 'http://www.w3.org/2000/svg';
const SEDI = [
  ['SEDE-MI', 'Milano'], ['SEDE-RM', 'Roma'], ['SEDE-NA', 'Napoli'], ['SEDE-TO', 'Torino'], ['SEDE-GE', 'Genova'],
  ['SEDE-BO', 'Bologna'], ['SEDE-FI', 'Firenze'], ['SEDE-BA', 'Bari'], ['SEDE-PA', 'Palermo'], ['SEDE-VE', 'Venezia'],
];
const announce = announcer($('#announce'));

const state = {
  me: null,
  token: null,
  tokenUntil: 0,
  live: null,
  history: null,
  audit: [],
  mode: 'poll',
  pollTimer: null,
  client: null,
  sort: { key: 'heat', dir: 'desc' },
  rows: new Map(),
  pending: new Set(),
  lastSummary: '',
  error: null,
};

const isSupervisor = () => state.me?.role === 'supervisor';

// ---------------------------------------------------------------------------
// Sign-in and HTTP

const saved = () => savedChoice(KEY, (c) => c.role === 'supervisor' || c.role === 'office');
const mint = (choice) => mintDevToken({ ...choice, ttlSeconds: 3600 });

async function token(fresh = false) {
  if (!fresh && state.token && Date.now() < state.tokenUntil) return state.token;
  state.token = await mint(state.me);
  state.tokenUntil = Date.now() + 50 * 60_000;
  return state.token;
}

async function api(path, { method = 'GET', body, raw = false } = {}) {
  const url = new URL(path.replace(/^\//, '../'), location.href);
  for (let attempt = 0; attempt < 2; attempt++) {
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${await token(attempt > 0)}`, accept: raw ? 'text/csv' : 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status === 401 && attempt === 0) continue;
    if (raw && res.ok) return res;
    const json = await res.json().catch(() => null);
    if (!res.ok) throw apiError(res, json);
    return json;
  }
  throw Object.assign(new Error('unauthenticated'), { code: 'unauthenticated' });
}

function signIn() {
  $('#signin').hidden = false;
  const sede = $('#si-sede');
  sede.replaceChildren(...SEDI.map(([code, name]) => h('option', { value: code }, `${name} (${code})`)));
  const role = $('#si-role');
  const sync = () => ($('#si-sede-field').hidden = role.value !== 'office');
  role.addEventListener('change', sync);
  sync();
  role.focus();
  $('#signin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const err = $('#si-error');
    err.textContent = '';
    const name = $('#si-name').value.trim() || 'Sara Bianchi';
    const choice = {
      role: role.value,
      name,
      sub: `dev-${role.value}-${crypto.getRandomValues(new Uint32Array(1))[0].toString(36)}`,
      ...(role.value === 'office' ? { sede: sede.value } : {}),
    };
    try {
      await mint(choice);
    } catch (x) {
      err.textContent = x.status === 404 ? dt('signin.unavailable') : dt('signin.failed', { code: x.code });
      return;
    }
    sessionStorage.setItem(KEY, JSON.stringify(choice));
    $('#signin').hidden = true;
    start(choice);
  });
}

// ---------------------------------------------------------------------------
// Live data: WebSocket subscription, polling as the fallback

function startPolling() {
  if (state.pollTimer) return;
  state.mode = 'poll';
  renderMode();
  const run = async () => {
    try {
      render(await api('/api/v1/dashboard/live'));
      state.error = null;
    } catch (err) {
      state.error = err.code ?? 'error';
      if (err.status === 403) return stop();
    }
    renderMode();
  };
  void run();
  state.pollTimer = setInterval(run, POLL_MS);
}

function stopPolling() {
  clearInterval(state.pollTimer);
  state.pollTimer = null;
}

function stop() {
  stopPolling();
  state.client?.close();
}

function connectLive() {
  const client = new ChatClient({ getToken: () => token() });
  state.client = client;
  client.on('welcome', async () => {
    try {
      const first = await client.request('dashboard.subscribe');
      stopPolling();
      state.mode = 'ws';
      state.error = null;
      if (first.live) render(first.live);
      renderMode();
    } catch (err) {
      // This server does not push the dashboard (or refused): poll instead, and free the socket.
      startPolling();
      if (err?.code === 'unknown_type' || err?.code === 'forbidden') client.close();
    }
  });
  client.on('frame', (f) => {
    if (f.type === 'dashboard.update' && f.live && state.mode === 'ws') render(f.live);
  });
  client.on('status', (s) => {
    if (s !== 'open' && state.mode === 'ws') {
      state.mode = 'poll';
      startPolling();
    }
  });
  client.connect();
}

// ---------------------------------------------------------------------------
// Rendering: summary and figures

function render(live) {
  state.live = live;
  renderSummary();
  renderProvinces();
  renderAdvisors();
  renderTickets();
  renderMoveOptions();
}

function renderMode() {
  $('#updated').textContent = state.live ? dt('updated', { time: formatTime(state.live.at) }) : '';
  $('#mode').textContent = state.error ? dt('mode.error', { code: state.error }) : state.mode === 'ws' ? dt('mode.ws') : dt('mode.poll', { s: POLL_MS / 1000 });
}

function closingText(service) {
  if (service.closesAt) return dt('closing.at', { time: formatTime(service.closesAt), left: fmtDuration(service.secondsToClose ?? 0) });
  if (service.open) return dt('closing.always');
  return service.opensAt ? dt('closing.opens', { when: formatWhen(service.opensAt) }) : dt('closing.closed');
}

function renderSummary() {
  const { totals, service, advisors, queues } = state.live;
  const all = totals.advisors.available + totals.advisors.away + totals.advisors.offline;
  const beyond = queues.filter((q) => q.beyondClosing).length;
  const text =
    dt('summary.text', { waiting: totals.waiting, available: totals.advisors.available, advisors: all, active: totals.conversationsActive, overdue: totals.tickets.overdue }) +
    (beyond ? dt('summary.beyond', { n: beyond }) : '');
  // Only a change of the counts is announced; the clock ticking is not.
  if (text !== state.lastSummary) {
    state.lastSummary = text;
    $('#summary').textContent = text;
  }
  const kpis = [
    ['kpi.waiting', fmtNumber(totals.waiting), totals.waiting > 0 ? 'warn' : ''],
    ['kpi.oldest', fmtDuration(totals.oldestWaitSeconds), totals.oldestWaitSeconds >= 300 ? 'alert' : ''],
    ['kpi.closing', closingText(service), beyond ? 'alert' : ''],
    ['kpi.available', `${fmtNumber(totals.advisors.available)} / ${fmtNumber(advisors.length)}`, ''],
    ['kpi.active', fmtNumber(totals.conversationsActive), ''],
    ['kpi.occupancy', `${fmtNumber(Math.round(totals.occupancy * 100))} %`, totals.occupancy >= 0.9 ? 'warn' : ''],
    ['kpi.open', fmtNumber(totals.tickets.open + totals.tickets.inProgress), ''],
    ['kpi.overdue', fmtNumber(totals.tickets.overdue), totals.tickets.overdue > 0 ? 'alert' : ''],
  ];
  $('#kpis').replaceChildren(...kpis.map(([k, v, tone]) => h('div', { class: `kpi ${tone}`.trim() }, h('dt', {}, dt(k)), h('dd', {}, v))));
  renderMode();
}

// ---------------------------------------------------------------------------
// Provinces: a sortable table, rows kept (and focus with them) across updates

const COLUMNS = [
  { key: 'name', label: 'prov.col.province', text: true },
  { key: 'region', label: 'prov.col.region', text: true },
  { key: 'waiting', label: 'prov.col.waiting' },
  { key: 'audience', label: 'prov.col.audience', abbr: 'prov.col.audience.long', sortable: false },
  { key: 'oldestWaitSeconds', label: 'prov.col.oldest' },
  { key: 'estimatedWaitSeconds', label: 'prov.col.eta' },
  { key: 'advisorsAvailable', label: 'prov.col.advisors' },
  { key: 'heat', label: 'prov.col.heat' },
  { key: 'ticketOnly', label: 'prov.col.ticketOnly', supervisor: true },
];

const columns = () => COLUMNS.filter((c) => !c.supervisor || isSupervisor());

function renderHead() {
  const cells = columns().map((c) => {
    const sorted = state.sort.key === c.key;
    const th = h('th', { scope: 'col', class: c.text ? null : 'num', 'aria-sort': sorted ? (state.sort.dir === 'asc' ? 'ascending' : 'descending') : null });
    if (c.abbr) th.setAttribute('abbr', dt(c.abbr));
    if (c.sortable === false) {
      th.append(h('span', { title: dt(c.abbr ?? c.label) }, dt(c.label)));
      return th;
    }
    const btn = h('button', { type: 'button', class: `sort${sorted ? ` sorted ${state.sort.dir}` : ''}` }, dt(c.label), h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted ? (state.sort.dir === 'asc' ? '▲' : '▼') : '↕'));
    btn.addEventListener('click', () => {
      state.sort = { key: c.key, dir: sorted && state.sort.dir === 'desc' ? 'asc' : sorted ? 'desc' : c.text ? 'asc' : 'desc' };
      renderHead();
      renderProvinces();
      $(`#prov-head th[aria-sort] button`)?.focus();
    });
    th.append(btn);
    return th;
  });
  $('#prov-head').replaceChildren(...cells);
}

function compare(a, b) {
  const { key, dir } = state.sort;
  const sign = dir === 'asc' ? 1 : -1;
  const va = a[key];
  const vb = b[key];
  const primary = typeof va === 'string' ? va.localeCompare(vb, 'it') : Number(va) - Number(vb);
  return sign * primary || b.heat - a.heat || b.waiting - a.waiting || a.name.localeCompare(b.name, 'it');
}

function provinceRow(p) {
  let r = state.rows.get(p.code);
  if (!r) {
    const tr = h('tr', { 'data-province': p.code });
    const cells = {
      name: h('th', { scope: 'row' }),
      region: h('td'),
      waiting: h('td', { class: 'num' }),
      audience: h('td', { class: 'num' }),
      oldest: h('td', { class: 'num' }),
      eta: h('td', { class: 'num' }),
      advisors: h('td', { class: 'num' }),
      heat: h('td', {}, h('span', { class: 'heat' })),
    };
    tr.append(...Object.values(cells));
    r = { tr, cells, toggle: null };
    if (isSupervisor()) {
      const id = `to-${p.code}`;
      const input = h('input', { type: 'checkbox', role: 'switch', id, class: 'switch' });
      const label = h('label', { for: id, class: 'switch-label' }, h('span', { class: 'sr-only' }), h('span', { class: 'switch-state', 'aria-hidden': 'true' }));
      input.addEventListener('change', () => void toggleTicketOnly(p.code, input.checked));
      tr.append(h('td', { class: 'switch-cell' }, input, label));
      r.toggle = { input, label };
    }
    state.rows.set(p.code, r);
  }
  const c = r.cells;
  r.tr.className = `heat-row heat-${p.heat}${p.ticketOnly ? ' ticket-only' : ''}`;
  c.name.textContent = `${p.name} (${p.code})`;
  c.region.textContent = p.region;
  c.waiting.textContent = fmtNumber(p.waiting);
  c.audience.textContent = `${p.byAudience.worker} / ${p.byAudience.employer} / ${p.byAudience.intermediary}`;
  c.oldest.textContent = p.waiting ? fmtDuration(p.oldestWaitSeconds) : '–';
  c.eta.replaceChildren(p.waiting ? fmtDuration(p.estimatedWaitSeconds) : '–');
  if (p.beyondClosing) c.eta.append(h('span', { class: 'beyond' }, ` · ${dt('prov.beyond')}`));
  c.advisors.textContent = fmtNumber(p.advisorsAvailable);
  const badge = c.heat.firstChild;
  badge.className = `heat heat-${p.heat}`;
  badge.textContent = dt(`heat.${p.heat}`);
  if (r.toggle) {
    const { input, label } = r.toggle;
    if (!state.pending.has(p.code)) input.checked = p.ticketOnly;
    input.disabled = state.pending.has(p.code);
    label.firstChild.textContent = dt('prov.ticketOnly.label', { name: p.name });
    label.lastChild.textContent = dt(input.checked ? 'prov.ticketOnly.on' : 'prov.ticketOnly.off');
  }
  return r.tr;
}

function renderProvinces() {
  if (!state.live) return;
  const showAll = $('#show-all').checked || !isSupervisor();
  const list = state.live.provinces.filter((p) => showAll || p.waiting > 0 || p.ticketOnly).sort(compare);
  const body = $('#prov-body');
  const wanted = list.map(provinceRow);
  const current = [...body.children];
  if (wanted.length !== current.length || wanted.some((tr, i) => tr !== current[i])) {
    const active = document.activeElement;
    body.replaceChildren(...wanted);
    if (active && body.contains(active) && document.activeElement !== active) active.focus();
  }
  $('#prov-none').hidden = list.length > 0;
  $('#heat-legend').textContent = dt('heat.legend');
}

async function toggleTicketOnly(code, on) {
  const p = state.live.provinces.find((x) => x.code === code);
  state.pending.add(code);
  renderProvinces();
  try {
    await api(`/api/v1/dashboard/provinces/${encodeURIComponent(code)}/ticket-only`, { method: 'POST', body: { on } });
    p.ticketOnly = on;
    if (on && !state.live.ticketOnly.includes(code)) state.live.ticketOnly.push(code);
    if (!on) state.live.ticketOnly = state.live.ticketOnly.filter((c) => c !== code);
    announce(dt(on ? 'prov.ticketOnly.done.on' : 'prov.ticketOnly.done.off', { name: p.name }));
    void loadAudit();
  } catch (err) {
    announce(dt('controls.failed', { code: err.code ?? 'error' }));
  } finally {
    state.pending.delete(code);
    const r = state.rows.get(code);
    if (r?.toggle) r.toggle.input.checked = p.ticketOnly;
    renderProvinces();
    provinceRow(p);
  }
}

// ---------------------------------------------------------------------------
// Advisors and tickets

function servesText(a) {
  const where = [...a.provinces, ...a.regions];
  return where.length ? where.join(', ') : dt('adv.national');
}

function renderAdvisors() {
  const list = state.live.advisors;
  $('#adv-none').hidden = list.length > 0;
  $('#adv-body').replaceChildren(
    ...list.map((a, i) => {
      const name = a.name ?? dt('adv.anon', { n: i + 1 });
      const full = a.capacity > 0 && a.load >= a.capacity;
      return h('tr', { class: `status-${a.status}` },
        h('th', { scope: 'row' }, name),
        h('td', {}, h('span', { class: `status status-${a.status}` }, dt(`adv.status.${a.status}`))),
        h('td', { class: 'load-cell' },
          h('meter', { min: 0, max: Math.max(1, a.capacity), value: a.load, optimum: 0, low: Math.max(1, a.capacity) - 0.5, high: Math.max(1, a.capacity), 'aria-label': `${dt('adv.col.load')}: ${name}`, class: full ? 'full' : null }),
          h('span', { class: full ? 'load full' : 'load' }, dt('adv.load', { load: a.load, capacity: a.capacity }))),
        h('td', {}, servesText(a)));
    }),
  );
}

function renderTickets() {
  const list = state.live.tickets;
  $('#tickets-none').hidden = list.length > 0;
  $('#tickets-body').replaceChildren(
    ...list.map((t) =>
      h('tr', { class: t.overdue > 0 ? 'breach' : null },
        h('th', { scope: 'row' }, t.name ? `${t.name.replace(/^INPS Sede di /i, '')} (${t.sede})` : t.sede),
        h('td', { class: 'num' }, fmtNumber(t.open)),
        h('td', { class: 'num' }, fmtNumber(t.inProgress)),
        h('td', { class: `num${t.overdue ? ' alert-text' : ''}` }, fmtNumber(t.overdue)),
        h('td', { class: `num${t.slaBreaches ? ' alert-text' : ''}` }, fmtNumber(t.slaBreaches)),
        h('td', { class: 'num' }, fmtNumber(t.closedToday)))),
  );
}

// ---------------------------------------------------------------------------
// History: four bar charts (inline SVG built with DOM calls) with their data tables

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const n = v / p;
  return ([1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((s) => n <= s) ?? 10) * p;
}

function chart(id, title, days, valueOf, format) {
  const W = 320;
  const H = 150;
  const pad = { l: 34, r: 6, t: 10, b: 24 };
  const values = days.map((d) => (d.taken ? valueOf(d) : null));
  const max = niceMax(Math.max(0, ...values.filter((v) => v !== null)));
  const bw = (W - pad.l - pad.r) / Math.max(1, days.length);
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const last = [...values].reverse().find((v) => v !== null);
  const desc = dt('history.chart.desc', { title, from: fmtDay(days[0].day), to: fmtDay(days.at(-1).day), max: format(Math.max(0, ...values.filter((v) => v !== null))), last: last === undefined ? '–' : format(last) });
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, class: 'chart', focusable: 'false' },
    svg('title', { id: `${id}-title` }, title),
    svg('desc', { id: `${id}-desc` }, desc),
    svg('line', { x1: pad.l, x2: W - pad.r, y1: y(0), y2: y(0), class: 'axis' }),
    svg('line', { x1: pad.l, x2: W - pad.r, y1: y(max), y2: y(max), class: 'grid' }),
    svg('line', { x1: pad.l, x2: W - pad.r, y1: y(max / 2), y2: y(max / 2), class: 'grid' }),
    svg('text', { x: pad.l - 4, y: y(max) + 4, class: 'tick', 'text-anchor': 'end' }, format(max)),
    svg('text', { x: pad.l - 4, y: y(0) + 4, class: 'tick', 'text-anchor': 'end' }, '0'),
    svg('text', { x: pad.l, y: H - 6, class: 'tick' }, fmtDay(days[0].day)),
    svg('text', { x: W - pad.r, y: H - 6, class: 'tick', 'text-anchor': 'end' }, fmtDay(days.at(-1).day)),
  );
  days.forEach((d, i) => {
    const v = values[i];
    const x = pad.l + i * bw + bw * 0.15;
    if (v === null) root.append(svg('rect', { x, y: y(0) - 2, width: bw * 0.7, height: 2, class: 'bar missing' }));
    else root.append(svg('rect', { x, y: y(v), width: bw * 0.7, height: Math.max(0, y(0) - y(v)), class: 'bar' }));
  });
  const table = h('table', { class: 'data compact' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, dt('history.col.day')), h('th', { scope: 'col', class: 'num' }, dt('history.col.value')))),
    h('tbody', {}, days.map((d, i) => h('tr', {}, h('th', { scope: 'row' }, fmtDay(d.day)), h('td', { class: 'num' }, values[i] === null ? dt('history.notTaken') : format(values[i]))))));
  return h('figure', { class: 'chart-card card', 'aria-labelledby': `${id}-cap` },
    h('figcaption', { id: `${id}-cap` }, title),
    root,
    h('details', {}, h('summary', {}, dt('history.data')), h('div', { class: 'table-wrap' }, table)));
}

function renderCharts() {
  const box = $('#charts');
  const hist = state.history;
  if (!hist) return box.replaceChildren();
  const days = hist.days;
  const int = (v) => fmtNumber(v);
  const min = (v) => fmtNumber(v, 1);
  box.replaceChildren(
    chart('ch-chats', dt('history.chart.chats'), days, (d) => d.chatsServed, int),
    chart('ch-wait', dt('history.chart.wait'), days, (d) => (d.avgWaitSeconds === null ? 0 : d.avgWaitSeconds / 60), min),
    chart('ch-esc', dt('history.chart.escalations'), days, (d) => d.escalations, int),
    chart('ch-backlog', dt('history.chart.backlog'), days, (d) => d.backlogEnd, int),
  );
  $('#history-status').textContent = days.some((d) => d.taken) ? `${hist.series.name} · ${fmtDay(hist.from)} – ${fmtDay(hist.to)}` : dt('history.empty');
}

async function loadHistory() {
  try {
    state.history = await api('/api/v1/dashboard/history?rows=false');
    renderCharts();
  } catch (err) {
    $('#history-status').textContent = dt('history.failed', { code: err.code ?? 'error' });
  }
}

/** Saves a CSV answer under the name its Content-Disposition gives. */
async function saveCsv(res, fallback) {
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallback;
  saveBlob(name, await res.blob());
}

async function downloadCsv() {
  try {
    await saveCsv(await api('/api/v1/dashboard/history.csv', { raw: true }), 'infocig-cruscotto.csv');
  } catch (err) {
    announce(dt('history.failed', { code: err.code ?? 'error' }));
  }
}

function yesterday() {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------
// Controls and audit (supervisors)

function renderMoveOptions() {
  if (!isSupervisor()) return;
  const select = $('#move-advisor');
  const current = select.value;
  const list = state.live.advisors.filter((a) => a.id);
  const key = list.map((a) => `${a.id}:${a.name}`).join('|');
  if (select.dataset.key === key) return;
  select.dataset.key = key;
  select.replaceChildren(...list.map((a) => h('option', { value: a.id }, `${a.name ?? a.id} (${servesText(a)})`)));
  if (list.some((a) => a.id === current)) select.value = current;
  $('#move-form button[type="submit"]').disabled = list.length === 0;
  $('#move-error').textContent = list.length ? '' : dt('controls.noAdvisors');
}

async function moveAdvisor(e) {
  e.preventDefault();
  const err = $('#move-error');
  err.textContent = '';
  const id = $('#move-advisor').value;
  if (!id) return;
  const split = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
  const provinces = split($('#move-provinces').value).map((p) => p.toUpperCase());
  const regions = split($('#move-regions').value);
  try {
    const a = await api(`/api/v1/dashboard/advisors/${encodeURIComponent(id)}/queues`, { method: 'POST', body: { provinces, regions } });
    announce(dt('controls.moved', { name: a.name ?? id, where: servesText(a) }));
    $('#move-provinces').value = '';
    $('#move-regions').value = '';
    void loadAudit();
  } catch (x) {
    err.textContent = dt('controls.failed', { code: x.code ?? 'error' });
  }
}

function auditText(a) {
  const actor = a.actor.name ?? a.actor.id;
  if (a.action === 'advisor.queues') {
    const w = (s) => ([...(s?.provinces ?? []), ...(s?.regions ?? [])].join(', ') || dt('adv.national'));
    return dt('audit.advisor.queues', { actor, target: a.target, before: w(a.detail.before), after: w(a.detail.after) });
  }
  if (a.action === 'province.ticket_only') return dt(`audit.province.ticket_only.${a.detail.on ? 'on' : 'off'}`, { actor, target: a.target });
  if (a.action === 'snapshot.taken') return dt('audit.snapshot.taken', { actor, target: a.target });
  return `${actor}: ${a.action} ${a.target}`;
}

function renderAudit() {
  const list = $('#audit');
  if (state.audit.length === 0) return list.replaceChildren(h('li', { class: 'note' }, dt('audit.none')));
  list.replaceChildren(...state.audit.map((a) => h('li', {}, h('time', { datetime: a.at }, formatTime(a.at)), ' ', auditText(a))));
}

async function loadAudit() {
  if (!isSupervisor()) return;
  try {
    state.audit = (await api('/api/v1/dashboard/audit?limit=10')).items;
    renderAudit();
  } catch {
    /* shown again at the next action */
  }
}

async function takeSnapshot(e) {
  e.preventDefault();
  const day = $('#snapshot-day').value;
  if (!day) return;
  try {
    await api('/api/v1/dashboard/snapshots', { method: 'POST', body: { day } });
    announce(dt('history.snapshot.done', { day }));
    await Promise.all([loadHistory(), loadAudit()]);
  } catch (err) {
    announce(dt('controls.failed', { code: err.code ?? 'error' }));
  }
}

// ---------------------------------------------------------------------------
// Start

function renderMe() {
  const me = state.me;
  $('#me').textContent = me ? dt(me.role === 'office' ? 'me.office' : 'me.supervisor', { name: me.name, sede: me.sede }) : '';
  $('#signout').hidden = !me;
}

function start(choice) {
  state.me = choice;
  renderMe();
  $('#board').hidden = false;
  for (const el of document.querySelectorAll('.supervisor-only')) el.hidden = !isSupervisor();
  $('#show-all-label').hidden = !isSupervisor();
  document.body.dataset.role = choice.role;
  renderHead();
  $('#snapshot-day').value = yesterday();
  connectLive();
  startPolling(); // until the socket says it pushes
  void loadHistory();
  void loadAudit();
}

let renderAccess = () => {};

function init() {
  const select = $('#lang');
  select.replaceChildren(...Object.entries(LANGS).map(([code, name]) => h('option', { value: code, lang: code }, name)));
  const stored = sessionStorage.getItem(LANG_KEY);
  setLang(stored ?? 'it');
  select.value = lang();
  select.addEventListener('change', () => {
    sessionStorage.setItem(LANG_KEY, select.value);
    setLang(select.value);
  });
  onLangChange(() => {
    applyI18n(document);
    applyStrings(document);
    document.title = dt('title');
    renderMe();
    if (!state.me) return;
    renderHead();
    if (state.live) {
      state.lastSummary = '';
      render(state.live);
    }
    renderCharts();
    renderAudit();
    renderAccess();
  });
  applyStrings(document);
  document.title = dt('title');
  $('#show-all').addEventListener('change', renderProvinces);
  $('#csv').addEventListener('click', () => void downloadCsv());
  $('#move-form').addEventListener('submit', (e) => void moveAdvisor(e));
  $('#snapshot-form').addEventListener('submit', (e) => void takeSnapshot(e));
  renderAccess = accessLogPanel(api, saveCsv);
  $('#signout').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    stop();
    location.reload();
  });
  const me = saved();
  if (me) start(me);
  else signIn();
}

init();
