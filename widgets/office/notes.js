/**
 * The internal notes of the open request ("Note interne"): what the sede's
 * staff write for one another ("asked the benefits office, wait for the
 * answer"; "transferred: the matricola is Turin's"). The user never reads
 * them; the section says so and looks unlike the thread, so nobody takes a
 * note for a reply or a reply for a note. Notes are written on closed
 * requests too. POST /api/v1/tickets/:id/notes; the list comes with the
 * ticket (`notes`, staff only).
 *
 * Separate from ticket-forms.js because a note changes nothing the user
 * sees: no notice, no status, no thread; and from ticket-view.js, which only
 * calls renderNotes.
 */
import { formatDateTime } from '../i18n.js';
import { idempotencyKeeper } from '../lib/idempotency.js';
import { say } from '../lib/said.js';
import { $, h } from '../lib/ui.js';
import { showRefusal } from './format.js';
import { isGone } from './gone.js';
import { tr } from './strings.js';

const MAX_LENGTH = 10_000;

/**
 * «Laura Bianchi (Sede)», or «Laura Bianchi (op-conti, Sede)» when a namesake also wrote on the request (`who`, staff-names.js).
 * The advisor who escalated the chat leaves a note too: said as such, not as a colleague of the sede.
 */
const NOTE_ROLES = { supervisor: 'off.role.supervisor', advisor: 'off.role.advisorNote' };
function author(a, who) {
  const role = tr(NOTE_ROLES[a.role] ?? 'off.role.office');
  const { name, code } = who(a.id, a.name);
  return name ? `${name} (${code ? `${code}, ` : ''}${role})` : role;
}

/** The notes of ticket `t`, oldest first, or the line saying there are none; `who` names their authors. */
export function renderNotes(t, who) {
  const notes = t.notes ?? [];
  $('#notes-empty').hidden = notes.length > 0;
  $('#t-notes').replaceChildren(...notes.map((n) =>
    h('li', { class: 'note-item', 'data-seq': n.seq },
      h('p', { class: 'note-meta' }, h('strong', { title: who(n.author?.id).title }, author(n.author ?? {}, who)), ' · ', h('time', { datetime: n.at }, formatDateTime(n.at))),
      h('p', { class: 'note-body' }, n.body))));
}

/**
 * @param {object} d
 * @param {object} d.state the console's state (selected, detail)
 * @param {(path: string, o?: object) => Promise<any>} d.api
 * @param {(text: string) => void} d.announce
 * @param {(id: string, o?: { quiet?: boolean }) => Promise<void>} d.openTicket
 * @param {(t: object, err: object) => void} d.letGone a request transferred or erased meanwhile (gone.js)
 */
export function noteForm({ state, api, announce, openTicket, letGone }) {
  /** The note being sent and its Idempotency-Key: sent again after a lost answer, it is written once. */
  const sending = idempotencyKeeper();

  async function submit(e) {
    e.preventDefault();
    const t = state.detail;
    if (!t || t.gone) return;
    const error = $('#note-error');
    const text = $('#note-text');
    error.textContent = '';
    const body = text.value.trim();
    const problem = !body ? 'off.notes.empty' : body.length > MAX_LENGTH ? 'off.notes.tooLong' : null;
    if (problem) {
      say(error, () => tr(problem));
      text.setAttribute('aria-invalid', 'true');
      text.focus();
      return;
    }
    text.removeAttribute('aria-invalid');
    const send = $('#note-send');
    send.disabled = true;
    try {
      await api(`/api/v1/tickets/${t.id}/notes`, { method: 'POST', json: { body }, headers: { 'idempotency-key': sending.keyFor(JSON.stringify([t.id, body])) } });
      sending.done();
      text.value = '';
      await openTicket(t.id, { quiet: true });
      announce(tr('off.notes.done'));
      text.focus();
    } catch (err) {
      if (isGone(err)) letGone(t, err);
      else showRefusal(error, err);
    } finally {
      send.disabled = false;
    }
  }

  return { submit };
}
