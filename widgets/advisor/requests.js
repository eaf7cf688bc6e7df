/**
 * The user's Linea INPS requests on an advisor's card ("Richieste Linea INPS
 * dell'utente"): most chats ask when a payment comes, and many of those people
 * already have a request open at their sede about it. Seeing it, the advisor can
 * tell them where it stands ("the Sede di Milano is working on it, answer due by
 * Thursday") instead of escalating a second one; the escalation form warns too
 * (handover.js, fed through `onLoad`).
 *
 * Asked from GET /api/v1/conversations/:id/requests when the card appears and
 * when it comes back; the server answers only the chat's current advisor and
 * records the read in the access log. Separate from advisor.js: the list, its
 * states and its words are one concern, and the card only gives it a place.
 */
import { formatDateTime, formatDue, label, t } from '../i18n.js';
import { h } from '../lib/ui.js';

/** A sede as a sentence names it: "Sede di Milano" (the office's name without "INPS"), else its code. */
export function sedeInWords(r) {
  return (r.sedeName || '').replace(/^INPS\s+/, '') || r.sede;
}

/** The requests still waiting for the sede (open or in progress), newest activity first as listed. */
export const openRequests = (items) => items.filter((r) => r.status !== 'closed');

function line(r) {
  const state = r.status === 'closed' && r.closedAt
    ? t('adv.req.closedOn', { status: label('tk.status', r.status), date: formatDateTime(r.closedAt) })
    : label('tk.status', r.status);
  const due = r.status !== 'closed' && r.dueAt ? t('adv.req.due', { due: formatDue(r.dueAt) }) : null;
  return h('li', { class: `request ${r.status}` },
    h('span', { class: 'request-head' }, h('strong', {}, r.protocol), ` – ${r.subject}`),
    h('span', { class: 'request-facts' }, [r.sedeName || r.sede, state, due].filter(Boolean).join(' · ')));
}

/**
 * The section of one card. `p` prefixes element ids; `onLoad(items)` hears each
 * list that arrives. Returns the element and `load()`.
 */
export function requestsPanel({ client, conversationId, p, onLoad }) {
  const title = h('span', {}, t('adv.req.title', { n: '…' }));
  const list = h('ul', { class: 'requests-list', 'aria-labelledby': `${p}-req-summary` });
  const status = h('p', { class: 'note requests-status', role: 'status' });
  const retry = h('button', { type: 'button', class: 'link', hidden: true }, t('adv.req.retry'));
  const el = h('details', { class: 'requests-box' }, h('summary', { id: `${p}-req-summary` }, title), status, list, retry);
  let asked = 0;

  async function load() {
    const mine = ++asked;
    retry.hidden = true;
    status.textContent = t('adv.req.loading');
    let items;
    try {
      items = (await client.api(`api/v1/conversations/${encodeURIComponent(conversationId)}/requests`)).requests ?? [];
    } catch (f) {
      if (mine !== asked) return;
      title.textContent = t('adv.req.title', { n: '?' });
      status.textContent = t('adv.req.failed', { code: f?.code ?? 'error' });
      retry.hidden = false;
      el.open = true; // the retry must be reachable
      return;
    }
    if (mine !== asked) return; // a later load answers for this card
    title.textContent = items.length ? t('adv.req.title', { n: items.length }) : t('adv.req.titleNone');
    status.textContent = items.length ? '' : t('adv.req.none');
    list.replaceChildren(...items.map(line));
    el.open = items.length > 0;
    onLoad?.(items);
  }
  retry.addEventListener('click', () => void load());
  return { el, load };
}
