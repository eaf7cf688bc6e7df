/**
 * INFO CIG advisor console: status (available/away), capacity and load, the
 * assigned chats side by side with the user's context, replies, close with an
 * outcome, hand on to the sede as a Linea INPS request or to another advisor
 * (handover.js). A new assignment beeps (Web Audio, no file) and marks the title.
 * Available or away: status-switch.js.
 * Sign-in: the identity provider's, for an `advisor` token (../lib/staff-sign-in.js),
 * or with AUTH_DEV the development picker (dev-sign-in.js).
 */
import { ChatClient } from '../lib/chat-client.js';
import { LANGS, applyI18n, formatTime, label, onLangChange, setLang, t } from '../i18n.js';
import { staffSignIn } from '../lib/staff-sign-in.js';
import { forget } from '../lib/tab-store.js';
import { $, MessageList, announcer, downloadText, enterToSend, fileStamp, growToFit, h, ht, typingNotifier } from '../lib/ui.js';
import { cannedPicker } from './canned.js';
import { keepControlsInSight } from './card-fit.js';
import { contextRows } from './card-context.js';
import { closeForm } from './close-form.js';
import { beep, clearCue, titleCue, unlockAudio } from './cues.js';
import { devSignIn } from './dev-sign-in.js';
import { DRAFTS_KEY, forgetDrafts, keptDraft } from './drafts.js';
import { escalatedNote, handoverForms, releasedNote } from './handover.js';
import { historyPanel } from './history.js';
import { queueLine } from './queue-line.js';
import { requestsPanel } from './requests.js';
import { STATUS_KEY, statusSwitch } from './status-switch.js';

const announce = announcer($('#announce'));
/** How many wait for this advisor (queue-line.js). */
const queue = queueLine({ el: $('#queue'), announce });

const state = {
  client: null,
  /** The sign-in: { me, getToken, signOut } (staff-sign-in.js or dev-sign-in.js). */
  session: null,
  /** The advisor's name, for the ready answers' {consulente}. */
  name: '',
  capacity: null,
  cards: new Map(),
  n: 0,
};
/** Available or away: the advisor's choice and the server's word (status-switch.js). */
const availability = statusSwitch({ client: () => state.client, announce });

// ---------------------------------------------------------------------------
// Status and load

function renderLoad() {
  const load = [...state.cards.values()].filter((c) => !c.closed).length;
  $('#load').textContent = state.capacity ? t('adv.load', { load, capacity: state.capacity }) : '';
  $('#none').hidden = state.cards.size > 0;
  queue.seats(availability.current(), load, state.capacity);
}

function renderConn(status) {
  const box = $('#conn');
  box.dataset.status = status;
  box.hidden = status === 'open';
  $('#conn-text').textContent = status === 'open' ? '' : t(`conn.${status === 'idle' ? 'connecting' : status}`);
  $('#conn-retry').hidden = status !== 'closed';
}

// ---------------------------------------------------------------------------
// Chat cards

function addCard(info, isNew) {
  const id = info.conversationId;
  const existing = state.cards.get(id);
  if (existing) {
    existing.info = { ...existing.info, ...info };
    // A chat handed on and then back (a transfer to the queue that reached this advisor again) reopens its card, log and all.
    if (existing.closed && isNew) {
      existing.relabel();
      existing.answerBy.hidden = !info.answerBy || existing.answered;
      revive(existing);
    }
    return existing;
  }
  const p = `c${++state.n}`;
  const name = info.peer?.name || t('adv.user');
  const card = { id, info, name, closed: false, lastReadSent: 0, typingTimer: null };

  const ctx = h('dl', { class: 'ctx' });
  const replyLabel = h('label', { for: `${p}-text` });
  const log = h('ol', { class: 'log-list' });
  const logBox = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', tabindex: '0', 'aria-label': `${t('chat.messages')}: ${name}` }, log);
  const typing = h('p', { class: 'typing', 'aria-live': 'polite' });
  const text = h('textarea', { id: `${p}-text`, rows: '2', maxlength: '4000', required: true });
  const fill = (value) => {
    text.value = text.value.trim() ? `${text.value.trimEnd()}\n${value}` : value;
    text.dispatchEvent(new Event('input')); // kept as typed text is (drafts.js), and shown whole
    text.focus();
    text.setSelectionRange(text.value.length, text.value.length);
  };
  // Shown when the chat ends with a reply typed and not sent: the box stays, read only, for the text to be copied.
  const keptNote = ht('p', { id: `${p}-kept`, class: 'note kept-note', hidden: true }, 'adv.replyKept');
  const composer = h('form', { class: 'composer' },
    keptNote,
    cannedPicker({ client: state.client, p, info, userName: name, advisorName: state.name, fill }),
    replyLabel,
    h('div', { class: 'composer-row' }, text, ht('button', { type: 'submit', class: 'primary' }, 'chat.send')));
  const closer = closeForm({ client: state.client, conversationId: id, p, isOpen: () => !card.closed });
  const closedNote = h('p', { class: 'closed-note', role: 'status' });
  const answerBy = h('p', { class: 'answer-by note', hidden: !info.answerBy });
  const dismiss = ht('button', { type: 'button', hidden: true }, 'adv.dismiss');
  const dl = ht('button', { type: 'button', class: 'link' }, 'common.download');
  const handover = handoverForms({ client: state.client, conversationId: id, p, isOpen: () => !card.closed, onDone: (note) => retire(card, note) });
  const requests = requestsPanel({ client: state.client, conversationId: id, p, onLoad: handover.warn });
  const history = historyPanel({ client: state.client, conversationId: id, p });
  const el = h('article', { class: 'chat-card card', 'aria-labelledby': `${p}-title`, 'data-conversation': id },
    h('header', { class: 'chat-card-head' },
      h('h3', { id: `${p}-title` }, name), dl,
      ctx),
    requests.el, history.el, logBox, typing, answerBy, composer,
    h('div', { class: 'card-foot' }, closer.el),
    handover.el, closedNote, dismiss);

  card.el = el;
  // A chat handed on arrives with what the previous advisor wrote: theirs, not the user's.
  card.list = new MessageList(log, { myId: () => state.client.user?.id, nameOf: (m) => (m.from?.role === 'advisor' ? t('adv.colleague') : name) });
  card.typing = typing;
  card.composer = composer;
  card.text = text;
  card.keptNote = keptNote;
  card.closer = closer;
  card.handover = handover;
  card.requests = requests;
  card.history = history;
  card.closedNote = closedNote;
  card.answerBy = answerBy;
  card.dismiss = dismiss;
  /** The words on the card built with values (its static labels are data-i18n), in the current language. */
  card.relabel = () => {
    ctx.replaceChildren(...contextRows(card.info));
    replyLabel.textContent = t('adv.reply', { name });
    logBox.setAttribute('aria-label', `${t('chat.messages')}: ${name}`);
    answerBy.textContent = card.info.answerBy ? t('adv.answerBy', { time: formatTime(card.info.answerBy) }) : '';
    closedNote.textContent = card.note?.() ?? '';
    showTyping(card);
    card.list.relabel();
    requests.relabel();
    history.relabel();
    handover.relabel();
  };
  card.relabel();

  const notifier = typingNotifier((active) => !card.closed && state.client.typing(id, active));
  keptDraft(id, 'reply', text);
  const fitReply = growToFit(text);
  keepControlsInSight(el, logBox, text); // after growToFit: a long reply scrolls in its box, the controls stay
  enterToSend(text, composer);
  text.addEventListener('input', () => text.value.trim() && notifier.input());
  text.addEventListener('focus', () => maybeRead(card));
  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = text.value.trim();
    if (!value || card.closed) return;
    notifier.stop();
    state.client.sendMessage(id, value);
    text.value = '';
    text.dispatchEvent(new Event('input')); // the draft goes, the box shrinks back
  });
  dl.addEventListener('click', () => {
    const header = [`${t('transcript.conversation')}: ${id}`, `${t('transcript.topic')}: ${label('topic', card.info.topic)}`, `${t('transcript.with')}: ${name}`];
    downloadText(`infocig-${fileStamp()}.txt`, card.list.transcript(header));
  });
  dismiss.addEventListener('click', () => {
    el.remove();
    state.cards.delete(id);
    renderLoad();
    $('#board-title').focus();
  });

  state.cards.set(id, card);
  $('#cards').append(el);
  fitReply(); // a draft given back after a reload
  void requests.load();
  void history.load();
  renderLoad();
  if (isNew) cueNewChat(card);
  return card;
}

/**
 * The chat is no longer this advisor's (closed, escalated, handed on): the card keeps its log and says why.
 * `note()` says it in the current language (asked again after a language change).
 */
function retire(card, note) {
  if (card.closed) return;
  const hadFocus = card.el.contains(document.activeElement);
  card.closed = true;
  forgetDrafts(card.id);
  card.el.classList.add('closed');
  for (const c of card.composer.elements) c.disabled = true;
  // A reply typed and not sent stays in sight, read only, to copy (into a request for the sede, say) until
  // the card is removed from view; only an empty composer goes with the chat.
  const typed = card.text.value.trim() !== '';
  card.composer.hidden = !typed;
  card.composer.classList.toggle('kept', typed);
  card.keptNote.hidden = !typed;
  card.text.disabled = !typed;
  card.text.readOnly = typed;
  if (typed) card.text.setAttribute('aria-describedby', card.keptNote.id);
  card.closer.el.hidden = true;
  card.handover.el.hidden = true;
  card.answerBy.hidden = true;
  clearTyping(card);
  card.note = note;
  card.closedNote.textContent = note();
  card.dismiss.hidden = false;
  renderLoad();
  // The composer and the close form just disappeared: keep the keyboard user in this card.
  if (hadFocus) card.dismiss.focus();
}

function revive(card) {
  card.closed = false;
  card.el.classList.remove('closed');
  for (const c of card.composer.elements) c.disabled = false;
  card.text.readOnly = false;
  card.text.removeAttribute('aria-describedby');
  card.composer.classList.remove('kept');
  card.keptNote.hidden = true;
  card.composer.hidden = card.closer.el.hidden = card.handover.el.hidden = false;
  card.handover.reset();
  card.closer.reset();
  void card.requests.load(); // they may have changed while the chat was elsewhere
  void card.history.load();
  card.note = null;
  card.closedNote.textContent = '';
  card.dismiss.hidden = true;
  card.el.remove();
  $('#cards').append(card.el);
  renderLoad();
  cueNewChat(card);
}

/**
 * "… sta scrivendo" is a state of the card (`isTyping`), and the line says it in the current language:
 * relabel() shows it again after a language change, as it does the card's other lines.
 */
function showTyping(card) {
  card.typing.textContent = card.isTyping ? t('chat.typing', { name: card.name }) : '';
}

function clearTyping(card) {
  clearTimeout(card.typingTimer);
  card.isTyping = false;
  showTyping(card);
}

/** A chat to answer: a beep, the title, and the live region. */
function cueNewChat(card) {
  beep();
  titleCue();
  announce(t('adv.newChat', { name: card.name, topic: label('topic', card.info.topic), province: card.info.province ?? '' }));
}

function maybeRead(card) {
  if (document.visibilityState !== 'visible' || card.closed) return;
  const max = card.list.maxSeq();
  if (max > card.lastReadSent && state.client.read(card.id, max)) card.lastReadSent = max;
}

// ---------------------------------------------------------------------------
// Client

function start(session) {
  const { me } = session;
  state.session = session;
  state.name = me.name;
  $('#me').textContent = `${me.name} (${me.sub})`;
  $('#signout').hidden = false;
  $('#board').hidden = false;
  availability.render();
  renderLoad();
  const client = new ChatClient({ baseUrl: new URL('../', location.href).href, getToken: session.getToken });
  state.client = client;
  window.infocigAdvisor = client; // for support and tests

  // Disconnected, the waiting line would go stale: the next hello brings it again.
  client.on('status', (status) => (renderConn(status), status === 'open' || queue.clear()));
  client.on('welcome', (f) => {
    for (const c of f.conversations ?? []) addCard(c, false);
    // The server starts a (re)connected advisor as away: say again what they chose.
    client.setAdvisorStatus(availability.desired()).catch(() => {});
  });
  client.on('advisor', (f) => {
    state.capacity = f.capacity ?? state.capacity;
    availability.heard(f);
    renderLoad();
  });
  client.on('assigned', (f) => addCard(f, true));
  client.on('pending', (p) => state.cards.get(p.conversationId)?.list.add({ ...p, mine: true }));
  client.on('message', (m) => {
    const card = state.cards.get(m.conversationId);
    if (!card) return;
    const fresh = card.list.add(m);
    if (m.mine) {
      // Answered: the router no longer counts down on this chat.
      card.answered = true;
      card.answerBy.hidden = true;
    }
    if (fresh && !m.mine) {
      clearTyping(card);
      if (!m.history) titleCue();
    }
    maybeRead(card);
  });
  client.on('failed', (f) => state.cards.get(f.conversationId)?.list.markFailed(f.clientMsgId));
  client.on('read', (f) => state.cards.get(f.conversationId)?.list.markRead(f.seq));
  client.on('typing', (f) => {
    const card = state.cards.get(f.conversationId);
    if (!card) return;
    clearTimeout(card.typingTimer);
    card.isTyping = Boolean(f.active);
    showTyping(card);
    if (f.active) card.typingTimer = setTimeout(() => clearTyping(card), 6000);
  });
  client.on('closed', (f) => {
    const card = state.cards.get(f.conversationId);
    if (card) retire(card, () => (f.outcome === 'escalated' ? escalatedNote(f) : t('adv.closed', { outcome: label('adv.outcome', f.outcome) })));
  });
  client.on('frame', (f) => {
    if (f.type === 'advisor.queue') return queue.update(f);
    // Handed on without closing (transferred, or the router took it back): the user now waits for, or talks to, someone else.
    if (f.type !== 'conversation.released') return;
    const card = state.cards.get(f.conversationId);
    if (card) retire(card, () => releasedNote(f.reason, f.to, f.toName));
  });
  client.on('reset', (f) => {
    const card = state.cards.get(f.conversationId);
    if (!card) return;
    // Not this advisor's any more (handed on while the console was offline past its grace): the card keeps
    // what was said and says why it can no longer be written in, instead of an empty log to write into.
    if (f.reason === 'unknown_conversation') return retire(card, () => t('adv.released.lost'));
    card.list.clear(); // the client reads it again
  });
  client.on('error', (f) => {
    if (f.closeCode) announce(t(f.code === 'too_many_sockets' ? 'error.tooManySockets' : 'error.auth'));
  });
  client.connect();
}

async function boot() {
  const sel = $('#lang');
  for (const [code, name] of Object.entries(LANGS)) sel.append(h('option', { value: code, lang: code }, name));
  sel.addEventListener('change', () => setLang(sel.value));
  onLangChange((code) => {
    sel.value = code;
    renderLoad();
    renderConn(state.client?.status ?? 'open');
    // The cards already shown: their messages, context and notes, not only the labels data-i18n reaches.
    for (const card of state.cards.values()) card.relabel();
  });
  setLang(new URLSearchParams(location.search).get('lang') || navigator.language);

  document.addEventListener('pointerdown', unlockAudio);
  document.addEventListener('keydown', unlockAudio);
  window.addEventListener('focus', clearCue);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') return;
    clearCue();
    for (const card of state.cards.values()) maybeRead(card);
  });
  $('#conn-retry').addEventListener('click', () => state.client?.connect());
  $('#signout').addEventListener('click', () => {
    availability.leave();
    state.session?.signOut();
    forget(STATUS_KEY, DRAFTS_KEY);
    setTimeout(() => location.reload(), 150);
  });

  const signedIn = await staffSignIn({ page: 'advisor', roles: ['advisor'] });
  if (signedIn?.method === 'oidc') start(signedIn);
  else if (signedIn?.method === 'dev') devSignIn(start);
}

applyI18n();
void boot();
