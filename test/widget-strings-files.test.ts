/**
 * The strings files themselves: a language's words are spread over several
 * files (widgets/strings-<lang>.js with strings-tickets-<lang>.js and
 * strings-advisor-<lang>.js; widgets/dashboard/strings.js with its panels'
 * strings-*.js) merged with `...`, where a key written in two files would
 * silently take the later file's text. So: each key is written once per
 * language, each part holds the keys it is named for (a tk.* key added to
 * strings-it.js belongs in strings-tickets-it.js), and no file outgrows the
 * 400 lines a reader can follow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error plain browser modules, no types
import { STAFF_ONLY, STRINGS as common } from '../widgets/i18n.js';

const WIDGETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../widgets');
const TICKETS = /^tk\./;

/** The keys written in each object literal of a strings file: `const it = {` / `export const en = {` / `export default {`, by name ('default' for the last). */
function blocks(file: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let keys: string[] | null = null;
  for (const line of readFileSync(path.join(WIDGETS, file), 'utf8').split('\n')) {
    const open = /^export default \{$|^(?:export )?const (\w+) = \{$/.exec(line);
    if (open) found.set(open[1] ?? 'default', (keys = []));
    else if (/^\};?/.test(line)) keys = null;
    else if (keys) {
      const key = /^\s+'([^']+)':/.exec(line) ?? /^\s+([\w$]+):/.exec(line);
      if (key) keys.push(key[1]!);
    }
  }
  return found;
}

const LANGS = Object.keys(common);
const commonFiles = (lang: string) => readdirSync(WIDGETS).filter((f) => f === `strings-${lang}.js` || new RegExp(`^strings-[a-z]+-${lang}\\.js$`).test(f));
const dashboardFiles = readdirSync(path.join(WIDGETS, 'dashboard')).filter((f) => /^strings(-[a-z]+)?\.js$/.test(f)).map((f) => `dashboard/${f}`);

/** The keys written twice across `files`, for one language's block. */
function writtenTwice(files: string[], block: (file: string) => string): string[] {
  const where = new Map<string, string>();
  const twice: string[] = [];
  for (const file of files) {
    for (const key of blocks(file).get(block(file)) ?? []) {
      if (where.has(key)) twice.push(`${key} (${where.get(key)}, ${file})`);
      else where.set(key, file);
    }
  }
  return twice;
}

test('the scan reads the strings files: every merged key is found written in one of them', () => {
  for (const lang of LANGS) {
    const written = new Set(commonFiles(lang).flatMap((f) => blocks(f).get('default') ?? []));
    const unseen = Object.keys(common[lang]).filter((k) => !written.has(k));
    assert.equal(unseen, [], `${lang}: the scan missed ${unseen.join(', ')}`);
  }
});

test('each key of the pages is written once per language, in one file only', () => {
  for (const lang of LANGS) assert.equal(writtenTwice(commonFiles(lang), () => 'default'), [], `common/${lang}`);
  for (const lang of ['it', 'en']) {
    const twice = writtenTwice(dashboardFiles, () => lang);
    assert.ok(dashboardFiles.length > 3, `the dashboard's strings files: ${dashboardFiles.join(', ')}`);
    assert.equal(twice, [], `dashboard/${lang}`);
  }
});

test('the Linea INPS requests\' keys are in strings-tickets-<lang>.js, the advisor console\'s in strings-advisor-<lang>.js', () => {
  for (const lang of LANGS) {
    const own = blocks(`strings-${lang}.js`).get('default')!;
    const tickets = blocks(`strings-tickets-${lang}.js`).get('default')!;
    assert.ok(tickets.length > 100, `${lang}: ${tickets.length} request keys`);
    assert.equal(tickets.filter((k) => !TICKETS.test(k)), [], `strings-tickets-${lang}.js holds only tk.*`);
    assert.equal(own.filter((k) => TICKETS.test(k)), [], `strings-${lang}.js: tk.* keys go to strings-tickets-${lang}.js`);
    assert.equal(own.filter((k) => STAFF_ONLY.test(k)), [], `strings-${lang}.js: adv.* and stub.* keys go to strings-advisor-${lang}.js`);
    const advisor = commonFiles(lang).includes(`strings-advisor-${lang}.js`) ? blocks(`strings-advisor-${lang}.js`).get('default')! : [];
    assert.equal(advisor.filter((k) => !STAFF_ONLY.test(k)), [], `strings-advisor-${lang}.js holds only what STAFF_ONLY names`);
  }
  assert.ok(blocks('strings-advisor-it.js').get('default')!.length > 100, 'the advisor console\'s Italian');
  assert.not.ok(commonFiles('de').includes('strings-advisor-de.js'), 'German has no advisor console strings (STAFF_ONLY)');
});

test('no strings file is longer than 400 lines', () => {
  const files = [...LANGS.flatMap(commonFiles), ...dashboardFiles, 'office/strings.js', 'office/strings-de.js', 'office/strings-en.js', 'lib/error-words-strings.js'];
  const long = files.map((f) => [f, readFileSync(path.join(WIDGETS, f), 'utf8').split('\n').length - 1] as const).filter(([, n]) => n > 400);
  assert.equal(long, [], long.map(([f, n]) => `${f}: ${n} lines`).join(', '));
});

test.run();
