/**
 * The dashboard's texts follow a language change, and its failures are seen,
 * not only heard (widgets/dashboard/supervisor-controls.js, history-charts.js,
 * announcements.js) in a real browser (Debian chromium through playwright-core):
 * "Nessun consulente collegato da spostare.", a form's error ("Scrivi il giorno da
 * rilevare") and a day field's own ("il 31/02/2026 non esiste") turn English with the page, and a
 * refused CSV download or "Ritira" is shown by its control with the shared
 * error words, in the page's language. Screenshots:
 * test/screenshots/dashboard-sight-*.png. Skips without chromium.
 */
import type { Page, Route } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({ console: { expected: /WebSocket connection to|503/i }, prefix: 'dashboard-sight-', context: { viewport: { width: 1024, height: 768 } } });
const ctx = { server: null as TestServer | null, page: null as unknown as Page };
const TITLE = 'Pagamenti CIGO in ritardo';

/** The server down for one request: a 503 with its code, as a proxy in front of a node being replaced answers. */
const unavailable = (route: Route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'down' } }) });

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    const token = await ctx.server.token({ role: 'supervisor', sub: 'sup-1', name: 'Sara Bianchi' });
    const res = await fetch(`${ctx.server.url}/api/v1/announcements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: { it: TITLE }, text: { it: 'Le date sono in aggiornamento.' }, severity: 'info', audiences: [], provinces: [], endsAt: new Date(Date.now() + 86_400_000).toISOString() }),
    });
    assert.is(res.status, 201, await res.text());
    await chromium.launch();
    ctx.page = await chromium.newPage('supervisor');
    const page = ctx.page;
    await page.goto(`${ctx.server.url}/dashboard/`);
    await page.getByLabel('Profilo').selectOption('supervisor');
    await page.getByLabel('Nome').fill('Sara Bianchi');
    await page.getByRole('button', { name: 'Entra' }).click();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('with no advisor signed in, the move form says so in the language the page is switched to', async () => {
    const page = ctx.page;
    await page.locator('#move-error', { hasText: 'Nessun consulente collegato da spostare.' }).waitFor();
    await page.locator('#lang').selectOption('en');
    await page.locator('#move-error', { hasText: 'No signed-in advisor to move.' }).waitFor();
    await page.locator('#lang').selectOption('it');
    await page.locator('#move-error', { hasText: 'Nessun consulente collegato da spostare.' }).waitFor();
  });

  test('an error written on a form when it happened follows a language change, and is not written back over a newer one', async () => {
    const page = ctx.page;
    await page.getByLabel('Giorno da rilevare').fill('');
    await page.getByRole('button', { name: 'Rileva il giorno' }).click();
    const error = page.locator('#snapshot-error');
    await error.getByText('Scrivi il giorno da rilevare (gg/mm/aaaa).').waitFor();
    await page.locator('#lang').selectOption('en');
    await error.getByText('Write the day to record (dd/mm/yyyy).').waitFor();
    await page.locator('#lang').selectOption('it');
    await error.getByText('Scrivi il giorno da rilevare (gg/mm/aaaa).').waitFor();
    await page.getByLabel('Giorno da rilevare').fill('31/02/2026'); // the field's own words replace the form's
    await page.getByRole('button', { name: 'Rileva il giorno' }).click();
    await error.getByText('«Giorno da rilevare»: il 31/02/2026 non esiste nel calendario. Controlla il giorno e il mese.').waitFor();
    await error.scrollIntoViewIfNeeded();
    await chromium.shot(page, 'said-date-it');
    await page.locator('#lang').selectOption('en');
    await page.locator('h1', { hasText: 'INFO CIG service dashboard' }).first().waitFor();
    // The field's own words follow the language too, naming the field in English (widgets/lib/said.js).
    await error.getByText('“Day to record”: 31/02/2026 is not a day of the calendar. Check the day and the month.').waitFor();
    assert.not.match((await error.textContent()) ?? '', /Write the day to record/, 'not the earlier sentence again');
    await error.scrollIntoViewIfNeeded();
    await chromium.shot(page, 'said-date-en');
    await page.locator('#lang').selectOption('it');
  });

  test('a refused CSV download is shown by its button in words, and follows a language change', async () => {
    const page = ctx.page;
    await page.route((u) => u.pathname === '/api/v1/dashboard/history.csv', unavailable, { times: 1 });
    await page.getByRole('button', { name: 'Scarica CSV', exact: true }).click();
    const error = page.locator('#csv-error');
    await error.getByText(/^CSV non scaricato\. Il servizio/).waitFor();
    assert.ok(await error.isVisible(), 'seen, not only read out');
    assert.is(await error.locator('.error-code').textContent(), '(codice: unavailable)');
    await chromium.shot(page, 'csv');
    await page.locator('#lang').selectOption('en');
    await error.getByText(/^The CSV was not downloaded\./).waitFor();
    await page.locator('#lang').selectOption('it');
    await page.getByRole('button', { name: 'Scarica CSV', exact: true }).click();
    await error.waitFor({ state: 'hidden' });
  });

  test('a refused "Ritira" is shown in the announcement\'s row, under its button, which keeps the focus', async () => {
    const page = ctx.page;
    const row = page.locator('#ann-body tr', { hasText: TITLE });
    await page.route((u) => u.pathname.endsWith('/withdraw'), unavailable, { times: 1 });
    await row.getByRole('button', { name: `Ritira l’avviso «${TITLE}»` }).click();
    const error = row.locator('.error');
    await error.getByText(/^Avviso non ritirato\. Il servizio/).waitFor();
    assert.ok(await error.isVisible(), 'seen, not only read out');
    assert.is(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), `Ritira l’avviso «${TITLE}»`, 'the focus stays on the button');
    await page.locator('#announce', { hasText: 'Avviso non ritirato.' }).waitFor({ state: 'attached' });
    await row.scrollIntoViewIfNeeded();
    await chromium.shot(page, 'withdraw');
    assert.equal(await chromium.axe(page, 'withdraw refused'), []);
    await page.locator('#lang').selectOption('en');
    await error.getByText(/^The notice was not withdrawn\./).waitFor();
    await page.locator('#lang').selectOption('it');
    await row.getByRole('button', { name: `Ritira l’avviso «${TITLE}»` }).click();
    await row.getByRole('cell', { name: 'Ritirato', exact: true }).waitFor();
    assert.is(await page.locator('#ann-body .error').count(), 0);
  });
}

test.run();
