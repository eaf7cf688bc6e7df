/**
 * "Altri filtri": the list's less-used filters (matricola, opened from/to)
 * folded under a disclosure button (aria-expanded), so that at 1024×768 the
 * list starts high enough to show its rows. Folded, the button says how many
 * of them are set ("Altri filtri (attivi: 2)"): a filter nobody sees still
 * narrows the list. One refused (a day that does not exist, dates the wrong
 * way round) unfolds them, so the field the error names is there to correct.
 *
 * Separate from queue.js because the list reads the filters' values and does
 * not care where they are shown.
 */
import { onLangChange } from '../i18n.js';
import { $ } from '../lib/ui.js';
import { tr } from './strings.js';

/** The folded fields whose values narrow the list. */
const FOLDED = ['#f-matricola', '#f-from', '#f-to'];

/** @returns {{ reveal(): void, count(): void }} unfolds the filters; says again how many are set */
export function filterPanel() {
  const toggle = $('#f-more-toggle');
  const panel = $('#f-more');

  function show(open) {
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
  }

  function count() {
    const n = FOLDED.filter((sel) => $(sel).value.trim() !== '').length;
    $('#f-more-count').textContent = n > 0 ? tr('off.filters.active', { n }) : '';
  }

  toggle.addEventListener('click', () => show(panel.hidden));
  panel.addEventListener('input', count);
  // After the form's own reset has emptied the fields.
  $('#filters').addEventListener('reset', () => setTimeout(count, 0));
  onLangChange(count);
  count();

  return { reveal: () => show(true), count };
}
