/**
 * The INFO CIG chat app for workers, employers and intermediaries: inside the
 * bubble's iframe (?embed=1&host=<parent origin>) or as a full page (/chat/,
 * e.g. from the Cassetto previdenziale, with ?entry=cassetto).
 *
 * Embedded, it trusts exactly one window and origin: window.parent at `host`
 * (a bare http(s) origin, cross-checked with location.ancestorOrigins where the
 * browser has it); the token comes from the host page through postMessage.
 *
 * This is the entry point the page and the bubble load (index.html, loader.js):
 * it holds the one state object, switches views, shows the connection and
 * signs in or talks to the host page. Each part of the chat lives in its own
 * module and is handed the state and the functions it needs at start:
 * availability.js (the way in), queue-view.js, conversation.js, rating.js,
 * sign-out.js ("Esci" of the development sign-in) and tickets.js (Linea INPS
 * requests); embed.js checks what the host page sends.
 */
import { ChatClient } from '../lib/chat-client.js';
import { USER_LANGS, applyI18n, browserLang, offerLangs, offeredLang, onLangChange, setLang, t } from '../i18n.js';
import { errorNodes } from '../lib/error-words.js';
import { claimsOf } from '../lib/oidc-client.js';
import { say } from '../lib/said.js';
import { $, announcer, h, keepButtonNamesWhole } from '../lib/ui.js';
import { initAnnouncements, renderAnnouncements, showAnnouncements } from './announcements.js';
import { checkAvailability, initAvailability, renderAvailability } from './availability.js';
import { initConversation, keepForHandover, renderConversation, restoreEnded, seenIfVisible, showChat, wireConversation } from './conversation.js';
import { cleanContext, embedBridge, hostOrigin } from './embed.js';
import { initQueue, placeLost, renderQueueView, showQueue, wireQueue } from './queue-view.js';
import { initRating } from './rating.js';
import { formDirty, initTickets, keepPlace, renderTickets, restorePlace, wireTickets } from './tickets.js';

/** Views of the Linea INPS part: a reconnect or an availability re-check does not take the user away from them. */
const TICKET_VIEWS = ['closing', 'ticket', 'done', 'list', 'thread'];
const ENTRIES = ['omnia', 'cassetto', 'worker_area', 'other'];

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
  /** How many times a view was shown: an answer that arrives after the user moved on must not move them back. */
  navigation: 0,
  conv: null,
  peerName: '',
  /** The advisor now in the chat: messages from another (before a hand-over) are not given their name. */
  peerId: null,
  topic: '',
  queue: null,
  closedInfo: null,
  /** The last chat.request asked for ({ topic, text }): prefills a Linea INPS request if the chat does not happen. */
  request: null,
  /** closing_soon: { etaSeconds, closesAt } */
  closing: null,
  endedByMe: false,
  /** Where an escalated chat went (protocol, sede, due time), for the ended view. */
  handedTo: null,
  closingByMe: false,
  unread: 0,
  lastReadSent: 0,
  wasReconnecting: false,
  recheck: null,
  typingTimer: null,
  /**
   * Whether the page's language was chosen: by ?lang=, by the host page (data-lang, setLanguage)
   * or with the picker. Until then the browser's languages decide, and a `lang` claim in the
   * sign-in token (our identity provider may send one; SPID and CIE do not) overrides them.
   */
  langChosen: false,
};

// ---------------------------------------------------------------------------
// Static parts

function buildStatic() {
  const sel = $('#lang');
  for (const [code, name] of Object.entries(USER_LANGS)) sel.append(h('option', { value: code, lang: code }, name));
  sel.addEventListener('change', () => {
    state.langChosen = true;
    setLang(sel.value);
  });

  initAvailability({ state, showView });
  initQueue({ state, showView, post, announce });
  initConversation({ state, showView, focusView, post, announce });
  initRating({ state });
  initAnnouncements({ state, announce });
  initTickets({
    client: () => state.client,
    showView,
    view: () => state.view,
    navigation: () => state.navigation,
    announce,
    home: () => void checkAvailability(),
  });
}

onLangChange((code) => {
  $('#lang').value = code;
  keepButtonNamesWhole();
  renderDynamic();
  // The bubble's own label and the frame's title follow the chat's language.
  post('lang', { lang: code });
});

/**
 * The language the token asks for (its `lang` claim), when nothing more explicit chose one. Read
 * without verifying: it only picks the words on this page; the server verifies the token itself.
 */
function langFromToken(token) {
  if (state.langChosen) return;
  const claimed = offeredLang(claimsOf(token)?.lang);
  if (claimed) setLang(claimed);
}

function renderDynamic() {
  renderConn(state.client?.status ?? 'connecting');
  renderQueueView();
  renderAvailability();
  renderTickets();
  renderConversation();
  renderAnnouncements();
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
  state.navigation += 1;
  document.body.dataset.view = name;
  keepPlace(name);
  showAnnouncements(name);
  if (hadFocus || unfocused) focusView(name);
  post('session', { active: name === 'queue' || name === 'chat' });
}

function focusView(name) {
  if (name === 'chat') $('#text').focus();
  else $(`#view-${name} h2`)?.focus();
}

/**
 * The error view: `words()` a sentence, or a refusal's nodes (its words and its code apart, errorNodes),
 * said again in a new language (lib/said.js).
 */
function showError(words, canRetry = true) {
  say($('#error-text'), words);
  $('#error-retry').hidden = !canRetry;
  showView('error');
}

// ---------------------------------------------------------------------------
// Connection state

/**
 * "Riconnessione…" while a retry is due; "Connessione assente", with "Riprova", only when the client has
 * stopped, the browser is offline or many tries in a row failed (ChatConnection.lost()): after a server
 * restart the page is back within seconds, and "no connection" meanwhile sent people away.
 */
function renderConn(status) {
  const box = $('#conn');
  const text = $('#conn-text');
  const lost = status !== 'closed' && status !== 'open' && status !== 'idle' && !!state.client?.lost();
  box.dataset.status = status;
  box.toggleAttribute('data-lost', lost);
  $('#conn-retry').hidden = status !== 'closed' && !lost;
  if (status === 'open') {
    box.hidden = true;
    text.textContent = '';
    return;
  }
  box.hidden = false;
  text.textContent = lost ? t('conn.lost') : t(`conn.${status === 'idle' ? 'connecting' : status}`);
}

// ---------------------------------------------------------------------------
// Client events: the connection, and where a (re)connection lands

function wire(client) {
  // Each failed try, and the browser going offline or online, may turn "reconnecting…" into "no connection" and back.
  client.on('retry', () => renderConn(client.status));
  for (const name of ['online', 'offline']) window.addEventListener(name, () => renderConn(client.status));
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
    // Open but naming no advisor, and waiting: the chat is being handed over (its advisor left, or passed it
    // back to the queue). The user sees their place, as the live `queue.joined` showed it, not a chat nobody
    // is in; its messages are kept for the advisor who takes it over.
    if (open && !open.peer?.id && f.waiting) {
      keepForHandover(open);
      return showQueue(f.waiting, { handedOn: true });
    }
    if (open) {
      if (state.conv !== open.conversationId || state.view !== 'chat') showChat(open);
      post('event', { name: 'assigned', detail: { conversationId: open.conversationId, advisorName: open.peer?.name ?? null, resumed: true } });
      return;
    }
    if (f.waiting) return showQueue(f.waiting, { handedOn: false });
    if (f.reconnected && state.view === 'queue') return placeLost();
    if (f.reconnected && (state.view === 'chat' || state.view === 'ended')) return; // a close, if any, is replayed
    if (f.reconnected && (TICKET_VIEWS.includes(state.view) || (state.view === 'closed' && formDirty()))) return;
    // A reload while a chat's end was on screen shows it again (with its rating question, if still open).
    if (!f.reconnected && restoreEnded()) return;
    // A reload on "Le mie richieste" or a request opened from it: the list again, with its search.
    if (!f.reconnected && restorePlace()) return;
    void checkAvailability();
  });

  wireQueue(client);
  wireConversation(client);
  wireTickets(client);

  client.on('error', (f) => {
    if (f.closeCode) {
      showError(() => t(f.code === 'too_many_sockets' ? 'error.tooManySockets' : 'error.auth'));
      return;
    }
    if (f.code === 'rate_limited') say($('#send-error'), () => t('error.rate_limited'));
  });
}

// ---------------------------------------------------------------------------
// Controls of the frame around the views

function wireControls() {
  $('#conn-retry').addEventListener('click', () => state.client?.connect());
  $('#error-retry').addEventListener('click', () => {
    if (!state.client) return location.reload();
    $('#view-error').hidden = true;
    state.client.connect();
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
  seenIfVisible();
}

function waitForInit(bridge) {
  return new Promise((resolve) => {
    bridge.on('init', resolve);
    bridge.on('context', (d) => (state.context = cleanContext(d.context)));
    bridge.on('lang', (d) => {
      state.langChosen = true;
      setLang(d.lang);
    });
    bridge.on('visible', (d) => setParentVisible(d.visible));
    bridge.on('focus', () => focusView(state.view));
    bridge.post('ready', {});
  });
}

// ---------------------------------------------------------------------------
// Start

function start(getToken) {
  const client = new ChatClient({
    baseUrl: new URL('../', location.href).href,
    getToken: async () => {
      const token = await getToken();
      langFromToken(token);
      return token;
    },
  });
  state.client = client;
  window.infocigChat = client; // for support and tests
  wire(client);
  client.connect();
}

async function boot() {
  buildStatic();
  // ?lang= (the bubble passes the host page's, when it names one), else the browser's own preference:
  // a South Tyrolean whose browser prefers German reads German; one who prefers Italian, Italian; the
  // picker is there. The sign-in token's `lang` claim, if any, comes between the two (langFromToken).
  state.langChosen = offeredLang(params.get('lang')) !== null;
  setLang(params.get('lang') || browserLang());
  wireControls();
  renderConn('connecting');
  if (params.get('embed') === '1') {
    const host = hostOrigin(params);
    if (!host) return showError(() => t('error.embed'), false);
    state.embed = true;
    document.body.classList.add('embedded');
    $('#minimize').hidden = false;
    state.bridge = embedBridge(host);
    const init = await waitForInit(state.bridge);
    if (offeredLang(init.lang)) {
      state.langChosen = true;
      setLang(init.lang);
    }
    state.context = cleanContext(init.context);
    state.entry = ENTRIES.includes(init.entry) ? init.entry : 'other';
    setParentVisible(init.visible);
    start(() => state.bridge.getToken());
    return;
  }
  state.entry = ENTRIES.includes(params.get('entry')) ? params.get('entry') : 'other';
  $('#conn').hidden = true;
  const method = await fetch(new URL('../api/v1/sign-in', location.href)).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  if (!method) return showError(() => errorNodes('sign_in_unavailable'));
  if (method.method === 'oidc') return startWithOidc(method);
  if (method.method !== 'dev') return showError(() => t('error.hostOnly'), false);
  const { devSignIn, signOut } = await import('./dev-signin.js');
  const getToken = await devSignIn($('#view-signin'), () => showView('signin'));
  if (!getToken) return;
  const { initSignOut } = await import('./sign-out.js');
  initSignOut({ state, signOut });
  showView('loading');
  start(getToken);
}

/** Production: the identity provider signs the user in (OIDC code flow with PKCE), then the chat starts. */
async function startWithOidc(cfg) {
  const { oidcSession } = await import('../lib/oidc-client.js');
  let getToken;
  try {
    getToken = await oidcSession(cfg, 'chat').signIn();
  } catch (err) {
    return showError(() => errorNodes(err, { lead: t('error.signin') }));
  }
  showView('loading');
  start(getToken);
}

offerLangs(USER_LANGS);
applyI18n();
void boot();
