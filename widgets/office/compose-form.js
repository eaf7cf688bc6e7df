/**
 * An office writes first ("interlocuzione", POST /api/v1/tickets as an office):
 * a message to a user, a company (matricola) or both, to ask for documents or
 * information. It becomes a Linea INPS request of this sede, in charge of the
 * writer and without a deadline (the office waits on the user), and the user
 * side gets a notice with its protocol number; then it opens like any other.
 *
 * Separate from ticket-forms.js: those act on the ticket on screen, this one
 * makes a new one and owns the detail pane until it is sent or cancelled. The
 * form lives in a <template> and is in the page only while it is being written,
 * so its fields never stand beside the ticket's own (same labels) for assistive
 * technology or a search of the page.
 */
import { label } from '../i18n.js';
import { idempotencyKeeper } from '../lib/idempotency.js';
import { say } from '../lib/said.js';
import { $, h } from '../lib/ui.js';
import { cannedPicker, letterDate, selectUnfilled, unfilled } from './canned.js';
import { showRefusal } from './format.js';
import { applyOffice, tr } from './strings.js';
import { clearWhenFixed } from './fixed.js';
import { FILE_REFUSALS, checkChosen, fileProblem } from './ticket-forms.js';

const TOPICS = ['cigo', 'cigs', 'fis', 'solidarity_fund', 'payment', 'other'];

export function composeForm({ state, api, announce, openTicket, loadQueue }) {
  /** The letter being sent and its Idempotency-Key, until the server answered it. */
  const sending = idempotencyKeeper();
  const open = () => $('#compose');
  const me = () => state.session?.me ?? {};
  // Ready answers for a message nobody has answered yet: no protocol and no request date until it is sent.
  const canned = cannedPicker({
    prefix: 'compose',
    api,
    announce,
    facts: () => ({
      topic: $('#compose-topic')?.value,
      skip: ['protocollo', 'data_richiesta'],
      values: (lang) => ({
        oggetto: $('#compose-subject')?.value.trim(),
        sede: state.offices?.find((o) => o.code === me().sede)?.name ?? me().sede,
        operatore: me().name,
        data: letterDate(Date.now(), lang),
      }),
    }),
  });

  function renderTopics() {
    const select = $('#compose-topic');
    if (!select) return;
    const value = select.value || TOPICS[0];
    select.replaceChildren(...TOPICS.map((code) => h('option', { value: code }, label('topic', code))));
    select.value = value;
  }

  /** Puts the form in the pane (or focuses the one already there). */
  function show() {
    if (!open()) {
      const section = $('#compose-template').content.firstElementChild.cloneNode(true);
      applyOffice(section);
      $('#detail').prepend(section);
      renderTopics();
      canned.reset(null);
      void canned.load();
      $('#compose-topic').addEventListener('change', () => canned.render());
      $('#compose-form').addEventListener('submit', submit);
      // A fourth file, one over 5 MB, an empty one: said as chosen, as in a reply, not only at «Invia».
      $('#compose-files').addEventListener('change', () => checkChosen($('#compose-files'), $('#compose-error'), null));
      const error = $('#compose-error');
      const filled = (v) => v.trim() !== '';
      clearWhenFixed($('#compose-user'), error, filled);
      clearWhenFixed($('#compose-subject'), error, filled);
      clearWhenFixed($('#compose-body'), error, (v) => filled(v) && unfilled(v).length === 0);
      $('#compose-cancel').addEventListener('click', () => {
        hide();
        $('#detail-title').focus();
      });
    }
    $('#ticket').hidden = true;
    $('#detail-empty').hidden = true;
    state.selected = null;
    for (const b of document.querySelectorAll('.q-item[aria-current]')) b.removeAttribute('aria-current');
    $('#compose-title').focus();
  }

  /** Takes the form out; the pane shows "no request open" unless a ticket is about to. */
  function hide() {
    if (!open()) return false;
    open().remove();
    if ($('#ticket').hidden) $('#detail-empty').hidden = false;
    return true;
  }

  /** The first thing wrong, as [message, field], or null. */
  function problem(f, files) {
    if (!f['to.userId'].value.trim() && !f['to.matricola'].value.trim()) return [() => tr('off.compose.noRecipient'), f['to.userId']];
    if (!f.subject.value.trim()) return [() => tr('off.compose.noSubject'), f.subject];
    if (!f.body.value.trim()) return [() => tr('off.compose.noBody'), f.body];
    const left = unfilled(f.body.value);
    if (left.length) return [() => tr('off.canned.unfilled', { fields: left.join(', ') }), f.body];
    const filesWrong = fileProblem(files);
    return filesWrong ? [filesWrong, f.files] : null;
  }

  async function submit(e) {
    e.preventDefault();
    const form = e.currentTarget;
    const error = $('#compose-error');
    error.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const f = form.elements;
    const files = [...f.files.files];
    const wrong = problem(f, files);
    if (wrong) {
      say(error, wrong[0]);
      wrong[1].setAttribute('aria-invalid', 'true');
      wrong[1].focus();
      if (wrong[1] === f.body) selectUnfilled(f.body);
      return;
    }
    const body = new FormData();
    for (const name of ['subject', 'category', 'body', 'to.userId', 'to.matricola']) {
      const value = f[name].value.trim();
      if (value) body.append(name, value);
    }
    for (const file of files) body.append('files', file, file.name);
    // The same letter sent again (its answer lost to the network) keeps its key: the server
    // answers the first one instead of writing to the user twice; a changed letter is a new one.
    const what = JSON.stringify([[...body.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : [v.name, v.size, v.lastModified]])]);
    const send = $('#compose-send');
    send.disabled = true;
    try {
      const ticket = await api('/api/v1/tickets', { method: 'POST', form: body, headers: { 'idempotency-key': sending.keyFor(what) } });
      sending.done();
      hide();
      announce(tr('off.compose.done', { protocol: ticket.protocol }));
      await loadQueue();
      await openTicket(ticket.id, { focus: true, quiet: true });
    } catch (err) {
      showRefusal(error, err);
      send.disabled = false;
      // The disabled button had lost the focus to the page: it goes to the files when the server refused one
      // (marked, to be changed), else back to the button, the letter kept.
      const aboutFiles = FILE_REFUSALS.has(err.code);
      if (aboutFiles) f.files.setAttribute('aria-invalid', 'true');
      (aboutFiles ? f.files : send).focus();
    }
  }

  $('#compose-open').addEventListener('click', show);
  return { renderTopics, hide, renderCanned: () => canned.render() };
}
