/**
 * "Esci" of the full-page chat (development sign-in). With a chat open it first
 * asks "Uscire? La conversazione con il consulente verrà chiusa." in a modal
 * dialog, and on "Esci e chiudi la chat" closes the conversation as the user's
 * own close before signing out: otherwise the advisor would keep a chat open
 * with someone who is gone. With no chat open it signs out at once, as before.
 * A close the server refuses (network, store) leaves the user signed in and
 * says so in the dialog; one already closed meanwhile is no obstacle.
 * A message typed in the chat and not sent would go with it, as at «Termina la chat»
 * (rating.js): the dialog says so, and "Resta nella chat" puts the focus on it, to send.
 * With no chat open but a question written on the start form (not yet sent: signing out
 * forgets it), the dialog asks too, saying the question would be lost; "Esci senza inviare"
 * signs out, "Resta nella chat" puts the focus on the question. Nothing written: at once.
 * So too for a Linea INPS request being written (its subject, text or files chosen, on screen in
 * its own view or the closed one): "Esci" forgets it (forgetDraft), so the dialog says so first.
 */
import { $ } from '../lib/ui.js';
import { forgetEnded, forgetMessageDraft } from './conversation.js';
import { showFailure } from './request-error.js';
import { forgetStartDraft } from './start-draft.js';
import { forgetDraft, formDirty } from './ticket-form.js';
import { forgetFilters } from './ticket-list-filters.js';
import { forgetPlace } from './ticket-list.js';
import { forgetReplyDrafts } from './ticket-thread.js';

/** deps: { state, signOut() (forgets the sign-in) } */
export function initSignOut({ state, signOut }) {
  const button = $('#signout');
  const dialog = $('#signout-dialog');
  const confirm = $('#signout-confirm');
  const leave = () => {
    signOut();
    forgetEnded();
    forgetMessageDraft();
    forgetDraft();
    forgetStartDraft();
    forgetPlace();
    forgetFilters();
    forgetReplyDrafts();
    location.reload();
  };
  // Only the chat view's composer: a draft kept for a chat waiting to be handed over is not on screen to send.
  const unsent = () => state.view === 'chat' && $('#text').value.trim() !== '';
  // The start form's question, written and not sent (sent, the form is emptied: availability.js).
  const unasked = () => state.view === 'start' && $('#question').value.trim() !== '';
  // The request form, on screen (it moves between the closed view and its own) and written in.
  const unfiled = () => $('#ticket-form').closest('.view')?.hidden === false && formDirty();
  button.hidden = false;
  button.addEventListener('click', () => {
    const open = !!state.conv && state.client?.conversation(state.conv)?.status === 'open';
    const question = !open && unasked();
    const request = !open && !question && unfiled();
    if (!open && !question && !request) return leave();
    $('#signout-error').textContent = '';
    const said = open && unsent();
    // With no chat, nothing is closed: the dialog says only that the question would be lost, and leaving says so.
    $('#signout-text').hidden = !open;
    $('#signout-unsent').hidden = !said;
    $('#signout-question').hidden = !question;
    $('#signout-request').hidden = !request;
    confirm.hidden = !open;
    $('#signout-leave').hidden = open;
    // Described by the lines only while shown: a hidden element named by aria-describedby is still read.
    const describedBy = question ? 'signout-question' : request ? 'signout-request' : said ? 'signout-text signout-unsent' : 'signout-text';
    dialog.setAttribute('aria-describedby', describedBy);
    dialog.showModal();
    // The safe answer first: Enter or Space on the dialog as it opens keeps the chat (or the question).
    $('#signout-stay').focus();
  });
  $('#signout-stay').addEventListener('click', () => dialog.close());
  $('#signout-leave').addEventListener('click', () => leave());
  // Back from the dialog (staying, or Escape): on what was written and not sent, to send it; else where it was opened.
  dialog.addEventListener('close', () => (unsent() ? $('#text') : unasked() ? $('#question') : unfiled() ? firstToWrite() : button).focus());
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    state.closingByMe = true;
    try {
      await state.client.closeConversation(state.conv);
    } catch (f) {
      if (f?.code !== 'conversation_closed') {
        state.closingByMe = false;
        confirm.disabled = false;
        showFailure($('#signout-error'), f, 'signout.failed');
        return;
      }
    }
    leave();
  });
}

/** Back on the request form: its first field still to write (subject, then text), else its text, to go on with it. */
function firstToWrite() {
  const el = $('#ticket-form').elements;
  return [el.subject, el.body].find((f) => !f.value.trim()) ?? el.body;
}
