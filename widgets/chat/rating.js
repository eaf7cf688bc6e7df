/**
 * The user's rating of a chat, 1 to 5, optional, in two places:
 * - ending the chat themselves: "Termina la chat" opens a short form with the
 *   rating, and only its submit closes the conversation ("Continua la chat" goes
 *   back without closing);
 * - after any other end (the advisor closed it, handed it to a Linea INPS
 *   request): the ended view asks "Come valuta questa conversazione?" while the
 *   server says it may still be rated (`rateUntil`, 24 hours after the close,
 *   server/chat-rating.ts) and sends `conversation.rate`. A user who ended the chat
 *   through the form was asked there, and is not asked again.
 *
 * Separate from the conversation because the close asked for here is marked
 * as the user's own (`state.closingByMe`) before the server answers, so the
 * `closed` frame that follows says "you ended the chat"; a refused close
 * clears the mark again.
 */
import { t } from '../i18n.js';
import { say } from '../lib/said.js';
import { $, h } from '../lib/ui.js';
import { showFailure } from './request-error.js';

let state;

/** The five choices, labelled "1 – Pessima" … "5 – Ottima", as radios named `name`. */
function scale(name) {
  const box = h('div', { class: 'rating-scale' });
  for (let i = 1; i <= 5; i++) {
    box.append(h('label', { class: 'choice' }, h('input', { type: 'radio', name, value: String(i) }), h('span', { 'data-i18n': `rate.${i}` }, t(`rate.${i}`))));
  }
  return box;
}

/**
 * The ended view's question, for the chat that just ended (or was shown again after a
 * reload): asked when the server still accepts a rating and the user did not end it
 * through the closing form.
 */
export function offerRating({ rateUntil, byMe }) {
  const open = !byMe && typeof rateUntil === 'string' && Date.parse(rateUntil) > Date.now();
  const form = $('#after-rate');
  // In the page only while asked: the closing form's choices are then the only ones with those names.
  $('#after-rating .rating-scale')?.remove();
  if (open) $('#after-rating').append(scale('after-rating-value'));
  form.hidden = !open;
  $('#after-rate-error').textContent = '';
  $('#after-rate-status').textContent = '';
}

async function sendRating(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const rating = Number(form.elements['after-rating-value'].value) || 0;
  const error = $('#after-rate-error');
  if (!rating) {
    say(error, () => t('rate.after.pick'));
    form.querySelector('input').focus();
    return;
  }
  error.textContent = '';
  const done = (key) => {
    // The button the user pressed goes away with the form: the focus stays in the view, on the answer.
    $('#ended-title').focus();
    form.hidden = true;
    $('#after-rating .rating-scale')?.remove();
    say($('#after-rate-status'), () => t(key));
  };
  try {
    await state.client.rateConversation(state.conv, rating);
    done('rate.after.thanks');
  } catch (f) {
    // Rated already (another tab, or a retry whose answer was lost): what the user wanted is recorded.
    if (f?.code === 'already_rated') return done('rate.after.thanks');
    if (f?.code === 'rating_window_expired') return done('rate.after.expired');
    showFailure(error, f, 'rate.after.failed');
  }
}

/** deps: { state } */
export function initRating(deps) {
  state = deps.state;
  $('#rating').append(scale('rating'));
  $('#after-rate').addEventListener('submit', sendRating);
  // A message typed and not sent would be lost with the chat: the form says so, and going back to
  // the chat puts the focus on it, to send it (users typed the protocol number, then pressed "Termina").
  const unsent = () => $('#text').value.trim() !== '';
  $('#end').addEventListener('click', () => {
    $('#rate-unsent').hidden = !unsent();
    $('#rate-form').hidden = false;
    $('#end').hidden = true;
    $('#rate-title').focus();
  });
  $('#rate-cancel').addEventListener('click', () => {
    $('#rate-form').hidden = true;
    $('#end').hidden = false;
    (unsent() ? $('#text') : $('#end')).focus();
  });
  $('#rate-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const rating = Number(e.currentTarget.elements.rating.value) || undefined;
    state.closingByMe = true;
    try {
      await state.client.closeConversation(state.conv, { rating });
    } catch (f) {
      state.closingByMe = false;
      showFailure($('#send-error'), f, 'signout.failed');
    }
  });
}
