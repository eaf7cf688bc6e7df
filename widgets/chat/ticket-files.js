/**
 * Attachments of a request or a reply, checked in the page only for a friendly
 * message (how many, how big, empty, a name that lies about the content); the
 * server sniffs the content and enforces the same rules.
 *
 * Separate because both forms (the new request and the reply) share the file
 * input behaviour and the checks, and the limits here must be read next to the
 * server's.
 */
import { formatSize, t } from '../i18n.js';
import { say } from '../lib/said.js';
import { $, h } from '../lib/ui.js';
import { mark } from './ticket-ui.js';

const MAX_FILES = 3;
const MAX_BYTES = 5 * 1024 * 1024;
/** Extensions that promise a binary type: the content must be one of the accepted ones. */
const BINARY = { pdf: 'PDF', png: 'PNG', jpg: 'JPEG', jpeg: 'JPEG', p7m: 'P7M' };
const TEXT = ['txt', 'csv', 'log'];

/** The first bytes say what a file is; null when none of the accepted binary types. */
async function kindOf(file) {
  const b = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46) return 'PDF';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'PNG';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'JPEG';
  if (b[0] === 0x30 && b[1] >= 0x80) return 'P7M';
  return null;
}

/** What is wrong with one file, as words for say(), or null. */
async function problemOf(f) {
  const name = f.name;
  if (f.size > MAX_BYTES) return () => t('tk.file.tooBig', { name });
  if (f.size === 0) return () => t('tk.file.empty', { name });
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1].toLowerCase() ?? '';
  if (TEXT.includes(ext)) return null;
  const kind = await kindOf(f);
  if (kind) return null;
  return BINARY[ext] ? () => t('tk.file.disguised', { name, type: BINARY[ext] }) : () => t('tk.file.type', { name });
}

/**
 * A friendly message for everything the server would refuse (it checks again, by content): too many files
 * and each refused file, all at once, as words for say() (lib/said.js: said again in a new language), or
 * null. Only the first used to be said, so four files with a big one and a wrong one took three tries,
 * each "Togli" revealing the next refusal.
 */
export async function fileProblem(files) {
  const problems = [];
  if (files.length > MAX_FILES) problems.push(() => t('tk.file.tooMany', { count: files.length }));
  for (const f of files) {
    const problem = await problemOf(f);
    if (problem) problems.push(problem);
  }
  return problems.length ? () => problems.map((words) => words()).join(' ') : null;
}

/**
 * The file input of a form (prefix tk or rp): chosen files listed with sizes, checked on change, clearable,
 * and each removable on its own ("Togli"): with four files chosen, or one refused, the user drops that one
 * and keeps the others, instead of clearing all and finding them again.
 */
export function fileField(prefix) {
  const input = $(`#${prefix}-files`);
  const clear = $(`#${prefix}-clear`);
  const error = $(`#${prefix}-error`);
  const check = async () => {
    const problem = await fileProblem([...input.files]);
    mark(input, problem);
    if (problem) say(error, problem);
    else error.textContent = '';
  };
  const remove = async (index) => {
    const kept = new DataTransfer();
    [...input.files].forEach((f, i) => i !== index && kept.items.add(f));
    input.files = kept.files;
    render();
    await check();
    // The focus goes to the next file's "Togli" (or the one before), else back to the file input.
    const buttons = $(`#${prefix}-chosen`).querySelectorAll('button');
    (buttons[Math.min(index, buttons.length - 1)] ?? input).focus();
  };
  const render = () => {
    $(`#${prefix}-chosen`).replaceChildren(...[...input.files].map((f, i) => h('li', {},
      h('span', {}, `${f.name} (${formatSize(f.size)})`), ' ',
      h('button', { type: 'button', id: `${prefix}-remove-${i}`, class: 'link remove-file', 'aria-label': t('tk.removeFile', { name: f.name }), onclick: () => void remove(i) }, t('tk.removeFileShort')))));
    clear.hidden = input.files.length === 0;
  };
  input.addEventListener('change', async () => {
    render();
    await check();
  });
  dropOnto(input);
  clear.addEventListener('click', () => {
    input.value = '';
    render();
    mark(input, false);
    error.textContent = '';
    input.focus();
  });
  return render;
}

/** Files dropped on the field replace the chosen ones, as a drop on the (now hidden) native input did. */
function dropOnto(input) {
  const field = input.closest('.field');
  const over = (e) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    field.classList.add('dropping');
  };
  field.addEventListener('dragenter', over);
  field.addEventListener('dragover', over);
  field.addEventListener('dragleave', (e) => !field.contains(e.relatedTarget) && field.classList.remove('dropping'));
  field.addEventListener('drop', (e) => {
    field.classList.remove('dropping');
    if (!e.dataTransfer?.files.length) return;
    e.preventDefault();
    input.files = e.dataTransfer.files;
    input.dispatchEvent(new Event('change'));
  });
}
