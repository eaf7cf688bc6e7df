/**
 * The waiting view: the user's place in the queue and the expected wait, kept
 * up to date from the server's `queue` frames, and leaving the queue.
 *
 * Separate from chat.js because how a wait ends without a chat (the user left,
 * or the server let the place go and offers a Linea INPS request) is decided
 * here, and the host page hears of each change of place (`queue` event).
 *
 * What a screen reader hears: the place and the wait when the wait starts, then
 * each new place, politely and at most every SAY_EVERY_MS (the last one held
 * back is said when that time is up), the first place at once. The status line
 * itself is not a live region: the server pushes the wait estimate whenever it
 * moves by a second, up to once a second, and a live region rewritten with it
 * was read out again each time, even with the same words.
 */
import { t } from '../i18n.js';
import { say } from '../lib/said.js';
import { $ } from '../lib/ui.js';
import { checkAvailability, prefillFromChat } from './availability.js';
import { initQueueTips, renderTips, showTips } from './queue-tips.js';
import { offline } from './request-error.js';
import { offerTicket } from './tickets.js';

/** deps: { state, showView(name), post(type, data), announce(text) } */
let d;

/** Why a user with a chat already open is back in the queue: their advisor handed it on, or did not answer, or left. */
const HANDED_ON = ['transferred', 'unanswered', 'advisor_left'];
/** How often at most a new place in the queue is spoken. */
const SAY_EVERY_MS = 30_000;

/** The wait shown is for the user's open chat to be handed over, not for a chat to start. */
let handingOver = false;

/** The place last spoken and when; a place held back by SAY_EVERY_MS waits in `sayLater`. */
let said = { position: 0, at: 0 };
let sayLater = null;

/**
 * `handedOn`: said by a welcome, which has no reason, from whether the user's open chat
 * names no advisor; a `queue.joined` says it by its reason.
 */
export function showQueue(info, { handedOn } = {}) {
  const { state } = d;
  const before = state.queue;
  // A fresh place in the queue says why it was given; a position update keeps the reason already shown.
  if (info.kind === 'joined') handingOver = HANDED_ON.includes(info.reason);
  else if (handedOn !== undefined) handingOver = handedOn;
  renderHandover();
  if (info.kind !== 'position') void showTips(info, handingOver);
  state.queue = { position: info.position, etaSeconds: info.etaSeconds, etaKnown: info.etaKnown !== false };
  renderQueue(state.queue);
  // A frame from the server: connected again, so "Connessione assente" no longer holds.
  $('#queue-error').textContent = '';
  const arrived = state.view !== 'queue';
  if (arrived) d.showView('queue');
  sayPlace(arrived || info.kind === 'joined');
  if (before?.position !== info.position || before?.etaSeconds !== info.etaSeconds || before?.etaKnown !== state.queue.etaKnown) d.post('event', { name: 'queue', detail: { ...state.queue } });
}

function statusText({ position, etaSeconds, etaKnown }) {
  const where = position <= 1 ? t('queue.first') : t('queue.position', { position });
  // null: nobody available can serve this queue now; a number would be a promise nobody is there to keep.
  if (!etaKnown) return `${where} ${t('queue.eta.unknown')}`;
  const minutes = Math.ceil((etaSeconds ?? 0) / 60);
  const eta = (etaSeconds ?? 0) < 60 ? t('queue.eta.soon') : minutes === 1 ? t('queue.eta.minute') : t('queue.eta.minutes', { minutes });
  return `${where} ${eta}`;
}

/**
 * A chat being handed over goes on with another advisor, and leaving the queue ends it (`left_queue`,
 * server/router-handover.ts): the page said "la chat inizierà" and "Esci dalla coda", as to a user
 * who had not started one, and users left thinking they would still find their chat.
 */
function renderHandover() {
  $('#queue-handover').hidden = !handingOver;
  for (const [el, key] of [
    [$('#queue-keep-open'), 'queue.keepOpen'],
    [$('#queue-cancel'), 'queue.cancel'],
  ]) {
    el.dataset.i18n = handingOver ? `${key}.handover` : key;
    setText(el, t(el.dataset.i18n));
  }
}

/** Written only when the words change: a screen reader in the middle of the line is not sent back to its start. */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function renderQueue(q) {
  setText($('#queue-number'), String(q.position));
  setText($('#queue-status'), statusText(q));
}

/**
 * Speaks the place in the queue: `now` when the wait starts (or starts again);
 * otherwise only a new place, the first at once and any other at most every SAY_EVERY_MS.
 */
function sayPlace(now) {
  const q = d.state.queue;
  clearTimeout(sayLater);
  sayLater = null;
  if (!q || d.state.view !== 'queue' || (!now && q.position === said.position)) return;
  const wait = said.at + SAY_EVERY_MS - Date.now();
  if (now || q.position <= 1 || wait <= 0) {
    said = { position: q.position, at: Date.now() };
    d.announce(statusText(q));
    return;
  }
  sayLater = setTimeout(() => sayPlace(false), wait);
}

/** After a language change. */
export function renderQueueView() {
  if (d.state.queue) renderQueue(d.state.queue);
  renderTips();
}

/** This page asked to leave the queue (chat.cancel) and has not heard back yet. */
let leaving = false;

function onQueue(f) {
  if (f.kind !== 'left') return showQueue(f);
  const asked = leaving;
  leaving = false;
  if (d.state.view !== 'queue') return;
  if (f.offerTicket) {
    offerTicket({ code: f.reason === 'closed' ? 'closed' : 'timeout' }, prefillFromChat());
    return;
  }
  if (asked) {
    d.announce(t('queue.left'));
    void checkAvailability();
    return;
  }
  // Left from another window or tab of the same person: this one went back to the start with no word, its question gone.
  backToStart('queue.leftElsewhere');
}

/** The start view, saying why the wait ended (`note`, a string key) with the question asked, to ask again. */
function backToStart(note) {
  const question = d.state.request?.text ?? '';
  d.announce(t(note));
  void checkAvailability(note).then((shown) => {
    if (shown && question && !$('#question').value) $('#question').value = question;
  });
}

/**
 * Connected again, the server knows no place in the queue for this page, which showed one and never
 * asked to leave: the node restarted and its routing state with it (in-process). The page went back
 * to the start with no word and the question gone; now it says the place was lost, ready to ask again.
 */
export function placeLost() {
  leaving = false;
  backToStart('queue.lost');
}

/** The client's `queue` frames. */
export function wireQueue(client) {
  client.on('queue', onQueue);
}

/** deps: { state, showView(name), post(type, data), announce(text) } */
export function initQueue(deps) {
  d = deps;
  const leave = (reason) => {
    leaving = true;
    $('#queue-error').textContent = '';
    return d.state.client.cancelChat(reason).catch((f) => {
      leaving = false;
      // Offline the server never heard it: the place is kept, and the page says so instead of showing the
      // start (where availability cannot be read either) and putting the user back in the queue once online.
      if (offline(f)) say($('#queue-error'), () => t('queue.leaveOffline'));
      else void checkAvailability();
    });
  };
  $('#queue-cancel').addEventListener('click', () => leave());
  initQueueTips({ state: d.state, leave: () => leave('self_served') });
}
