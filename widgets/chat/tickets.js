/**
 * Linea INPS requests from the chat app (docs/tickets.md): the request form
 * (service closed, closing soon, a wait that ran out), the protocol number once
 * registered, "Le mie richieste" and one request's thread with its files and a
 * reply form, and from a closed one the follow-up ("richiesta collegata").
 *
 * This file is what the rest of the chat app sees of them: it starts the
 * parts, each in its own module (ticket-api.js, ticket-files.js, ticket-ui.js,
 * ticket-form.js, ticket-list.js, ticket-thread.js, ticket-live.js), hands each what it needs,
 * and redraws them all after a language change. Text reaches the page through
 * textContent only.
 */
import { initTicketApi } from './ticket-api.js';
import { initForm, offerFollowUp, offerTicket, renderForm } from './ticket-form.js';
import { initList, renderList } from './ticket-list.js';
import { initLive } from './ticket-live.js';
import { initThread, openThread, renderThreadView } from './ticket-thread.js';

export { TOPICS, formDirty, mountClosed, offerTicket } from './ticket-form.js';
export { forgetPlace, keepPlace, openMine, restorePlace } from './ticket-list.js';
export { forgetFilters } from './ticket-list-filters.js';
export { wireLive as wireTickets } from './ticket-live.js';
export { openThread } from './ticket-thread.js';

/** deps: { client() → ChatClient, showView(name), view() → current view, navigation() → views shown so far, announce(text), home() } */
export function initTickets({ client, showView, view, navigation, announce, home }) {
  initTicketApi(client);
  initForm({ client, showView, announce, home });
  initList({ client, showView, home, openThread, newRequest: () => offerTicket({}, {}, 'list') });
  initThread({ client, showView, view, navigation, announce, followUp: offerFollowUp });
  initLive({ view, announce });
}

/** After a language change: everything drawn from data. */
export function renderTickets() {
  renderForm();
  renderList();
  renderThreadView();
}
