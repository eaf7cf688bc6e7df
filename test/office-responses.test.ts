/**
 * The offices' ready answers (config/office-responses.json, OFFICE_RESPONSES):
 * the shipped file is valid, in Italian, German and English with the same
 * placeholders; a bad entry (an advisor's placeholder, a typo, a `public` tip)
 * stops start-up with exit code 78 naming the variable and the place; office
 * operators and supervisors read them over HTTP, advisors keep theirs only and
 * users get 403; a staff reader of a request learns the language its user
 * reads (what the answer is offered in); and the console's filling leaves what
 * the request cannot say in braces, which the forms refuse to send.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCannedResponses } from '../server/canned-responses.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { loadOfficeResponses, OFFICE_PLACEHOLDERS, validateOfficeResponses } from '../server/office-responses.ts';
import { startServer } from './helpers/server.ts';
import { startServerProcess } from './helpers/server-process.ts';

type Server = Awaited<ReturnType<typeof startServer>>;
type Json = Record<string, any>;

const ok = { id: 'chiusura', title: { it: 'Chiusura' }, text: { it: 'Gentile {nome}, la richiesta n. {protocollo} è conclusa.\n{operatore}, {sede}, {data}' } };
const dir = mkdtempSync(path.join(tmpdir(), 'infocig-office-canned-'));
const ctx = { server: null as Server | null };

async function get(url: string, claims: Json | null): Promise<{ status: number; body: Json }> {
  const server = ctx.server!;
  const headers: Record<string, string> = claims ? { authorization: `Bearer ${await server.token(claims as never)}` } : {};
  const res = await fetch(`${server.url}${url}`, { headers });
  return { status: res.status, body: (await res.json()) as Json };
}

test.after(async () => {
  await ctx.server?.close();
});

test('the shipped file is valid: 6 to 8 letters, each in Italian, German and English with the same placeholders, only the offices’ ones', () => {
  const items = loadOfficeResponses(undefined);
  assert.ok(items.length >= 6 && items.length <= 8, `${items.length}`);
  const placeholders = (s = '') => (s.match(/\{\w+\}/g) ?? []).sort().join();
  const used = new Set<string>();
  for (const r of items) {
    assert.ok(r.text.de && r.title.de && r.text.en && r.title.en, `${r.id} has German and English`);
    assert.is(placeholders(r.text.de), placeholders(r.text.it), `${r.id}: German placeholders`);
    assert.is(placeholders(r.text.en), placeholders(r.text.it), `${r.id}: English placeholders`);
    for (const p of r.text.it.match(/\{\w+\}/g) ?? []) used.add(p.slice(1, -1));
    assert.not.ok('public' in r, `${r.id} is no tip for waiting users`);
  }
  assert.equal([...used].sort(), [...OFFICE_PLACEHOLDERS].sort(), 'every placeholder is used by some answer');
  const text = items.map((r) => r.text.it).join('\n');
  for (const word of ['UniEmens-Cig', 'SR41', 'IBAN', 'sede competente']) assert.ok(text.includes(word), word);
});

test('a bad entry is refused with its place and why: an advisor’s placeholder, a typo, a tip, a text too long', () => {
  const cases: [unknown, RegExp][] = [
    [[{ ...ok, text: { it: 'Sono {consulente}.' } }], /\[0\]\.text\.it: unknown placeholder \{consulente\}: use \{protocollo\}, \{oggetto\}, \{nome\}/],
    [[{ ...ok, text: { it: 'Richiesta n. {protocolo}' } }], /\[0\]\.text\.it: unknown placeholder \{protocolo\}/],
    [[{ ...ok, text: { it: 'Ok', de: 'Guten Tag {name}' } }], /\[0\]\.text\.de: unknown placeholder \{name\}/],
    [[{ ...ok, public: true }], /\[0\]: unknown field public/],
    [[{ ...ok, audiences: ['worker'] }], /\[0\]: unknown field audiences/],
    [[ok, ok], /\[1\]\.id: "chiusura" is used twice/],
    [[{ ...ok, text: { it: 'x'.repeat(4001) } }], /\[0\]\.text\.it: expected text of 1 to 4000/],
  ];
  for (const [data, why] of cases) assert.throws(() => validateOfficeResponses(data), why, JSON.stringify(data).slice(0, 80));
  assert.is(validateOfficeResponses([{ ...ok, text: { it: 'x'.repeat(4000) } }]).length, 1, 'a letter is longer than a chat line');
  // The advisors' file keeps its own rules: the offices' placeholders are not theirs.
  assert.throws(() => loadConfig({ AUTH_DEV: '1', CANNED_RESPONSES: file('advisor.json', [{ ...ok, text: { it: 'Richiesta {protocollo}' } }]) }), /CANNED_RESPONSES \[0\]\.text\.it: unknown placeholder \{protocollo\}/);
});

function file(name: string, data: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data));
  return p;
}

test('OFFICE_RESPONSES names another file; a bad, unreadable or non-JSON one is a ConfigError naming it', () => {
  assert.equal(loadConfig({ AUTH_DEV: '1', OFFICE_RESPONSES: file('good.json', [ok]) }).officeResponses.map((r) => r.id), ['chiusura']);
  assert.ok(loadConfig({ AUTH_DEV: '1' }).officeResponses.length >= 6, 'the project’s file by default');
  const bad: [string, RegExp][] = [
    [file('bad.json', [{ ...ok, text: { it: '{nmoe}' } }]), /^Invalid configuration OFFICE_RESPONSES \[0\]\.text\.it: unknown placeholder \{nmoe\}/],
    [file('notjson.json', '[{'), /^Invalid configuration OFFICE_RESPONSES notjson\.json: not JSON/],
    [path.join(dir, 'missing.json'), /^Invalid configuration OFFICE_RESPONSES missing\.json: cannot read/],
  ];
  for (const [name, why] of bad) {
    assert.throws(() => loadConfig({ AUTH_DEV: '1', OFFICE_RESPONSES: name }), (err: unknown) => err instanceof ConfigError && why.test((err as Error).message), name);
  }
});

test('npm start with a bad OFFICE_RESPONSES stops with exit code 78 and says which entry and why', async () => {
  const bad = file('start.json', [{ ...ok, text: { it: 'Buongiorno, sono {consulente}.' } }]);
  const outcome = await startServerProcess('office-canned-bad', { OFFICE_RESPONSES: bad }).then(
    async (p) => {
      await p.stop();
      return 'started';
    },
    (err: Error) => err.message,
  );
  assert.match(outcome, /server exited with 78/);
  assert.match(outcome, /INFO CIG cannot start: Invalid configuration OFFICE_RESPONSES \[0\]\.text\.it: unknown placeholder \{consulente\}/);
});

test('GET /api/v1/office-responses: office operators and supervisors read the offices’ set; advisors (who keep theirs) and users 403; no token 401', async () => {
  ctx.server = await startServer();
  const shipped = loadOfficeResponses(undefined);
  const office = await get('/api/v1/office-responses', { role: 'office', sub: 'op-1', sede: 'SEDE-MI' });
  assert.is(office.status, 200);
  assert.equal(office.body.items.map((r: Json) => r.id), shipped.map((r) => r.id));
  const chiusura = office.body.items.find((r: Json) => r.id === 'chiusura');
  assert.equal(chiusura, { ...shipped.find((r) => r.id === 'chiusura') }, 'as written: id, topics, title and text in each language');
  assert.is((await get('/api/v1/office-responses', { role: 'supervisor', sub: 'sup-1' })).status, 200);
  for (const claims of [
    { role: 'advisor', sub: 'adv-1' },
    { role: 'worker', sub: 'usr-1', province: 'MI' },
    { role: 'employer', sub: 'emp-1', province: 'MI', matricola: '1234567890' },
    { role: 'intermediary', sub: 'int-1', province: 'MI', matricole: ['1234567890'] },
  ]) {
    const res = await get('/api/v1/office-responses', claims);
    assert.equal([res.status, res.body.error?.code], [403, 'forbidden'], claims.role);
  }
  assert.is((await get('/api/v1/office-responses', null)).status, 401);

  // The advisors' route is unchanged: advisors read their chat answers, never the letters; an office operator is refused it.
  const advisor = await get('/api/v1/canned-responses', { role: 'advisor', sub: 'adv-1' });
  assert.is(advisor.status, 200);
  const words = (items: Json[]) => items.map((r) => [r.id, r.topics, r.title, r.text]);
  assert.equal(words(advisor.body.items), words(loadCannedResponses(undefined)), 'the advisors’ file, as before');
  assert.not.ok(JSON.stringify(advisor.body).includes('{protocollo}'), 'no letter among them');
  const officeOnAdvisors = await get('/api/v1/canned-responses', { role: 'office', sub: 'op-1', sede: 'SEDE-MI' });
  assert.equal([officeOnAdvisors.status, officeOnAdvisors.body.error?.code], [403, 'forbidden']);
});

test('a request read by staff says which language its user reads (their token’s or page’s), null when unknown; the user’s own view has no `user`', async () => {
  const server = ctx.server!;
  const open = async (claims: Json, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}/api/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await server.token(claims as never)}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ subject: 'Pagamento di aprile', category: 'payment', body: 'Non ho ricevuto il pagamento.' }),
    });
    assert.is(res.status, 201);
    return ((await res.json()) as Json).id as string;
  };
  const german = await open({ role: 'worker', sub: 'w-de', province: 'MI', name: 'Anna Gruber', lang: 'de-IT' });
  const english = await open({ role: 'worker', sub: 'w-en', province: 'MI' }, { 'x-infocig-lang': 'en' });
  const unknown = await open({ role: 'worker', sub: 'w-none', province: 'MI' });
  const office = { role: 'office', sub: 'op-1', sede: 'SEDE-MI' };
  const langOf = async (id: string, claims: Json) => (await get(`/api/v1/tickets/${id}`, claims)).body.user?.lang;
  assert.is(await langOf(german, office), 'de');
  assert.is(await langOf(english, office), 'en');
  assert.is(await langOf(unknown, office), null);
  assert.is(await langOf(german, { role: 'supervisor', sub: 'sup-1' }), 'de');
  const own = await get(`/api/v1/tickets/${german}`, { role: 'worker', sub: 'w-de', province: 'MI' });
  assert.is(own.status, 200);
  assert.not.ok('user' in own.body);
  const list = await get('/api/v1/tickets', office);
  assert.ok(list.body.items.every((t: Json) => !('lang' in t.user)), 'the list does not read the contact book');
});

test('the console fills what the request says, in the chosen language, and leaves the rest in braces for the forms to refuse', async () => {
  // @ts-expect-error plain browser module, no types
  const { officeText, unfilled, letterDate } = await import('../widgets/office/canned.js');
  const r = { text: { it: 'Gentile {nome}, richiesta n. {protocollo} del {data_richiesta}. {sede}', de: 'Guten Tag {nome}, Anfrage Nr. {protocollo} vom {data_richiesta}. {sede}' } };
  const values = (lang: string) => ({ nome: 'Mario Bianchi', protocollo: 'INPS-2025-000042', data_richiesta: letterDate('2025-03-03T10:00:00Z', lang), sede: 'INPS Sede di Milano' });
  assert.is(officeText(r, 'it', values('it')), 'Gentile Mario Bianchi, richiesta n. INPS-2025-000042 del 3 marzo 2025. INPS Sede di Milano');
  assert.is(officeText(r, 'de', values('de')), 'Guten Tag Mario Bianchi, Anfrage Nr. INPS-2025-000042 vom 3. März 2025. INPS Sede di Milano');
  assert.is(officeText(r, 'en', values('it')).slice(0, 21), 'Gentile Mario Bianchi', 'not written in English: Italian');
  const noName = officeText(r, 'it', { ...values('it'), nome: null });
  assert.ok(noName.startsWith('Gentile {nome}, richiesta'), noName);
  assert.equal(unfilled(noName), ['{nome}']);
  assert.equal(unfilled('Costo {x} e {nome}, {oggetto}, {nome}'), ['{nome}', '{oggetto}'], 'only the offices’ placeholders, each once');
  assert.equal(unfilled('Tutto compilato.'), []);
});

test.run();
