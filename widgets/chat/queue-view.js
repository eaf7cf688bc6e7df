/**
 * The waiting view: the user's place in the queue and the expected wait, kept
 * up to date from the server's `queue` frames, and leaving the queue.
 *
 * Separate from chat.js because how a wait ends without a chat (the user left,
 * or the server let the place go and offers a Linea INPS request) is decided
 * here, and the host page hears of each change of place (`queue` event).
 */
import { t } from '../i18n.js';
import { $ } from '../lib/ui.js';
import { checkAvailability, prefillFromChat } from './availability.js';
import { initQueueTips, renderTips, showTips } from './queue-tips.js';
import { offerTicket } from './tickets.js';

/** deps: { state, showView(name), post(type, data), announce(text) } */
let d;

/** Why a user with a chat already open is back in the queue: their advisor handed it on, or did not answer, or left. */
const HANDED_ON = ['transferred', 'unanswered', 'advisor_left'];

export function showQueue(info) {
  const { state } = d;
  const before = state.queue;
  // A fresh place in the queue says why it was given; a position update or a welcome keeps the reason already shown.
  if (info.kind === 'joined') $('#queue-handover').hidden = !HANDED_ON.includes(info.reason);
  if (info.kind !== 'position') void showTips(info);
  state.queue = { position: info.position, etaSeconds: info.etaSeconds };
  renderQueue(state.queue);
  if (state.view !== 'queue') d.showView('queue');
  if (before?.position !== info.position || before?.etaSeconds !== info.etaSeconds) d.post('event', { name: 'queue', detail: { ...state.queue } });
}

function renderQueue({ position, etaSeconds }) {
  $('#queue-number').textContent = String(position);
  const where = position <= 1 ? t('queue.first') : t('queue.position', { position });
  const minutes = Math.ceil((etaSeconds ?? 0) / 60);
  const eta = (etaSeconds ?? 0) < 60 ? t('queue.eta.soon') : minutes === 1 ? t('queue.eta.minute') : t('queue.eta.minutes', { minutes });
  $('#queue-status').textContent = `${where} ${eta}`;
}

/** After a language change. */
export function renderQueueView() {
  if (d.state.queue) renderQueue(d.state.queue);
  renderTips();
}

function onQueue(f) {
  if (f.kind !== 'left') return showQueue(f);
  if (d.state.view !== 'queue') return;
  if (f.offerTicket) {
    offerTicket({ code: f.reason === 'closed' ? 'closed' : 'timeout' }, prefillFromChat());
    return;
  }
  d.announce(t('queue.left'));
  void checkAvailability();
}

/** The client's `queue` frames. */
export function wireQueue(client) {
  client.on('queue', onQueue);
}

/** deps: { state, showView(name), post(type, data), announce(text) } */
export function initQueue(deps) {
  d = deps;
  const leave = (reason) => d.state.client.cancelChat(reason).catch(() => void checkAvailability());
  $('#queue-cancel').addEventListener('click', () => leave());
  initQueueTips({ state: d.state, leave: () => leave('self_served') });
}
