/**
 * The dashboard's "Per lingua" table: who waits in each language and how many
 * available advisors may answer them in it, as the router counts them (an
 * advisor who lists no language serves all). Shown only when a language other
 * than Italian is in play; a language with people waiting and nobody to speak
 * it is marked, with a sentence saying what happens next (the language overflow).
 */
import { $, h } from '../lib/ui.js';
import { dt, fmtDuration, fmtNumber, locale } from './strings.js';

/** "tedesco" / "German" (in a sentence); the code itself where the browser has no name for it. */
function nameInText(code) {
  try {
    return new Intl.DisplayNames([locale()], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** "Tedesco" / "German": as a label, capitalised. */
export function languageName(code) {
  const name = nameInText(code);
  return name.charAt(0).toLocaleUpperCase(locale()) + name.slice(1);
}

export function renderLanguages(live) {
  const list = live.languages ?? []; // an older node during an upgrade sends none
  $('#languages').hidden = list.length < 2;
  const unserved = list.filter((l) => l.waiting > 0 && l.advisorsAvailable === 0);
  const note = $('#lang-alert');
  note.hidden = unserved.length === 0;
  note.textContent = unserved.map((l) => dt('lang.noSpeaker', { lang: nameInText(l.lang) })).join(' ');
  $('#lang-body').replaceChildren(
    ...list.map((l) => {
      const alone = l.waiting > 0 && l.advisorsAvailable === 0;
      return h('tr', { class: alone ? 'breach' : null, 'data-lang': l.lang },
        h('th', { scope: 'row', lang: l.lang }, languageName(l.lang)),
        h('td', { class: 'num' }, fmtNumber(l.waiting)),
        h('td', { class: 'num' }, l.waiting ? fmtDuration(l.oldestWaitSeconds) : '—'),
        h('td', { class: `num${alone ? ' alert-text' : ''}` }, fmtNumber(l.advisorsAvailable)));
    }),
  );
}
