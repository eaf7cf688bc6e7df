/**
 * Development sign-in for the full-page chat (/chat/ opened directly): pick a
 * role and a province, get a token from POST /dev/token. The choice is kept in
 * sessionStorage so a reload resumes the same person; every getToken() call
 * mints a fresh token for it. Not used when the chat runs inside the bubble.
 */
import { t } from '../i18n.js';
import { mintDevToken, savedChoice } from '../lib/dev-token.js';
import { say, sayError } from '../lib/said.js';
import { forget, writeJson } from '../lib/tab-store.js';
import { $, h } from '../lib/ui.js';

const KEY = 'infocig.chat.dev';
const ROLES = ['worker', 'employer', 'intermediary'];
export const PROVINCES = [
  ['MI', 'Milano'], ['RM', 'Roma'], ['NA', 'Napoli'], ['TO', 'Torino'], ['BO', 'Bologna'],
  ['FI', 'Firenze'], ['BA', 'Bari'], ['PA', 'Palermo'], ['VE', 'Venezia'], ['GE', 'Genova'],
  ['BZ', 'Bolzano/Bozen'],
];

export function signOut() {
  forget(KEY);
}

const mint = mintDevToken;
const saved = () => savedChoice(KEY, (c) => typeof c.role === 'string');

/** Resolves with a getToken function once someone is signed in. */
export function devSignIn(section, show) {
  const getToken = () => mint(saved());
  if (saved()) return Promise.resolve(getToken);
  return new Promise((resolve) => {
    const role = h('select', { id: 'dev-role', name: 'role' }, ROLES.map((r) => h('option', { value: r }, t(`role.${r}`))));
    const province = h('select', { id: 'dev-province', name: 'province' }, PROVINCES.map(([c, n]) => h('option', { value: c }, `${n} (${c})`)));
    const name = h('input', { id: 'dev-name', name: 'name', type: 'text', autocomplete: 'name', value: 'Mario Rossi' });
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'dev-form card' },
      h('p', { class: 'note' }, t('dev.note')),
      h('div', { class: 'field' }, h('label', { for: 'dev-role' }, t('dev.role')), role),
      h('div', { class: 'field' }, h('label', { for: 'dev-province' }, t('dev.province')), province),
      h('div', { class: 'field' }, h('label', { for: 'dev-name' }, t('dev.name')), name),
      error,
      h('button', { type: 'submit', class: 'primary' }, t('dev.submit')),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      const choice = {
        role: role.value,
        province: province.value,
        name: name.value.trim() || 'Mario Rossi',
        sub: `dev-${role.value}-${crypto.getRandomValues(new Uint32Array(1))[0].toString(36)}`,
        // An employer holds one company; a labour consultant acts for several.
        ...(role.value === 'employer' ? { matricola: '1234567890' } : role.value === 'intermediary' ? { matricole: ['1234567890', '9876543210'] } : {}),
      };
      try {
        await mint(choice);
      } catch (err) {
        if (err.status === 404) say(error, () => t('dev.unavailable'));
        else sayError(error, err, () => ({ lead: t('dev.failed') }));
        return;
      }
      writeJson(KEY, choice);
      form.remove();
      resolve(getToken);
    });
    section.append(form);
    show();
    $('#dev-role', section).focus();
  });
}
