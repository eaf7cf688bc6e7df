/**
 * What users will see of an announcement not yet published: each language it
 * is written in, as the chat shows it (the kind in that language's words,
 * "Avviso importante" / "Wichtiger Hinweis" / "Important notice", the title,
 * the text with its line breaks), who gets it, where, and from when to when in
 * Rome's time. announcements.js puts it in the confirmation before "Pubblica"
 * sends anything: a notice goes to every user in its scope at once, so the
 * supervisor reads it once more as they will.
 *
 * Separate from announcements.js because it speaks the chat's words (the
 * chat's own dictionaries, for the kind) as well as the dashboard's.
 */
import { formatDateTime, STRINGS as CHAT } from '../i18n.js';
import { h } from '../lib/ui.js';
import { dt } from './strings.js';

const LANGS = ['it', 'de', 'en'];

/** One language's version, styled as the chat's notice (common.css). */
function version(b, l) {
  // The chat's words for the kind of a notice, in the language the version is written in.
  const kind = CHAT[l][`notice.${b.severity}`];
  return h('div', { class: 'ann-version' },
    h('p', { class: 'ann-version-lang' }, dt(`ann.preview.in.${l}`)),
    h('div', { class: `notice${b.severity === 'warning' ? ' notice-warning' : ''}`, lang: l },
      h('p', { class: 'notice-head' }, h('span', { class: 'notice-kind' }, kind), ' ', h('span', { class: 'notice-title' }, b.title[l])),
      h('p', { class: 'notice-text' }, b.text[l])));
}

/** The audiences of an announcement in words ("Lavoratori, Aziende"; none: "tutti"). */
export const whoText = (audiences) => (audiences.length ? audiences.map((x) => dt(`ann.audience.${x}`)).join(', ') : dt('ann.everyone'));
/** Its provinces ("BZ, MI"; none: "tutta Italia"). */
export const whereText = (provinces) => (provinces.length ? provinces.join(', ') : dt('ann.italy'));

/** Who, where and when: the scope and the window as the API will take them. */
function facts(b) {
  const [who, where] = [whoText(b.audiences), whereText(b.provinces)];
  const to = formatDateTime(b.endsAt);
  const when = b.startsAt ? dt('ann.window', { from: formatDateTime(b.startsAt), to }) : dt('ann.preview.fromNow', { to });
  const pair = (key, value) => [h('dt', {}, dt(key)), h('dd', {}, value)];
  return h('dl', { class: 'ann-facts' }, pair('ann.audiences', who), pair('ann.preview.where', where), pair('ann.preview.when', when));
}

/** The nodes of the preview of `b` (the body POST /api/v1/announcements would get). */
export function previewNodes(b) {
  const written = LANGS.filter((l) => b.title[l]);
  const fallback = LANGS.filter((l) => !b.title[l]).map((l) => dt(`ann.preview.lang.${l}`));
  return [
    h('p', {}, dt('ann.preview.intro')),
    h('div', { class: 'ann-versions' }, ...written.map((l) => version(b, l))),
    fallback.length ? h('p', { class: 'note' }, dt('ann.preview.fallback', { langs: fallback.join(dt('ann.preview.and')) })) : null,
    facts(b),
  ].filter(Boolean);
}
