/**
 * A list asked from the server for one chat's card, in a <details> under its
 * context: the user's requests (requests.js), their previous chats (history.js).
 * One place for the states every such list goes through: loading, failed with a
 * retry, none, n items; and for the rule that an older answer never overwrites a
 * newer one (the card asks again when it comes back).
 */
import { errorNodes } from '../lib/error-words.js';
import { h, ht } from '../lib/ui.js';

/**
 * `className`, `listClass`: of the <details> and the <ul>. `words`: { title(n), titleNone(), none(), loading(), failed() (what is not available; why follows) },
 * functions so a language change can say them again; `fetch()` resolves with
 * the items, `render(item)` makes an <li>. `unfold`: open the section when there are
 * items (and when failing, so the retry is reachable); else it stays as the advisor left it.
 * `onLoad(items)` hears each list that arrives. Returns the element, `load()` and
 * `relabel()` (after a language change: the same list, in the new language).
 */
export function cardList({ className, listClass, summaryId, words, fetch, render, unfold = false, onLoad }) {
  const title = h('span', {}, words.title('…'));
  const list = h('ul', { class: listClass, 'aria-labelledby': summaryId });
  const status = h('p', { class: 'note card-list-status', role: 'status' });
  const retry = ht('button', { type: 'button', class: 'link', hidden: true }, 'adv.req.retry');
  const el = h('details', { class: className }, h('summary', { id: summaryId }, title), status, list, retry);
  let asked = 0;
  /** What is shown: { loading } | { failed: the refusal } | { items }. */
  let shown = { loading: true };

  function show() {
    const { items, failed, loading } = shown;
    if (failed) title.textContent = words.title('?');
    else if (items) title.textContent = items.length ? words.title(items.length) : words.titleNone();
    else title.textContent = words.title('…');
    if (items && !loading) list.replaceChildren(...items.map(render));
    if (loading) status.textContent = words.loading();
    else if (failed) status.replaceChildren(...errorNodes(failed, { lead: words.failed() }));
    else status.textContent = items.length ? '' : words.none();
  }

  async function load() {
    const mine = ++asked;
    retry.hidden = true;
    shown = { ...shown, loading: true };
    show();
    let items;
    try {
      items = await fetch();
    } catch (f) {
      if (mine !== asked) return;
      shown = { failed: f ?? 'error' };
      show();
      retry.hidden = false;
      if (unfold) el.open = true;
      return;
    }
    if (mine !== asked) return; // a later load answers for this card
    shown = { items };
    show();
    if (unfold) el.open = items.length > 0;
    onLoad?.(items);
  }
  retry.addEventListener('click', () => void load());
  return { el, load, relabel: show };
}
