/**
 * Who the user of a chat is and what they came about, as the head of an advisor's
 * card shows it: role, province, topic, where they came from, the company's
 * matricola, the application's protocol and step, and their language when it is
 * not Italian. Apart from advisor.js: the card only places the rows, and says them
 * again after a language change.
 */
import { USER_LANGS, label, t } from '../i18n.js';
import { h } from '../lib/ui.js';

/** The <div><dt><dd> rows of a chat's context (`info`: conversation.assigned), the empty ones left out. */
export function contextRows(info) {
  const ctx = info.context ?? {};
  const rows = [
    ['adv.ctx.role', label('role', info.peer?.role)],
    ['adv.ctx.province', info.province],
    ['adv.ctx.topic', label('topic', info.topic)],
    ['adv.ctx.entry', label('entry', info.entry)],
    ['adv.ctx.matricola', ctx.matricola],
    ['adv.ctx.protocol', ctx.protocol],
    ['adv.ctx.step', ctx.step],
    // The user's language when it is not Italian, and a word when nobody speaking it was free.
    ['adv.ctx.lang', ctx.lang && ctx.lang !== 'it' ? `${USER_LANGS[ctx.lang] ?? ctx.lang}${info.otherLanguage ? ` – ${t('adv.ctx.otherLanguage')}` : ''}` : null],
  ];
  const wide = new Set(['adv.ctx.topic', 'adv.ctx.protocol', 'adv.ctx.step', 'adv.ctx.lang']);
  return rows.filter(([, v]) => v).map(([k, v]) => h('div', { class: wide.has(k) ? 'wide' : null }, h('dt', {}, t(k)), h('dd', {}, v)));
}
