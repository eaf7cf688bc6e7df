/**
 * The start form as the user left it (topic, company, question), kept in the tab
 * across a reload. A consultant who chose a company and reloaded the page (or came
 * back to it from the browser's history) found "Scegli l'azienda…" again and the
 * question gone, and could start the chat under no company after a second look
 * only. Forgotten once the chat is asked (the form is emptied then) and at "Esci".
 */
import { forget, readJson, writeJson } from '../lib/tab-store.js';
import { $ } from '../lib/ui.js';

const KEY = 'infocig.chat.startDraft';

/** The company of the kept draft, until the start form is first filled with the companies held (after the sign-in). */
let pendingCompany = '';

/** Keeps what the start form holds now; an empty form keeps nothing. */
function save() {
  const form = $('#start-form');
  const draft = { topic: form.elements.topic.value, company: $('#company').value, question: $('#question').value };
  const kept = Object.fromEntries(Object.entries(draft).filter(([, v]) => v.trim()));
  writeJson(KEY, Object.keys(kept).length ? kept : null);
}

/** Puts the kept topic and question back (not over what is already there); the company waits for the companies held. */
function restore() {
  const draft = readJson(KEY);
  if (!draft || typeof draft !== 'object') return;
  const form = $('#start-form');
  if (typeof draft.topic === 'string' && !form.elements.topic.value) {
    const radio = form.querySelector(`input[name="topic"][value="${CSS.escape(draft.topic)}"]`);
    if (radio) radio.checked = true;
  }
  const question = $('#question');
  if (typeof draft.question === 'string' && !question.value) question.value = draft.question;
  if (typeof draft.company === 'string') pendingCompany = draft.company;
}

/** The company to keep chosen in the start form among `held`: the current choice, else the kept one (once there are companies to choose). */
export function startCompany(held) {
  const current = $('#company').value;
  if (!held.length) return current;
  const wanted = current || pendingCompany;
  pendingCompany = '';
  return wanted;
}

export function forgetStartDraft() {
  pendingCompany = '';
  forget(KEY);
}

/** Restores the kept draft and keeps every later change. Called once, after the topics are in the form. */
export function initStartDraft() {
  restore();
  const form = $('#start-form');
  form.addEventListener('input', save);
  form.addEventListener('change', save);
}
