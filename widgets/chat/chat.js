/**
 * The INFO CIG chat app for workers, employers and intermediaries: inside the
 * bubble's iframe (?embed=1&host=<parent origin>) or as a full page (/chat/,
 * e.g. from the Cassetto previdenziale, with ?entry=cassetto).
 *
 * Embedded, it trusts exactly one window and origin: window.parent at `host`
 * (a bare http(s) origin, cross-checked with location.ancestorOrigins where the
 * browser has it); the token comes from the host page through postMessage.
 */
import { ChatClient } from '../lib/chat-client.js';
import { LANGS, applyI18n, formatTime, formatWhen, label, lang, onLangChange, setLang, t } from '../i18n.js';
import { $, MessageList, announcer, downloadText, enterToSend, fileStamp, h, typingNotifier } from '../lib/ui.js';
import { cleanContext, embedBridge, hostOrigin } from './embed.js';
import { TOPICS, formDirty, initTickets, mountClosed, offerTicket, openMine, renderTickets } from './tickets.js';

/** Views of the Linea INPS part: a reconnect or an availability re-check does not take the user away from them. */
const TICKET_VIEWS = ['closing', 'ticket', 'done', 'list', 'thread'];
const ENTRIES = ['omnia', 'cassetto', 'worker_area', 'other'];
const BASE_TITLE = document.title;

const params = new URLSearchParams(location.search);
const announce = announcer($('#announce'));

const state = {
  embed: false,
  bridge: null,
  parentVisible: true,
  context: {},
  entry: 'other',
  client: null,
  view: 'loading',
  conv: null,
  peerName: '',
  topic: '',
  queue: null,
  closedInfo: null,
  /** The last chat.request asked for ({ topic, text }): prefills a Linea INPS request if the chat does not happen. */
  request: null,
  /** closing_soon: { etaSeconds, closesAt } */
  closing: null,
  endedByMe: false,
  closingByMe: false,
  unread: 0,
  lastReadSent: 0,
  wasReconnecting: false,
  recheck: null,
  typingTimer: null,
};

const list = new MessageList($('#log'), {
  myId: () => state.client?.user?.id ?? null,
  nameOf: () => state.peerName || t('common.advisor'),
});

// ---------------------------------------------------------------------------
// Static parts

function buildStatic() {
  const sel = $('#lang');
  for (const [code, name] of Object.entries(LANGS)) sel.append(h('option', { value: code, lang: code }, name));
  sel.addEventListener('change', () => setLang(sel.value));

  const topics = $('#topics');
  for (const code of TOPICS) {
    topics.append(h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'topic', value: code }), h('span', { 'data-i18n': `topic.${code}` })));
  }
  const rating = $('#rating');
  const scale = h('div', { class: 'rating-scale' });
  for (let i = 1; i <= 5; i++) {
    scale.append(h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'rating', value: String(i) }), h('span', { 'data-i18n': `rate.${i}` })));
  }
  rating.append(scale);
  initTickets({
    client: () => state.client,
    showView,
    view: () => state.view,
    announce,
    home: () => void checkAvailability(),
  });
}

onLangChange((code) => {
  $('#lang').value = code;
  renderDynamic();
});

function renderDynamic() {
  renderConn(state.client?.status ?? 'connecting');
  if (state.queue) renderQueue(state.queue);
  if (state.closedInfo) renderClosed(state.closedInfo);
  renderClosing();
  renderTickets();
  if (state.conv) renderChatHead();
  $('#ended-text').textContent = t(state.endedByMe ? 'ended.byMe' : 'ended.byPeer');
}

// ---------------------------------------------------------------------------
// Views

function showView(name) {
  const next = $(`#view-${name}`);
  const active = document.activeElement;
  const hadFocus = active && active !== document.body && active.closest('.view') && active.closest('.view') !== next;
  // Nothing focused yet while this document has the focus (the bubble just opened on "Caricamento…",
  // or the page just loaded): the new view takes it, so a keyboard user does not start from <body>.
  const unfocused = (!active || active === document.body) && document.hasFocus();
  for (const v of document.querySelectorAll('.view')) v.hidden = v !== next;
  state.view = name;
  document.body.dataset.view = name;
  if (hadFocus || unfocused) focusView(name);
  post('session', { active: name === 'queue' || name === 'chat' });
}

function focusView(name) {
  if (name === 'chat') $('#text').focus();
  else $(`#view-${name} h2`)?.focus();
}

function showError(text, canRetry = true) {
  $('#error-text').textContent = text;
  $('#error-retry').hidden = !canRetry;
  showView('error');
}

// ---------------------------------------------------------------------------
// Connection state

function renderConn(status) {
  const box = $('#conn');
  const text = $('#conn-text');
  box.dataset.status = status;
  $('#conn-retry').hidden = status !== 'closed';
  if (status === 'open') {
    box.hidden = true;
    text.textContent = '';
    return;
  }
  box.hidden = false;
  text.textContent = t(`conn.${status === 'idle' ? 'connecting' : status}`);
}

// ---------------------------------------------------------------------------
// Availability

async function checkAvailability() {
  const c = state.client;
  const province = c.user?.province;
  const audience = ['worker', 'employer', 'intermediary'].includes(c.role) ? c.role : 'worker';
  clearTimeout(state.recheck);
  if (!province) return showStart(null);
  try {
    const av = await c.availability(province, audience);
    if (av.open) showStart(av);
    else showClosed(av);
  } catch {
    showStart(null, t('avail.error'));
  }
}

function showStart(av, note) {
  state.closedInfo = null;
  state.queue = null;
  state.conv = null;
  $('#start-avail').textContent = note ?? (av?.closesAt ? t('avail.openUntil', { time: formatTime(av.closesAt) }) : av ? t('avail.open') : '');
  $('#start-error').textContent = '';
  showView('start');
}

function showClosed(info) {
  state.closedInfo = info;
  renderClosed(info);
  showView('closed');
  // Look again by itself when it opens (if that is within a day).
  const ms = info.opensAt ? new Date(info.opensAt).getTime() - Date.now() : NaN;
  clearTimeout(state.recheck);
  // Not while the user is writing a request: "Verifica di nuovo" is there for that.
  if (ms > 0 && ms < 86_400_000) state.recheck = setTimeout(() => state.view === 'closed' && !formDirty() && checkAvailability(), ms + 2000);
  mountClosed(prefillFromChat());
}

/** What the user already told the chat, for the request form. */
function prefillFromChat() {
  const form = $('#start-form').elements;
  return {
    category: state.request?.topic ?? form.topic.value,
    body: state.request?.text ?? $('#question').value.trim(),
    matricola: state.context.matricola,
  };
}

/** Asks for a chat; the refusals that offer a Linea INPS request are handled here, others are returned. */
async function askChat(req, waitAnyway = false) {
  state.request = req;
  const f = { topic: req.topic, entry: state.entry, lang: lang() };
  if (req.text) f.text = req.text;
  if (Object.keys(state.context).length) f.context = state.context;
  if (waitAnyway) f.waitAnyway = true;
  try {
    await state.client.request('chat.request', f);
    $('#question').value = '';
    return null;
  } catch (err) {
    if (err?.code === 'service_closed') showClosed({ reason: err.reason, opensAt: err.opensAt });
    else if (err?.code === 'closing_soon') showClosing(err);
    else if (err?.code === 'ticket_only') offerTicket({ code: 'ticket_only' }, prefillFromChat());
    else return err ?? { code: 'error' };
    return null;
  }
}

function showClosing(f) {
  state.closing = { etaSeconds: f.etaSeconds, closesAt: f.closesAt };
  renderClosing();
  $('#closing-error').textContent = '';
  showView('closing');
  $('#closing-title').focus();
}

function renderClosing() {
  const c = state.closing;
  if (!c) return;
  $('#closing-text').textContent = t('tk.closing.text', { minutes: Math.max(1, Math.ceil((c.etaSeconds ?? 0) / 60)), time: formatTime(c.closesAt) });
}

function renderClosed(info) {
  const reasons = ['outside_hours', 'weekend', 'holiday', 'not_rolled_out'];
  const key = reasons.includes(info.reason) ? info.reason : 'other';
  $('#closed-reason').textContent = t(`avail.reason.${key}`, { holiday: info.holiday ? ` (${info.holiday})` : '' });
  $('#closed-opens').textContent = info.opensAt ? t('avail.opensAt', { when: formatWhen(info.opensAt) }) : '';
}

// ---------------------------------------------------------------------------
// Queue

function showQueue(info) {
  const before = state.queue;
  state.queue = { position: info.position, etaSeconds: info.etaSeconds };
  renderQueue(state.queue);
  if (state.view !== 'queue') showView('queue');
  if (before?.position !== info.position || before?.etaSeconds !== info.etaSeconds) post('event', { name: 'queue', detail: { ...state.queue } });
}

function renderQueue({ position, etaSeconds }) {
  $('#queue-number').textContent = String(position);
  const where = position <= 1 ? t('queue.first') : t('queue.position', { position });
  const minutes = Math.ceil((etaSeconds ?? 0) / 60);
  const eta = etaSeconds < 60 ? t('queue.eta.soon') : minutes === 1 ? t('queue.eta.minute') : t('queue.eta.minutes', { minutes });
  $('#queue-status').textContent = `${where} ${eta}`;
}

// ---------------------------------------------------------------------------
// Conversation

function showChat(info) {
  if (state.conv !== info.conversationId) {
    list.clear();
    state.lastReadSent = 0;
  }
  state.conv = info.conversationId;
  state.queue = null;
  state.request = null;
  state.peerName = info.peer?.name || '';
  state.topic = info.topic || '';
  state.endedByMe = false;
  state.closingByMe = false;
  renderChatHead();
  setComposer(true);
  $('#rate-form').hidden = true;
  $('#end').hidden = false;
  $('#typing').textContent = '';
  showView('chat');
}

function renderChatHead() {
  $('#chat-peer').textContent = t('chat.with', { name: state.peerName || t('chat.anAdvisor') });
  $('#chat-topic').textContent = state.topic ? t('chat.topic', { topic: label('topic', state.topic) }) : '';
}

function setComposer(enabled) {
  for (const el of $('#composer').elements) el.disabled = !enabled;
}

function showEnded(byMe) {
  state.endedByMe = byMe;
  $('#ended-text').textContent = t(byMe ? 'ended.byMe' : 'ended.byPeer');
  setComposer(false);
  $('#typing').textContent = '';
  showView('ended');
  post('event', { name: 'ended', detail: { conversationId: state.conv } });
}

function isVisible() {
  return document.visibilityState === 'visible' && state.parentVisible;
}

function maybeRead() {
  if (!state.conv || !isVisible() || state.view !== 'chat') return;
  const max = list.maxSeq();
  if (max > state.lastReadSent && state.client.read(state.conv, max)) state.lastReadSent = max;
}

function setUnread(n) {
  if (n === state.unread) return;
  state.unread = n;
  post('unread', { count: n });
  if (!state.embed) document.title = n ? `(${n}) ${BASE_TITLE}` : BASE_TITLE;
}

function transcriptText() {
  const header = [
    `${t('transcript.conversation')}: ${state.conv ?? ''}`,
    `${t('transcript.topic')}: ${label('topic', state.topic)}`,
    `${t('transcript.with')}: ${state.peerName || t('common.advisor')}`,
  ];
  return list.transcript(header);
}

function download() {
  downloadText(`infocig-${fileStamp()}.txt`, transcriptText());
}

// ---------------------------------------------------------------------------
// Client events

function wire(client) {
  client.on('status', (s) => {
    renderConn(s);
    if (s === 'reconnecting') state.wasReconnecting = true;
    if (s === 'open' && state.wasReconnecting) {
      state.wasReconnecting = false;
      announce(t('chat.reconnected'));
    }
  });

  client.on('welcome', (f) => {
    const open = (f.conversations ?? []).find((c) => c.status === 'open');
    if (open) {
      if (state.conv !== open.conversationId || state.view !== 'chat') showChat(open);
      post('event', { name: 'assigned', detail: { conversationId: open.conversationId, advisorName: open.peer?.name ?? null, resumed: true } });
      return;
    }
    if (f.waiting) return showQueue(f.waiting);
    if (f.reconnected && (state.view === 'chat' || state.view === 'ended')) return; // a close, if any, is replayed
    if (f.reconnected && (TICKET_VIEWS.includes(state.view) || (state.view === 'closed' && formDirty()))) return;
    void checkAvailability();
  });

  client.on('queue', (f) => {
    if (f.kind === 'left') {
      if (state.view === 'queue' && f.offerTicket) {
        offerTicket({ code: f.reason === 'closed' ? 'closed' : 'timeout' }, prefillFromChat());
        return;
      }
      if (state.view === 'queue') {
        announce(t('queue.left'));
        void checkAvailability();
      }
      return;
    }
    showQueue(f);
  });

  client.on('assigned', (f) => {
    showChat(f);
    const name = f.peer?.name || t('chat.anAdvisor');
    announce(t('chat.assigned', { name }));
    post('event', { name: 'assigned', detail: { conversationId: f.conversationId, advisorName: f.peer?.name ?? null } });
    if (!isVisible()) setUnread(state.unread + 1);
  });

  client.on('history', ({ conversationId, conversation }) => {
    if (conversationId !== state.conv) return;
    if (!state.peerName && conversation.advisor?.name) {
      state.peerName = conversation.advisor.name;
      renderChatHead();
    }
    maybeRead();
  });

  client.on('pending', (p) => {
    if (p.conversationId !== state.conv) return;
    list.add({ ...p, mine: true, from: { id: client.user?.id } });
  });

  client.on('message', (m) => {
    if (m.conversationId !== state.conv) return;
    const fresh = list.add(m);
    if (!m.mine && fresh) {
      $('#typing').textContent = '';
      if (!m.history && !isVisible()) setUnread(state.unread + 1);
    }
    maybeRead();
  });

  client.on('failed', (f) => {
    list.markFailed(f.clientMsgId);
    if (f.conversationId === state.conv && f.code !== 'conversation_closed') $('#send-error').textContent = t('error.generic', { code: f.code });
  });

  client.on('read', (f) => {
    if (f.conversationId === state.conv) list.markRead(f.seq);
  });

  client.on('typing', (f) => {
    if (f.conversationId !== state.conv) return;
    clearTimeout(state.typingTimer);
    $('#typing').textContent = f.active ? t('chat.typing', { name: state.peerName || t('common.advisor') }) : '';
    if (f.active) state.typingTimer = setTimeout(() => ($('#typing').textContent = ''), 6000);
  });

  client.on('closed', (f) => {
    if (f.conversationId !== state.conv) return;
    const byMe = state.closingByMe || f.closedBy === client.user?.id;
    showEnded(byMe);
  });

  client.on('reset', (f) => {
    if (f.conversationId !== state.conv) return;
    list.clear();
    state.lastReadSent = 0;
    if (f.reason === 'unknown_conversation') void checkAvailability();
  });

  client.on('error', (f) => {
    if (f.closeCode) {
      showError(t('error.auth'));
      return;
    }
    if (f.code === 'rate_limited') $('#send-error').textContent = t('error.rate_limited');
  });
}

// ---------------------------------------------------------------------------
// Controls

function wireControls() {
  $('#conn-retry').addEventListener('click', () => state.client?.connect());
  $('#error-retry').addEventListener('click', () => {
    if (!state.client) return location.reload();
    $('#view-error').hidden = true;
    state.client.connect();
  });
  $('#closed-check').addEventListener('click', () => void checkAvailability());

  $('#start-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const topic = form.elements.topic.value;
    const err = $('#start-error');
    err.textContent = '';
    if (!topic) {
      err.textContent = t('start.pickTopic');
      form.querySelector('input[name="topic"]').focus();
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const f = await askChat({ topic, text: $('#question').value.trim() });
      if (f) err.textContent = f.code === 'already_in_conversation' ? t('start.already') : t('start.failed', { code: f.code ?? 'error' });
    } finally {
      button.disabled = false;
    }
  });
  for (const id of ['#start-mine', '#closed-mine']) $(id).addEventListener('click', () => openMine());
  $('#closing-wait').addEventListener('click', async () => {
    $('#closing-error').textContent = '';
    const f = await askChat(state.request, true);
    if (f) $('#closing-error').textContent = t('start.failed', { code: f.code ?? 'error' });
  });
  $('#closing-leave').addEventListener('click', () => offerTicket({ code: 'closing', closesAt: state.closing?.closesAt }, prefillFromChat(), 'closing'));

  $('#queue-cancel').addEventListener('click', () => {
    state.client.cancelChat().catch(() => void checkAvailability());
  });

  const text = $('#text');
  const composer = $('#composer');
  const typing = typingNotifier((active) => state.conv && state.client.typing(state.conv, active));
  enterToSend(text, composer);
  text.addEventListener('input', () => {
    $('#send-error').textContent = '';
    if (text.value.trim()) typing.input();
  });
  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = text.value.trim();
    if (!value || !state.conv) return;
    typing.stop();
    state.client.sendMessage(state.conv, value);
    text.value = '';
    text.focus();
  });

  $('#download').addEventListener('click', download);
  $('#ended-download').addEventListener('click', download);
  $('#end').addEventListener('click', () => {
    $('#rate-form').hidden = false;
    $('#end').hidden = true;
    $('#rate-title').focus();
  });
  $('#rate-cancel').addEventListener('click', () => {
    $('#rate-form').hidden = true;
    $('#end').hidden = false;
    $('#end').focus();
  });
  $('#rate-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const rating = Number(e.currentTarget.elements.rating.value) || undefined;
    state.closingByMe = true;
    try {
      await state.client.closeConversation(state.conv, { rating });
    } catch (f) {
      state.closingByMe = false;
      $('#send-error').textContent = t('error.generic', { code: f?.code ?? 'error' });
    }
  });
  $('#ended-new').addEventListener('click', () => {
    list.clear();
    state.conv = null;
    void checkAvailability().then(() => focusView(state.view));
  });

  document.addEventListener('visibilitychange', () => {
    if (isVisible()) {
      setUnread(0);
      maybeRead();
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && state.embed) post('minimize');
  });
  $('#minimize').addEventListener('click', () => post('minimize'));
}

// ---------------------------------------------------------------------------
// Embedding

function post(type, data = {}) {
  state.bridge?.post(type, data);
}

function setParentVisible(visible) {
  state.parentVisible = !!visible;
  if (isVisible()) {
    setUnread(0);
    maybeRead();
  }
}

function waitForInit(bridge) {
  return new Promise((resolve) => {
    bridge.on('init', resolve);
    bridge.on('context', (d) => (state.context = cleanContext(d.context)));
    bridge.on('lang', (d) => setLang(d.lang));
    bridge.on('visible', (d) => setParentVisible(d.visible));
    bridge.on('focus', () => focusView(state.view));
    bridge.post('ready', {});
  });
}

// ---------------------------------------------------------------------------
// Start

function start(getToken) {
  const client = new ChatClient({ baseUrl: new URL('../', location.href).href, getToken });
  state.client = client;
  window.infocigChat = client; // for support and tests
  wire(client);
  client.connect();
}

async function boot() {
  buildStatic();
  setLang(params.get('lang') || navigator.language);
  wireControls();
  renderConn('connecting');
  if (params.get('embed') === '1') {
    const host = hostOrigin(params);
    if (!host) return showError(t('error.embed'), false);
    state.embed = true;
    document.body.classList.add('embedded');
    $('#minimize').hidden = false;
    state.bridge = embedBridge(host);
    const init = await waitForInit(state.bridge);
    if (init.lang) setLang(init.lang);
    state.context = cleanContext(init.context);
    state.entry = ENTRIES.includes(init.entry) ? init.entry : 'other';
    setParentVisible(init.visible);
    start(() => state.bridge.getToken());
    return;
  }
  state.entry = ENTRIES.includes(params.get('entry')) ? params.get('entry') : 'other';
  $('#conn').hidden = true;
  const method = await fetch(new URL('../api/v1/sign-in', location.href)).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  if (!method) return showError(t('error.generic', { code: 'sign_in_unavailable' }));
  if (method.method === 'oidc') return startWithOidc(method);
  if (method.method !== 'dev') return showError(t('error.hostOnly'), false);
  const { devSignIn, signOut } = await import('./dev-signin.js');
  const signout = $('#signout');
  signout.addEventListener('click', () => {
    signOut();
    location.reload();
  });
  const getToken = await devSignIn($('#view-signin'), () => showView('signin'));
  if (!getToken) return;
  signout.hidden = false;
  showView('loading');
  start(getToken);
}

/** Production: the identity provider signs the user in (OIDC code flow with PKCE), then the chat starts. */
async function startWithOidc(cfg) {
  const { oidcSignIn } = await import('./oidc-signin.js');
  let getToken;
  try {
    getToken = await oidcSignIn(cfg);
  } catch (err) {
    return showError(t('error.signin', { code: err.code ?? 'unknown' }));
  }
  showView('loading');
  start(getToken);
}

applyI18n();
void boot();
