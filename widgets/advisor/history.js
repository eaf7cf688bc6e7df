/**
 * The user's previous chats on an advisor's card ("Chat precedenti"): people come
 * back ("I wrote yesterday, the advisor said to wait for the decree"), and the
 * advisor can read what was said instead of asking them to tell it all again.
 *
 * Folded under the requests: date, topic, outcome, and the Linea INPS request a
 * chat became. Opening one shows its transcript in a modal dialog, read-only and
 * labelled as a previous chat (no composer in it: the reply box is the card's),
 * focus on its close button, Escape closes, and focus goes back to the chat opened.
 *
 * Asked from GET /api/v1/conversations/:id/history when the card appears and when
 * it comes back, and …/history/:previousId for a transcript; the server answers
 * only the chat's current advisor and records each read in the access log
 * (docs/chat-history.md). advisor.js only gives it a place on the card.
 */
import { formatDateTime, label, t } from '../i18n.js';
import { say, sayError } from '../lib/said.js';
import { h, ht } from '../lib/ui.js';
import { cardList } from './card-list.js';
import { sedeInWords } from './requests.js';

const USER_ROLES = ['worker', 'employer', 'intermediary'];
const api = (client, path) => client.api(`api/v1/conversations/${path.map(encodeURIComponent).join('/')}`);

/** "LINPS-… (Sede di Milano)": the request a chat was passed to. */
const requestInWords = (r) => t('adv.hist.request', { protocol: r.protocol, sede: sedeInWords(r) });

function facts(c) {
  return [
    label('adv.outcome', c.outcome) || t('adv.hist.noOutcome'),
    c.request ? requestInWords(c.request) : null,
    c.sameUser ? null : t('adv.hist.company'),
  ].filter(Boolean).join(' · ');
}

// ---------------------------------------------------------------------------
// The transcript dialog: one for the page, built the first time it is needed.

let dialog = null;

function transcriptDialog() {
  if (dialog) return dialog;
  const title = h('h2', { id: 'hist-dialog-title', tabindex: '-1' });
  const close = ht('button', { type: 'button', class: 'history-close' }, 'adv.hist.close');
  const ctx = h('dl', { class: 'ctx' });
  const status = h('p', { class: 'note', role: 'status' });
  const list = h('ol', { class: 'log-list' });
  const log = h('div', { class: 'log history-log', tabindex: '0', role: 'region', 'aria-label': t('adv.hist.messages') }, list);
  const el = h('dialog', { class: 'history-dialog card', 'aria-labelledby': 'hist-dialog-title', 'aria-describedby': 'hist-dialog-note' },
    h('div', { class: 'history-dialog-head' }, title, close),
    ht('p', { id: 'hist-dialog-note', class: 'warn-note' }, 'adv.hist.readOnly'),
    ctx, status, log);
  document.body.append(el);
  close.addEventListener('click', () => el.close());
  // A click on the backdrop (outside the box) closes too.
  el.addEventListener('click', (e) => e.target === el && el.close());
  dialog = { el, title, close, ctx, status, list, log, opener: null, asked: 0 };
  el.addEventListener('close', () => {
    dialog.asked++; // an answer still on its way is for a dialog no longer there
    if (dialog.opener?.isConnected) dialog.opener.focus();
    dialog.opener = null;
  });
  return dialog;
}

function context(c, advisorName) {
  const rows = [
    ['adv.ctx.topic', label('topic', c.topic), true],
    ['adv.ctx.entry', label('entry', c.entry)],
    ['adv.outcome', label('adv.outcome', c.outcome) || t('adv.hist.noOutcome')],
    ['role.advisor', advisorName],
    ['adv.hist.closedAt', formatDateTime(c.closedAt)],
    ['adv.hist.requestLabel', c.request ? t('adv.hist.requestFacts', { protocol: c.request.protocol, sede: c.request.sedeName || c.request.sede }) : null, true],
    ['adv.hist.whose', c.sameUser ? null : t('adv.hist.company'), true],
  ];
  return rows.filter(([, v]) => v).map(([k, v, wide]) => h('div', { class: wide ? 'wide' : null }, h('dt', {}, t(k)), h('dd', {}, v)));
}

function message(m) {
  const user = USER_ROLES.includes(m.from?.role);
  return h('li', { class: `msg ${user ? 'theirs' : 'mine'}`, 'data-seq': m.seq },
    h('p', { class: 'msg-meta' }, h('span', { class: 'msg-who' }, label('role', m.from?.role)), ' ', h('time', { datetime: m.at }, formatDateTime(m.at))),
    h('p', { class: 'msg-text' }, m.text));
}

async function openTranscript(client, conversationId, c, opener) {
  const d = transcriptDialog();
  const mine = ++d.asked;
  d.opener = opener;
  d.title.textContent = t('adv.hist.dialogTitle', { date: formatDateTime(c.openedAt) });
  d.ctx.replaceChildren(...context(c, null));
  d.status.textContent = t('adv.hist.loading');
  d.list.replaceChildren();
  d.log.hidden = true;
  if (!d.el.open) d.el.showModal();
  d.close.focus();
  let x;
  try {
    x = await api(client, [conversationId, 'history', c.id]);
  } catch (f) {
    // not_found: the chat served now closed or moved on (or that one left the last 30 days).
    if (mine !== d.asked) return;
    if (f?.code === 'not_found') say(d.status, () => t('adv.hist.gone'));
    else sayError(d.status, f, () => ({ lead: t('adv.hist.failed') }));
    return;
  }
  if (mine !== d.asked) return;
  d.ctx.replaceChildren(...context(x, x.advisorName));
  d.status.textContent = x.transcript.length ? '' : t('adv.hist.empty');
  d.list.replaceChildren(...x.transcript.map(message));
  d.log.hidden = x.transcript.length === 0;
}

// ---------------------------------------------------------------------------
// The section of one card

function item(client, conversationId, c) {
  const open = h('button', { type: 'button', class: 'link history-open', 'aria-haspopup': 'dialog' },
    t('adv.hist.item', { date: formatDateTime(c.openedAt), topic: label('topic', c.topic) }));
  open.addEventListener('click', () => void openTranscript(client, conversationId, c, open));
  return h('li', { class: 'previous-chat' }, h('span', {}, open), h('span', { class: 'previous-facts' }, facts(c)));
}

/** The section of one card; `p` prefixes element ids. Folded until the advisor opens it. Returns the element and `load()`. */
export function historyPanel({ client, conversationId, p }) {
  return cardList({
    className: 'history-box',
    listClass: 'history-list',
    summaryId: `${p}-hist-summary`,
    words: {
      title: (n) => t('adv.hist.title', { n }),
      titleNone: () => t('adv.hist.titleNone'),
      none: () => t('adv.hist.none'),
      loading: () => t('adv.hist.loading'),
      failed: () => t('adv.hist.listFailed'),
    },
    fetch: async () => (await api(client, [conversationId, 'history'])).chats ?? [],
    render: (c) => item(client, conversationId, c),
  });
}
