/**
 * Ready answers (config/canned-responses.json, CANNED_RESPONSES): the shipped
 * file is valid; a bad entry stops start-up naming its place (a typo in a
 * placeholder would otherwise reach a citizen as "{nmoe}"); advisors and
 * supervisors read them over HTTP, nobody else.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCannedResponses, validateCannedResponses } from '../server/canned-responses.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { startServer } from './helpers/server.ts';

const ok = { id: 'saluto', title: { it: 'Saluto' }, text: { it: 'Buongiorno {nome}, sono {consulente}.' } };

test('the shipped file is valid: Italian, German and English for every answer, the same placeholders in each, ids unique', () => {
  const items = loadCannedResponses(undefined);
  assert.ok(items.length >= 5, `${items.length}`);
  const placeholders = (s = '') => (s.match(/\{\w+\}/g) ?? []).sort().join();
  for (const r of items) {
    assert.ok(r.text.en && r.title.en, `${r.id} has English`);
    assert.ok(r.text.de && r.title.de, `${r.id} has German (South Tyrol)`);
    assert.is(placeholders(r.text.de), placeholders(r.text.it), `${r.id}: German placeholders`);
    assert.is(placeholders(r.text.en), placeholders(r.text.it), `${r.id}: English placeholders`);
  }
});

test('a bad entry is refused with its place and why', () => {
  const cases: [unknown, RegExp][] = [
    [{}, /expected an array/],
    [[{ ...ok, text: { it: 'Buongiorno {nmoe}' } }], /\[0\]\.text\.it: unknown placeholder \{nmoe\}/],
    [[ok, ok], /\[1\]\.id: "saluto" is used twice/],
    [[{ ...ok, id: 'Saluto iniziale' }], /\[0\]\.id/],
    [[{ ...ok, topics: ['pensioni'] }], /\[0\]\.topics: expected some of cigo/],
    [[{ ...ok, text: { en: 'Hello' } }], /\[0\]\.text\.it: the Italian text is required/],
    [[{ ...ok, text: { it: 'x'.repeat(2001) } }], /\[0\]\.text\.it: expected text of 1 to 2000/],
    [[{ ...ok, title: { it: 'Saluto', fr: 'Salut' } }], /\[0\]\.title\.fr: only "it", "de" and "en"/],
    [[{ ...ok, body: 'x' }], /\[0\]: unknown field body/],
  ];
  for (const [data, why] of cases) assert.throws(() => validateCannedResponses(data), why, JSON.stringify(data).slice(0, 80));
});

test('CANNED_RESPONSES names another file; a bad or missing one stops start-up with a ConfigError naming it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'infocig-canned-'));
  const good = path.join(dir, 'good.json');
  writeFileSync(good, JSON.stringify([ok]));
  assert.equal(loadConfig({ AUTH_DEV: '1', CANNED_RESPONSES: good }).cannedResponses.map((r) => r.id), ['saluto']);
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify([{ ...ok, text: { it: '{x}' } }]));
  for (const file of [bad, path.join(dir, 'missing.json')]) {
    assert.throws(() => loadConfig({ AUTH_DEV: '1', CANNED_RESPONSES: file }), (err: unknown) => err instanceof ConfigError && /CANNED_RESPONSES/.test(String(err)), file);
  }
});

test('GET /api/v1/canned-responses: advisors and supervisors read them; a worker 403; no token 401', async () => {
  const server = await startServer();
  try {
    const get = async (claims: Record<string, unknown> | null) => {
      const headers: Record<string, string> = claims ? { authorization: `Bearer ${await server.token(claims as never)}` } : {};
      const res = await fetch(`${server.url}/api/v1/canned-responses`, { headers });
      return { status: res.status, body: (await res.json()) as { items?: { id: string }[]; error?: { code: string } } };
    };
    const advisor = await get({ role: 'advisor', sub: 'adv-1' });
    assert.is(advisor.status, 200);
    assert.ok(advisor.body.items!.some((r) => r.id === 'pagamento-diretto-tempi'));
    assert.is((await get({ role: 'supervisor', sub: 'sup-1' })).status, 200);
    const worker = await get({ role: 'worker', sub: 'usr-1', province: 'MI' });
    assert.equal([worker.status, worker.body.error?.code], [403, 'forbidden']);
    assert.is((await get(null)).status, 401);
  } finally {
    await server.close();
  }
});

test('a ready answer goes into the reply box in the chat\'s language when written in it (de-IT, en-GB), else in Italian', async () => {
  // @ts-expect-error plain browser module, no types
  const { cannedText } = await import('../widgets/advisor/canned.js');
  const r = { text: { it: 'Buongiorno {nome}, sono {consulente}.', de: 'Guten Tag {nome}, hier {consulente}.', en: 'Hello {nome}, {consulente} here.' } };
  const names = { userName: 'Anna', advisorName: 'Luca' };
  assert.is(cannedText(r, { lang: 'de-IT', ...names }), 'Guten Tag Anna, hier Luca.');
  assert.is(cannedText(r, { lang: 'en-GB', ...names }), 'Hello Anna, Luca here.');
  assert.is(cannedText(r, { lang: 'fr', ...names }), 'Buongiorno Anna, sono Luca.');
  assert.is(cannedText({ text: { it: 'Solo italiano, {nome}.' } }, { lang: 'de', ...names }), 'Solo italiano, Anna.');
  assert.is(cannedText(r, { lang: undefined, ...names }), 'Buongiorno Anna, sono Luca.');
});

test.run();
