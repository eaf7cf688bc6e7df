/**
 * What the office console already said follows a language change (widgets/lib/said.js), in a real
 * browser (Debian chromium through playwright-core): a form's error ("Scrivi il testo della
 * risposta.") and a refused reply in the shared error words, its code apart, were written once and
 * stayed Italian under a console switched to German or English; a day the calendar lacks, said on
 * its filter, follows too. Screenshots: test/screenshots/office-said-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { browserHarness, chromiumOrSkip, serverApi, type Json } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

// The refused reply, on purpose: the browser logs it as a failed load.
const chromium = browserHarness({ console: { expected: /status of 403/ }, prefix: 'office-said-', context: { viewport: { width: 1366, height: 900 } }, fullPage: true });
const ctx = { server: null as TestServer | null, ticket: {} as Json, page: null as unknown as Page };
const { api, devToken } = serverApi(() => ctx.server!.url);
const switchTo = (page: Page, lang: string) => page.locator('#lang').selectOption(lang);

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    await chromium.launch();
    const worker = await devToken({ role: 'worker', sub: 'w-bz-said', province: 'BZ', name: 'Anna Gruber' });
    const res = await api(worker, 'POST', '/api/v1/tickets', { subject: 'Pagamento di marzo', category: 'payment', body: 'Il pagamento non è ancora arrivato.' });
    assert.is(res.status, 201);
    ctx.ticket = res.body;
    ctx.page = await chromium.newPage('said');
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('a reply form\'s error is said again in German, then in English', async () => {
    const page = ctx.page;
    await signInOffice(page, ctx.server!.url, 'SEDE-BZ', 'Chiara Ferrari', 'op-ferrari-said');
    await page.locator('.q-item', { hasText: ctx.ticket.protocol }).click();
    await page.getByRole('button', { name: 'Prendi in carico' }).click();
    await page.getByRole('heading', { name: 'Rispondi all’utente' }).waitFor();
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    const error = page.locator('#reply-error');
    await error.getByText('Scrivi il testo della risposta.').waitFor();
    await chromium.shot(page, 'reply-it');
    await switchTo(page, 'de');
    await page.getByRole('button', { name: 'Antwort senden' }).waitFor();
    await error.getByText('Geben Sie den Text der Antwort ein.').waitFor();
    await chromium.shot(page, 'reply-de');
    await switchTo(page, 'en');
    await error.getByText('Write the reply text.').waitFor();
    await switchTo(page, 'it');
  });

  test('a refused reply, said in the shared words with its code, is said again in German', async () => {
    const page = ctx.page;
    await switchTo(page, 'it'); // whatever the test before left
    await page.route((u) => /^\/api\/v1\/tickets\/[^/]+\/replies$/.test(u.pathname), (route) => route.fulfill({ status: 403, json: { error: { code: 'forbidden', message: 'role' } } }), { times: 1 });
    await page.locator('#reply-text').fill('Buongiorno, il pagamento è stato disposto.');
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    const error = page.locator('#reply-error');
    await error.getByText('Non hai i permessi per questa operazione con il profilo con cui hai fatto l’accesso.').waitFor();
    await switchTo(page, 'de');
    await error.getByText('Mit dem Profil, mit dem Sie angemeldet sind, sind Sie für diesen Vorgang nicht berechtigt.').waitFor();
    assert.is(await error.locator('.error-code').getAttribute('data-code'), 'forbidden');
    assert.is(await page.locator('#reply-text').inputValue(), 'Buongiorno, il pagamento è stato disposto.', 'the text written stays');
    await chromium.shot(page, 'refusal-de');
    await switchTo(page, 'it');
  });

  test('a day that does not exist, said on its filter, is said again in German', async () => {
    const page = ctx.page;
    await switchTo(page, 'it'); // whatever the test before left
    const toggle = page.locator('#f-more-toggle');
    if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
    await page.getByLabel('Aperte fino al').fill('31/02/2026');
    await page.getByRole('button', { name: 'Filtra' }).click();
    const error = page.locator('#queue-error');
    await error.getByText('«Aperte fino al»: il 31/02/2026 non esiste nel calendario. Controlla il giorno e il mese.').waitFor();
    await switchTo(page, 'de');
    const label = ((await page.locator('label[for="f-to"]').textContent()) ?? '').trim();
    assert.ok(label && label !== 'Aperte fino al', `the field's German label (${label})`);
    await error.getByText(`„${label}“: Den 31/02/2026 gibt es im Kalender nicht. Bitte prüfen Sie Tag und Monat.`).waitFor();
    // The list the refused filter left in place is in German too, not "1 richiesta." and "In lavorazione".
    await page.locator('#queue-count', { hasText: '1 Anfrage.' }).waitFor();
    await page.locator('.q-item .badge', { hasText: 'In Bearbeitung' }).waitFor();
    await chromium.shot(page, 'date-de');
    await switchTo(page, 'it');
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
