/**
 * INFO CIG service dashboard: live queues by province (sortable, with a heat
 * scale), waits against the closing time, advisors and their load, the Linea
 * INPS backlog per sede, the last 30 days as charts, and the supervisor's
 * controls (ticket-only switch per province, moving an advisor between queues).
 *
 * Live data: `dashboard.subscribe` over /ws (a `dashboard.update` every 2 s);
 * when the server does not offer it, or the socket is down, the page polls
 * GET /api/v1/dashboard/live every few seconds. Sign-in: the identity
 * provider's for a `supervisor` token, or an `office` one that sees its own sede
 * (../lib/staff-sign-in.js); with AUTH_DEV the development picker (POST
 * /dev/token), kept in sessionStorage like the advisor console.
 *
 * This file is the entry point: sign-in, the signed-in fetch, the shared state,
 * the live connection and the wiring of the panels, each in its own module
 * (summary.js, provinces-table.js, advisors-tickets.js, history-charts.js,
 * supervisor-controls.js, announcements.js, access-log.js), which get what they need passed in.
 *
 * No inline style anywhere (CSP style-src 'self'): the heat scale and the
 * charts are classes and SVG attributes; every text goes in through textContent.
 */
import { LANGS, applyI18n, formatTime, lang, onLangChange, setLang } from '../i18n.js';
import { ChatClient } from '../lib/chat-client.js';
import { apiError, mintDevToken, savedChoice } from '../lib/dev-token.js';
import { errorNodes } from '../lib/error-words.js';
import { staffSignIn } from '../lib/staff-sign-in.js';
import { forget, readText, writeJson, writeText } from '../lib/tab-store.js';
import { $, announcer, h, saveBlob } from '../lib/ui.js';
import { accessLogPanel } from './access-log.js';
import { announcementsPanel } from './announcements.js';
import { renderAdvisors, renderTickets } from './advisors-tickets.js';
import { renderLanguages } from './languages.js';
import { historyPanel } from './history-charts.js';
import { provincesTable } from './provinces-table.js';
import { applyStrings, dt } from './strings.js';
import { summaryPanel } from './summary.js';
import { say, sayError } from '../lib/said.js';
import { supervisorControls } from './supervisor-controls.js';

const KEY = 'infocig.dashboard.dev';
const LANG_KEY = 'infocig.lang';
const POLL_MS = 5000;
/**
 * The server pushes the live view every 2 s (server/dashboard-feed.ts) but skips a round whose read
 * failed (the database unreachable, say): with the socket still open the page would go on saying
 * "in tempo reale" over figures frozen for minutes. Five missed rounds and it reads by itself.
 */
const STALL_MS = 10_000;
const SEDI = [
  ['SEDE-MI', 'Milano'], ['SEDE-RM', 'Roma'], ['SEDE-NA', 'Napoli'], ['SEDE-TO', 'Torino'], ['SEDE-GE', 'Genova'],
  ['SEDE-BO', 'Bologna'], ['SEDE-FI', 'Firenze'], ['SEDE-BA', 'Bari'], ['SEDE-PA', 'Palermo'], ['SEDE-VE', 'Venezia'], ['SEDE-BZ', 'Bolzano/Bozen'],
];
const announce = announcer($('#announce'));

const state = {
  me: null,
  /** The sign-in: { me, getToken, signOut } (the identity provider's, or the development picker's). */
  session: null,
  live: null,
  mode: 'poll',
  pollTimer: null,
  client: null,
  error: null,
  /** When the last live view arrived (Date.now()), by push or by poll; the timer that watches it. */
  liveAt: 0,
  watchdog: null,
};

const isSupervisor = () => state.me?.role === 'supervisor';

// ---------------------------------------------------------------------------
// Sign-in and HTTP

const saved = () => savedChoice(KEY, (c) => c.role === 'supervisor' || c.role === 'office');
const mint = (choice) => mintDevToken({ ...choice, ttlSeconds: 3600 });

/** The development sign-in's session for `choice`: an hour's token, minted again after 50 minutes (or when `fresh`). */
function devSession(choice) {
  let token = null;
  let until = 0;
  return {
    me: choice,
    async getToken(fresh = false) {
      if (!fresh && token && Date.now() < until) return token;
      token = await mint(choice);
      until = Date.now() + 50 * 60_000;
      return token;
    },
    signOut: () => forget(KEY),
  };
}

const token = (fresh = false) => state.session.getToken(fresh);

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
  // Refused twice, a fresh token included: an answer (401), said as a session to renew, not as a lost connection.
  throw Object.assign(new Error('unauthenticated'), { code: 'unauthenticated', status: 401 });
}

/** Saves a CSV answer under the name its Content-Disposition gives. */
async function saveCsv(res, fallback) {
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallback;
  saveBlob(name, await res.blob());
}

function devSignIn() {
  if (saved()) return start(devSession(saved()));
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
    const session = devSession(choice);
    try {
      await session.getToken(true);
    } catch (x) {
      if (x.status === 404) say(err, () => dt('signin.unavailable'));
      else sayError(err, x, () => ({ lead: dt('signin.failed') }));
      return;
    }
    writeJson(KEY, choice);
    $('#signin').hidden = true;
    start(session);
  });
}

// ---------------------------------------------------------------------------
// The panels, each given what it needs

const summary = summaryPanel();
const charts = historyPanel({ api, saveCsv });
const controls = supervisorControls({ api, announce, isSupervisor, loadHistory: charts.load });
const provinces = provincesTable({ state, api, announce, isSupervisor, loadAudit: controls.loadAudit });
const renderAccess = accessLogPanel(api, saveCsv);
const notices = announcementsPanel({ api, announce, isSupervisor, loadAudit: controls.loadAudit });

function render(live) {
  state.live = live;
  state.liveAt = Date.now();
  summary.render(live);
  renderMode();
  provinces.render();
  renderAdvisors(live);
  renderLanguages(live);
  renderTickets(live);
  controls.renderMoveOptions(live);
}

function renderMode() {
  $('#updated').textContent = state.live ? dt('updated', { time: formatTime(state.live.at) }) : '';
  const s = POLL_MS / 1000;
  const mode = $('#mode');
  if (state.error === 'offline') mode.textContent = dt('mode.offline', { s });
  // The page reads again by itself: the words say why, not "try again".
  else if (state.error) mode.replaceChildren(...errorNodes(state.error, { lead: dt('mode.error'), tail: dt('mode.retry', { s }), retrying: true }));
  else mode.textContent = state.mode === 'ws' ? dt('mode.ws') : dt('mode.poll', { s });
  // Figures that stopped updating must not pass for live ones at a glance: the line turns into a warning.
  $('#live-note').classList.toggle('stale', Boolean(state.error));
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
      // No HTTP answer at all (fetch threw): the connection is down, which the page says in words, not with a code.
      state.error = err.status ? err : 'offline';
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
    if (f.type !== 'dashboard.update' || !f.live) return;
    // Pushes again after a stall: back to them, the polling stops.
    if (state.mode !== 'ws') {
      stopPolling();
      state.mode = 'ws';
      state.error = null;
    }
    render(f.live);
  });
  state.watchdog ??= setInterval(() => {
    if (state.mode === 'ws' && Date.now() - state.liveAt > STALL_MS) startPolling();
  }, STALL_MS / 4);
  client.on('status', (s) => {
    if (s !== 'open' && state.mode === 'ws') {
      state.mode = 'poll';
      startPolling();
    }
  });
  client.connect();
}

// ---------------------------------------------------------------------------
// Start

function renderMe() {
  const me = state.me;
  $('#me').textContent = me ? dt(me.role === 'office' ? 'me.office' : 'me.supervisor', { name: me.name, sede: me.sede }) : '';
  $('#signout').hidden = !me;
}

function start(session) {
  state.session = session;
  state.me = session.me;
  renderMe();
  $('#board').hidden = false;
  for (const el of document.querySelectorAll('.supervisor-only')) el.hidden = !isSupervisor();
  $('#show-all-label').hidden = !isSupervisor();
  document.body.dataset.role = state.me.role;
  provinces.renderHead();
  controls.suggestDay();
  connectLive();
  startPolling(); // until the socket says it pushes
  void charts.load();
  void controls.loadAudit();
  notices.suggestWindow();
  void notices.load();
}

async function init() {
  const select = $('#lang');
  select.replaceChildren(...Object.entries(LANGS).map(([code, name]) => h('option', { value: code, lang: code }, name)));
  const stored = readText(LANG_KEY);
  setLang(stored ?? 'it');
  select.value = lang();
  select.addEventListener('change', () => {
    writeText(LANG_KEY, select.value);
    setLang(select.value);
  });
  onLangChange(() => {
    applyI18n(document);
    applyStrings(document);
    document.title = dt('title');
    renderMe();
    if (!state.me) return;
    provinces.renderHead();
    if (state.live) {
      summary.forget();
      render(state.live);
    }
    charts.render();
    controls.renderAudit();
    notices.render();
    renderAccess();
  });
  applyStrings(document);
  document.title = dt('title');
  $('#signout').addEventListener('click', () => {
    state.session?.signOut();
    stop();
    location.reload();
  });
  const signedIn = await staffSignIn({ page: 'dashboard', roles: ['supervisor', 'office'] });
  if (signedIn?.method === 'oidc') start(signedIn);
  else if (signedIn?.method === 'dev') devSignIn();
}

void init();
