/**
 * A request that left the sede while it was open here, in one of two ways the
 * server tells apart: a colleague transferred it to another sede (any action on
 * it answers `ticket_transferred`, to the sede it left) or it no longer exists
 * (`not_found`: erased at the end of its retention period, docs/retention.md).
 * The pane then says which, in words, and offers nothing more to do on it: no
 * take, close or transfer, and no button that sends. A reply or a note the operator had typed stays on screen,
 * read only, to copy (into a message to the new sede, say); an empty form goes.
 *
 * Separate from ticket-forms.js because every form on the request ends here
 * (take, reply, close, transfer, note), and ticket-view.js draws the state again
 * whenever it draws the request (a language change), from `gone` on the detail.
 */
import { $ } from '../lib/ui.js';
import { tr } from './strings.js';

/** How a refused action's request left this sede: 'transferred', 'erased', or null (refused for another reason). */
export function goneWhy(err) {
  if (err?.code === 'ticket_transferred') return 'transferred';
  if (err?.code === 'not_found') return 'erased';
  return null;
}

/** Whether a refusal means the request has left this sede (the forms then hand it to `letGone`, with the refusal). */
export const isGone = (err) => goneWhy(err) !== null;

/** The pane's heading and sentence for each way of leaving. */
const WORDS = {
  transferred: { title: 'off.gone.title', why: 'off.err.gone' },
  erased: { title: 'off.gone.erasedTitle', why: 'off.err.erased' },
};
const wordsOf = (t) => WORDS[t.gone] ?? WORDS.transferred;

/** The forms whose typed text is kept, read only, when the request has gone. */
const KEPT = ['reply', 'note'];

/** Draws request `t` gone (`t.gone`: 'transferred' or 'erased') or not; called by ticket-view.js after the forms are drawn. */
export function renderGone(t) {
  const gone = Boolean(t.gone);
  $('#ticket').toggleAttribute('data-gone', gone);
  $('#t-gone').hidden = !gone;
  let kept = false;
  for (const name of KEPT) {
    const text = $(`#${name}-text`);
    text.readOnly = gone;
    const typed = text.value.trim() !== '';
    kept ||= gone && typed;
    // Without typed text a form is nothing but a way to act: it goes; the reply form's own rules come back with the request.
    if (name === 'note') $('#note-form').hidden = gone && !typed;
    else if (gone && !typed) $('#reply-form').hidden = true;
    const error = $(`#${name}-error`);
    if (gone) error.textContent = '';
  }
  if (!gone) return;
  for (const id of ['take-box', 'close-form', 'transfer-form']) $(`#${id}`).hidden = true;
  const { title, why } = wordsOf(t);
  // data-t too: the language switch says the heading again with its own key.
  $('#t-gone-title').dataset.t = title;
  $('#t-gone-title').textContent = tr(title);
  $('#t-gone-why').textContent = tr(why, { protocol: t.protocol });
  $('#t-gone-kept').hidden = !kept;
}

/**
 * @param {object} d
 * @param {object} d.state the console's state (detail)
 * @param {(text: string) => void} d.announce
 * @param {(o?: { quiet?: boolean }) => Promise<void>} d.loadQueue
 * @param {(t: object) => void} d.renderTicket
 * @returns {(t: object, err: object) => void} says request `t` is no longer the sede's (how: the refusal `err`),
 *   and reads the list again without it
 */
export function goneHandler({ state, announce, loadQueue, renderTicket }) {
  return function letGone(t, err) {
    void loadQueue({ quiet: true });
    // Another request opened while the refused one was answered: that one stays as it is.
    if (state.detail?.id !== t.id) return;
    state.detail = { ...state.detail, gone: goneWhy(err) ?? 'transferred' };
    renderTicket(state.detail);
    // The button pressed has gone with its form: the focus goes to what happened, the full sentence to the live region.
    $('#t-gone-title').focus();
    announce(tr(wordsOf(state.detail).why, { protocol: t.protocol }));
  };
}
