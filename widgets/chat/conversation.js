/**
 * The conversation with an advisor: the message list, the composer with its
 * typing notice, read receipts and the unread count, the transcript download
 * and the ended view.
 *
 * Separate from chat.js because everything here is about one conversation
 * (`state.conv`): frames for another conversation are ignored in one place, and
 * what counts as seen (this page visible and, embedded, the host's bubble
 * open) decides both read receipts and the unread count the host page shows.
 */
import { formatDue, label, t } from '../i18n.js';
import { forget, readJson, writeJson } from '../lib/tab-store.js';
import { $, MessageList, downloadText, enterToSend, fileStamp, typingNotifier } from '../lib/ui.js';
import { checkAvailability } from './availability.js';
import { asksCompany } from './company.js';
import { showFailure } from './request-error.js';
import { offerRating } from './rating.js';
import { openMine, openThread } from './tickets.js';

const BASE_TITLE = document.title;
/**
 * The ended view on screen (sessionStorage), so that a reload shows it again, with the
 * rating question if it is still open: { conversationId, byMe, handedTo, peerName, topic }.
 */
const ENDED_KEY = 'infocig.chat.ended';
/**
 * The message being typed, with its conversation ({ conversationId, text }), kept in the tab until sent:
 * a reload, the host page moving to the wizard's next step (which reloads the bubble) or a new sign-in
 * at the identity provider no longer throws a long question away.
 */
const DRAFT_KEY = 'infocig.chat.draft';

function savedDraft(conversationId) {
  const saved = readJson(DRAFT_KEY);
  return saved?.conversationId === conversationId && typeof saved.text === 'string' ? saved.text : '';
}

function keepDraft() {
  const text = $('#text').value;
  writeJson(DRAFT_KEY, d.state.conv && text.trim() ? { conversationId: d.state.conv, text } : null);
}

/** deps: { state, showView(name), focusView(name), post(type, data), announce(text) } */
let d;
let list;
/** The ended view being shown again after a reload, until its `closed` arrives. */
let restoring = null;

export function showChat(info) {
  const { state } = d;
  const other = state.conv !== info.conversationId;
  if (other) {
    list.clear();
    state.lastReadSent = 0;
  }
  forgetEnded();
  state.conv = info.conversationId;
  state.queue = null;
  state.request = null;
  state.peerName = info.peer?.name || '';
  state.peerId = info.peer?.id ?? null;
  state.topic = info.topic || '';
  state.company = info.context?.matricola || '';
  // Said by each conversation.assigned (an advisor who does not list the user's language, after
  // the language overflow); a chat shown again from a resume keeps what it showed.
  if (info.type === 'conversation.assigned' || other) state.otherLanguage = info.otherLanguage === true;
  state.endedByMe = false;
  state.handedTo = null;
  state.closingByMe = false;
  renderChatHead();
  setComposer(true);
  // Another chat starts empty; the same one (after a reload or a reconnection) gets back what was being typed.
  if (other) $('#text').value = savedDraft(info.conversationId);
  $('#rate-form').hidden = true;
  $('#end').hidden = false;
  $('#typing').textContent = '';
  d.showView('chat');
}

/**
 * A chat waiting to be handed over, found at a welcome (a reload, a reconnection): it stays this
 * page's conversation, so its history fills the log and the next `conversation.assigned` shows
 * it, with what was being typed, as after a hand-over seen live. Nobody is in it meanwhile.
 */
export function keepForHandover(info) {
  const { state } = d;
  if (state.conv !== info.conversationId) {
    list.clear();
    state.lastReadSent = 0;
    $('#text').value = savedDraft(info.conversationId);
  }
  forgetEnded();
  state.conv = info.conversationId;
  state.peerName = '';
  state.peerId = null;
  state.topic = info.topic || '';
  state.company = info.context?.matricola || '';
  $('#typing').textContent = '';
}

function renderChatHead() {
  const { state } = d;
  $('#chat-peer').textContent = t('chat.with', { name: state.peerName || t('chat.anAdvisor') });
  $('#chat-topic').textContent = state.topic ? t('chat.topic', { topic: label('topic', state.topic) }) : '';
  // A consultant chose among their companies: the chat says which one it is about (an employer's goes without saying).
  const company = $('#chat-company');
  company.hidden = !state.company || !asksCompany(state.client?.role, state.client?.user?.matricole ?? []);
  company.textContent = company.hidden ? '' : t('chat.company', { matricola: state.company });
  const langNote = $('#chat-lang-note');
  langNote.hidden = !state.otherLanguage;
  langNote.textContent = state.otherLanguage ? t('chat.otherLanguage', { name: state.peerName || t('chat.anAdvisor') }) : '';
}

/** After a language change: the head of an open chat and the ended text. */
export function renderConversation() {
  if (d.state.conv) renderChatHead();
  list.relabel();
  renderEnded();
}

/**
 * The ended view's words. An escalated chat says where the question went (the
 * protocol, the sede, when the answer is due) and opens the request; after a
 * reconnect the close frame carries only the outcome, so it points to the list.
 */
function renderEnded() {
  const { endedByMe, handedTo } = d.state;
  const escalated = handedTo !== null && handedTo !== undefined;
  $('#ended-text').textContent = !escalated
    ? t(endedByMe ? 'ended.byMe' : 'ended.byPeer')
    : handedTo.protocol
      ? t('ended.escalated', { protocol: handedTo.protocol, sede: handedTo.sedeName || handedTo.sede || '' })
      : t('ended.escalatedMine');
  const due = escalated && handedTo.dueAt ? t('ended.escalatedDue', { due: formatDue(handedTo.dueAt) }) : '';
  $('#ended-ticket').textContent = due;
  $('#ended-ticket').hidden = !due;
  $('#ended-open-ticket').hidden = !escalated;
  $('#ended-open-ticket').textContent = t(escalated && !handedTo.ticketId ? 'tk.mine' : 'ended.openTicket');
}

function setComposer(enabled) {
  for (const el of $('#composer').elements) el.disabled = !enabled;
}

function showEnded(byMe, f = {}) {
  d.state.endedByMe = byMe;
  d.state.handedTo = f.outcome === 'escalated' ? { ticketId: f.ticketId, protocol: f.protocol, sede: f.sede, sedeName: f.sedeName, dueAt: f.dueAt } : null;
  renderEnded();
  offerRating({ rateUntil: f.rateUntil, byMe });
  setComposer(false);
  forgetMessageDraft();
  $('#typing').textContent = '';
  const { conv, handedTo, peerName, topic } = d.state;
  writeJson(ENDED_KEY, { conversationId: conv, byMe, handedTo, peerName, topic });
  d.showView('ended');
  // The host page (OMNIA IS, the Cassetto) learns of an escalation's protocol too, to show it beside the application.
  const ticket = d.state.handedTo?.protocol ? { protocol: d.state.handedTo.protocol, sede: d.state.handedTo.sede } : undefined;
  d.post('event', { name: 'ended', detail: { conversationId: d.state.conv, ...(ticket ? { ticket } : {}) } });
}

function isVisible() {
  return document.visibilityState === 'visible' && d.state.parentVisible;
}

function maybeRead() {
  const { state } = d;
  if (!state.conv || !isVisible() || state.view !== 'chat') return;
  const max = list.maxSeq();
  if (max > state.lastReadSent && state.client.read(state.conv, max)) state.lastReadSent = max;
}

function setUnread(n) {
  const { state } = d;
  if (n === state.unread) return;
  state.unread = n;
  d.post('unread', { count: n });
  if (!state.embed) document.title = n ? `(${n}) ${BASE_TITLE}` : BASE_TITLE;
}

/** The page or the host's bubble may have become visible: what is on screen now counts as read. */
export function seenIfVisible() {
  if (isVisible()) {
    setUnread(0);
    maybeRead();
  }
}

function transcriptText() {
  const { state } = d;
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

function onAssigned(f) {
  showChat(f);
  const name = f.peer?.name || t('chat.anAdvisor');
  d.announce(f.otherLanguage ? `${t('chat.assigned', { name })} ${t('chat.otherLanguage', { name })}` : t('chat.assigned', { name }));
  d.post('event', { name: 'assigned', detail: { conversationId: f.conversationId, advisorName: f.peer?.name ?? null } });
  // Not an unread message: the bubble counts only what the advisor wrote (the host page hears of the assignment apart).
}

function onHistory({ conversationId, conversation }) {
  const { state } = d;
  if (conversationId !== state.conv) return;
  if (!state.peerName && conversation.advisor?.name) {
    state.peerName = conversation.advisor.name;
    state.peerId = conversation.advisor.id ?? null;
    renderChatHead();
  }
  maybeRead();
}

function onMessage(m) {
  if (m.conversationId !== d.state.conv) return;
  const fresh = list.add(m);
  if (!m.mine && fresh) {
    $('#typing').textContent = '';
    if (!m.history && !isVisible()) setUnread(d.state.unread + 1);
  }
  maybeRead();
}

function onTyping(f) {
  const { state } = d;
  if (f.conversationId !== state.conv) return;
  clearTimeout(state.typingTimer);
  // The advisor's page repeats "typing" every 3 s while they write: the live line is written only when
  // its words change, or a screen reader would say "… sta scrivendo" again every 3 s.
  const text = f.active ? t('chat.typing', { name: state.peerName || t('common.advisor') }) : '';
  const line = $('#typing');
  if (line.textContent !== text) line.textContent = text;
  if (f.active) state.typingTimer = setTimeout(() => (line.textContent = ''), 6000);
}

function onReset(f) {
  if (f.conversationId !== d.state.conv) return;
  list.clear();
  d.state.lastReadSent = 0;
  if (f.reason === 'unknown_conversation') void checkAvailability();
}

/** The client's frames about the conversation (not `welcome`, which chat.js routes). */
export function wireConversation(client) {
  const { state } = d;
  client.on('assigned', onAssigned);
  client.on('history', onHistory);
  client.on('pending', (p) => {
    if (p.conversationId !== state.conv) return;
    list.add({ ...p, mine: true, from: { id: client.user?.id } });
  });
  client.on('message', onMessage);
  client.on('failed', (f) => {
    list.markFailed(f.clientMsgId);
    if (f.conversationId === state.conv && f.code !== 'conversation_closed') showFailure($('#send-error'), f, 'chat.notSent');
  });
  client.on('read', (f) => {
    if (f.conversationId === state.conv) list.markRead(f.seq);
  });
  client.on('typing', onTyping);
  client.on('closed', (f) => {
    if (f.conversationId !== state.conv) return;
    // Shown again after a reload: the frame, read over HTTP, has no closedBy nor the escalation's protocol; the page kept them.
    const saved = restoring?.conversationId === f.conversationId ? restoring : null;
    restoring = null;
    const byMe = saved ? saved.byMe : state.closingByMe || f.closedBy === client.user?.id;
    showEnded(byMe, saved?.handedTo && !f.protocol ? { ...f, ...saved.handedTo } : f);
  });
  client.on('reset', onReset);
}

// ---------------------------------------------------------------------------
// The ended view across a reload

export function forgetEnded() {
  forget(ENDED_KEY);
}

/** "Esci": the message being typed is not left in the tab for whoever signs in next. */
export function forgetMessageDraft() {
  forget(DRAFT_KEY);
}

function savedEnded() {
  const saved = readJson(ENDED_KEY);
  return typeof saved?.conversationId === 'string' ? saved : null;
}

/**
 * After a reload with no chat open nor a wait: the ended view that was on screen, read
 * again over HTTP (transcript, and whether it may still be rated). False when there was
 * none; a conversation no longer readable (another person signed in, erased) goes home.
 */
export function restoreEnded() {
  const saved = savedEnded();
  if (!saved) return false;
  const { state } = d;
  list.clear();
  state.conv = saved.conversationId;
  state.peerName = saved.peerName || '';
  state.topic = saved.topic || '';
  restoring = saved;
  state.client.loadHistory(saved.conversationId).then(
    (conv) => {
      if (conv.status === 'closed') return;
      restoring = null;
      forgetEnded();
      void checkAvailability();
    },
    () => {
      restoring = null;
      forgetEnded();
      state.conv = null;
      list.clear();
      void checkAvailability();
    },
  );
  return true;
}

// ---------------------------------------------------------------------------
// Controls

function wireComposer() {
  const { state } = d;
  const text = $('#text');
  const composer = $('#composer');
  const typing = typingNotifier((active) => state.conv && state.client.typing(state.conv, active));
  enterToSend(text, composer);
  text.addEventListener('input', () => {
    $('#send-error').textContent = '';
    keepDraft();
    if (text.value.trim()) typing.input();
  });
  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = text.value.trim();
    if (!value || !state.conv) return;
    typing.stop();
    state.client.sendMessage(state.conv, value);
    text.value = '';
    keepDraft();
    text.focus();
  });
}

/** deps: { state, showView(name), focusView(name), post(type, data), announce(text) } */
export function initConversation(deps) {
  d = deps;
  const { state } = d;
  list = new MessageList($('#log'), {
    myId: () => state.client?.user?.id ?? null,
    // After a hand-over the log also holds the previous advisor's messages: only the current one's carry this name.
    nameOf: (m) => (m.from?.id && state.peerId && m.from.id !== state.peerId ? t('common.advisor') : state.peerName || t('common.advisor')),
  });
  wireComposer();
  $('#download').addEventListener('click', download);
  $('#ended-download').addEventListener('click', download);
  $('#ended-open-ticket').addEventListener('click', () => {
    const id = state.handedTo?.ticketId;
    void (id ? openThread(id) : openMine());
  });
  $('#ended-new').addEventListener('click', () => {
    list.clear();
    forgetEnded();
    state.conv = null;
    void checkAvailability().then((shown) => shown && d.focusView(state.view));
  });
  document.addEventListener('visibilitychange', seenIfVisible);
}
