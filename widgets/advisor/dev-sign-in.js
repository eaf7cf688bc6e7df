/**
 * The advisor console's development sign-in (AUTH_DEV on): a name, a user code
 * and skills, a token from POST /dev/token for each connection. The choice is
 * kept in sessionStorage so a reload resumes the same advisor. Production
 * sign-in is the identity provider's (../lib/staff-sign-in.js).
 */
import { t } from '../i18n.js';
import { formSub, mintDevToken, savedChoice } from '../lib/dev-token.js';
import { say, sayError } from '../lib/said.js';
import { forget, writeJson } from '../lib/tab-store.js';
import { $ } from '../lib/ui.js';

const KEY = 'infocig.advisor.dev';

const saved = () => savedChoice(KEY, () => true);
const mint = (choice) => mintDevToken({ role: 'advisor', ...choice });

/** What the console needs of a sign-in: who, a token per connection, and how to forget it. */
const session = (choice) => ({
  me: choice,
  getToken: () => mint(saved() ?? choice),
  signOut: () => forget(KEY),
});

/** Calls `start(session)` with the advisor picked earlier in this tab, else once the form is sent. */
export function devSignIn(start) {
  const choice = saved();
  if (choice) return start(session(choice));
  $('#signin').hidden = false;
  $('#si-name').focus();
  $('#signin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.currentTarget.elements;
    const err = $('#si-error');
    err.textContent = '';
    const sub = formSub(f, err, () => t('dev.subBad'));
    if (!sub) return;
    const skills = f.skills.value.split(',').map((s) => s.trim()).filter(Boolean);
    const picked = { sub, name: f.name.value.trim() || sub, ...(skills.length ? { skills } : {}) };
    try {
      await mint(picked);
    } catch (x) {
      // Said again in a new language (lib/said.js): the language can be chosen before signing in.
      if (x.status === 404) say(err, () => t('dev.unavailable'));
      else sayError(err, x, () => ({ lead: t('dev.failed') }));
      return;
    }
    writeJson(KEY, picked);
    $('#signin').hidden = true;
    start(session(picked));
    // The form is gone: focus the first thing to do, the status switch, not <body>.
    document.querySelector('input[name="status"]:checked')?.focus();
  });
}
