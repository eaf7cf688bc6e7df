/**
 * Who is signed in to the office console and how its calls to the ticket API
 * carry that person's token: the development sign-in (POST /dev/token, role
 * office, a chosen sede, kept in sessionStorage), the token renewed before it
 * expires or once after a 401, and the requests themselves.
 *
 * Separate from office.js because every panel calls the API through here, and
 * this is the one place that handles a credential. State (choice, token,
 * tokenExp) lives in the console's state object, passed in.
 */
import { t as common } from '../i18n.js';
import { apiError, mintDevToken, savedChoice } from '../lib/dev-token.js';
import { $, h } from '../lib/ui.js';
import { tr } from './strings.js';

const KEY = 'infocig.office.dev';
export const SEDI = [
  ['SEDE-MI', 'Milano'], ['SEDE-RM', 'Roma'], ['SEDE-NA', 'Napoli'], ['SEDE-TO', 'Torino'], ['SEDE-BO', 'Bologna'],
  ['SEDE-FI', 'Firenze'], ['SEDE-BA', 'Bari'], ['SEDE-PA', 'Palermo'], ['SEDE-VE', 'Venezia'], ['SEDE-GE', 'Genova'],
];

export const saved = () => savedChoice(KEY, (c) => typeof c.sede === 'string');
const mint = (choice) => mintDevToken({ role: 'office', sub: choice.sub, name: choice.name, sede: choice.sede });

export function signOut() {
  sessionStorage.removeItem(KEY);
  location.reload();
}

function expiryOf(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.exp === 'number' ? payload.exp * 1000 : 0;
  } catch {
    return 0;
  }
}

const apiUrl = (path) => new URL(`..${path}`, location.href);

/** The API as `state.choice` (state: { choice, token, tokenExp }): { request, api, signIn }. */
export function officeSession(state) {
  async function getToken(fresh = false) {
    if (!fresh && state.token && state.tokenExp - Date.now() > 60_000) return state.token;
    state.token = await mint(state.choice);
    state.tokenExp = expiryOf(state.token);
    return state.token;
  }

  /** A request to the API with the Bearer token (renewed once on 401); resolves with the Response. */
  async function request(path, { method = 'GET', json, form } = {}) {
    for (let attempt = 0; ; attempt++) {
      const headers = { authorization: `Bearer ${await getToken(attempt > 0)}` };
      let body;
      if (json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(json);
      } else if (form) {
        body = form;
      }
      const res = await fetch(apiUrl(path), { method, headers, body, cache: 'no-store' });
      if (res.status === 401 && attempt === 0) continue;
      if (!res.ok) throw apiError(res, await res.json().catch(() => null));
      return res;
    }
  }

  const api = async (path, options) => (await request(path, options)).json();

  /** Shows the sign-in form; `start(choice)` once a token was minted for the choice. */
  function signIn(start) {
    const sede = $('#si-sede');
    for (const [code, city] of SEDI) sede.append(h('option', { value: code }, `${code} – ${city}`));
    $('#signin').hidden = false;
    sede.focus();
    $('#signin-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = e.currentTarget.elements;
      const err = $('#si-error');
      err.textContent = '';
      const sub = f.sub.value.trim();
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(sub)) {
        err.textContent = tr('off.signin.bad');
        f.sub.focus();
        return;
      }
      const choice = { sub, name: f.name.value.trim() || sub, sede: f.sede.value };
      try {
        state.choice = choice;
        await getToken(true);
      } catch (x) {
        state.choice = null;
        err.textContent = x.status === 404 ? common('dev.unavailable') : common('dev.failed', { code: x.code });
        return;
      }
      sessionStorage.setItem(KEY, JSON.stringify(choice));
      $('#signin').hidden = true;
      start(choice);
    });
  }

  return { request, api, signIn };
}
