/**
 * Who is signed in to the office console and how its calls to the ticket API
 * carry that person's token: the sign-in's session ({ me, getToken, signOut },
 * from the identity provider through ../lib/staff-sign-in.js, or the development
 * sign-in here: POST /dev/token, role office, a chosen sede, kept in
 * sessionStorage), the token renewed before it expires or once after a 401, and
 * the requests themselves.
 *
 * Separate from office.js because every panel calls the API through here, and
 * this is the one place that handles a credential. The session lives in the
 * console's state object (`state.session`), passed in.
 */
import { t as common } from '../i18n.js';
import { apiError, formSub, mintDevToken, savedChoice } from '../lib/dev-token.js';
import { claimsOf } from '../lib/oidc-client.js';
import { say, sayError } from '../lib/said.js';
import { forget, writeJson } from '../lib/tab-store.js';
import { $, h } from '../lib/ui.js';
import { tr } from './strings.js';

const KEY = 'infocig.office.dev';
export const SEDI = [
  ['SEDE-MI', 'Milano'], ['SEDE-RM', 'Roma'], ['SEDE-NA', 'Napoli'], ['SEDE-TO', 'Torino'], ['SEDE-BO', 'Bologna'],
  ['SEDE-FI', 'Firenze'], ['SEDE-BA', 'Bari'], ['SEDE-PA', 'Palermo'], ['SEDE-VE', 'Venezia'], ['SEDE-GE', 'Genova'],
  // Bolzano/Bozen: the sede whose operators read the console in German.
  ['SEDE-BZ', 'Bolzano/Bozen'],
];

const saved = () => savedChoice(KEY, (c) => typeof c.sede === 'string');
const mint = (choice) => mintDevToken({ role: 'office', sub: choice.sub, name: choice.name, sede: choice.sede });

const expiryOf = (token) => (claimsOf(token)?.exp ?? 0) * 1000;

const apiUrl = (path) => new URL(`..${path}`, location.href);

/** The development sign-in's session for `choice`: a token minted when none is fresh enough (or `fresh`). */
function devSession(choice) {
  let token = null;
  let exp = 0;
  return {
    me: { ...choice, role: 'office' },
    async getToken(fresh = false) {
      if (!fresh && token && exp - Date.now() > 60_000) return token;
      token = await mint(choice);
      exp = expiryOf(token);
      return token;
    },
    signOut: () => forget(KEY),
  };
}

/** The API as `state.session` ({ me, getToken, signOut }): { request, api, devSignIn }. */
export function officeSession(state) {
  const getToken = (fresh) => state.session.getToken(fresh);

  /** A request to the API with the Bearer token (renewed once on 401); resolves with the Response. */
  async function request(path, { method = 'GET', json, form, headers: extra = {} } = {}) {
    for (let attempt = 0; ; attempt++) {
      const headers = { ...extra, authorization: `Bearer ${await getToken(attempt > 0)}` };
      let body;
      if (json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(json);
      } else if (form) {
        body = form;
      }
      const res = await fetch(apiUrl(path), { method, headers, body, cache: 'no-store' }).catch(() => {
        // No answer at all (offline, connection cut): said as such, not as "error".
        throw Object.assign(new Error('network'), { code: 'network' });
      });
      if (res.status === 401 && attempt === 0) continue;
      if (!res.ok) throw apiError(res, await res.json().catch(() => null));
      return res;
    }
  }

  const api = async (path, options) => (await request(path, options)).json();

  /** The development sign-in: `start(session)` with the operator picked earlier in this tab, else once the form gave a token. */
  function devSignIn(start) {
    if (saved()) return start(devSession(saved()));
    const sede = $('#si-sede');
    for (const [code, city] of SEDI) sede.append(h('option', { value: code }, `${code} – ${city}`));
    $('#signin').hidden = false;
    sede.focus();
    $('#signin-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = e.currentTarget.elements;
      const err = $('#si-error');
      err.textContent = '';
      const sub = formSub(f, err, tr('off.signin.bad'));
      if (!sub) return;
      const choice = { sub, name: f.name.value.trim() || sub, sede: f.sede.value };
      const session = devSession(choice);
      try {
        await session.getToken(true);
      } catch (x) {
        if (x.status === 404) say(err, () => common('dev.unavailable'));
        else sayError(err, x, () => ({ lead: common('dev.failed') }));
        return;
      }
      writeJson(KEY, choice);
      $('#signin').hidden = true;
      start(session);
    });
  }

  return { request, api, devSignIn };
}
