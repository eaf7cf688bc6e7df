/**
 * Sign-in of the staff consoles (advisor, office, dashboard): the page asks
 * GET /api/v1/sign-in?page=<console> how, then
 * - `dev`: the console runs its development picker, as before;
 * - `oidc`: the identity provider signs the person in (oidc-client.js, with
 *   storage keys of the console), and the token's `role` must be one the
 *   console is for: else a clear refusal with a way out, never a half-working page;
 * - anything else (`none`, no answer): a message saying sign-in is not available.
 *
 * The role read here is unverified and only decides what the page shows: the
 * server checks the token, and the role, on every API call and socket.
 * "Esci" forgets this console's tokens and leaves a mark so that the reload
 * shows "Sei uscito" with a button, instead of signing straight back in
 * through the provider's own session.
 */
import { onLangChange, t } from '../i18n.js';
import { errorNodes } from './error-words.js';
import { claimsOf, oidcSession } from './oidc-client.js';
import { forget, readText, writeText } from './tab-store.js';
import { $, h } from './ui.js';

let shown = null;
onLangChange(() => shown && render(shown));

/** The console's sign-in panel (title, text: a sentence or a refusal's nodes, an optional second line and button), replacing any earlier one. */
function render(panel) {
  shown = panel;
  const old = $('#staff-auth');
  const button = panel.action ? h('button', { type: 'button', class: 'primary', id: 'staff-auth-action' }, t(panel.action.label)) : null;
  button?.addEventListener('click', panel.action.run);
  const el = h('section', { id: 'staff-auth', class: 'card staff-auth', 'aria-labelledby': 'staff-auth-title', 'data-state': panel.state },
    h('h2', { id: 'staff-auth-title', tabindex: '-1' }, t(panel.title)),
    panel.text ? h('p', { id: 'staff-auth-text' }, panel.text()) : null,
    panel.more ? h('p', { class: 'note' }, panel.more()) : null,
    button);
  if (old) old.replaceWith(el);
  else $('main').prepend(el);
  if (!old || old.dataset.state !== panel.state) $('#staff-auth-title').focus();
}

function hide() {
  shown = null;
  $('#staff-auth')?.remove();
}

/** What a console shows of the person: from the token's claims (name as SPID gives it too). */
function personOf(claims) {
  const name = claims.name || [claims.given_name, claims.family_name].filter(Boolean).join(' ') || claims.sub;
  return { sub: claims.sub, name, role: claims.role, sede: claims.sede ?? null, province: claims.province ?? null, skills: claims.skills ?? [] };
}

const roleName = (role) => (role ? t(`role.${role}`) : '?');

async function askServer(page) {
  try {
    const res = await fetch(new URL(`../api/v1/sign-in?page=${page}`, location.href));
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

/**
 * Signs a staff member in to `page` (advisor, office, dashboard), for a token of
 * one of `roles` (an office token must also name its sede). Resolves:
 * - { method: 'dev' }: development sign-in is on, the console runs its own picker;
 * - { method: 'oidc', me, getToken, signOut }: signed in with a fitting role;
 *   signOut() forgets the session (the console then reloads);
 * - null: the page shows why it cannot go on (and what to do).
 */
export async function staffSignIn({ page, roles }) {
  const cfg = await askServer(page);
  if (cfg?.method === 'dev') return { method: 'dev' };
  if (!cfg) {
    render({ state: 'failed', title: 'staff.failed.title', text: () => errorNodes('sign_in_unavailable', { lead: t('staff.failed.text') }), action: { label: 'staff.retry', run: () => location.reload() } });
    return null;
  }
  if (cfg.method !== 'oidc') {
    render({ state: 'none', title: 'staff.none.title', text: () => t('staff.none.text') });
    return null;
  }
  const oidc = oidcSession(cfg, page);
  const OUT = `infocig.${page}.signedOut`;
  const signOut = () => {
    oidc.signOut();
    writeText(OUT, '1');
  };
  if (readText(OUT)) {
    render({ state: 'out', title: 'staff.signedOut.title', text: () => t('staff.signedOut.text'), action: { label: 'staff.signIn', run: () => (forget(OUT), oidc.redirect()) } });
    return null;
  }
  render({ state: 'wait', title: 'staff.wait' });
  let getToken;
  let me;
  try {
    getToken = await oidc.signIn();
    me = personOf(claimsOf(await getToken()) ?? {});
  } catch (err) {
    render({ state: 'failed', title: 'staff.failed.title', text: () => errorNodes(err, { lead: t('staff.failed.text') }), action: { label: 'staff.retry', run: () => oidc.redirect() } });
    return null;
  }
  const noSede = me.role === 'office' && !me.sede;
  if (!roles.includes(me.role) || noSede) {
    render({
      state: 'refused',
      title: 'staff.refused.title',
      text: () => t(`staff.refused.${page}`),
      more: () => (noSede ? t('staff.refused.noSede') : t('staff.refused.who', { name: me.name, role: roleName(me.role) })),
      action: { label: 'common.signout', run: () => (signOut(), location.reload()) },
    });
    return null;
  }
  hide();
  return { method: 'oidc', me, getToken, signOut };
}
