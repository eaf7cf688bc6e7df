/**
 * Handing the open request to the competent sede ("trasferimento per
 * competenza"): the list of the other sedi (GET /api/v1/offices, read once),
 * a required reason, and POST /api/v1/tickets/:id/transfer. On success the
 * request is no longer this sede's: the detail pane empties, says where it
 * went, and the queue is read again without it.
 *
 * Separate from ticket-forms.js because this form has its own data (the
 * office directory, which ticket-view.js also uses to name the sedi in a
 * request's history) and ends differently: the other forms reload the ticket,
 * this one lets it go.
 */
import { say } from '../lib/said.js';
import { $, h } from '../lib/ui.js';
import { showRefusal } from './format.js';
import { isGone } from './gone.js';
import { tr } from './strings.js';

/** The office's name for a code, from the directory once loaded; the code until then. */
export function officeName(state, code) {
  return state.offices?.find((o) => o.code === code)?.name ?? code;
}

/**
 * @param {object} d
 * @param {object} d.state the console's state (session, selected, detail, offices)
 * @param {(path: string, o?: object) => Promise<any>} d.api
 * @param {(text: string) => void} d.announce
 * @param {(o?: { quiet?: boolean }) => Promise<void>} d.loadQueue
 * @param {(t: object, err: object) => void} d.letGone a request a colleague transferred first, or erased (gone.js)
 */
export function transferForm({ state, api, announce, loadQueue, letGone }) {
  /** The other sedi, by name, after a "choose" entry so that no sede is picked by default. */
  function renderTargets() {
    const select = $('#transfer-sede');
    const value = select.value;
    const others = (state.offices ?? []).filter((o) => o.code !== state.session?.me.sede);
    select.replaceChildren(h('option', { value: '' }, tr('off.transfer.pick')), ...others.map((o) => h('option', { value: o.code }, o.name)));
    select.value = others.some((o) => o.code === value) ? value : '';
  }

  async function loadOffices() {
    if (!state.offices) {
      try {
        state.offices = (await api('/api/v1/offices')).items;
      } catch {
        say($('#transfer-error'), () => tr('off.transfer.noOffices'));
      }
    }
    renderTargets();
  }

  function invalid(field, message) {
    $('#transfer-error').textContent = message;
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  }

  /** The request has left this sede: the pane says where it went, and focus lands on it. */
  function letGo(t, sedeName) {
    const message = tr('off.transfer.done', { protocol: t.protocol, sede: sedeName });
    state.selected = null;
    state.detail = null;
    $('#ticket').hidden = true;
    $('#detail-empty').hidden = false;
    const done = $('#detail-done');
    done.textContent = message;
    done.hidden = false;
    $('#detail-title').focus();
    announce(message);
  }

  async function submit(e) {
    e.preventDefault();
    const t = state.detail;
    if (!t || t.gone) return;
    const error = $('#transfer-error');
    const select = $('#transfer-sede');
    const reason = $('#transfer-reason');
    error.textContent = '';
    if (!state.offices) await loadOffices();
    if (!select.value) return invalid(select, tr('off.transfer.noSede'));
    select.removeAttribute('aria-invalid');
    if (!reason.value.trim()) return invalid(reason, tr('off.transfer.noReason'));
    reason.removeAttribute('aria-invalid');
    const send = $('#transfer-send');
    send.disabled = true;
    send.textContent = tr('off.transfer.sending');
    try {
      const moved = await api(`/api/v1/tickets/${t.id}/transfer`, { method: 'POST', json: { sede: select.value, reason: reason.value.trim() } });
      reason.value = '';
      select.value = '';
      letGo(t, moved.sedeName ?? officeName(state, moved.sede));
      await loadQueue({ quiet: true });
    } catch (err) {
      if (isGone(err)) letGone(t, err);
      else showRefusal(error, err);
    } finally {
      send.disabled = false;
      send.textContent = tr('off.transfer.submit');
    }
  }

  return { loadOffices, renderTargets, submit };
}
