/**
 * Ready answers in an advisor's card ("Risposte pronte", config/canned-responses.json
 * on the server): picked from a list and put in with "Inserisci" (not on the
 * list's change: arrowing through a closed list fires change at every step, so a
 * keyboard user got the first answer inserted and the focus moved away before
 * reading the others), the text goes into the reply box with the
 * user's and the advisor's names filled in, in the chat's language, to be read,
 * edited and sent like any reply; it is never sent by itself. Answers for the
 * chat's topic come first. The list is asked once per page.
 *
 * Separate from advisor.js: the list, its order and the placeholders are one
 * concern, and the card only gives a place for the picker and a way to fill.
 */
import { t } from '../i18n.js';
import { h, ht } from '../lib/ui.js';

let loading = null;

/** The responses, asked once; a failure is asked again by the next card. */
function responses(client) {
  loading ??= client.api('api/v1/canned-responses').then((b) => b.items ?? []).catch(() => {
    loading = null;
    return null;
  });
  return loading;
}

/** The text of one response for this chat: its language if written, else Italian; placeholders filled. */
export function cannedText(r, { lang, userName, advisorName }) {
  const base = typeof lang === 'string' ? lang.toLowerCase().split('-')[0] : 'it';
  const text = (Object.hasOwn(r.text, base) && r.text[base]) || r.text.it;
  return text.replace(/\{(nome|consulente)\}/g, (_, k) => (k === 'nome' ? userName : advisorName) || '');
}

/**
 * The picker of one card. `info`: the chat (topic, context.lang); `fill(text)`
 * puts the text in the reply box.
 */
export function cannedPicker({ client, p, info, userName, advisorName, fill }) {
  const select = h('select', { id: `${p}-canned`, class: 'canned' }, ht('option', { value: '' }, 'adv.canned.pick'));
  const insert = ht('button', { type: 'button', class: 'canned-insert' }, 'adv.canned.insert');
  const field = h('div', { class: 'field canned-field', hidden: true },
    ht('label', { for: `${p}-canned` }, 'adv.canned'),
    h('div', { class: 'canned-row' }, select, insert));
  const byId = new Map();
  void responses(client).then((items) => {
    if (!items?.length) return;
    const lang = info.context?.lang === 'en' ? 'en' : 'it';
    const label = (r) => (lang === 'en' && r.title.en) || r.title.it;
    const forTopic = items.filter((r) => r.topics.includes(info.topic));
    const general = items.filter((r) => !r.topics.includes(info.topic));
    const option = (r) => (byId.set(r.id, r), h('option', { value: r.id }, label(r)));
    select.append(
      forTopic.length ? h('optgroup', { label: t('adv.canned.topic'), 'data-i18n-attr': 'label:adv.canned.topic' }, forTopic.map(option)) : null,
      general.length ? h('optgroup', { label: t('adv.canned.general'), 'data-i18n-attr': 'label:adv.canned.general' }, general.map(option)) : null,
    );
    field.hidden = false;
  });
  insert.addEventListener('click', () => {
    const r = byId.get(select.value);
    if (!r) return select.focus();
    select.value = '';
    fill(cannedText(r, { lang: info.context?.lang, userName, advisorName }));
  });
  return field;
}
