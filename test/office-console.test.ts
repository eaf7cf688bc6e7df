/**
 * The office console (widgets/office/) in a real browser (Debian chromium
 * through playwright-core): a worker opens tickets over HTTP, then an office
 * operator of SEDE-MI signs in, sees the sede's queue (overdue first, other
 * sedi absent), filters it, opens a ticket, downloads the user's file, takes
 * it in charge, replies with a file and closes it; the worker then reads all
 * of it over HTTP. Another request is transferred to SEDE-RM with a reason:
 * it leaves the queue, and an operator of SEDE-RM finds it with the reason in
 * its history. axe-core finds no serious or critical violations, the page
 * logs no CSP violation or script error, and screenshots go to
 * test/screenshots/office.png (and office-*.png).
 *
 * The operator also writes first to the worker ("Scrivi a un utente"). The
 * server is test/helpers/server.ts's, in this process with a ManualClock.
 * Skips when /usr/bin/chromium is absent.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { browserHarness, chromiumOrSkip, holdRequest, ITALIAN, reflowProblems, serverApi, type Json } from './helpers/browser.ts';
import { startServer } from './helpers/server.ts';

const DAY = 24 * 3600 * 1000;
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const REPLY_PDF = Buffer.from('%PDF-1.4\n% modulo SR41 precompilato\n%%EOF\n');

interface Server {
  url: string;
  close(): Promise<void>;
}

const chromium = browserHarness({
  // Refused requests (the 415 of the disguised file) are logged by the browser; they are asserted on the page.
  console: { expected: /Failed to load resource/i },
  context: { viewport: { width: 1366, height: 900 }, acceptDownloads: true },
  fullPage: true,
});
const { axe, shot } = chromium;

const clock = new ManualClock(Date.now());
const ctx = {
  server: null as Server | null,
  page: null as unknown as Page,
  tickets: {} as Record<'old' | 'fresh' | 'rome', Json>,
  workerToken: '',
};
const { api, devToken } = serverApi(() => ctx.server!.url);

async function start(): Promise<Server> {
  const server = await startServer({ clock });
  return { url: server.url, close: () => server.close() };
}

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await start();
    await chromium.launch();
    ctx.page = await chromium.newPage('office');
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('a worker opens requests over HTTP: one ten days ago, one now with a PDF, one in Rome', async () => {
    const now = Date.now();
    ctx.workerToken = await devToken({ role: 'worker', sub: 'w-console', province: 'MI', name: 'Mario Bianchi', fiscalCode: 'BNCMRA80A01F205X' });
    clock.set(now - 10 * DAY);
    const old = await api(ctx.workerToken, 'POST', '/api/v1/tickets', { subject: 'Domanda CIGO ferma da settimane', category: 'cigo', body: 'La domanda risulta ancora in istruttoria.' });
    assert.is(old.status, 201, JSON.stringify(old.body));
    clock.set(now);
    const form = new FormData();
    form.append('subject', 'Pagamento CIGO di marzo');
    form.append('category', 'payment');
    form.append('body', 'Non ho ricevuto il pagamento di marzo.\nAllego la domanda.');
    form.append('files', new Blob([PDF], { type: 'application/pdf' }), 'domanda.pdf');
    const fresh = await api(ctx.workerToken, 'POST', '/api/v1/tickets', form);
    assert.is(fresh.status, 201, JSON.stringify(fresh.body));
    assert.is(fresh.body.attachments.length, 1);
    const rome = await api(await devToken({ role: 'worker', sub: 'w-console-rm', province: 'RM' }), 'POST', '/api/v1/tickets', { subject: 'Richiesta per la sede di Roma', category: 'fis', body: 'Testo.' });
    assert.is(rome.status, 201);
    ctx.tickets = { old: old.body, fresh: fresh.body, rome: rome.body };
    assert.is(old.body.sede, 'SEDE-MI');
    assert.is(rome.body.sede, 'SEDE-RM');
  });

  test('the sign-in page is accessible; an operator signs in as SEDE-MI and sees the queue, overdue first, no other sede', async () => {
    const page = ctx.page;
    await page.goto(`${ctx.server!.url}/office/`);
    await page.getByRole('heading', { name: 'Accesso di prova (solo sviluppo)' }).waitFor();
    assert.equal(await axe(page, 'office sign-in'), []);
    await shot(page, 'office-signin');
    await page.getByLabel('Sede territoriale').selectOption('SEDE-MI');
    await page.getByLabel('Nome').fill('Laura Conti');
    await page.getByLabel('Codice operatore').fill('op-conti');
    await page.getByRole('button', { name: 'Entra' }).click();
    await page.getByRole('heading', { name: 'Richieste della sede' }).waitFor();
    await page.locator('#me', { hasText: 'Laura Conti · SEDE-MI (Milano)' }).waitFor();
    const items = page.locator('.q-item');
    await items.nth(1).waitFor();
    assert.is(await items.count(), 2);
    const first = (await items.nth(0).textContent()) ?? '';
    assert.ok(first.includes(ctx.tickets.old!.protocol) && first.includes('In ritardo'), first);
    // Its time is past: "scaduta il …", not "entro" a date gone by.
    assert.match(first, /scaduta il \d{2}\/\d{2}\/\d{4}/);
    assert.not.match(first, /entro/);
    assert.match((await items.nth(1).textContent()) ?? '', /entro /);
    assert.ok(((await items.nth(1).textContent()) ?? '').includes(ctx.tickets.fresh!.protocol));
    assert.not.ok(((await page.locator('#queue').textContent()) ?? '').includes(ctx.tickets.rome!.protocol));
    assert.match((await page.locator('#queue-count').textContent()) ?? '', /2 richieste\. 1 in ritardo\./);
    assert.is(await page.locator('#queue-count').getAttribute('role'), 'status');
  });

  test('filters narrow the queue: subject, overdue, status, matricola, dates', async () => {
    const page = ctx.page;
    const items = page.locator('.q-item');
    await page.getByLabel('Oggetto contiene').fill('marzo');
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.locator('#queue-count', { hasText: '1 richiesta' }).waitFor();
    assert.match((await items.nth(0).textContent()) ?? '', /Pagamento CIGO di marzo/);
    await page.getByRole('button', { name: 'Azzera' }).click();
    await page.locator('#queue-count', { hasText: '2 richieste' }).waitFor();
    await page.getByLabel('Solo in ritardo').check();
    await page.locator('#queue-count', { hasText: '1 richiesta' }).waitFor();
    assert.match((await items.nth(0).textContent()) ?? '', /Domanda CIGO ferma/);
    await page.getByLabel('Solo in ritardo').uncheck();
    // Matricola and dates are folded under "Altri filtri".
    await page.getByRole('button', { name: 'Altri filtri' }).click();
    await page.getByLabel('Matricola').fill('0000000000');
    await page.getByLabel('Matricola').press('Enter');
    await page.locator('#queue-count', { hasText: 'Nessuna richiesta con questi filtri.' }).waitFor();
    await page.getByLabel('Matricola').fill('');
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome' }).format(new Date());
    await page.getByLabel('Aperte dal').fill(today);
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.locator('#queue-count', { hasText: '1 richiesta' }).waitFor();
    await page.getByLabel('Aperte dal').fill('');
    await page.getByLabel('Stato').selectOption('closed');
    await page.locator('#queue-count', { hasText: 'Nessuna richiesta' }).waitFor();
    await page.getByLabel('Stato').selectOption('active');
    await page.locator('#queue-count', { hasText: '2 richieste' }).waitFor();
  });

  test('the operator opens the new request by keyboard, reads the thread and downloads the user’s PDF', async () => {
    const page = ctx.page;
    const item = page.locator('.q-item', { hasText: ctx.tickets.fresh!.protocol });
    await item.focus();
    await page.keyboard.press('Enter');
    const title = page.getByRole('heading', { name: 'Pagamento CIGO di marzo' });
    await title.waitFor();
    assert.is(await page.evaluate(() => document.activeElement?.id), 't-title', 'focus moves to the request');
    assert.is(await item.getAttribute('aria-current'), 'true');
    const facts = (await page.locator('#t-facts').textContent()) ?? '';
    for (const want of ['Aperta', 'Tempi di pagamento', 'Mario Bianchi', 'BNCMRA80A01F205X', 'Richiesta diretta dell’utente']) assert.ok(facts.includes(want), `${want} in ${facts}`);
    await page.locator('#t-thread .reply-body', { hasText: 'Non ho ricevuto il pagamento di marzo.' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Scarica domanda\.pdf/ }).click()]);
    assert.is(download.suggestedFilename(), 'domanda.pdf');
    assert.equal(readFileSync((await download.path())!), PDF);
    await page.locator('#announce', { hasText: 'File domanda.pdf scaricato.' }).waitFor();
  });

  test('takes it in charge, replies with a PDF, and the thread shows the reply with its file', async () => {
    const page = ctx.page;
    await page.getByRole('button', { name: 'Prendi in carico' }).click();
    await page.locator('#t-status', { hasText: 'In lavorazione' }).waitFor();
    await page.locator('#announce', { hasText: `Richiesta ${ctx.tickets.fresh!.protocol} presa in carico.` }).waitFor();
    assert.ok(await page.locator('#take-box').isHidden());
    // Who took it, by name as colleagues know them; the user code only in the title.
    const taken = page.locator('#t-facts div', { hasText: 'Presa in carico' }).locator('dd span');
    assert.match((await taken.textContent()) ?? '', / da Laura Conti$/);
    assert.is(await taken.getAttribute('title'), 'Codice utente: op-conti');
    await page.getByLabel('Testo della risposta').fill('Buongiorno, il pagamento è in lavorazione.\nCompili il modulo allegato.');
    await page.getByLabel('Allegati (facoltativi)').setInputFiles({ name: 'modulo SR41.pdf', mimeType: 'application/pdf', buffer: REPLY_PDF });
    await page.locator('#reply-chosen', { hasText: 'modulo SR41.pdf' }).waitFor();
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('#announce', { hasText: 'Risposta inviata.' }).waitFor();
    const reply = page.locator('#t-thread li.reply.from-office');
    await reply.waitFor();
    assert.match((await reply.textContent()) ?? '', /il pagamento è in lavorazione/);
    await reply.getByRole('button', { name: /Scarica modulo SR41\.pdf/ }).waitFor();
    assert.is(await page.getByLabel('Testo della risposta').inputValue(), '');
    const violations = await axe(page, 'office ticket');
    assert.equal(violations, []);
    await shot(page, 'office');
  });

  test('a refused file is explained by name and nothing is sent; opening another request leaves the refusal behind', async () => {
    const page = ctx.page;
    await page.getByLabel('Testo della risposta').fill('Provo con un file non ammesso');
    await page.getByLabel('Allegati (facoltativi)').setInputFiles({ name: 'evil.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html><script>alert(1)</script></html>') });
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('#reply-error', { hasText: 'Il file «evil.pdf» è stato rifiutato: sono accettati PDF, PNG, JPEG, P7M e testo' }).waitFor();
    assert.is(await page.locator('#t-thread li.reply').count(), 2);
    // Another request opened: the refused text, file and error belong to the first one and do not follow.
    await page.locator('.q-item', { hasText: ctx.tickets.old!.protocol }).click();
    await page.locator('#t-protocol', { hasText: ctx.tickets.old!.protocol }).waitFor();
    assert.is(await page.locator('#reply-error').textContent(), '');
    assert.is(await page.getByLabel('Testo della risposta').inputValue(), '');
    assert.is(await page.getByLabel('Allegati (facoltativi)').evaluate((i) => (i as HTMLInputElement).files?.length), 0);
    assert.is(await page.locator('#reply-chosen li').count(), 0);
    // Two requests chosen in quick succession, the first answering last: the pane shows the one chosen last, under its highlight.
    const held = await holdRequest(page, `/api/v1/tickets/${ctx.tickets.old!.id}`);
    await page.locator('.q-item', { hasText: ctx.tickets.old!.protocol }).click();
    await page.locator('.q-item', { hasText: ctx.tickets.fresh!.protocol }).click();
    await page.locator('#t-protocol', { hasText: ctx.tickets.fresh!.protocol }).waitFor();
    await held.release();
    assert.is(await page.locator('#t-protocol').textContent(), ctx.tickets.fresh!.protocol, 'the late answer is not drawn over the request chosen last');
    assert.is(await page.locator('.q-item[aria-current="true"]').count(), 1);
    assert.match((await page.locator('.q-item[aria-current="true"]').textContent()) ?? '', ctx.tickets.fresh!.protocol);
  });

  test('closes it with an outcome; the queue no longer lists it among those to do', async () => {
    const page = ctx.page;
    await page.getByLabel('Esito', { exact: true }).selectOption('other');
    await page.getByLabel('Descrivi l’esito').fill('Pagamento disposto il 15 marzo');
    await page.getByRole('button', { name: 'Chiudi la richiesta' }).click();
    await page.locator('#t-status', { hasText: 'Chiusa' }).waitFor();
    await page.locator('#t-closed', { hasText: 'Esito: Pagamento disposto il 15 marzo.' }).waitFor();
    assert.ok(await page.locator('#reply-form').isHidden());
    assert.ok(await page.locator('#close-form').isHidden());
    await page.locator('#queue-count', { hasText: '1 richiesta' }).waitFor();
    assert.not.ok(((await page.locator('#queue').textContent()) ?? '').includes(ctx.tickets.fresh!.protocol));
    await shot(page, 'office-closed');
    assert.equal(await axe(page, 'office closed'), []);
  });

  test('the worker reads the reply, downloads the office file and sees the outcome; another sede cannot', async () => {
    const detail = await api(ctx.workerToken, 'GET', `/api/v1/tickets/${ctx.tickets.fresh!.id}`);
    assert.is(detail.status, 200);
    assert.is(detail.body.status, 'closed');
    assert.is(detail.body.outcome, 'Pagamento disposto il 15 marzo');
    assert.equal(detail.body.replies.map((r: Json) => r.author.role), ['worker', 'office']);
    const file = detail.body.replies[1].attachments[0];
    assert.is(file.filename, 'modulo SR41.pdf');
    const res = await fetch(`${ctx.server!.url}${file.href}`, { headers: { authorization: `Bearer ${ctx.workerToken}` } });
    assert.is(res.status, 200);
    assert.equal(Buffer.from(await res.arrayBuffer()), REPLY_PDF);
    assert.is(res.headers.get('x-content-type-options'), 'nosniff');
    const rm = await devToken({ role: 'office', sub: 'op-rm', sede: 'SEDE-RM' });
    assert.is((await api(rm, 'GET', `/api/v1/tickets/${ctx.tickets.fresh!.id}`)).status, 404);
    assert.is((await fetch(`${ctx.server!.url}${file.href}`, { headers: { authorization: `Bearer ${rm}` } })).status, 404);
  });

  test('the console speaks English through the shared language switch', async () => {
    const page = ctx.page;
    await page.getByLabel('Lingua').selectOption('en');
    try {
      await page.getByRole('heading', { name: 'Requests for this office' }).waitFor();
      await page.getByRole('heading', { name: 'Territorial office console' }).waitFor();
      await page.locator('#t-status', { hasText: 'Closed' }).waitFor();
      // The count is written again once the list the language change reloads has arrived.
      await page.locator('#queue-count', { hasText: /1 request\. 1 overdue\./ }).waitFor();
    } finally {
      // Back to Italian whatever happened: the tests after this one read the console in Italian.
      await page.getByLabel('Language').selectOption('it').catch(() => page.getByLabel('Lingua').selectOption('it'));
    }
    await page.getByRole('heading', { name: 'Richieste della sede' }).waitFor();
  });

  test('the operator transfers a request to SEDE-RM with a reason: it leaves the queue, and SEDE-RM finds it with the reason', async () => {
    const page = ctx.page;
    const moved = await api(ctx.workerToken, 'POST', '/api/v1/tickets', { subject: 'CIGO per l’unità produttiva di Roma', category: 'cigo', body: 'I dipendenti lavorano nello stabilimento di Roma.' });
    assert.is(moved.status, 201);
    assert.is(moved.body.sede, 'SEDE-MI');
    await page.getByRole('button', { name: 'Aggiorna' }).click();
    const item = page.locator('.q-item', { hasText: moved.body.protocol });
    await item.click();
    await page.getByRole('heading', { name: 'CIGO per l’unità produttiva di Roma' }).waitFor();
    const form = page.locator('#transfer-form');
    assert.ok(await form.isVisible(), 'a third form beside reply and close');
    await form.getByRole('button', { name: 'Trasferisci la richiesta' }).click();
    await page.locator('#transfer-error', { hasText: 'Scegli la sede a cui trasferire la richiesta.' }).waitFor();
    assert.is(await page.evaluate(() => document.activeElement?.id), 'transfer-sede');
    const sede = page.getByLabel('Sede competente');
    assert.is(await sede.locator('option[value="SEDE-MI"]').count(), 0, 'not to its own sede');
    await sede.selectOption({ label: 'INPS Sede di Roma' });
    await form.getByRole('button', { name: 'Trasferisci la richiesta' }).click();
    await page.locator('#transfer-error', { hasText: 'Scrivi la motivazione del trasferimento.' }).waitFor();
    await page.getByLabel('Motivazione').fill('Unità produttiva a Roma: competente la sede di Roma');
    await shot(page, 'office-transfer');
    assert.equal(await axe(page, 'office transfer form'), []);
    await form.getByRole('button', { name: 'Trasferisci la richiesta' }).click();
    const done = `Richiesta ${moved.body.protocol} trasferita a INPS Sede di Roma.`;
    await page.locator('#announce', { hasText: done }).waitFor();
    await page.locator('#detail-done', { hasText: done }).waitFor();
    assert.is(await page.evaluate(() => document.activeElement?.id), 'detail-title');
    await page.locator('#queue-count', { hasText: '1 richiesta' }).waitFor();
    assert.not.ok(((await page.locator('#queue').textContent()) ?? '').includes(moved.body.protocol));
    await shot(page, 'office-transferred');
    assert.equal(await axe(page, 'office transferred'), []);

    const rome = await chromium.newPage('office-rm');
    await rome.goto(`${ctx.server!.url}/office/`);
    await rome.getByLabel('Sede territoriale').selectOption('SEDE-RM');
    await rome.getByLabel('Codice operatore').fill('op-rossi');
    await rome.getByRole('button', { name: 'Entra' }).click();
    await rome.locator('.q-item', { hasText: moved.body.protocol }).click();
    await rome.getByRole('heading', { name: 'CIGO per l’unità produttiva di Roma' }).waitFor();
    await rome.locator('#t-status', { hasText: 'Aperta' }).waitFor();
    const history = rome.locator('#t-history-box');
    await history.getByRole('heading', { name: 'Trasferimenti per competenza' }).waitFor();
    await history.locator('li', { hasText: 'trasferita da INPS Sede di Milano a INPS Sede di Roma (operatore Laura Conti).' }).waitFor();
    await history.locator('.history-reason', { hasText: 'Motivazione: Unità produttiva a Roma: competente la sede di Roma' }).waitFor();
    await shot(rome, 'office-rm');
    assert.equal(await axe(rome, 'office SEDE-RM'), []);
    await rome.close();
    const mine = await api(ctx.workerToken, 'GET', `/api/v1/tickets/${moved.body.id}`);
    assert.is(mine.body.sedeName, 'INPS Sede di Roma');
  });

  test('two namesakes on one request are told apart by their user code: the one who took it in charge reads «Laura Bianchi (op-bianchi-2)»', async () => {
    const page = ctx.page;
    const t = await api(ctx.workerToken, 'POST', '/api/v1/tickets', { subject: 'Conguaglio CIGO di aprile', category: 'cigo', body: 'Il conguaglio non torna.' });
    assert.is(t.status, 201);
    const laura = (sub: string) => devToken({ role: 'office', sub, sede: 'SEDE-MI', name: 'Laura Bianchi' });
    assert.is((await api(await laura('op-bianchi-1'), 'POST', `/api/v1/tickets/${t.body.id}/notes`, { body: 'Sentita l’azienda: manda il prospetto.' })).status, 201);
    assert.is((await api(await laura('op-bianchi-2'), 'PATCH', `/api/v1/tickets/${t.body.id}`, { status: 'in_progress' })).status, 200);
    await page.getByRole('button', { name: 'Aggiorna' }).click();
    await page.locator('.q-item', { hasText: t.body.protocol }).click();
    await page.getByRole('heading', { name: 'Conguaglio CIGO di aprile' }).waitFor();
    const taken = page.locator('#t-facts div', { hasText: 'Presa in carico' }).locator('dd');
    assert.match((await taken.textContent()) ?? '', / da Laura Bianchi \(op-bianchi-2\)$/);
    await page.locator('#t-facts').screenshot({ path: `${SHOTS}office-namesakes-facts.png` });
    assert.equal(await axe(page, 'office namesakes'), []);
  });

  test('the operator writes first to a worker: a recipient is required; sent, it opens in their charge without a deadline, and the worker finds it', async () => {
    const page = ctx.page;
    await page.getByRole('button', { name: 'Scrivi a un utente' }).click();
    await page.getByRole('heading', { name: 'Nuova comunicazione' }).waitFor();
    assert.is(await page.evaluate(() => document.activeElement?.id), 'compose-title');
    await page.getByLabel('Oggetto', { exact: true }).fill('Documenti mancanti per la CIGO');
    await page.getByLabel('Argomento').selectOption('cigo');
    await page.getByLabel('Testo', { exact: true }).fill('Buongiorno, per completare la pratica ci serve il modello SR41 firmato.');
    await page.getByRole('button', { name: 'Invia la comunicazione' }).click();
    await page.locator('#compose-error', { hasText: 'Indica il codice dell’utente, la matricola dell’azienda o entrambi.' }).waitFor();
    assert.is(await page.evaluate(() => document.activeElement?.id), 'compose-user');
    await page.getByLabel('Codice utente').fill('w-console');
    await shot(page, 'office-compose');
    assert.equal(await axe(page, 'office compose'), []);
    await page.getByRole('button', { name: 'Invia la comunicazione' }).click();
    await page.getByRole('heading', { name: 'Documenti mancanti per la CIGO' }).waitFor();
    await page.locator('#t-status', { hasText: 'In lavorazione' }).waitFor();
    const protocol = (await page.locator('#t-protocol').textContent()) ?? '';
    assert.match(protocol, /^LINPS-\d{4}-\d{6}$/);
    assert.ok(await page.locator('#compose').isHidden(), 'the form gave the pane back');
    await page.locator('#t-thread li', { hasText: 'modello SR41 firmato' }).waitFor();
    const mine = await api(ctx.workerToken, 'GET', '/api/v1/tickets');
    const sent = mine.body.items.find((t: { protocol: string }) => t.protocol === protocol);
    assert.ok(sent, 'the worker lists it among their requests');
    assert.equal([sent.origin, sent.dueAt], ['office', null]);
  });

  test('works at 320 px without horizontal scrolling', async () => {
    // A bare context, as this test always had: outside the console watch and the harness timeout.
    const small = await chromium.browser.newContext({ ...ITALIAN, viewport: { width: 320, height: 640 } });
    const page = await small.newPage();
    await page.goto(`${ctx.server!.url}/office/`);
    await page.getByLabel('Sede territoriale').selectOption('SEDE-MI');
    await page.getByRole('button', { name: 'Entra' }).click();
    await page.locator('.q-item').first().waitFor();
    await page.locator('.q-item').first().click();
    await page.locator('#t-title').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map((e) => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`));
    assert.ok(overflow <= 0, `no horizontal scroll at 320 px (${overflow} px): ${wide.join(', ')}`);
    await shot(page, 'office-320');
    await small.close();
  });

  test('at 320 px with text at 200 % the console reflows: buttons wrap, the date fields fit, nothing scrolls sideways', async () => {
    const page = await chromium.newPage('office-320-200', { viewport: { width: 320, height: 640 } });
    await page.goto(`${ctx.server!.url}/office/`);
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    await page.getByLabel('Sede territoriale').selectOption('SEDE-MI');
    await page.getByLabel('Nome').fill('Laura Conti');
    await page.getByLabel('Codice operatore').fill('op-conti');
    await page.getByRole('button', { name: 'Entra' }).click();
    await page.locator('.q-item', { hasText: ctx.tickets.old!.protocol }).click();
    await page.locator('#t-title').waitFor();
    await page.locator('#take').waitFor();
    await page.locator('#f-more-toggle').click(); // the dates, folded under "Altri filtri"
    const controls = ['#signout', '#compose-open', '#refresh', '#f-more-toggle', '#f-from', '#f-to', '#filters button[type="reset"]', '#filters button[type="submit"]', '#take', '#reply-send', '#close-form button[type="submit"]', '#transfer-send', '#note-send'];
    await shot(page, 'office-320-200');
    for (const part of ['page-header', 'filters', 't-facts', 't-actions']) await page.locator(`#${part}, .${part}`).first().screenshot({ path: `${SHOTS}office-320-200-${part}.png` });
    assert.equal(await reflowProblems(page, controls), []);
    assert.equal(await axe(page, 'office at 320 px, 200 %'), []);
    await page.close();
  });

  test('no Content-Security-Policy violation or script error was logged', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
