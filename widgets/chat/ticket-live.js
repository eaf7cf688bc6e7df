/**
 * "Le mie richieste" and a request's thread kept up to date without "Aggiorna"
 * (docs/tickets.md, "Live updates"). The server pushes `ticket.updated` to the
 * sockets of whoever may read a request (its owner; for a company's, those
 * holding its matricola) when the sede answers, moves or transfers it (or the
 * user side wrote from another tab); the frame carries no text, so what is shown
 * is read again over HTTP. Pushes are best-effort: after a reconnection (some
 * may have been missed) and when the tab is shown again after being hidden
 * (at most once a minute) the shown list or thread is read again too.
 *
 * Separate from the list and the thread: they know how to read themselves
 * again keeping what the user is doing (filters and focus, a half-typed
 * reply); this file knows when.
 */
import { t } from '../i18n.js';
import { refreshList } from './ticket-list.js';
import { refreshThread, shownThread, threadShowsUpdate } from './ticket-thread.js';

/** A tab shown again reads the requests again at most this often. */
const SHOWN_AGAIN_MS = 60_000;

/** deps: { view() → current view, announce(text) } */
let d;
/** running: the read in progress; again: another was asked for meanwhile; shownAt: the last read for a tab shown again. */
const live = { running: null, again: false, shownAt: 0 };

export function initLive(deps) {
  d = deps;
  document.addEventListener('visibilitychange', shownAgain);
}

/** Each (re)connected client: its pushes, and a read after a reconnection. */
export function wireLive(client) {
  client.on('ticket', updated);
  client.on('welcome', (f) => {
    if (f.reconnected) void refresh();
  });
}

function updated(f) {
  const view = d.view();
  if (view !== 'list' && view !== 'thread') return; // the list is read again when opened
  // A thread already read after the change (this tab's own reply reads it again when sent) is not read twice.
  if (view === 'list' || (shownThread() === f.ticketId && !threadShowsUpdate(f.ticketId, f.updatedAt))) void refresh();
  const said = news(f);
  if (said) d.announce(said);
}

/** What a user is told of a push: what the sede did; nothing of what they did themselves in another tab. */
function news(f) {
  if (f.by !== 'office') return '';
  if (f.reason === 'reply') return t('tk.push.reply', { protocol: f.protocol });
  if (f.reason === 'transfer') return t('tk.push.transfer', { protocol: f.protocol });
  return t('tk.push.status', { protocol: f.protocol, status: t(`tk.status.${f.status}`) });
}

function shownAgain() {
  if (document.visibilityState !== 'visible' || Date.now() - live.shownAt < SHOWN_AGAIN_MS) return;
  live.shownAt = Date.now();
  void refresh();
}

/** Reads the shown list or thread again; pushes arriving meanwhile make one more read, not one each. */
function refresh() {
  if (live.running) {
    live.again = true;
    return live.running;
  }
  live.running = (async () => {
    do {
      live.again = false;
      const view = d.view();
      if (view === 'list') await refreshList();
      else if (view === 'thread') await refreshThread();
    } while (live.again);
  })().finally(() => {
    live.running = null;
  });
  return live.running;
}
