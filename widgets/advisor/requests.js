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
 * records the read in the access log. Separate from advisor.js: the list and its
 * words are one concern (its states are card-list.js's), and the card only gives it a place.
 */
import { formatDateTime, formatDue, label, t } from '../i18n.js';
import { h } from '../lib/ui.js';
import { cardList } from './card-list.js';

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
 * list that arrives. Open when there is something to see. Returns the element and `load()`.
 */
export function requestsPanel({ client, conversationId, p, onLoad }) {
  return cardList({
    className: 'requests-box',
    listClass: 'requests-list',
    summaryId: `${p}-req-summary`,
    words: {
      title: (n) => t('adv.req.title', { n }),
      titleNone: () => t('adv.req.titleNone'),
      none: () => t('adv.req.none'),
      loading: () => t('adv.req.loading'),
      failed: () => t('adv.req.failed'),
    },
    fetch: async () => (await client.api(`api/v1/conversations/${encodeURIComponent(conversationId)}/requests`)).requests ?? [],
    render: line,
    unfold: true,
    onLoad,
  });
}
