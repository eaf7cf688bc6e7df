/**
 * The advisor's status switch ("Disponibile" / "Assente"): what they chose, kept in the tab because the server
 * starts every (re)connection as away and the console says the choice again; what the server says they are;
 * and the note, kept until they choose again, when the router set them away for a chat left unanswered.
 * Kept apart from advisor.js: the choice and the server's word about it are one concern, the cards another.
 */
import { t } from '../i18n.js';
import { readText, writeText } from '../lib/tab-store.js';
import { $ } from '../lib/ui.js';
import { unlockAudio } from './cues.js';

export const STATUS_KEY = 'infocig.advisor.status';

/**
 * Wires the switch. `client()` is the chat client once signed in (null before); `announce(text)` speaks in the
 * live region. Returns `desired()` (the choice), `current()` (the server's word, null before it spoke),
 * `heard(frame)` for an `advisor.status` frame, `render()` and `leave()` (signing out: away, if available).
 */
export function statusSwitch({ client, announce }) {
  let desired = readText(STATUS_KEY) === 'available' ? 'available' : 'away';
  let current = null;
  const radios = () => document.querySelectorAll('input[name="status"]');

  function render() {
    const want = current ?? desired;
    for (const r of radios()) r.checked = r.value === want;
    document.body.dataset.status = want;
  }

  function choose(value) {
    desired = value;
    writeText(STATUS_KEY, value);
  }

  for (const r of radios()) {
    r.addEventListener('change', () => {
      if (!r.checked) return;
      unlockAudio(); // available means a new chat beeps: the choice is the gesture the browser wants first
      $('#away-note').hidden = true;
      choose(r.value);
      client()?.setAdvisorStatus(r.value).catch(() => render());
    });
  }

  /** The server's `advisor.status` frame: what the advisor now is, and why when the router decided it. */
  function heard(f) {
    current = f.status;
    render();
    // The router set them away: a chat had no first answer in time. Say so, and keep saying it until they choose again.
    $('#away-note').hidden = f.reason !== 'unanswered';
    if (f.reason === 'unanswered') {
      choose('away');
      announce(t('adv.awayUnanswered'));
    }
  }

  return {
    desired: () => desired,
    current: () => current,
    heard,
    render,
    leave: () => desired === 'available' && client()?.setAdvisorStatus('away').catch(() => {}),
  };
}
