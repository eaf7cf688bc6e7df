/**
 * What the chat page already said follows a language change (widgets/lib/said.js), in a real
 * browser (Debian chromium through playwright-core): a form's error ("Scrivi l’oggetto della
 * richiesta."), a day the calendar lacks said on its field (lib/date-field.js), and a refusal in
 * the shared error words with its code apart (lib/error-words.js) were written once and stayed
 * Italian under a page switched to German or English. Screenshots:
 * test/screenshots/chat-ticket-said-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { chromiumOrSkip } from './helpers/browser.ts';
import { chatTicketPages } from './helpers/chat-ticket-pages.ts';

const pages = chatTicketPages('chat-said-again');
const { chromium, api, devToken, newContext, signIn } = pages;
const { shot } = chromium;
const ctx = { page: null as unknown as Page };

/** The token of the person signed in on the page (the dev sign-in keeps their claims in sessionStorage). */
const tokenOfPage = async (page: Page) => devToken(JSON.parse((await page.evaluate(() => sessionStorage.getItem('infocig.chat.dev')))!));
const switchTo = (page: Page, lang: string) => page.locator('#lang').selectOption(lang);

if (chromiumOrSkip()) {
  test.before(async () => {
    await pages.start();
    const c = await newContext('said');
    ctx.page = await c.newPage();
  });

  test.after(async () => {
    await pages.stop();
  });

  test('the request form\'s error is said again in German, then in English', async () => {
    const page = ctx.page;
    await signIn(page);
    await page.getByRole('heading', { name: 'Lascia una richiesta Linea INPS' }).waitFor();
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    const error = page.locator('#tk-error');
    await error.getByText('Scrivi l’oggetto della richiesta.').waitFor();
    await switchTo(page, 'de');
    await page.getByRole('button', { name: 'Anfrage senden' }).waitFor();
    await error.getByText('Bitte geben Sie einen Betreff ein.').waitFor();
    await switchTo(page, 'en');
    await error.getByText('Write a subject line for your request.').waitFor();
    await switchTo(page, 'it');
    await error.getByText('Scrivi l’oggetto della richiesta.').waitFor();
  });

  test('a day that does not exist, said on its field, is said again in German naming the field in German; a refusal in words too, its code kept', async () => {
    const page = ctx.page;
    const tok = await tokenOfPage(page);
    for (const subject of ['Anticipo della cassa integrazione', 'Pagamento di marzo']) {
      const res = await api(tok, 'POST', '/api/v1/tickets', { category: 'cigo', subject, body: 'Testo della richiesta.' });
      assert.is(res.status, 201, JSON.stringify(res.body));
    }
    await page.locator('#closed-mine').click();
    await page.locator('#list-status', { hasText: 'Richieste: 2.' }).waitFor();
    await page.getByRole('textbox', { name: 'dal', exact: true }).fill('31/02/2026');
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    const dateError = page.locator('#lf-error');
    await dateError.getByText('«dal»: il 31/02/2026 non esiste nel calendario. Controlla il giorno e il mese.').waitFor();
    await shot(page, 'said-date-it');
    await switchTo(page, 'de');
    const label = ((await page.locator('label[for="lf-from"]').textContent()) ?? '').trim();
    assert.ok(label && label !== 'dal', `the field's German label (${label})`);
    await dateError.getByText(`„${label}“: Den 31/02/2026 gibt es im Kalender nicht. Bitte prüfen Sie Tag und Monat.`).waitFor();
    assert.is(await page.locator('#lf-from').getAttribute('aria-invalid'), 'true', 'still marked');
    await shot(page, 'said-date-de');

    // A refused search: the shared words and the code, then the same refusal in German.
    await page.locator('#lang').selectOption('it');
    await page.getByRole('textbox', { name: 'dal', exact: true }).fill('');
    await page.route((u) => u.pathname === '/api/v1/tickets', (route) => route.fulfill({ status: 403, json: { error: { code: 'forbidden', message: 'role' } } }), { times: 1 });
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    const listError = page.locator('#list-error');
    await listError.getByText('Non hai i permessi per questa operazione con il profilo con cui hai fatto l’accesso.').waitFor();
    await switchTo(page, 'de');
    await listError.getByText('Mit dem Profil, mit dem Sie angemeldet sind, sind Sie für diesen Vorgang nicht berechtigt.').waitFor();
    assert.is(await listError.locator('.error-code').getAttribute('data-code'), 'forbidden');
    assert.match((await listError.textContent()) ?? '', /\(Code: forbidden\)$/);
    await shot(page, 'said-refusal-de');
    await switchTo(page, 'it');
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
