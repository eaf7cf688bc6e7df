/**
 * Handing a chat on, from an advisor's card: to the territorial office as a
 * Linea INPS request (`conversation.escalate`, with a summary, which the user
 * reads too, and an optional internal note that only the sede's staff read; the
 * sede gets the transcript with it), or to another advisor
 * (`conversation.transfer`: a colleague picked from those available with a free
 * seat, listed fitting ones first, or back to the head of the queue for anyone). Kept apart from advisor.js because both are
 * irreversible for this advisor and each needs its own form, errors and
 * wording; the card only learns "this chat is no longer yours" through
 * `onDone`, which the server's `conversation.closed` / `conversation.released`
 * frames confirm. When the user already has a request open at a sede
 * (requests.js, through `warn`), the escalation form says so: the advisor may
 * point to it rather than open a second one, and may still escalate.
 */
import { formatDue, t } from '../i18n.js';
import { say, sayError } from '../lib/said.js';
import { h, ht } from '../lib/ui.js';
import { keptDraft } from './drafts.js';
import { openRequests, sedeInWords } from './requests.js';

/** What the card says once a chat has gone to a sede as a request. */
export function escalatedNote(f) {
  const base = t('adv.escalated', { protocol: f.protocol ?? '', sede: f.sedeName || f.sede || '' });
  return f.dueAt ? `${base} ${t('adv.escalatedDue', { due: formatDue(f.dueAt) })}` : base;
}

/** What the card says once a chat is no longer this advisor's without being closed. */
export function releasedNote(reason, to, toName) {
  if (reason === 'transferred') return to ? t('adv.transferredTo', { to: toName ? `${toName} (${to})` : to }) : t('adv.transferredQueue');
  return t(reason === 'unanswered' ? 'adv.released.unanswered' : 'adv.released.other');
}

/**
 * The two hand-over forms of one card. `p` prefixes element ids; `isOpen()` says
 * whether the chat is still this advisor's; `onDone(note)` retires the card.
 * Returns the element, `reset()` for a chat that comes back, and `warn(requests)`.
 */
export function handoverForms({ client, conversationId, p, isOpen, onDone }) {
  const summary = h('textarea', { id: `${p}-summary`, name: 'summary', rows: '3', maxlength: '4000', required: true, 'aria-describedby': `${p}-summary-hint` });
  const sedeNote = h('textarea', { id: `${p}-note`, name: 'note', rows: '2', maxlength: '4000', 'aria-describedby': `${p}-note-hint` });
  const escalateError = h('p', { class: 'error', role: 'alert' });
  // Read before the summary, and again with the button: the advisor decides knowing it.
  const openWarning = h('p', { id: `${p}-escalate-warn`, class: 'warn-note', hidden: true });
  const escalate = h('form', { class: 'handover-form escalate-form' },
    openWarning,
    ht('label', { for: `${p}-summary` }, 'adv.summary'),
    summary,
    ht('p', { id: `${p}-summary-hint`, class: 'note' }, 'adv.summaryHint'),
    ht('label', { for: `${p}-note` }, 'adv.sedeNote'),
    sedeNote,
    ht('p', { id: `${p}-note-hint`, class: 'note' }, 'adv.sedeNoteHint'),
    escalateError,
    ht('button', { type: 'submit', class: 'primary', 'aria-describedby': `${p}-escalate-warn` }, 'adv.escalate'));
  /** The user's requests arrived: name the newest open one, if any. */
  let lastRequests = [];
  const warn = (requests) => {
    lastRequests = requests ?? [];
    const open = openRequests(lastRequests);
    const [first] = open;
    openWarning.hidden = !first;
    openWarning.textContent = !first ? ''
      : [t('adv.req.warn', { sede: sedeInWords(first), protocol: first.protocol }), open.length > 1 ? t('adv.req.warnMore', { n: open.length - 1 }) : ''].filter(Boolean).join(' ');
  };

  const anyone = () => ht('option', { value: '' }, 'adv.transferAnyone');
  const to = h('select', { id: `${p}-to`, name: 'to', 'aria-describedby': `${p}-to-hint` }, anyone());
  const transferStatus = h('p', { class: 'note', role: 'status' });
  const transferError = h('p', { class: 'error', role: 'alert' });
  const transfer = h('form', { class: 'handover-form transfer-form' },
    ht('label', { for: `${p}-to` }, 'adv.transferTo'),
    to,
    ht('p', { id: `${p}-to-hint`, class: 'note' }, 'adv.transferHint'),
    transferStatus,
    transferError,
    ht('button', { type: 'submit' }, 'adv.transfer'));

  /**
   * One request at a time per form; its error stays on the form (said again in a new language: lib/said.js), the card is retired on success.
   * The button is marked busy (aria-disabled), not disabled: a disabled button drops the focus to
   * the page, and the retired card could no longer keep the keyboard user in it.
   */
  function wire(form, errorEl, send) {
    let busy = false;
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      errorEl.textContent = '';
      if (busy || !isOpen() || !form.reportValidity()) return;
      const button = form.querySelector('button');
      busy = true;
      button.setAttribute('aria-disabled', 'true');
      try {
        onDone(await send());
      } catch (f) {
        if (f?.code === 'summary_required') say(errorEl, () => t('adv.summaryRequired')); // checked here, nothing sent
        else sayError(errorEl, f, () => ({ own: handoverWords }));
      } finally {
        busy = false;
        button.removeAttribute('aria-disabled');
      }
    });
  }

  wire(escalate, escalateError, async () => {
    const text = summary.value.trim();
    if (!text) throw { code: 'summary_required' };
    const forSede = sedeNote.value.trim();
    const escalated = await client.request('conversation.escalate', { conversationId, summary: text, ...(forSede ? { note: forSede } : {}) });
    return () => escalatedNote(escalated);
  });
  wire(transfer, transferError, async () => {
    const target = to.value;
    try {
      await client.request('conversation.transfer', { conversationId, ...(target ? { to: target } : {}) });
    } catch (f) {
      // They went away or filled up meanwhile; the alert says so, the list need not say it again.
      if (f?.code === 'transfer_target_unavailable') void listTargets({ refused: true });
      throw f;
    }
    const name = to.selectedOptions[0]?.dataset.name;
    return () => releasedNote('transferred', target, name);
  });

  /**
   * Who is free now, asked each time the form opens: the queue first, then fitting colleagues, then the others.
   * Only the latest list is shown: an older one answering last (the form opened twice on a slow line) would put
   * back who was free then. The colleague picked stays picked while still listed, so a fresh list never turns
   * the advisor's choice into «the first free advisor» unseen; when they are gone the status line says so.
   */
  let listed = 0;
  /** The colleagues last listed: a language change words them again without asking the server (relabel). */
  let targets = [];
  async function listTargets({ refused = false } = {}) {
    const mine = ++listed;
    let items = [];
    let failure = null;
    try {
      items = (await client.api(`api/v1/conversations/${encodeURIComponent(conversationId)}/transfer-targets`)).items;
    } catch (f) {
      failure = f;
    }
    if (mine !== listed) return;
    const chosen = to.value;
    const chosenName = to.selectedOptions[0]?.dataset.name;
    targets = items;
    drawTargets();
    // The status line is said again in a new language (lib/said.js), as the forms' errors are.
    if (failure) sayError(transferStatus, failure, () => ({ lead: t('adv.transferListFailed'), tail: t('adv.transferListTail') }));
    else if (chosen && to.value !== chosen && !refused) say(transferStatus, () => t('adv.transferGone', { name: chosenName || chosen }));
    else if (!items.length) say(transferStatus, () => t('adv.transferNobody'));
    else transferStatus.textContent = '';
  }
  /** The options for `targets`, in the current language; the colleague picked stays picked while listed. */
  function drawTargets() {
    const chosen = to.value;
    const option = (a) => h('option', { value: a.id, 'data-name': a.name || a.id }, t('adv.transferTarget', { name: a.name || a.id, id: a.id, load: a.load, capacity: a.capacity }));
    const fit = targets.filter((a) => a.fits);
    const other = targets.filter((a) => !a.fits);
    to.replaceChildren(
      anyone(),
      fit.length ? h('optgroup', { label: t('adv.transferFit') }, fit.map(option)) : null,
      other.length ? h('optgroup', { label: t('adv.transferOther') }, other.map(option)) : null,
    );
    if (targets.some((a) => a.id === chosen)) to.value = chosen;
  }
  const transferBox = h('details', { class: 'handover-box' }, ht('summary', {}, 'adv.transferOpen'), transfer);
  // Opened again, the form starts afresh: a refusal left from before spoke of the list as it was then.
  transferBox.addEventListener('toggle', () => {
    if (!transferBox.open || !isOpen()) return;
    transferError.textContent = '';
    void listTargets();
  });

  const escalateBox = h('details', { class: 'handover-box' }, ht('summary', {}, 'adv.escalateOpen'), escalate);
  const el = h('div', { class: 'handover' }, escalateBox, transferBox);
  // A summary half written before a reload comes back, open where the advisor left it (drafts.js).
  keptDraft(conversationId, 'summary', summary);
  keptDraft(conversationId, 'note', sedeNote);
  escalateBox.open = Boolean(summary.value || sedeNote.value);
  /** Ready again, folded and empty: the chat came back to this advisor (a transfer back). */
  const reset = () => {
    for (const form of [escalate, transfer]) form.reset();
    for (const b of el.querySelectorAll('button')) b.disabled = false;
    for (const d of el.querySelectorAll('details')) d.open = false;
    escalateError.textContent = transferError.textContent = transferStatus.textContent = '';
  };
  /**
   * After a language change: the warning and the colleagues last listed, drawn again as they were (asking the
   * server again would drop a «no longer available» the status line still says).
   */
  const relabel = () => {
    warn(lastRequests);
    drawTargets();
  };
  return { el, reset, warn, relabel };
}

/**
 * The console's own words for a refused hand-over or close (the others: widgets/lib/error-words.js);
 * close-form.js says a refused close with them too.
 */
export function handoverWords(code) {
  if (code === 'transfer_target_unavailable') return t('adv.transferUnavailable');
  if (code === 'conversation_closed') return t('adv.alreadyClosed');
  if (code === 'disconnected') return t('adv.notSent');
  // No answer: it may have happened. Trying again is safe (an escalation is made once per chat), and the card says so if it did.
  if (code === 'timeout') return t('adv.noReply');
  return undefined;
}
