/**
 * Service announcements ("Avvisi"): what a supervisor has published for the
 * user's province and audience (GET /api/v1/announcements/current), shown at
 * the top of the start view, the closed view and the queue. When a month's
 * payments are late or a procedure is down, most people ask exactly that; read
 * here, many need no chat at all.
 *
 * Asked again on every change of view and every 30 s while one of these views
 * is open (the server and the browser may each answer from a short cache), so
 * a waiting user sees a new announcement, and one withdrawn goes away, within
 * about a minute. A new one appearing while the user waits is also spoken.
 *
 * The institute's own plain text, put in with textContent; in the page's
 * language when written in it, else in Italian marked lang="it".
 */
import { lang, t } from '../i18n.js';
import { $, h } from '../lib/ui.js';

/** The views that show them, and where. */
const BOXES = { start: '#start-notices', closed: '#closed-notices', queue: '#queue-notices' };
const REFRESH_MS = 30_000;
const USER_ROLES = ['worker', 'employer', 'intermediary'];

/** deps: { state, announce(text) } */
let d;
let items = [];
/** What was last rendered: a poll that brings the same leaves the page alone (a screen reader may be reading it). */
let shownKey = '';
/** Ids already on screen in this visit to a view: only others are spoken. */
let seen = null;
let timer = null;
/** Bumped on each change of view: a refresh of an earlier visit, still loading, stops there. */
let round = 0;

export function initAnnouncements(deps) {
  d = deps;
}

/** On each change of view: the box of that view filled at once from what is known, then asked again. */
export function showAnnouncements(view) {
  clearTimeout(timer);
  timer = null;
  seen = null;
  round++;
  if (!BOXES[view]) return;
  render();
  void refresh(view, round);
}

/** After a language change. */
export function renderAnnouncements() {
  if (BOXES[d.state.view]) render();
}

async function refresh(view, r) {
  const next = await load();
  if (r !== round) return; // the user moved on while it loaded
  if (next) {
    const fresh = seen ? next.filter((a) => !seen.has(a.id)) : [];
    items = next;
    if (JSON.stringify(next) !== shownKey) render();
    if (fresh.length && view === 'queue') d.announce(fresh.map((a) => t('notice.new', { title: inLang(a).title })).join(' '));
    seen = new Set(next.map((a) => a.id));
  }
  timer = setTimeout(() => void refresh(view, r), REFRESH_MS);
}

/** The announcements for this user, or null when they could not be read (what is shown stays). */
async function load() {
  const c = d.state.client;
  if (!c) return null;
  const q = new URLSearchParams();
  if (c.user?.province) q.set('province', c.user.province);
  if (USER_ROLES.includes(c.role)) q.set('audience', c.role);
  try {
    const res = await fetch(new URL(`api/v1/announcements/current?${q}`, c.httpBase));
    return res.ok ? (await res.json()).items ?? [] : null;
  } catch {
    // Announcements are a help, not a step: the view works without them.
    return null;
  }
}

/** Title and text in the page's language when written in it, else in Italian. */
function inLang(a) {
  const l = lang();
  const written = a.title[l] && a.text[l] ? l : 'it';
  return { title: a.title[written], text: a.text[written], lang: written === l ? null : 'it' };
}

function notice(a) {
  const { title, text, lang: written } = inLang(a);
  const id = `notice-${a.id}-${d.state.view}`;
  const warning = a.severity === 'warning';
  return h(
    'section',
    { class: `notice${warning ? ' notice-warning' : ''}`, 'aria-labelledby': id, 'data-id': a.id },
    // The kind on its own line; the colon only for screen readers, which read the heading as one phrase.
    h('h3', { id }, h('span', { class: 'notice-kind' }, warning ? t('notice.warning') : t('notice.info'), h('span', { class: 'sr-only' }, ':')), ' ', h('span', { lang: written }, title)),
    h('p', { class: 'notice-text', lang: written }, text),
  );
}

function render() {
  shownKey = JSON.stringify(items);
  for (const [view, sel] of Object.entries(BOXES)) {
    const box = $(sel);
    const show = view === d.state.view && items.length > 0;
    box.hidden = !show;
    box.replaceChildren(...(show ? items.map(notice) : []));
  }
}
