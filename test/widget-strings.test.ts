/**
 * The pages' strings: every language has every key Italian has (a missing one
 * would silently show Italian to an English reader, or the bare key), and every
 * key the markup or the code names literally exists.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error plain browser modules, no types
import { LANGS, OFFICE_LANGS, STAFF_ONLY, STRINGS as common, USER_LANGS } from '../widgets/i18n.js';
// @ts-expect-error plain browser modules, no types
import { STRINGS as dashboard } from '../widgets/dashboard/strings.js';
// @ts-expect-error plain browser modules, no types
import { STRINGS as office } from '../widgets/office/strings.js';

import { STAFF_ROLES } from '../routing/types.ts';
import { ACCESS_ACTIONS, REQUEST_READ_ACTIONS } from '../server/access-log.ts';

type Dicts = Record<string, Record<string, string>>;
const WIDGETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../widgets');
const SETS: Record<string, { dicts: Dicts; markup: string; calls: string[] }> = {
  common: { dicts: common, markup: 'i18n', calls: ['t', 'common'] },
  dashboard: { dicts: dashboard, markup: 'd', calls: ['dt'] },
  office: { dicts: office, markup: 't', calls: ['tr'] },
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(js|html)$/.test(name) ? [p] : [];
  });
}

/** Keys named literally: data-<markup>="key", data-<markup>-attr="attr:key;…", call('key'…). */
function referenced(set: { markup: string; calls: string[] }): Map<string, string> {
  const found = new Map<string, string>();
  const calls = new RegExp(`(?<![\\w.$])(?:${set.calls.join('|')})\\(\\s*'([\\w.-]+)'`, 'g');
  const text = new RegExp(`data-${set.markup}="([\\w.-]+)"`, 'g');
  const attrs = new RegExp(`data-${set.markup}-attr="([^"]+)"`, 'g');
  for (const file of files(WIDGETS)) {
    const src = readFileSync(file, 'utf8');
    const where = path.relative(WIDGETS, file);
    for (const m of src.matchAll(text)) found.set(m[1]!, where);
    for (const m of src.matchAll(attrs)) for (const pair of m[1]!.split(';')) found.set(pair.split(':')[1]!.trim(), where);
    if (file.endsWith('.js')) for (const m of src.matchAll(calls)) found.set(m[1]!, where);
  }
  return found;
}

/** Keys a language may lack: the staff consoles' in a language only the user pages speak. */
const mayLack = (name: string, lang: string) => (key: string) => name === 'common' && !Object.hasOwn(LANGS, lang) && STAFF_ONLY.test(key);

const placeholders = (s: string) => [...new Set(s.match(/\{\w+\}/g) ?? [])].sort();

for (const [name, set] of Object.entries(SETS)) {
  test(`the ${name} strings have every Italian key in every language, and no key Italian lacks`, () => {
    const it = Object.keys(set.dicts.it!);
    assert.ok(it.length > 20, `${name}: ${it.length} keys`);
    for (const [lang, dict] of Object.entries(set.dicts)) {
      const missing = it.filter((k) => !Object.hasOwn(dict, k) && !mayLack(name, lang)(k));
      const extra = Object.keys(dict).filter((k) => !Object.hasOwn(set.dicts.it!, k));
      assert.equal(missing, [], `${name}/${lang} lacks ${missing.join(', ')}`);
      assert.equal(extra, [], `${name}/${lang} has keys Italian lacks: ${extra.join(', ')}`);
      const blank = Object.entries(dict).filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
      assert.equal(blank, [], `${name}/${lang} blank: ${blank.join(', ')}`);
    }
  });

  test(`every ${name} string has the same {placeholders} as the Italian one, in every language`, () => {
    for (const [lang, dict] of Object.entries(set.dicts)) {
      const differ = Object.entries(dict)
        .filter(([k, v]) => Object.hasOwn(set.dicts.it!, k) && placeholders(v).join() !== placeholders(set.dicts.it![k]!).join())
        .map(([k, v]) => `${k}: ${placeholders(v).join(' ')} ≠ ${placeholders(set.dicts.it![k]!).join(' ')}`);
      assert.equal(differ, [], `${name}/${lang}: ${differ.join('; ')}`);
    }
  });

  test(`every ${name} key the pages name literally exists`, () => {
    const refs = referenced(set);
    assert.ok(refs.size > 10, `${name}: only ${refs.size} references found: the scan is broken`);
    // 'key' is the placeholder of the modules' own doc comments (data-d="key").
    const unknown = [...refs].filter(([k]) => k !== 'key' && !Object.hasOwn(set.dicts.it!, k)).map(([k, where]) => `${k} (${where})`);
    assert.equal(unknown, [], `${name}: unknown keys ${unknown.join(', ')}`);
  });
}

test('the access-log panel names every action and every actor the log can hold', () => {
  // Its keys are built from the row (`access.action.${a.action}`), which the literal scan cannot see.
  const keys = [...ACCESS_ACTIONS.map((a) => `access.action.${a}`), ...[...STAFF_ROLES, 'system'].map((r) => `access.role.${r}`)];
  const missing = keys.filter((k) => !Object.hasOwn(dashboard.it, k));
  assert.equal(missing, [], `dashboard strings lack ${missing.join(', ')}`);
});

test("the chat's \"who looked at this request\" names every read a request's row can hold", () => {
  // Built from the row too (`tk.views.${a.action}`, widgets/chat/ticket-thread.js).
  const missing = REQUEST_READ_ACTIONS.map((a) => `tk.views.${a}`).filter((k) => !Object.hasOwn(common.it!, k) || !Object.hasOwn(common.en!, k));
  assert.equal(missing, [], `chat strings lack ${missing.join(', ')}`);
});

test('German, a language of the user pages and of the office console, has every key they need and none of the advisor console\'s', () => {
  assert.ok(Object.hasOwn(common, 'de') && Object.hasOwn(USER_LANGS, 'de'), 'German is a language of the user pages');
  assert.not.ok(Object.hasOwn(LANGS, 'de'), 'the advisor console and the dashboard (their strings Italian and English) do not offer it');
  assert.ok(Object.hasOwn(OFFICE_LANGS, 'de') && Object.hasOwn(office, 'de'), 'the office console does, for the Bolzano sedi');
  const userKeys = Object.keys(common.it!).filter((k) => !STAFF_ONLY.test(k));
  assert.ok(userKeys.length > 150, `${userKeys.length} keys of the user pages`);
  assert.equal(userKeys.filter((k) => !Object.hasOwn(common.de!, k)), []);
  assert.equal(Object.keys(common.de!).filter((k) => STAFF_ONLY.test(k)), [], 'no half translation of the advisor console');
  assert.equal(Object.keys(USER_LANGS), ['it', 'de', 'en'], 'the picker: Italian, then German, then English');
});

test.run();
