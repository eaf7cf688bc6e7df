/**
 * INFO CIG territorial office console: the sede's Linea INPS queue (overdue
 * first, then by due time), filters, one ticket at a time with its thread and
 * files, take in charge, reply with up to three files, close with an outcome,
 * transfer to the competent sede.
 *
 * Everything goes through the ticket API with `Authorization: Bearer`, files
 * included (fetched, then saved through a Blob URL). Sign-in: the identity
 * provider's for an `office` token naming its sede, or a `supervisor` one that
 * reads every sede's requests without acting on them (../lib/staff-sign-in.js);
 * with AUTH_DEV the development picker (session.js).
 * User text reaches the page only through textContent; no inline style.
 * Italian by default; German and English through the shared language switch
 * (?lang=, else the browser's preferred language among the three, as the chat).
 *
 * This file holds the console's state and starts it: which control does what,
 * the periodic refresh, the language switch. The parts are session.js (sign-in
 * and API), queue.js (the list and its filters), ticket-view.js (one ticket)
 * ticket-forms.js (take, reply, close), canned.js (the reply's and the new
 * message's ready answers), notes.js (internal notes, staff only),
 * transfer-form.js (to another sede), gone.js (a request a colleague moved
 * meanwhile) and staff-names.js (colleagues by name).
 */
import { OFFICE_LANGS, applyI18n, browserLang, offerLangs, onLangChange, setLang, t } from '../i18n.js';
import { $, announcer, h } from '../lib/ui.js';
import { focusRow, officeQueue } from './queue.js';
import { staffSignIn } from '../lib/staff-sign-in.js';
import { SEDI, officeSession } from './session.js';
import { applyOffice, tr } from './strings.js';
import { checkChosen, renderOutcomes, ticketForms } from './ticket-forms.js';
import { clearWhenFixed } from './fixed.js';
import { ticketView } from './ticket-view.js';
import { transferForm } from './transfer-form.js';
import { composeForm } from './compose-form.js';
import { noteForm } from './notes.js';
import { cannedPicker, letterDate, unfilled } from './canned.js';
import { goneHandler } from './gone.js';

const REFRESH_MS = 30_000;

const announce = announcer($('#announce'));

const state = {
  /** The sign-in: { me, getToken, signOut }; `me.sede` is the sede whose requests these are. */
  session: null,
  items: [],
  page: 1,
  total: 0,
  partial: false,
  selected: null,
  detail: null,
  known: null,
  timer: null,
  /** The office directory ({ code, name }[]), read once for the transfer form and the history. */
  offices: null,
};

const { request, api, devSignIn } = officeSession(state);
/** The reply's ready answers, filled from the request on screen and the operator answering. */
const replyCanned = cannedPicker({
  prefix: 'reply',
  api,
  announce,
  facts: () => {
    const t = state.detail ?? {};
    return {
      topic: t.category,
      values: (lang) => ({
        protocollo: t.protocol,
        oggetto: t.subject,
        nome: t.user?.name,
        data_richiesta: t.createdAt ? letterDate(t.createdAt, lang) : null,
        sede: t.sedeName ?? t.sede,
        operatore: state.session?.me?.name,
        data: letterDate(Date.now(), lang),
      }),
    };
  },
});
const { openTicket, renderTicket } = ticketView({ state, api, request, announce, canned: replyCanned });
const loadQueue = officeQueue({ state, api, announce, openTicket });
const letGone = goneHandler({ state, announce, loadQueue, renderTicket });
const { take, sendReply, closeTicket } = ticketForms({ state, api, announce, openTicket, loadQueue, letGone });
const notes = noteForm({ state, api, announce, openTicket, letGone });
const transfer = transferForm({ state, api, announce, loadQueue, letGone });
const compose = composeForm({ state, api, announce, openTicket, loadQueue });

/** Who is signed in, and where: a supervisor reads every sede's requests and acts on none (the server refuses it). */
function renderMe({ name, sede, role }) {
  const city = SEDI.find(([code]) => code === sede)?.[1];
  const where = role === 'supervisor' ? `${t('role.supervisor')} (${t('staff.readOnly')})` : city ? `${sede} (${city})` : sede;
  $('#me').textContent = tr('off.me', { name, sede: where });
  document.body.toggleAttribute('data-read-only', role === 'supervisor');
  const title = $('#queue-title');
  title.dataset.t = role === 'supervisor' ? 'off.queue.titleAll' : 'off.queue.title';
  title.textContent = tr(title.dataset.t);
}

/** A supervisor narrows the list to one sede; the sedi come from the offices' directory. */
function renderSedeFilter() {
  const supervisor = state.session?.me?.role === 'supervisor';
  $('#f-sede-field').hidden = !supervisor;
  const select = $('#f-sede');
  if (!supervisor || !state.offices || select.options.length > 1) return;
  select.append(...state.offices.map((o) => h('option', { value: o.code }, o.name ? `${o.name} (${o.code})` : o.code)));
}

function start(session) {
  state.session = session;
  renderMe(session.me);
  $('#signout').hidden = false;
  $('#board').hidden = false;
  renderOutcomes();
  // Names for the history of a request opened before the directory arrived.
  void transfer.loadOffices().then(() => {
    renderSedeFilter();
    if (state.detail) renderTicket(state.detail);
  });
  renderSedeFilter();
  if (session.me.role === 'office') void replyCanned.load(); // a supervisor reads, never replies
  void loadQueue();
  clearInterval(state.timer);
  state.timer = setInterval(() => {
    if (document.visibilityState === 'visible') void loadQueue({ quiet: true });
  }, REFRESH_MS);
}

async function boot() {
  const sel = $('#lang');
  for (const [code, name] of Object.entries(OFFICE_LANGS)) sel.append(h('option', { value: code, lang: code }, name));
  sel.addEventListener('change', () => setLang(sel.value));
  onLangChange((code) => {
    sel.value = code;
    applyOffice();
    renderOutcomes();
    compose.renderTopics();
    compose.renderCanned();
    replyCanned.render();
    if (state.session) {
      start(state.session);
      if (state.detail && !$('#compose')) renderTicket(state.detail); // not over a message being written
    }
  });

  $('#filters').addEventListener('submit', (e) => {
    e.preventDefault();
    void loadQueue();
  });
  $('#filters').addEventListener('reset', () => setTimeout(() => void loadQueue(), 0));
  $('#f-status').addEventListener('change', () => void loadQueue());
  $('#f-overdue').addEventListener('change', () => void loadQueue());
  $('#refresh').addEventListener('click', () => void loadQueue());
  $('#more').addEventListener('click', () => void loadQueue({ more: true }));
  $('#take').addEventListener('click', () => void take());
  $('#reply-form').addEventListener('submit', sendReply);
  $('#reply-files').addEventListener('change', () => checkChosen());
  // A field's message goes once the field is fixed, not at the next «Invia» (fixed.js).
  clearWhenFixed($('#reply-text'), $('#reply-error'), (v) => v.trim() !== '' && unfilled(v).length === 0);
  clearWhenFixed($('#close-outcome'), $('#close-error'), (v) => v !== '');
  clearWhenFixed($('#close-other'), $('#close-error'), (v) => v.trim() !== '');
  $('#note-form').addEventListener('submit', (e) => void notes.submit(e));
  $('#close-form').addEventListener('submit', closeTicket);
  $('#transfer-form').addEventListener('submit', (e) => void transfer.submit(e));
  $('#close-outcome').addEventListener('change', () => {
    $('#close-other-box').hidden = $('#close-outcome').value !== 'other';
  });
  // The focus lands on the pane's title after opening, closing or transferring a request. Shift+Tab from there goes
  // back to that request's row (or to the list's start, the request gone from it), not to whichever row ends the list.
  for (const title of [$('#t-title'), $('#detail-title')]) {
    title.addEventListener('keydown', (e) => {
      if (e.key === 'Tab' && e.shiftKey && focusRow(state.selected)) e.preventDefault();
    });
  }
  $('#signout').addEventListener('click', () => {
    state.session?.signOut();
    location.reload();
  });

  applyOffice();
  // A Bolzano operator whose browser prefers German reads German; one who prefers Italian, Italian.
  setLang(new URLSearchParams(location.search).get('lang') || browserLang());
  const signedIn = await staffSignIn({ page: 'office', roles: ['office', 'supervisor'] });
  if (signedIn?.method === 'oidc') start(signedIn);
  else if (signedIn?.method === 'dev') devSignIn(start);
}

offerLangs(OFFICE_LANGS);
applyI18n();
void boot();
