/**
 * Ending a chat from an advisor's card: the outcome (one of the four the server
 * accepts, ADVISOR_CLOSE_OUTCOMES in server/ws-frames.ts) and "Chiudi".
 *
 * Kept apart from advisor.js because of what an answer may find when it comes:
 * a failure is said in words on the form itself (it was «Si è verificato un
 * errore (disconnected)» on the card's note, a code where the advisor reads a
 * sentence, and a late one would have been written over «Chat chiusa»), and
 * not at all once the chat is no longer this advisor's (the
 * `conversation.closed` frame already told the card). One close at a time.
 */
import { sayError } from '../lib/said.js';
import { h, ht } from '../lib/ui.js';
import { handoverWords } from './handover.js';

// The server accepts exactly these (ADVISOR_CLOSE_OUTCOMES, server/ws-frames.ts).
const OUTCOMES = ['resolved', 'info_given', 'escalate_later', 'no_answer'];

/**
 * The close form of one card. `p` prefixes element ids; `isOpen()` says whether the chat is still this advisor's.
 * Returns the element and `reset()` for a chat that comes back.
 */
export function closeForm({ client, conversationId, p, isOpen }) {
  const outcome = h('select', { id: `${p}-outcome` }, OUTCOMES.map((o) => ht('option', { value: o }, `adv.outcome.${o}`)));
  const error = h('p', { class: 'error', role: 'alert' });
  const el = h('form', { class: 'close-form' },
    h('div', { class: 'field' }, ht('label', { for: `${p}-outcome` }, 'adv.outcome'), outcome),
    ht('button', { type: 'submit', class: 'danger' }, 'adv.close'),
    error);
  let busy = false;
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy || !isOpen()) return;
    busy = true;
    error.textContent = '';
    try {
      await client.closeConversation(conversationId, { outcome: outcome.value });
    } catch (f) {
      if (isOpen()) sayError(error, f, () => ({ own: handoverWords })); // again in a new language (lib/said.js)
    } finally {
      busy = false;
    }
  });
  return { el, reset: () => (error.textContent = '') };
}
