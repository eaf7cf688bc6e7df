/**
 * What the advisor is writing on each card — the reply, the summary and the note
 * for the sede — kept in the tab (sessionStorage, lib/tab-store.js) across a reload,
 * as the chat page keeps the user's: a console reloaded mid-afternoon (a frozen tab,
 * F5 by mistake) gave back every chat but none of the answers half written in them.
 *
 * One entry for the page, by conversation and field; a chat no longer the advisor's
 * drops its own (advisor.js), and «Esci» drops them all, so nothing is left for
 * whoever signs in next in the same tab.
 */
import { readJson, writeJson } from '../lib/tab-store.js';

export const DRAFTS_KEY = 'infocig.advisor.drafts';

function all() {
  const kept = readJson(DRAFTS_KEY, {});
  return kept && typeof kept === 'object' && !Array.isArray(kept) ? kept : {};
}

function write(conversationId, field, text) {
  const kept = all();
  const mine = { ...(kept[conversationId] ?? {}) };
  if (text.trim()) mine[field] = text;
  else delete mine[field];
  if (Object.keys(mine).length) kept[conversationId] = mine;
  else delete kept[conversationId];
  writeJson(DRAFTS_KEY, Object.keys(kept).length ? kept : null);
}

/**
 * Keeps what is typed into `box` (a textarea) as `field` of the chat's draft, and puts back
 * what was kept when the card is built again after a reload. Saved on each `input` event:
 * code that sets the value (a ready answer inserted, the box emptied on send) dispatches one.
 */
export function keptDraft(conversationId, field, box) {
  const kept = all()[conversationId]?.[field];
  if (typeof kept === 'string' && !box.value) box.value = kept;
  box.addEventListener('input', () => write(conversationId, field, box.value));
}

/** The chat is no longer this advisor's: what was being written in it goes. */
export function forgetDrafts(conversationId) {
  const kept = all();
  if (!Object.hasOwn(kept, conversationId)) return;
  delete kept[conversationId];
  writeJson(DRAFTS_KEY, Object.keys(kept).length ? kept : null);
}
