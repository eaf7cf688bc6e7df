/**
 * What an office operator does to a ticket: take it in charge, reply with up
 * to three files (checked here for a friendly message; the server enforces),
 * and close it with an outcome. After each, the ticket and the queue are read
 * again and the result is announced.
 *
 * Separate from office.js because these forms are the console's writes on a
 * ticket that stays here; showing the ticket is ticket-view.js, the list is
 * queue.js, and the transfer, after which the ticket is gone, transfer-form.js.
 */
import { idempotencyKeeper } from '../lib/idempotency.js';
import { say } from '../lib/said.js';
import { $, h } from '../lib/ui.js';
import { formatSize } from '../i18n.js';
import { selectUnfilled, unfilled } from './canned.js';
import { showRefusal } from './format.js';
import { isGone } from './gone.js';
import { tr } from './strings.js';

const MAX_FILES = 3;
const MAX_BYTES = 5 * 1024 * 1024;
const OUTCOMES = ['defined', 'info', 'docs', 'notCompetent', 'other'];
/** What is stored as the outcome (the service speaks Italian); `other` takes the operator's words. */
const OUTCOME_TEXT = {
  defined: 'Pratica definita',
  info: 'Informazioni fornite',
  docs: 'Documentazione ricevuta',
  notCompetent: 'Non di competenza della sede',
};

/** What is wrong with the files chosen for a message, in words, or null (the server checks again). */
export function fileProblem(files) {
  if (files.length > MAX_FILES) return () => tr('off.reply.tooMany');
  const big = files.find((f) => f.size > MAX_BYTES);
  if (big) return () => tr('off.reply.tooBig', { name: big.name });
  const empty = files.find((f) => f.size === 0);
  return empty ? () => tr('off.reply.emptyFile', { name: empty.name }) : null;
}

/** Lists the files chosen (the reply's, or those of the list given); a letter's form has no list. */
export function renderChosen(input = $('#reply-files'), list = $('#reply-chosen')) {
  list?.replaceChildren(...[...input.files].map((f) => h('li', {}, `${f.name} (${formatSize(f.size)})`)));
}

/** The server's refusals that are about the files, not the text: the operator changes the files. */
export const FILE_REFUSALS = new Set(['attachment_type_refused', 'attachment_too_large', 'too_many_attachments']);

/**
 * The files just chosen for a reply: listed, and what is wrong with them said at once (a fourth file, one
 * over 5 MB), not only at «Invia»; a choice that fixes an earlier problem takes its message away, so an
 * error about files no longer chosen does not stay on screen.
 */
export function checkChosen(input = $('#reply-files'), error = $('#reply-error'), list = $('#reply-chosen')) {
  renderChosen(input, list);
  const problem = fileProblem([...input.files]);
  if (problem) {
    say(error, problem);
    input.setAttribute('aria-invalid', 'true');
  } else if (input.getAttribute('aria-invalid') === 'true') {
    // The message shown was about the files (the text's own problems mark the text): it no longer holds.
    error.textContent = '';
    input.removeAttribute('aria-invalid');
  }
}

/** The outcomes, after an empty first choice: closing is deliberate, nothing is chosen for the operator. */
export function renderOutcomes() {
  const select = $('#close-outcome');
  const value = select.value;
  select.replaceChildren(
    h('option', { value: '' }, tr('off.close.choose')),
    ...OUTCOMES.map((o) => h('option', { value: o }, tr(`off.outcome.${o}`))),
  );
  select.value = value;
  $('#close-other-box').hidden = select.value !== 'other';
}

/**
 * @param {object} d
 * @param {object} d.state the console's state (selected, detail)
 * @param {(path: string, o?: object) => Promise<any>} d.api
 * @param {(text: string) => void} d.announce
 * @param {(id: string, o?: { quiet?: boolean }) => Promise<void>} d.openTicket
 * @param {(o?: { quiet?: boolean }) => Promise<void>} d.loadQueue
 * @param {(t: object, err: object) => void} d.letGone a request transferred or erased meanwhile: said in the pane, the list read again (gone.js)
 */
export function ticketForms({ state, api, announce, openTicket, loadQueue, letGone }) {
  /** The reply being sent and its Idempotency-Key, until the server answered it. */
  const sending = idempotencyKeeper();

  async function refreshAfter(action, message) {
    await Promise.all([openTicket(state.selected, { quiet: true }), loadQueue({ quiet: true })]);
    announce(message);
    if (action === 'focus-title') $('#t-title').focus();
  }

  async function take() {
    const t = state.detail;
    if (!t || t.gone) return;
    $('#t-error').textContent = '';
    const button = $('#take');
    button.disabled = true;
    let refused = false;
    try {
      await api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', json: { status: 'in_progress' } });
      await refreshAfter(null, tr('off.take.done', { protocol: t.protocol }));
      $('#reply-text').focus();
    } catch (err) {
      // Transferred by a colleague or erased meanwhile: the pane says which and takes the focus (gone.js).
      if (isGone(err)) return letGone(t, err);
      refused = true;
      showRefusal($('#t-error'), err);
      if (err.code === 'illegal_transition') await openTicket(t.id, { quiet: true });
    } finally {
      button.disabled = false;
    }
    // The disabled button lost the focus to the page's top; the request reloaded may have no button left.
    if (refused) ($('#take-box').hidden ? $('#t-title') : button).focus();
  }

  async function sendReply(e) {
    e.preventDefault();
    const t = state.detail;
    if (!t || t.gone) return;
    const error = $('#reply-error');
    const text = $('#reply-text');
    const input = $('#reply-files');
    error.textContent = '';
    const body = text.value.trim();
    const files = [...input.files];
    const filesWrong = fileProblem(files);
    // A ready answer's placeholder the request could not fill ({nome}…) is never sent as such.
    const left = unfilled(body);
    const problem = !body
      ? [() => tr('off.reply.empty'), text]
      : left.length
        ? [() => tr('off.canned.unfilled', { fields: left.join(', ') }), text]
        : filesWrong
          ? [filesWrong, input]
          : null;
    if (problem) {
      say(error, problem[0]);
      problem[1].setAttribute('aria-invalid', 'true');
      problem[1].focus();
      if (body && left.length) selectUnfilled(text);
      return;
    }
    text.removeAttribute('aria-invalid');
    input.removeAttribute('aria-invalid');
    const form = new FormData();
    form.append('body', body);
    for (const f of files) form.append('files', f, f.name);
    // The same reply sent again (its answer lost to the network) keeps its key: the server answers
    // the first one instead of writing to the user twice; another text or other files is a new reply.
    const what = JSON.stringify([t.id, body, files.map((f) => [f.name, f.size, f.lastModified])]);
    const send = $('#reply-send');
    send.disabled = true;
    send.textContent = tr('off.reply.sending');
    let refused = null;
    try {
      await api(`/api/v1/tickets/${t.id}/replies`, { method: 'POST', form, headers: { 'idempotency-key': sending.keyFor(what) } });
      sending.done();
      text.value = '';
      input.value = '';
      renderChosen();
      await refreshAfter(null, tr('off.reply.done'));
      text.focus();
    } catch (err) {
      if (isGone(err)) letGone(t, err);
      else {
        refused = err;
        showRefusal(error, err);
      }
    } finally {
      send.disabled = false;
      send.textContent = tr('off.reply.send');
    }
    if (refused && !$('#reply-form').hidden) {
      // A file the server refused (its content is not a PDF…): the files are what to change, so the focus goes
      // there, marked, as for a file refused here. Otherwise back on the button the disabling took the focus
      // from: the text stays, to send again or copy.
      const aboutFiles = FILE_REFUSALS.has(refused.code);
      if (aboutFiles) input.setAttribute('aria-invalid', 'true');
      (aboutFiles ? input : send).focus();
    }
  }

  async function closeTicket(e) {
    e.preventDefault();
    const t = state.detail;
    if (!t || t.gone) return;
    const error = $('#close-error');
    error.textContent = '';
    const select = $('#close-outcome');
    const choice = select.value;
    const other = $('#close-other');
    const outcome = choice === 'other' ? other.value.trim() : OUTCOME_TEXT[choice];
    // No outcome chosen (none is preselected: closing is deliberate), or «Altro…» left empty.
    const wrong = !choice ? [select, 'off.close.noOutcome'] : !outcome ? [other, 'off.close.otherEmpty'] : null;
    if (wrong) {
      say(error, () => tr(wrong[1]));
      wrong[0].setAttribute('aria-invalid', 'true');
      wrong[0].focus();
      return;
    }
    select.removeAttribute('aria-invalid');
    other.removeAttribute('aria-invalid');
    try {
      await api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', json: { status: 'closed', outcome } });
      other.value = '';
      await refreshAfter('focus-title', tr('off.close.done', { protocol: t.protocol }));
    } catch (err) {
      if (isGone(err)) return letGone(t, err);
      showRefusal(error, err);
      if (err.code === 'illegal_transition') await openTicket(t.id, { quiet: true });
    }
  }

  return { take, sendReply, closeTicket };
}
