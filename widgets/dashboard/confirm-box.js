/**
 * The dashboard's in-page confirmation: a question, what will happen, and
 * "Conferma" / "Annulla", for the supervisor's actions that reach every user at
 * once (the "Solo ticket" switch of a province, publishing an announcement), so
 * that one slip of the mouse or the keyboard does not.
 *
 * In the page, not window.confirm: the browser's dialog cannot say in the
 * page's words what happens to whom, cannot be styled or checked by axe, and
 * some kiosks block it. Not modal either: the live figures go on updating
 * around it, and the supervisor may look at them before confirming.
 *
 * The box is a group named by its question; `open()` puts the focus on
 * "Conferma", Escape anywhere in it is "Annulla". Where the box goes and where
 * the focus goes back to are the caller's (the caller removes it).
 */
import { h } from '../lib/ui.js';
import { dt } from './strings.js';

let made = 0;

/**
 * `question` (a string: the box's name), `details` (nodes under it),
 * `onConfirm()` and `onCancel()`. Returns { box, focus() }.
 */
export function confirmBox({ question, details = [], onConfirm, onCancel, className = '' }) {
  made += 1;
  const qid = `confirm-q-${made}`;
  const ok = h('button', { type: 'button', class: 'primary confirm-ok' }, dt('confirm.ok'));
  const no = h('button', { type: 'button', class: 'confirm-cancel' }, dt('confirm.cancel'));
  ok.addEventListener('click', () => onConfirm());
  no.addEventListener('click', () => onCancel());
  const box = h('div', { class: `confirm ${className}`.trim(), role: 'group', 'aria-labelledby': qid },
    h('p', { id: qid, class: 'confirm-question' }, question),
    ...details,
    h('div', { class: 'row confirm-actions' }, ok, no));
  box.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    onCancel();
  });
  return { box, focus: () => ok.focus() };
}
