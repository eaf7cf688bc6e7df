/**
 * Ending a chat from the user's side: "Termina la chat" opens a short form with
 * an optional rating of 1 to 5, and only its submit closes the conversation
 * ("Continua la chat" goes back without closing).
 *
 * Separate from the conversation because the close asked for here is marked
 * as the user's own (`state.closingByMe`) before the server answers, so the
 * `closed` frame that follows says "you ended the chat"; a refused close
 * clears the mark again.
 */
import { t } from '../i18n.js';
import { $, h } from '../lib/ui.js';

/** deps: { state } */
export function initRating({ state }) {
  const scale = h('div', { class: 'rating-scale' });
  for (let i = 1; i <= 5; i++) {
    scale.append(h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'rating', value: String(i) }), h('span', { 'data-i18n': `rate.${i}` })));
  }
  $('#rating').append(scale);
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
}
