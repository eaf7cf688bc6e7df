/**
 * One ticket in the office console, read-only: its protocol, status and facts,
 * the requests it follows or that follow it (each opening the other, under the
 * normal access rules: another sede's answers 404, unless a follow-up held here
 * links to it, when it opens read only as that follow-up's history), the transfers that brought it here (with their reasons, from the audit
 * trail), the chat transcript it came from, the staff's internal notes
 * (notes.js), the thread of replies with their
 * files (fetched with the Bearer token and saved through a Blob URL), and
 * which of the forms below it apply (take, reply, close, transfer) or the
 * closed box instead (saying when the due time was met late), or none when a
 * colleague transferred the request meanwhile (gone.js).
 *
 * Separate from office.js because this panel only shows what the API returned;
 * what changes a ticket is in ticket-forms.js.
 */
import { formatDateTime, formatDue, formatSize, label } from '../i18n.js';
import { say } from '../lib/said.js';
import { $, h } from '../lib/ui.js';
import { dueSoon, showRefusal } from './format.js';
import { renderGone } from './gone.js';
import { renderNotes } from './notes.js';
import { staffNames } from './staff-names.js';
import { tr } from './strings.js';
import { renderChosen, renderOutcomes } from './ticket-forms.js';
import { officeName } from './transfer-form.js';

function fact(key, value, extra) {
  if (value === null || value === undefined || value === '') return null;
  return h('div', { class: extra ?? null }, h('dt', {}, tr(key)), h('dd', {}, value));
}

/**
 * A reply's author line: the name and role, with the user code too when another author of this
 * request has the same name (`who`, staff-names.js), in the text itself so a screen reader says it.
 */
function authorName(author, ticket, who) {
  const { name, code } = author.name ? who(author.id, author.name) : { name: null, code: null };
  const inBrackets = (role) => `${name} (${code ? `${code}, ` : ''}${role})`;
  if (author.role === 'office') return name ? inBrackets(tr('off.role.office')) : tr('off.role.office');
  if (author.role === 'advisor') return name ? `${code ? `${name} (${code})` : name} – ${tr('off.role.advisor')}` : tr('off.role.advisor');
  const role = label('role', author.role);
  return name ? inBrackets(role) : ticket.user?.name ?? role;
}

/** Who speaks in an escalated chat's transcript: the advisor is INPS's («Consulente» alone, in a sede, is the labour consultant). */
function speaker(role) {
  return role === 'advisor' ? tr('off.role.advisorChat') : label('role', role);
}

/**
 * A closed request's line. Its due time was a promise to recontact the user: met by the sede's first
 * answer, else by the closing. Met late, the line says so, as the list says "scaduta il …" of an open one.
 */
function closedText(t) {
  const values = { when: formatDateTime(t.closedAt), outcome: t.outcome ?? '', due: t.dueAt ? formatDue(t.dueAt) : '' };
  const late = (at) => Boolean(t.dueAt && at && Date.parse(at) > Date.parse(t.dueAt));
  if (t.respondedAt) return late(t.respondedAt) ? tr('off.closed.answeredLate', { ...values, answered: formatDateTime(t.respondedAt) }) : tr('off.closed.box', values);
  return late(t.closedAt) ? tr('off.closed.late', values) : tr('off.closed.box', values);
}

/**
 * @param {object} d
 * @param {object} d.state the console's state (selected, detail)
 * @param {(path: string) => Promise<any>} d.api
 * @param {(path: string) => Promise<Response>} d.request
 * @param {(text: string) => void} d.announce
 * @param {{ forRequest(id: string, userLang?: string | null): void }} [d.canned] the reply's ready answers
 */
export function ticketView({ state, api, request, announce, canned }) {
  function attachmentList(files) {
    if (!files || files.length === 0) return null;
    return h('ul', { class: 'files', 'aria-label': tr('off.attachments') },
      files.map((a) => {
        const button = h('button', { type: 'button', class: 'link file-link', 'data-href': a.href }, tr('off.dl', { name: a.filename, size: formatSize(a.size) }));
        button.addEventListener('click', () => download(a, button));
        return h('li', {}, button);
      }));
  }

  async function download(a, button) {
    button.disabled = true;
    $('#t-error').textContent = '';
    try {
      const res = await request(a.href);
      const url = URL.createObjectURL(await res.blob());
      const link = h('a', { href: url, download: a.filename, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      announce(tr('off.dl.done', { name: a.filename }));
    } catch (err) {
      showRefusal($('#t-error'), err);
    } finally {
      button.disabled = false;
    }
  }

  /** The last openTicket: only its answer is drawn. */
  let opening = 0;

  function select(id) {
    if (state.selected !== id) {
      forgetForms();
      $('#t-error').textContent = '';
    }
    state.selected = id;
    for (const b of document.querySelectorAll('.q-item')) {
      if (b.dataset.id === id) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    }
  }

  /**
   * `link`: opened from another request's chain ({ protocol }). Then the request shown stays
   * selected, with what was typed for it, until the other one has come: a refusal (another
   * sede's request: 404) is said in the pane, and the forms still act on the request shown.
   */
  async function openTicket(id, { focus = false, quiet = false, link = null } = {}) {
    if (!link) select(id);
    // Of two requests chosen in quick succession the last one is shown: the first one's answer,
    // arriving late, would otherwise fill the pane under the other's highlight in the list, and a
    // reply typed there would go to the request the operator did not mean.
    const mine = ++opening;
    let detail;
    try {
      detail = await api(`/api/v1/tickets/${encodeURIComponent(id)}`);
    } catch (err) {
      if (mine !== opening) return;
      if (link && err?.code === 'not_found') say($('#t-error'), () => tr('off.chain.notVisible', { protocol: link.protocol }));
      else showRefusal($(link ? '#t-error' : '#queue-error'), err);
      return;
    }
    if (mine !== opening) return;
    if (link) select(id);
    state.detail = detail;
    renderTicket(detail);
    if (focus) $('#t-title').focus();
    const opened = tr('off.detail.opened', { protocol: detail.protocol });
    if (!quiet) announce(detail.historyOf ? `${opened} ${readOnlyTitle(detail)}.` : opened);
  }

  /** "della sede di Milano" from the directory's "INPS Sede di Milano"; any other name (or a bare code) as it is. */
  function readOnlyTitle(t) {
    const name = t.sedeName ?? officeName(state, t.sede);
    const city = /^INPS Sede di (.+)$/.exec(name)?.[1];
    return city ? tr('off.readOnly.title', { city }) : tr('off.readOnly.titleOf', { sede: name });
  }

  /**
   * Another sede's request read as the history of a follow-up held here (`historyOf`): said
   * first, with the way back; no action, reply, note or transfer (the server refuses them too).
   */
  function renderReadOnly(t) {
    const history = t.historyOf ?? null;
    $('#t-readonly').hidden = !history;
    $('#t-actions').hidden = Boolean(history);
    $('#t-notes-box').hidden = Boolean(history);
    if (!history) return;
    $('#t-readonly-title').textContent = readOnlyTitle(t);
    $('#t-readonly-why').textContent = tr('off.readOnly.why', { protocol: history.protocol });
    const back = $('#t-readonly-back');
    back.textContent = tr('off.readOnly.back', { protocol: history.protocol });
    back.onclick = () => void openTicket(history.id, { focus: true, link: history });
  }

  function renderTicket(t) {
    $('#compose')?.remove(); // a request opened from the list takes the pane back from an unsent message
    $('#detail-empty').hidden = true;
    $('#ticket').hidden = false;
    $('#t-protocol').textContent = t.protocol;
    const status = $('#t-status');
    status.className = `badge status-${t.status}`;
    status.textContent = tr(`off.badge.${t.status}`);
    $('#t-overdue').hidden = !t.overdue;
    $('#t-due-soon').textContent = dueSoon(t);
    $('#t-title').textContent = t.subject;

    const user = t.user ?? {};
    const userText = [user.name, user.role ? label('role', user.role) : null].filter(Boolean).join(', ') || user.id || '';
    const who = staffNames(t);
    const takenBy = who(t.takenBy);
    const taken = t.takenAt ? h('span', { title: takenBy.title }, tr('off.f.takenBy', { when: formatDateTime(t.takenAt), who: takenBy.text })) : null;
    $('#t-facts').replaceChildren(...[
      fact('off.f.status', tr(`off.badge.${t.status}`)),
      fact('off.f.category', label('topic', t.category)),
      fact('off.f.origin', tr(`off.origin.${t.origin}`)),
      fact('off.f.user', userText),
      fact('off.f.fiscalCode', user.fiscalCode),
      fact('off.f.matricola', t.matricola),
      fact('off.f.province', t.province),
      fact('off.f.created', formatDateTime(t.createdAt)),
      fact('off.f.due', t.dueAt ? formatDue(t.dueAt) + (t.overdue ? ` – ${tr('off.overdue')}` : '') : null, t.overdue ? 'is-overdue' : null),
      fact('off.f.taken', taken),
      fact('off.f.closed', t.closedAt ? formatDateTime(t.closedAt) : null),
      fact('off.f.outcome', t.outcome),
    ].filter(Boolean));

    renderReadOnly(t);
    renderChain(t);

    const moves = (t.audit ?? []).filter((a) => a.action === 'transferred');
    $('#t-history-box').hidden = moves.length === 0;
    $('#t-history').replaceChildren(...moves.map((a) => {
      const by = who(a.actor?.id, a.actor?.name);
      const item = { when: formatDateTime(a.at), from: officeName(state, a.detail.from), to: officeName(state, a.detail.to), who: by.text };
      return h('li', {}, h('p', { class: 'msg-meta', title: by.title }, tr('off.history.item', item)), h('p', { class: 'history-reason' }, tr('off.history.reason', { reason: a.detail.reason ?? '' })));
    }));

    const transcript = t.transcript ?? [];
    $('#t-transcript-box').hidden = transcript.length === 0;
    $('#t-transcript').replaceChildren(...transcript.map((m) =>
      h('li', {},
        h('p', { class: 'msg-meta' }, h('strong', {}, speaker(m.from?.role)), ' ', h('time', { datetime: m.at }, formatDateTime(m.at))),
        h('p', { class: 'msg-body' }, m.text))));

    renderNotes(t, who);

    $('#t-thread').replaceChildren(...(t.replies ?? []).map((r) =>
      h('li', { class: `reply ${r.author.role === 'office' ? 'from-office' : 'from-user'}`, 'data-seq': r.seq },
        h('p', { class: 'reply-meta' }, h('strong', { title: who(r.author.id).title }, authorName(r.author, t, who)), ' · ', h('time', { datetime: r.at }, formatDateTime(r.at))),
        h('p', { class: 'reply-body' }, r.body),
        attachmentList(r.attachments))));

    canned?.forRequest(t.id, t.user?.lang);

    const closed = t.status === 'closed';
    $('#take-box').hidden = t.status !== 'open';
    $('#reply-form').hidden = closed;
    $('#close-form').hidden = closed;
    // Closing a request nobody answered is allowed (a duplicate, a mistake) but said before it goes.
    $('#close-unanswered').hidden = closed || Boolean(t.respondedAt);
    $('#transfer-form').hidden = closed;
    const closedBox = $('#t-closed');
    closedBox.hidden = !closed;
    closedBox.textContent = closed ? closedText(t) : '';
    renderGone(t);
  }

  /** The request this one follows up and those that follow it up, each a button that opens it. */
  function renderChain(t) {
    const open = (l, key) => {
      const button = h('button', { type: 'button', class: 'link', 'data-id': l.id }, tr(key, { protocol: l.protocol }));
      button.addEventListener('click', () => void openTicket(l.id, { focus: true, link: l }));
      return h('li', {}, button);
    };
    const items = [
      t.follows ? (t.follows.id ? open(t.follows, 'off.chain.follows') : h('li', {}, tr('off.chain.gone', { protocol: t.follows.protocol }))) : null,
      ...(t.followedBy ?? []).map((l) => open(l, 'off.chain.followedBy')),
    ].filter(Boolean);
    $('#t-chain-box').hidden = items.length === 0;
    $('#t-chain').replaceChildren(...items);
  }

  /** Another ticket: what was typed, chosen or refused for the previous one must not stay under this one. */
  function forgetForms() {
    for (const id of ['reply-form', 'note-form', 'close-form', 'transfer-form']) {
      const form = $(`#${id}`);
      form?.reset();
      for (const el of form?.querySelectorAll('[aria-invalid]') ?? []) el.removeAttribute('aria-invalid');
      const error = form?.querySelector('.error');
      if (error) error.textContent = '';
    }
    renderChosen();
    renderOutcomes();
  }

  return { openTicket, renderTicket };
}
