/**
 * "Risposte pronte" of the office console: the sedi's ready answers
 * (config/office-responses.json, GET /api/v1/office-responses), picked from a
 * list and put into the reply (or into a message the office writes first) at
 * the cursor, with the request's facts filled in, in the language chosen beside
 * the list: the user's when the request says it (their token's or page's
 * language, `user.lang`), else Italian. The text stays in the box to be read,
 * edited and sent with the form's own button: inserting never sends.
 *
 * Unlike the advisors' picker (../advisor/canned.js), inserting takes a button:
 * a list that acted on every change would insert an answer at each arrow key of
 * someone choosing by keyboard. A placeholder the request cannot fill ({nome} on
 * a request without a name, {oggetto} of a message with no subject yet) stays in
 * braces and is selected, so typing replaces it; the forms refuse to send while
 * one is left (unfilled), so a citizen never reads "{nome}".
 *
 * Separate from ticket-forms.js and compose-form.js: the list, the filling and
 * the insertion are one concern, used by both forms; each gives its markup
 * (#<prefix>-canned, -canned-lang, -canned-insert, -canned-box) and its facts.
 */
import { TIME_ZONE, USER_LANGS, lang as pageLang } from '../i18n.js';
import { say } from '../lib/said.js';
import { $, h } from '../lib/ui.js';
import { tr } from './strings.js';

/** What the server lets an office answer name (server/office-responses.ts). */
export const PLACEHOLDERS = ['protocollo', 'oggetto', 'nome', 'data_richiesta', 'sede', 'operatore', 'data'];
const LOCALES = { it: 'it-IT', de: 'de-DE', en: 'en-GB' };
const ANSWER_LANGS = Object.keys(USER_LANGS);

let loading = null;

/** The answers, asked once per page; a failure is asked again next time. */
function responses(api) {
  loading ??= api('/api/v1/office-responses').then((b) => b.items ?? []).catch(() => {
    loading = null;
    return null;
  });
  return loading;
}

/** A day as a letter writes it ("3 marzo 2025", "3. März 2025", "3 March 2025"), in Rome. */
export function letterDate(when, lang) {
  return new Intl.DateTimeFormat(LOCALES[lang] ?? LOCALES.it, { dateStyle: 'long', timeZone: TIME_ZONE }).format(new Date(when));
}

/** The text of an answer in `lang` (Italian when it is not written in it), with what `values` knows filled in. */
export function officeText(r, lang, values) {
  const text = (Object.hasOwn(r.text, lang) && r.text[lang]) || r.text.it;
  return text.replace(/\{(\w+)\}/g, (m, k) => {
    const v = PLACEHOLDERS.includes(k) ? values[k] : undefined;
    return v === undefined || v === null || String(v).trim() === '' ? m : String(v);
  });
}

/** The placeholders still in a text, as written ("{nome}"), each once, first first. */
export function unfilled(text) {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].filter((m) => PLACEHOLDERS.includes(m[1])).map((m) => m[0]))];
}

/** Selects the first placeholder left in a text box (from `from`), so that typing replaces it; false if none. */
export function selectUnfilled(area, from = 0) {
  const left = unfilled(area.value.slice(from));
  if (!left.length) return false;
  const at = area.value.indexOf(left[0], from);
  area.focus();
  area.setSelectionRange(at, at + left[0].length);
  return true;
}

/** Puts `text` at the cursor of `area` (over a selection) as a paragraph of its own; returns where it starts. */
export function insertAt(area, text) {
  const start = area.selectionStart ?? area.value.length;
  const end = area.selectionEnd ?? start;
  const before = area.value.slice(0, start);
  const after = area.value.slice(end);
  const lead = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  const trail = after === '' || after.startsWith('\n\n') ? '' : after.startsWith('\n') ? '\n' : '\n\n';
  area.focus();
  area.setSelectionRange(start, end);
  // insertText keeps the insertion on the box's undo stack (Ctrl+Z takes it back); setRangeText where it is refused.
  if (!document.execCommand?.('insertText', false, lead + text + trail)) area.setRangeText(lead + text + trail, start, end, 'end');
  const caret = start + lead.length + text.length;
  area.setSelectionRange(caret, caret);
  // A letter is longer than the box: it grows (up to a screenful) so that it is read whole before it is sent.
  while (area.rows < 18 && area.scrollHeight > area.clientHeight) area.rows += 1;
  return start + lead.length;
}

/**
 * Wires the picker of one form.
 * @param {object} d
 * @param {string} d.prefix the ids' prefix: `reply` or `compose`
 * @param {(path: string) => Promise<any>} d.api
 * @param {(text: string) => void} d.announce
 * @param {() => { topic?: string, values: (lang: string) => object, skip?: string[] }} d.facts
 *   the form's facts: the topic (its answers first), the placeholders' values in a
 *   language, and placeholders this form can never fill (answers naming them are not offered)
 */
/**
 * The picker's controls inside its form's empty fieldset, once: the reply form and
 * "Scrivi a un utente" (cloned from a template) each have one, named by `prefix`.
 */
function fill(box, prefix) {
  const text = (tag, key, attrs = {}) => h(tag, { ...attrs, 'data-t': key }, tr(key));
  box.replaceChildren(
    text('legend', 'off.canned.title'),
    h('div', { class: 'canned-row' },
      h('div', { class: 'field canned-answer' },
        text('label', 'off.canned.answer', { for: `${prefix}-canned` }),
        h('select', { id: `${prefix}-canned`, 'aria-describedby': `${prefix}-canned-note` })),
      h('div', { class: 'field' }, text('label', 'off.canned.lang', { for: `${prefix}-canned-lang` }), h('select', { id: `${prefix}-canned-lang` })),
      text('button', 'off.canned.insert', { id: `${prefix}-canned-insert`, type: 'button' })),
    text('p', 'off.canned.note', { id: `${prefix}-canned-note`, class: 'note' }),
  );
}

export function cannedPicker({ prefix, api, announce, facts }) {
  const box = () => {
    const el = $(`#${prefix}-canned-box`);
    if (el && el.childElementCount === 0) fill(el, prefix);
    return el;
  };
  const select = () => $(`#${prefix}-canned`);
  const langSelect = () => $(`#${prefix}-canned-lang`);
  const area = () => $(`#${prefix}-text`) ?? $(`#${prefix}-body`);
  const error = () => $(`#${prefix}-error`);
  let items = [];
  let reader = null;
  let request = undefined;

  const offered = () => {
    const skip = facts().skip ?? [];
    return items.filter((r) => !skip.some((p) => r.text.it.includes(`{${p}}`)));
  };
  const title = (r) => r.title[pageLang()] || r.title.it;

  /** The list and the languages, in the page's language, keeping what is chosen. */
  function render() {
    if (!box()) return;
    const s = select();
    const value = s.value;
    const topic = facts().topic;
    const list = offered();
    const forTopic = list.filter((r) => topic && r.topics.includes(topic));
    const general = list.filter((r) => !forTopic.includes(r));
    const option = (r) => h('option', { value: r.id }, title(r));
    s.replaceChildren(
      h('option', { value: '' }, tr('off.canned.pick')),
      forTopic.length ? h('optgroup', { label: tr('off.canned.topic') }, forTopic.map(option)) : null,
      general.length ? h('optgroup', { label: tr('off.canned.general') }, general.map(option)) : null,
    );
    s.value = list.some((r) => r.id === value) ? value : '';
    const l = langSelect();
    const chosen = l.value || reader || 'it';
    l.replaceChildren(...ANSWER_LANGS.map((code) =>
      h('option', { value: code, lang: code }, code === reader ? tr('off.canned.userLang', { name: USER_LANGS[code] }) : USER_LANGS[code])));
    l.value = chosen;
    box().hidden = list.length === 0;
  }

  /** A new request (or a new message): the user's language first, nothing chosen. */
  function reset(userLang) {
    reader = ANSWER_LANGS.includes(userLang) ? userLang : null;
    if (!box()) return;
    select().value = '';
    langSelect().value = '';
    render();
  }

  /** The request on screen: a different one than before resets the picker to its user's language. */
  function forRequest(id, userLang) {
    if (id === request) return;
    request = id;
    reset(userLang);
  }

  function insert() {
    const r = items.find((x) => x.id === select().value);
    error().textContent = '';
    select().removeAttribute('aria-invalid');
    if (!r) {
      say(error(), () => tr('off.canned.noneChosen'));
      select().setAttribute('aria-invalid', 'true');
      select().focus();
      return;
    }
    const lang = langSelect().value || 'it';
    const text = officeText(r, lang, facts().values(lang));
    const target = area();
    target.removeAttribute('aria-invalid');
    const from = insertAt(target, text);
    select().value = '';
    const left = unfilled(text);
    if (left.length) selectUnfilled(target, from);
    announce(left.length ? tr('off.canned.doneFill', { title: title(r), fields: left.join(', ') }) : tr('off.canned.done', { title: title(r) }));
  }

  /** Asks for the answers (once per page) and shows the picker when there are some. */
  async function load() {
    if (!box()) return;
    $(`#${prefix}-canned-insert`).onclick = insert;
    const got = await responses(api);
    if (!got) return;
    items = got;
    render();
  }

  return { load, render, reset, forRequest };
}
