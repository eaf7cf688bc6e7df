/**
 * Lines a page writes once, when something happens (a form's error, a refusal in words, a typed
 * day that does not exist), written again in the new language when the page's language changes:
 * written once, they stayed in the old language on a page switched to another (an Italian error
 * under a form whose labels were now German). Each line remembers how it was written, as a
 * function that words it in the current language; one the page has since emptied or written
 * otherwise is left as it is, and forgotten.
 *
 * Used by every page: the chat, the office console, the dashboard, and the date and time fields
 * (lib/date-field.js, lib/time-field.js).
 */
import { onLangChange } from '../i18n.js';
import { errorNodes } from './error-words.js';

/** Element → { words, text }: how it was last written through say(), and the text that gave. */
const lines = new Map();

/**
 * Writes `el` with `words()` (a sentence, or nodes: a refusal's words and its code apart) now,
 * and again after each language change while it still shows what it was given.
 */
export function say(el, words) {
  el.replaceChildren(...[words()].flat());
  lines.set(el, { words, text: el.textContent });
}

/** say() for a failure in the shared error words (lib/error-words.js); `opts()` gives their options in the current language. */
export function sayError(el, err, opts = () => ({})) {
  say(el, () => errorNodes(err, opts()));
}

/** Each line still showing what say() wrote is written again (in the language now chosen). */
function sayAgain() {
  for (const [el, line] of lines) {
    if (!el.isConnected || el.textContent !== line.text) lines.delete(el);
    else say(el, line.words);
  }
}

// After the page's own listeners: a line may name a label ("«Dal giorno»: …") that they translate first.
onLangChange(() => queueMicrotask(sayAgain));
