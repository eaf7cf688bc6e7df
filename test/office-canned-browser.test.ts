/**
 * The office console's "Risposte pronte" (widgets/office/canned.js) in a real
 * browser (Debian chromium through playwright-core): an operator of SEDE-MI
 * opens a worker's payment request, finds the answers for its subject area
 * first, chooses one by keyboard (arrowing through the list inserts nothing),
 * inserts it at the cursor with the request's facts filled in, edits it and
 * sends it: the reply appears in the thread as edited, and nothing was sent
 * before. On a request without the user's name, {nome} stays in braces,
 * selected, and sending is refused until it is replaced. A German-speaking
 * user's request offers the answer in German; the page in English labels it
 * all in English. "Scrivi a un utente" has the picker too, without the answers
 * that need a protocol number. At 320 px nothing scrolls sideways. axe-core finds no serious or critical
 * violations and the page logs no CSP violation or script error.
 * Screenshots: test/screenshots/canned-*.png and /tmp/shots-office-canned/.
 * Skips without chromium.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { ManualClock } from '../routing/clock.ts';
import { browserHarness, chromiumOrSkip, loseFirstAnswer, serverApi, type Json } from './helpers/browser.ts';
import { startServer } from './helpers/server.ts';

const SHOTS = '/tmp/shots-office-canned';

const chromium = browserHarness({
  // The retry test cuts one answer off: chromium logs the failed load.
  console: { expected: /ERR_INTERNET_DISCONNECTED/ },
  prefix: 'canned-',
  context: { viewport: { width: 1366, height: 900 } },
  fullPage: true,
});
const { axe } = chromium;

const clock = new ManualClock(Date.now());
const ctx = {
  server: null as { url: string; close(): Promise<void> } | null,
  page: null as unknown as Page,
  named: {} as Json,
  nameless: {} as Json,
  german: {} as Json,
  officeToken: '',
};
const { api, devToken } = serverApi(() => ctx.server!.url);

async function shot(page: Page, name: string): Promise<void> {
  await chromium.shot(page, name);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

const focused = (page: Page) => page.evaluate(() => document.activeElement?.id);
const replies = async (id: string) => (await api(ctx.officeToken, 'GET', `/api/v1/tickets/${id}`)).body.replies as Json[];

async function openRequest(page: Page, t: Json): Promise<void> {
  await page.locator('.q-item', { hasText: t.protocol }).click();
  await page.locator('#t-protocol', { hasText: t.protocol }).waitFor();
}

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer({ clock });
    await chromium.launch();
    ctx.page = await chromium.newPage('canned');
    ctx.officeToken = await devToken({ role: 'office', sub: 'op-api', sede: 'SEDE-MI' });
    const open = async (claims: Json, subject: string) => {
      const res = await api(await devToken(claims), 'POST', '/api/v1/tickets', { subject, category: 'payment', body: 'Non ho ricevuto il pagamento diretto.' });
      assert.is(res.status, 201, JSON.stringify(res.body));
      return res.body;
    };
    ctx.named = await open({ role: 'worker', sub: 'w-canned', province: 'MI', name: 'Mario Bianchi' }, 'Pagamento CIGO di aprile');
    // An office's message to a company (a matricola, nobody's name): what {nome} cannot be filled from.
    const company = await api(ctx.officeToken, 'POST', '/api/v1/tickets', { subject: 'Flusso UniEmens-Cig di marzo', category: 'cigo', body: 'Vi scriviamo in merito alla domanda di CIGO di marzo.', to: { matricola: '1234567890' } });
    assert.is(company.status, 201, JSON.stringify(company.body));
    ctx.nameless = company.body;
    ctx.german = await open({ role: 'worker', sub: 'w-canned-de', province: 'MI', name: 'Anna Gruber', lang: 'de-IT' }, 'Zahlung April');
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('the reply form has "Risposte pronte": labelled, the answers for the request’s subject area first, in the user’s language', async () => {
    const page = ctx.page;
    await signInOffice(page, ctx.server!.url, 'SEDE-MI', 'Laura Conti', 'op-conti');
    await openRequest(page, ctx.named);
    const group = page.getByRole('group', { name: 'Risposte pronte' });
    await group.waitFor();
    const pick = group.getByLabel('Risposta pronta');
    const groups = await pick.locator('optgroup').evaluateAll((gs) => gs.map((g) => [(g as HTMLOptGroupElement).label, [...g.querySelectorAll('option')].map((o) => o.textContent)]));
    assert.is(groups[0]![0], 'Per l’argomento della richiesta');
    assert.ok((groups[0]![1] as string[]).includes('Variazione dell’IBAN'), JSON.stringify(groups));
    assert.is(groups[1]![0], 'Generali');
    assert.ok((groups[1]![1] as string[]).includes('Chiusura della richiesta'));
    assert.is(await group.getByLabel('Risposta in').inputValue(), 'it', 'no language known for this user: Italian');
    assert.match((await pick.getAttribute('aria-describedby')) ?? '', /reply-canned-note/);
  });

  test('by keyboard: arrowing through the list inserts nothing; the button inserts at the cursor, filled in; edited, it is sent and shows in the thread', async () => {
    const page = ctx.page;
    const text = page.getByLabel('Testo della risposta');
    await text.fill('Le scrivo a seguito della sua richiesta.');
    await text.press('Control+Home'); // the cursor before the operator's own words
    const pick = page.getByLabel('Risposta pronta');
    await pick.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    assert.is(await text.inputValue(), 'Le scrivo a seguito della sua richiesta.', 'choosing is not inserting');
    await pick.selectOption({ label: 'Presa in carico della richiesta' });
    await page.keyboard.press('Tab');
    assert.is(await focused(page), 'reply-canned-lang');
    await page.keyboard.press('Tab');
    assert.is(await focused(page), 'reply-canned-insert');
    await page.keyboard.press('Enter');
    await page.locator('#announce', { hasText: 'Inserita «Presa in carico della richiesta»' }).waitFor();

    const today = new Intl.DateTimeFormat('it-IT', { dateStyle: 'long', timeZone: 'Europe/Rome' }).format(new Date());
    const opened = new Intl.DateTimeFormat('it-IT', { dateStyle: 'long', timeZone: 'Europe/Rome' }).format(new Date(ctx.named.createdAt));
    const inserted = await text.inputValue();
    assert.ok(inserted.startsWith('Gentile Mario Bianchi,\n\nla informiamo che in data '), inserted);
    for (const want of [ctx.named.protocol, `del ${opened}`, `in data ${today}`, '«Pagamento CIGO di aprile»', 'presa in carico da INPS Sede di Milano', 'Cordiali saluti\nLaura Conti\nINPS Sede di Milano']) {
      assert.ok(inserted.includes(want), `${want} in ${inserted}`);
    }
    assert.not.ok(/\{\w+\}/.test(inserted), 'every placeholder filled');
    assert.ok(inserted.endsWith('INPS Sede di Milano\n\nLe scrivo a seguito della sua richiesta.'), 'at the cursor, before the operator’s words, a paragraph apart');
    assert.is(await focused(page), 'reply-text', 'back in the text, to edit');
    assert.is(await page.getByLabel('Risposta pronta').inputValue(), '');
    assert.is((await replies(ctx.named.id)).length, 1, 'inserting sent nothing');
    assert.equal(await axe(page, 'office reply with a ready answer'), []);
    await shot(page, 'inserted');

    // The operator edits the letter: the last sentence goes, a line is added.
    await text.press('Control+End');
    for (let i = 0; i < 'Le scrivo a seguito della sua richiesta.'.length; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('Il pagamento di aprile risulta in lavorazione.');
    const edited = await text.inputValue();
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('#announce', { hasText: 'Risposta inviata.' }).waitFor();
    const sent = page.locator('#t-thread li.reply.from-office .reply-body');
    await sent.waitFor();
    // Line ends: a multipart text field travels with CRLF (the HTML form encoding), as every reply of the console.
    const lf = (x: string | null) => (x ?? '').replace(/\r\n/g, '\n');
    assert.is(lf(await sent.textContent()), edited.trim());
    assert.ok(edited.endsWith('INPS Sede di Milano\n\nIl pagamento di aprile risulta in lavorazione.'), edited);
    const stored = await replies(ctx.named.id);
    assert.is(stored.length, 2);
    assert.is(lf(stored[1]!.body), edited.trim());
    assert.is(await text.inputValue(), '');
    await shot(page, 'sent');
  });

  test('a request without a name (a company’s): {nome} stays, selected; sending is refused in words until it is replaced', async () => {
    const page = ctx.page;
    await openRequest(page, ctx.nameless);
    await page.getByLabel('Risposta pronta').selectOption({ label: 'All’azienda: inviare i dati UniEmens-Cig (ex SR41)' });
    await page.getByRole('button', { name: 'Inserisci nel testo' }).click();
    await page.locator('#announce', { hasText: 'completa {nome} prima di inviare' }).waitFor();
    const text = page.getByLabel('Testo della risposta');
    const inserted = await text.inputValue();
    assert.ok(inserted.startsWith('Spett.le {nome},\n\nda verifiche svolte da INPS Sede di Milano risulta'), inserted);
    const selected = () => text.evaluate((t) => { const a = t as HTMLTextAreaElement; return a.value.slice(a.selectionStart, a.selectionEnd); });
    assert.is(await selected(), '{nome}', 'ready to be typed over');

    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('#reply-error', { hasText: 'Completa il testo: sostituisci {nome} prima di inviare.' }).waitFor();
    assert.is(await text.getAttribute('aria-invalid'), 'true');
    assert.is(await focused(page), 'reply-text');
    assert.is(await selected(), '{nome}');
    assert.is((await replies(ctx.nameless.id)).length, 1, 'nothing sent');
    await shot(page, 'unfilled');

    await page.keyboard.type('Meccanica Lombarda S.r.l.');
    assert.ok((await text.inputValue()).startsWith('Spett.le Meccanica Lombarda S.r.l.,\n\n'));
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('#announce', { hasText: 'Risposta inviata.' }).waitFor();
    const stored = await replies(ctx.nameless.id);
    assert.is(stored.length, 2);
    assert.ok(stored[1]!.body.startsWith('Spett.le Meccanica Lombarda S.r.l.,'));
  });

  test('choosing nothing and pressing the button says so, by the list', async () => {
    const page = ctx.page;
    await page.getByRole('button', { name: 'Inserisci nel testo' }).click();
    await page.locator('#reply-error', { hasText: 'Scegli una risposta pronta dall’elenco.' }).waitFor();
    assert.is(await focused(page), 'reply-canned');
    assert.is(await page.getByLabel('Risposta pronta').getAttribute('aria-invalid'), 'true');
    assert.is(await page.getByLabel('Testo della risposta').inputValue(), '');
  });

  test('a German-speaking user’s request offers the answer in German; the page in English labels it in English', async () => {
    const page = ctx.page;
    await openRequest(page, ctx.german);
    const lang = page.getByLabel('Risposta in');
    assert.is(await lang.inputValue(), 'de');
    assert.is(await lang.locator('option:checked').textContent(), 'Deutsch (lingua dell’utente)');
    await page.getByLabel('Risposta pronta').selectOption({ label: 'Chiusura della richiesta' });
    await page.getByRole('button', { name: 'Inserisci nel testo' }).click();
    const text = page.getByLabel('Testo della risposta');
    const opened = new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeZone: 'Europe/Rome' }).format(new Date(ctx.german.createdAt));
    const inserted = await text.inputValue();
    assert.ok(inserted.startsWith(`Guten Tag Anna Gruber,\n\nmit dieser Antwort betrachten wir Ihre Anfrage Nr. ${ctx.german.protocol} vom ${opened} („Zahlung April“)`), inserted);
    assert.ok(inserted.endsWith('Mit freundlichen Grüßen\nLaura Conti\nINPS Sede di Milano'));
    // The operator may still choose Italian for the next one.
    await lang.selectOption('it');
    await page.getByLabel('Risposta pronta').selectOption({ label: 'Chiusura della richiesta' });
    await page.getByRole('button', { name: 'Inserisci nel testo' }).click();
    assert.ok((await text.inputValue()).includes('\n\nGentile Anna Gruber,\n\ncon questa risposta'));

    await page.getByLabel('Lingua', { exact: true }).selectOption('en');
    const group = page.getByRole('group', { name: 'Ready answers' });
    await group.getByLabel('Ready answer').waitFor();
    assert.ok((await group.getByLabel('Ready answer').locator('option').allTextContents()).includes('Closing the request'));
    assert.is(await group.getByLabel('Answer in').locator('option[value="de"]').textContent(), 'Deutsch (the user’s language)');
    await group.getByRole('button', { name: 'Insert in the text' }).waitFor();
    assert.equal(await axe(page, 'office ready answers, English'), []);
    await shot(page, 'english');
    await page.getByLabel('Language').selectOption('it');
    await page.getByLabel('Risposta in').waitFor();
  });

  test('"Scrivi a un utente" has the picker too, without the answers that need a protocol; {nome} must be replaced before sending', async () => {
    const page = ctx.page;
    await page.getByRole('button', { name: 'Scrivi a un utente' }).click();
    const form = page.locator('#compose-form');
    await form.getByLabel('Oggetto').fill('Dati per il pagamento diretto');
    const pick = form.getByLabel('Risposta pronta');
    await pick.locator('option', { hasText: 'All’azienda: inviare i dati UniEmens-Cig (ex SR41)' }).waitFor({ state: 'attached' });
    const titles = await pick.locator('option').allTextContents();
    assert.not.ok(titles.includes('Presa in carico della richiesta'), 'no protocol number before sending');
    assert.not.ok(titles.includes('Chiusura della richiesta'));
    assert.ok(titles.includes('Richiesta del modulo SR163 e del documento d’identità'));
    await pick.selectOption({ label: 'Richiesta del modulo SR163 e del documento d’identità' });
    await form.getByRole('button', { name: 'Inserisci nel testo' }).click();
    const body = form.getByLabel('Testo', { exact: true });
    const inserted = await body.inputValue();
    assert.ok(inserted.startsWith('Gentile {nome},\n\nper completare l’esame della pratica «Dati per il pagamento diretto»'), inserted);
    assert.ok(inserted.includes('INPS Sede di Milano ha bisogno'));
    await form.getByLabel('Codice utente').fill('w-canned');
    await form.getByRole('button', { name: 'Invia la comunicazione' }).click();
    await page.locator('#compose-error', { hasText: 'sostituisci {nome}' }).waitFor();
    assert.equal(await axe(page, 'compose with a ready answer'), []);
    await shot(page, 'compose');
    await body.press('Delete'); // the selected {nome} goes
    await page.keyboard.type('signora Verdi');
    await form.getByRole('button', { name: 'Invia la comunicazione' }).click();
    await page.locator('#announce', { hasText: /Comunicazione .* inviata\./ }).waitFor();
    const opened = page.locator('#t-thread li.reply.from-office .reply-body');
    await opened.waitFor();
    assert.ok(((await opened.textContent()) ?? '').startsWith('Gentile signora Verdi,'));
  });

  test('"Scrivi a un utente" sent again after its answer was lost reaches the user once (one Idempotency-Key)', async () => {
    const page = ctx.page;
    await page.getByRole('button', { name: 'Scrivi a un utente' }).click();
    const form = page.locator('#compose-form');
    const subject = 'Lettera inviata con la rete che cade';
    await form.getByLabel('Oggetto').fill(subject);
    await form.getByLabel('Testo', { exact: true }).fill('Gentile utente, le scriviamo in merito alla sua domanda.');
    await form.getByLabel('Codice utente').fill('w-retry');
    const keys = await loseFirstAnswer(page, '**/api/v1/tickets');
    try {
      await form.getByRole('button', { name: 'Invia la comunicazione' }).click();
      await page.locator('#compose-error', { hasText: 'Connessione assente' }).waitFor();
      await form.getByRole('button', { name: 'Invia la comunicazione' }).click();
      await page.locator('#announce', { hasText: /Comunicazione .* inviata\./ }).waitFor();
    } finally {
      await page.unroute('**/api/v1/tickets');
    }
    assert.is(keys.length, 2);
    assert.match(keys[0] ?? '', /^[0-9a-f]{32}$/);
    assert.is(keys[1], keys[0], 'the retry sends the same key');
    const list = await api(ctx.officeToken, 'GET', `/api/v1/tickets?subject=${encodeURIComponent(subject)}`);
    assert.is((list.body.items as Json[]).length, 1, 'one letter, not two');
  });

  test('at 320 px the picker and an inserted letter fit without horizontal scrolling', async () => {
    const page = await chromium.newPage('canned-320', { viewport: { width: 320, height: 640 } });
    await page.goto(`${ctx.server!.url}/office/`);
    await page.getByLabel('Sede territoriale').selectOption('SEDE-MI');
    await page.getByRole('button', { name: 'Entra' }).click();
    await openRequest(page, ctx.german);
    await page.getByLabel('Risposta pronta').selectOption({ label: 'Pagamento diretto: mancano i dati UniEmens-Cig dell’azienda' });
    await page.getByRole('button', { name: 'Inserisci nel testo' }).click();
    assert.ok((await page.getByLabel('Testo della risposta').inputValue()).startsWith('Guten Tag Anna Gruber,'));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = await page.evaluate(() => [...document.querySelectorAll('#reply-form *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map((e) => `${e.tagName}#${e.id} ${Math.round(e.getBoundingClientRect().right)}`));
    assert.ok(overflow <= 0, `no horizontal scroll at 320 px (${overflow} px): ${wide.join(', ')}`);
    await page.locator('#reply-canned-box').screenshot({ path: `${SHOTS}/320.png` });
    await page.close();
  });

  test('no Content-Security-Policy violation or script error was logged', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
