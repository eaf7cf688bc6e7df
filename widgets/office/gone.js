/**
 * A request a colleague transferred to another sede while it was open here: any
 * action on it answers `not_found` (or `ticket_transferred`, when the transfer
 * committed during the action). The pane then says the request is no longer the
 * sede's and offers nothing more to do on it: no take, close or transfer, and no
 * button that sends. A reply or a note the operator had typed stays on screen,
 * read only, to copy (into a message to the new sede, say); an empty form goes.
 *
 * Separate from ticket-forms.js because every form on the request ends here
 * (take, reply, close, transfer, note), and ticket-view.js draws the state again
 * whenever it draws the request (a language change), from `gone` on the detail.
 */
import { $ } from '../lib/ui.js';
import { tr } from './strings.js';

/** What the server answers for an action on a request that has left this sede. */
export function isGone(err) {
  return err?.code === 'not_found' || err?.code === 'ticket_transferred';
}

/** The forms whose typed text is kept, read only, when the request has gone. */
const KEPT = ['reply', 'note'];

/** Draws request `t` gone (`t.gone`) or not; called by ticket-view.js after the forms are drawn. */
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
  $('#t-gone-why').textContent = tr('off.err.gone', { protocol: t.protocol });
  $('#t-gone-kept').hidden = !kept;
}

/**
 * @param {object} d
 * @param {object} d.state the console's state (detail)
 * @param {(text: string) => void} d.announce
 * @param {(o?: { quiet?: boolean }) => Promise<void>} d.loadQueue
 * @param {(t: object) => void} d.renderTicket
 * @returns {(t: object) => void} says request `t` is no longer the sede's, and reads the list again without it
 */
export function goneHandler({ state, announce, loadQueue, renderTicket }) {
  return function letGone(t) {
    void loadQueue({ quiet: true });
    // Another request opened while the refused one was answered: that one stays as it is.
    if (state.detail?.id !== t.id) return;
    state.detail = { ...state.detail, gone: true };
    renderTicket(state.detail);
    // The button pressed has gone with its form: the focus goes to what happened, the full sentence to the live region.
    $('#t-gone-title').focus();
    announce(tr('off.err.gone', { protocol: t.protocol }));
  };
}
