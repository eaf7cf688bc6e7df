/**
 * Lines the dashboard writes once, when something happens (a form's error, a refusal), written again
 * in the new language when the page's language changes: set once, they stayed Italian on a page
 * switched to English. Each line remembers how it was written; one the page has since emptied or
 * written otherwise (a field's own check, widgets/lib/date-field.js) is left as it is, and forgotten.
 */
import { showError } from '../lib/error-words.js';

/** Element → { write, text }: how it was last written through say(), and the text that gave. */
const lines = new Map();

/** Writes `el` with `write(el)` now, and again after each language change while it shows what it wrote. */
export function say(el, write) {
  write(el);
  lines.set(el, { write, text: el.textContent });
}

/** say() for a failure in the shared error words; `opts()` gives showError's options in the current language. */
export function sayError(el, err, opts) {
  say(el, (e) => showError(e, err, opts()));
}

/** After a language change: each line still showing what say() wrote is written again. */
export function sayAgain() {
  for (const [el, line] of lines) {
    if (!el.isConnected || el.textContent !== line.text) lines.delete(el);
    else say(el, line.write);
  }
}
