/**
 * The chat in German, for South Tyrol, in a real browser (Debian chromium
 * through playwright-core): chosen by ?lang=de, by a browser whose language is
 * German (playwright's `locale`), or by the host page; the queue, the closed
 * view with its reason and reopening, the Linea INPS request form, the
 * registered request and its thread with an answer of the Bolzano office, all
 * in German with German dates and `<html lang="de">`, each passing axe-core.
 * A German browser on a host page that says Italian gets Italian.
 *
 * The server runs with SERVICE_HOURS=always (the queue); "closed" is answered
 * in the page (GET /api/v1/availability). Screenshots: test/screenshots/de-*.png.
 * Skips without /usr/bin/chromium.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import { browserHarness, chromiumOrSkip, serverApi, type Json } from './helpers/browser.ts';
import { CLOSED } from './helpers/chat-ticket-pages.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const chromium = browserHarness({
  console: { expected: /WebSocket connection to/i },
  // A phone's width: German words are long, and nothing may overflow.
  context: { viewport: { width: 390, height: 860 } },
  prefix: 'de-',
  fullPage: true,
});
const { shot, axe } = chromium;
const GERMAN = { locale: 'de-DE' };

const ctx = { proc: null as ServerProcess | null, base: '', page: null as unknown as Page, protocol: '', subject: 'Direktzahlung der Lohnausgleichskasse für Februar' };
const { api, devToken } = serverApi(() => ctx.base);
const TIPS = [
  { id: 'iban', title: { it: 'IBAN per il pagamento diretto', de: 'IBAN für die Direktzahlung' }, text: { it: 'L’IBAN deve essere intestato a lei.', de: 'Die IBAN muss auf Sie lauten.' } },
  { id: 'pagamento-stato', title: { it: 'Dove vedere lo stato dei pagamenti' }, text: { it: 'Nel Fascicolo previdenziale del cittadino.' } },
];

const htmlLang = (page: Page) => page.evaluate(() => document.documentElement.lang);
const text = async (page: Page, selector: string) => ((await page.locator(selector).textContent()) ?? '').trim();
/** Wider than its box: cut or overflowing text (German words are long). */
const overflowing = (page: Page) =>
  page.evaluate(() => [
    ...(document.documentElement.scrollWidth > document.documentElement.clientWidth ? [`the page scrolls sideways (${document.documentElement.scrollWidth} px)`] : []),
    ...[...document.querySelectorAll<HTMLElement>('main *, header *')]
      // Visually hidden on purpose (the file input behind its button): clipped by design, as in reflowProblems.
      .filter((el) => el.offsetParent !== null && !el.closest('.sr-only') && getComputedStyle(el).clipPath !== 'inset(50%)')
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'auto' && el.clientWidth > 0)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className}: ${el.scrollWidth} > ${el.clientWidth}`),
  ]);

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('heading', { name: 'Test-Anmeldung (nur Entwicklung)' }).waitFor();
  await page.getByLabel('Provinz').selectOption('BZ');
  await page.getByLabel('Name').fill('Maria Hofer');
  await page.getByRole('button', { name: 'Anmelden' }).click();
}

/** An advisor signed in to the console (development sign-in) with these skills, and available. */
async function availableAdvisor(pageName: string, name: string, code: string, skills: string): Promise<Page> {
  const adv = await chromium.newPage(pageName);
  await adv.goto(`${ctx.base}/advisor/`);
  await adv.getByLabel('Nome').fill(name);
  await adv.getByLabel('Codice utente').fill(code);
  await adv.getByLabel('Competenze (separate da virgola, facoltative)').fill(skills);
  await adv.getByRole('button', { name: 'Entra' }).click();
  await adv.getByLabel('Disponibile').check();
  return adv;
}

/** A host page on the server's origin with the bubble; `lang` its data-lang, if any. */
async function hostPage(c: BrowserContext, lang: string | null): Promise<Page> {
  await c.route('**/__test__/host.html', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="it"><head><title>Host</title></head><body><main><h1>OMNIA IS</h1></main>
<script>window.tok = async () => (await (await fetch('/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ role: 'worker', sub: 'host-worker-bz', name: 'Maria Hofer', province: 'BZ' }) })).json()).token;</script>
<script src="/loader.js" data-token-callback="tok"${lang ? ` data-lang="${lang}"` : ''}></script></body></html>`,
    }),
  );
  const page = await c.newPage();
  await page.goto(`${ctx.base}/__test__/host.html`);
  return page;
}

if (chromiumOrSkip('German chat test')) {
  test.before(async () => {
    // No wait before the language overflow, so an Italian-only advisor may take a German chat at once.
    const routing = path.join(mkdtempSync(path.join(tmpdir(), 'infocig-de-')), 'routing.json');
    writeFileSync(routing, JSON.stringify({ overflow: { languageAfterSeconds: 0 } }));
    ctx.proc = await startServerProcess('german', { SERVICE_HOURS: 'always', ROUTING_CONFIG: routing });
    ctx.base = ctx.proc.base;
    await chromium.launch();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('?lang=de: a worker of Bolzano waits in the queue in German, with <html lang="de">', async () => {
    const c = await chromium.newContext('lang-param');
    // One answer written in German, one only in Italian: that one is shown in Italian, marked lang="it".
    await c.route('**/api/v1/tips?**', (route) => route.fulfill({ json: { items: TIPS } }));
    const page = await c.newPage();
    await signIn(page, `${ctx.base}/chat/?lang=de`);
    await page.getByRole('heading', { name: 'Wie können wir Ihnen helfen?' }).waitFor();
    assert.is(await htmlLang(page), 'de');
    assert.equal(await page.locator('#lang option').allTextContents(), ['Italiano', 'Deutsch', 'English']);
    assert.is(await page.getByLabel('Sprache').inputValue(), 'de');
    await page.getByLabel('CIGO – ordentliche Lohnausgleichskasse').check();
    await page.getByRole('button', { name: 'Chat starten' }).click();
    await page.getByRole('heading', { name: 'Sie sind in der Warteschlange' }).waitFor();
    await page.locator('#queue-status', { hasText: 'Sie stehen an erster Stelle der Warteschlange.' }).waitFor();
    // No German-speaking advisor is available yet: the wait cannot be estimated, and the page says so.
    assert.match(await text(page, '#queue-status'), /Zurzeit sind alle Beraterinnen und Berater beschäftigt oder nicht verfügbar: Die Wartezeit lässt sich nicht schätzen\./);
    const tips = page.getByRole('region', { name: 'Während Sie warten: Vielleicht finden Sie die Antwort hier' });
    await tips.locator('summary').first().waitFor();
    assert.equal(await tips.locator('summary').allTextContents(), ['IBAN für die Direktzahlung', 'Dove vedere lo stato dei pagamenti']);
    assert.equal(await tips.locator('details').evaluateAll((ds) => ds.map((d) => d.getAttribute('lang'))), [null, 'it']);
    await tips.locator('summary').first().click();
    await shot(page, 'queue');
    assert.equal(await overflowing(page), []);
    assert.equal(await axe(page, 'queue'), []);
    // Italian for a bilingual who prefers it: the picker, and back.
    await page.getByLabel('Sprache').selectOption('it');
    await page.getByRole('heading', { name: 'Sei in coda' }).waitFor();
    assert.is(await htmlLang(page), 'it');
    await page.getByLabel('Lingua').selectOption('de');
    await page.getByRole('button', { name: 'Warteschlange verlassen', exact: true }).click();
    await page.getByRole('heading', { name: 'Sie sind in der Warteschlange' }).waitFor({ state: 'hidden' });
  });

  test('the German chat goes to an advisor who speaks German (lang:de), and reads in German with its times', async () => {
    const adv = await availableAdvisor('advisor', 'Katharina Gruber', 'adv-gruber', 'lang:de, lang:it');
    const page = await chromium.newPage('chat-de');
    await signIn(page, `${ctx.base}/chat/?lang=de`);
    await page.getByLabel('FIS / Lohnausgleichsfonds').check();
    await page.getByLabel('Ihre Frage (optional)').fill('Wann wird der Lohnausgleich für März ausgezahlt?');
    await page.getByRole('button', { name: 'Chat starten' }).click();
    await page.getByRole('heading', { name: 'Sie sprechen mit Katharina Gruber' }).waitFor();
    assert.is(await text(page, '#chat-topic'), 'Thema: FIS / Lohnausgleichsfonds');
    await adv.getByLabel('Risposta a Maria Hofer').fill('Guten Tag Frau Hofer, ich prüfe Ihre Akte.');
    await adv.getByRole('button', { name: 'Invia' }).click();
    await page.locator('.msg.theirs .msg-text', { hasText: 'ich prüfe Ihre Akte' }).waitFor();
    await page.getByLabel('Ihre Nachricht').fill('Danke!');
    await page.getByLabel('Ihre Nachricht').press('Enter');
    await page.locator('.msg.mine', { hasText: 'Danke!' }).locator('.msg-status', { hasText: /^(Gesendet|Gelesen)$/ }).waitFor();
    assert.match(await text(page, '#text-hint'), /^Eingabetaste zum Senden/);
    await shot(page, 'chat');
    assert.equal(await overflowing(page), []);
    assert.equal(await axe(page, 'chat'), []);
    await adv.getByLabel('Assente').check();
  });

  test('switching from English to German mid-chat puts the lines already shown in German too (who wrote, sent), not half in English', async () => {
    const adv = await availableAdvisor('advisor-switch', 'Lena Pichler', 'adv-pichler', 'lang:en, lang:de');
    const page = await chromium.newPage('chat-en-de');
    await page.goto(`${ctx.base}/chat/?lang=en`);
    await page.getByLabel('Province').selectOption('BZ');
    await page.getByLabel('Name').fill('Maria Hofer');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Payment times').check();
    await page.getByLabel('Your question (optional)').fill('When is the March payment due?');
    await page.getByRole('button', { name: 'Start the chat' }).click();
    await page.getByRole('heading', { name: 'You are talking with Lena Pichler' }).waitFor();
    const mine = page.locator('.msg.mine', { hasText: 'When is the March payment due?' });
    await mine.locator('.msg-status', { hasText: /^(Sent|Read)$/ }).waitFor();
    assert.is(await text(page, '.msg.mine .msg-who'), 'You');
    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('heading', { name: 'Sie sprechen mit Lena Pichler' }).waitFor();
    assert.is(await text(page, '.msg.mine .msg-who'), 'Sie');
    assert.match(await text(page, '.msg.mine .msg-status'), /^(Gesendet|Gelesen)$/);
    await shot(page, 'chat-switched-from-en');
    await page.locator('#end').click();
    await page.locator('#rate-form button[type="submit"]').click();
    await adv.getByLabel('Assente').check();
  });

  test('past the language overflow an Italian-only advisor takes the German chat: the user reads that the answer comes in Italian, the advisor sees the language', async () => {
    const adv = await availableAdvisor('advisor-it', 'Paolo Neri', 'adv-neri', 'lang:it');
    const page = await chromium.newPage('chat-de-it');
    await signIn(page, `${ctx.base}/chat/?lang=de`);
    await page.getByLabel('FIS / Lohnausgleichsfonds').check();
    await page.getByRole('button', { name: 'Chat starten' }).click();
    await page.getByRole('heading', { name: 'Sie sprechen mit Paolo Neri' }).waitFor();
    assert.is(await text(page, '#chat-lang-note'), 'Es war keine Beraterin und kein Berater in Ihrer Sprache frei: Paolo Neri antwortet Ihnen auf Italienisch.');
    const send = page.getByRole('button', { name: 'Senden', exact: true });
    const lines = await send.evaluate((b) => {
      const range = document.createRange();
      range.selectNodeContents(b);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    });
    assert.is(lines, 1, 'the send button keeps "Senden" on one line');
    const card = adv.locator('article.chat-card', { has: adv.getByRole('heading', { name: 'Maria Hofer' }) });
    await card.waitFor();
    assert.is((await card.locator('dt', { hasText: 'Lingua' }).locator('xpath=following-sibling::dd').textContent())?.trim(), 'Deutsch – Nessun consulente nella sua lingua era libero: scrivi frasi brevi e semplici.');
    await shot(page, 'chat-other-language');
    await shot(adv, 'advisor-other-language');
    assert.equal(await overflowing(page), []);
    assert.equal(await axe(page, 'chat-other-language'), []);
    await adv.getByLabel('Assente').check();
  });

  test('a browser in German, no ?lang=: the closed view says why and when it reopens, in German words and dates', async () => {
    const c = await chromium.newContext('browser-de', GERMAN);
    await c.route('**/api/v1/availability?**', (route) => route.fulfill({ json: { ...CLOSED, province: 'BZ' } }));
    const page = await c.newPage();
    ctx.page = page;
    await signIn(page, `${ctx.base}/chat/`);
    await page.getByRole('heading', { name: 'Der Dienst ist geschlossen' }).waitFor();
    assert.is(await htmlLang(page), 'de');
    assert.is(await text(page, '#closed-reason'), 'Der Chat ist von Montag bis Freitag von 15:00 bis 18:00 Uhr geöffnet.');
    assert.is(await text(page, '#closed-opens'), 'Der Chat öffnet wieder am Montag, 3. März um 15:00 Uhr.');
    await page.getByRole('heading', { name: 'Anfrage über Linea INPS stellen' }).waitFor();
    for (const field of ['Betreff', 'Thema', 'Text der Anfrage', 'Anhänge (optional)']) assert.ok(await page.getByLabel(field, { exact: true }).isVisible(), field);
    const topics = await page.locator('#tk-topic option').allTextContents();
    assert.equal(topics, ['Bitte wählen Sie ein Thema.', 'CIGO – ordentliche Lohnausgleichskasse', 'CIGS – außerordentliche Lohnausgleichskasse', 'FIS / Lohnausgleichsfonds', 'Solidaritätsfonds', 'Auszahlungszeiten', 'Sonstiges']);
    await shot(page, 'closed');
    assert.equal(await overflowing(page), []);
    assert.equal(await axe(page, 'closed'), []);
  });

  test('the file field speaks German, not the browser\'s language: a "Dateien auswählen" button opens the picker; chosen or dropped files are listed with "Entfernen"', async () => {
    const page = ctx.page;
    // The native control ("Choose Files / No file chosen", in the browser's words) is not painted: the input is out of sight.
    const box = await page.locator('#tk-files').boundingBox();
    assert.ok(box && box.width <= 1 && box.height <= 1, `the native input is hidden: ${JSON.stringify(box)}`);
    const button = page.locator('label.file-button[for="tk-files"]');
    assert.is(await text(page, 'label.file-button[for="tk-files"]'), 'Dateien auswählen');
    const chooserShown = page.waitForEvent('filechooser');
    await page.evaluate(() => 0);
    await button.click();
    await (await chooserShown).setFiles([
      { name: 'lohnzettel.txt', mimeType: 'text/plain', buffer: Buffer.from('Lohnzettel\n') },
      { name: 'iban.txt', mimeType: 'text/plain', buffer: Buffer.from('IT60\n') },
    ]);
    await page.locator('#tk-chosen li', { hasText: 'iban.txt' }).waitFor();
    assert.equal(await page.locator('#tk-chosen li button').allTextContents(), ['Entfernen', 'Entfernen']);
    await shot(page, 'files-chosen');
    assert.equal(await overflowing(page), []);
    assert.equal(await axe(page, 'files-chosen'), []);
    // Dropped on the field, files replace the chosen ones, as a drop on the native input did.
    await page.locator('#tk-files').evaluate((input) => {
      const data = new DataTransfer();
      data.items.add(new File(['Bescheid\n'], 'bescheid.txt', { type: 'text/plain' }));
      const field = input.closest('.field')!;
      field.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      field.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await page.locator('#tk-chosen li', { hasText: 'bescheid.txt (9 B)' }).waitFor();
    assert.is(await page.locator('#tk-chosen li').count(), 1);
    await page.getByRole('button', { name: 'Anhänge entfernen' }).click();
    assert.is(await page.locator('#tk-chosen li').count(), 0);
  });

  test('the request is registered in German: protocol number, the Bolzano office, the due time in German words', async () => {
    const page = ctx.page;
    await page.getByLabel('Betreff', { exact: true }).fill(ctx.subject);
    await page.getByRole('button', { name: 'Anfrage senden' }).click();
    await page.locator('#tk-error', { hasText: 'Bitte wählen Sie ein Thema.' }).waitFor();
    await page.getByLabel('Thema', { exact: true }).selectOption('payment');
    await page.getByLabel('Text der Anfrage').fill('Guten Tag, die Direktzahlung für Februar ist noch nicht eingegangen.');
    await page.getByLabel('Anhänge (optional)').setInputFiles({ name: 'lohnstreifen.txt', mimeType: 'text/plain', buffer: Buffer.from('Lohnstreifen Februar\n'.repeat(200)) });
    await page.locator('#tk-chosen li', { hasText: 'lohnstreifen.txt (4 KB)' }).waitFor();
    await page.getByRole('button', { name: 'Anfrage senden' }).click();
    await page.getByRole('heading', { name: 'Anfrage registriert' }).waitFor();
    const done = await text(page, '#done-box');
    const m = done.match(/LINPS-\d{4}-\d{6}/);
    assert.ok(m, `a protocol number: ${done}`);
    ctx.protocol = m![0];
    assert.match(done, /Zugewiesen anINPS Sede di Bolzano\/Bozen/);
    assert.match(done, /Antwort des Sitzes bis(einschließlich )?(Montag|Dienstag|Mittwoch|Donnerstag|Freitag), \d+\. \S+( um \d\d:\d\d Uhr)?Gezählt werden nur Arbeitstage/);
    await shot(page, 'done');
    assert.equal(await overflowing(page), []);
    assert.equal(await axe(page, 'done'), []);
  });

  test('"Meine Anfragen" and the thread: an answer of the Bolzano office, dates as 10.12.2026, who looked at it', async () => {
    const page = ctx.page;
    const office = await devToken({ role: 'office', sub: 'op-bz-gruber', name: 'Anna Gruber', sede: 'SEDE-BZ' });
    const list = await api(office, 'GET', '/api/v1/tickets?pageSize=100');
    const ticket = (list.body.items as Json[]).find((t) => t.protocol === ctx.protocol);
    assert.ok(ticket, 'the request is at SEDE-BZ');
    assert.is((await api(office, 'GET', `/api/v1/tickets/${ticket!.id}`)).status, 200, 'the office opens it: the user will see that read');
    const form = new FormData();
    form.append('body', 'Sehr geehrte Frau Hofer, die Zahlung ist in Bearbeitung.');
    const reply = await api(office, 'POST', `/api/v1/tickets/${ticket!.id}/replies`, form);
    assert.is(reply.status, 201, JSON.stringify(reply.body));

    await page.getByRole('button', { name: 'Meine Anfragen' }).click();
    const item = page.locator('.tk-item', { hasText: ctx.protocol });
    await item.waitFor();
    assert.match((await item.textContent()) ?? '', /Offen/);
    // Answered: when, in German, instead of the due time.
    assert.match((await item.textContent()) ?? '', /Der Sitz hat am \d\d\.\d\d\.\d{4}, \d\d:\d\d geantwortet/);
    assert.match((await item.textContent()) ?? '', /Auszahlungszeiten · Gesendet am \d\d\.\d\d\.\d{4}$/);
    await page.locator('#list-status', { hasText: 'Anfragen: 1.' }).waitFor();
    await shot(page, 'list');
    assert.equal(await overflowing(page), []);
    // The smallest phones: "Neue Anfrage über Linea INPS" is wider than 320 px on one line.
    await page.setViewportSize({ width: 320, height: 860 });
    assert.equal(await overflowing(page), [], 'at 320 px');
    await shot(page, 'list-320');
    await page.setViewportSize({ width: 390, height: 860 });
    await item.click();
    await page.getByRole('heading', { name: ctx.subject }).waitFor();
    const answer = page.locator('.reply.from-office', { hasText: 'die Zahlung ist in Bearbeitung' });
    await answer.waitFor();
    assert.match((await answer.textContent()) ?? '', /Anna Gruber – NISF\/INPS-Sitz · \d\d\.\d\d\.\d{4}, \d\d:\d\d/);
    await page.getByRole('button', { name: /^lohnstreifen\.txt herunterladen \(4 KB\)$/ }).waitFor();
    await page.locator('#th-views-box summary', { hasText: 'Wer die Anfrage eingesehen hat (1)' }).click();
    assert.match(await text(page, '#th-views li'), /^\d\d\.\d\d\.\d{4}, \d\d:\d\d: INPS Sede di Bolzano\/Bozen hat die Anfrage geöffnet$/);
    await page.getByLabel('Text der Antwort').waitFor();
    await shot(page, 'thread');
    assert.equal(await overflowing(page), []);
    assert.equal(await axe(page, 'thread'), []);
  });

  test('a German browser on a host page that names no language gets the bubble and the chat in German', async () => {
    const page = await hostPage(await chromium.newContext('host-none', GERMAN), null);
    const bubble = page.locator('button.infocig-bubble');
    await bubble.waitFor();
    assert.is(await bubble.getAttribute('aria-label'), 'Den Chat von INFO CIG öffnen');
    assert.is(await bubble.getAttribute('lang'), 'de', 'the label is German inside an Italian page');
    await bubble.click();
    const frame = page.frameLocator('iframe.infocig-frame');
    await frame.getByRole('heading', { name: 'Wie können wir Ihnen helfen?' }).waitFor();
    assert.is(await frame.locator('html').getAttribute('lang'), 'de');
    assert.is(await page.locator('iframe.infocig-frame').getAttribute('title'), 'Chat von INFO CIG mit der Beratung des NISF/INPS');
  });

  test('a German browser on a host page that says Italian gets Italian: the host page decides, the picker is there', async () => {
    const page = await hostPage(await chromium.newContext('host-it', GERMAN), 'it');
    const bubble = page.locator('button.infocig-bubble');
    await bubble.waitFor();
    assert.is(await bubble.getAttribute('aria-label'), 'Apri la chat INFO CIG');
    await bubble.click();
    const frame = page.frameLocator('iframe.infocig-frame');
    await frame.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    assert.is(await frame.locator('html').getAttribute('lang'), 'it');
    assert.equal(await frame.locator('#lang option').allTextContents(), ['Italiano', 'Deutsch', 'English']);
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
