/**
 * A list asked from the server for one chat's card, in a <details> under its
 * context: the user's requests (requests.js), their previous chats (history.js).
 * One place for the states every such list goes through: loading, failed with a
 * retry, none, n items; and for the rule that an older answer never overwrites a
 * newer one (the card asks again when it comes back).
 */
import { t } from '../i18n.js';
import { h } from '../lib/ui.js';

/**
 * `className`, `listClass`: of the <details> and the <ul>. `words`: { title(n), titleNone, none, loading, failed(code) }; `fetch()` resolves with
 * the items, `render(item)` makes an <li>. `unfold`: open the section when there are
 * items (and when failing, so the retry is reachable); else it stays as the advisor left it.
 * `onLoad(items)` hears each list that arrives. Returns the element and `load()`.
 */
export function cardList({ className, listClass, summaryId, words, fetch, render, unfold = false, onLoad }) {
  const title = h('span', {}, words.title('…'));
  const list = h('ul', { class: listClass, 'aria-labelledby': summaryId });
  const status = h('p', { class: 'note card-list-status', role: 'status' });
  const retry = h('button', { type: 'button', class: 'link', hidden: true }, t('adv.req.retry'));
  const el = h('details', { class: className }, h('summary', { id: summaryId }, title), status, list, retry);
  let asked = 0;

  async function load() {
    const mine = ++asked;
    retry.hidden = true;
    status.textContent = words.loading;
    let items;
    try {
      items = await fetch();
    } catch (f) {
      if (mine !== asked) return;
      title.textContent = words.title('?');
      status.textContent = words.failed(f?.code ?? 'error');
      retry.hidden = false;
      if (unfold) el.open = true;
      return;
    }
    if (mine !== asked) return; // a later load answers for this card
    title.textContent = items.length ? words.title(items.length) : words.titleNone;
    status.textContent = items.length ? '' : words.none;
    list.replaceChildren(...items.map(render));
    if (unfold) el.open = items.length > 0;
    onLoad?.(items);
  }
  retry.addEventListener('click', () => void load());
  return { el, load };
}
