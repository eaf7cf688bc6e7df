/**
 * The office console (widgets/office/) in German, in a real browser (Debian
 * chromium through playwright-core): the sedi of Bolzano/Bozen work in German.
 * An operator whose browser prefers German gets it without choosing (as the
 * chat: ?lang=, else the browser's languages), signs in to SEDE-BZ and works a
 * request in German, dates as written in South Tyrol; an Italian operator
 * switches to Deutsch and back with the header's switch; at 320 px with text at
 * 200 % the German words (longer than the Italian) reflow. axe-core finds no
 * serious or critical violation. Screenshots: test/screenshots/office-de-*.png.
 * Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { browserHarness, chromiumOrSkip, reflowProblems, serverApi, type Json } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({ console: { expected: /^$/ }, prefix: 'office-de-', context: { viewport: { width: 1366, height: 900 } }, fullPage: true });
const ctx = { server: null as TestServer | null, ticket: {} as Json };
const { api, devToken } = serverApi(() => ctx.server!.url);

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    await chromium.launch();
    const worker = await devToken({ role: 'worker', sub: 'w-bz', province: 'BZ', name: 'Anna Gruber', lang: 'de' });
    const res = await api(worker, 'POST', '/api/v1/tickets', { subject: 'Auszahlung März', category: 'payment', body: 'Die Auszahlung ist noch nicht angekommen.' });
    assert.is(res.status, 201);
    ctx.ticket = res.body;
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('an operator whose browser prefers German signs in to SEDE-BZ and works a request in German', async () => {
    const page: Page = await chromium.newPage('de', { locale: 'de-DE' });
    await page.goto(`${ctx.server!.url}/office/`);
    await page.getByRole('heading', { name: 'Konsole der NISF/INPS-Sitze' }).waitFor();
    assert.is(await page.evaluate(() => document.documentElement.lang), 'de');
    assert.is(await page.locator('#lang').inputValue(), 'de', 'the switch says the language shown');
    await page.getByLabel('Sitz', { exact: true }).first().selectOption('SEDE-BZ');
    await page.getByLabel('Name').fill('Lukas Pichler');
    await page.getByLabel('Kennung der Sachbearbeiterin / des Sachbearbeiters').fill('op-pichler');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { name: 'Anfragen des Sitzes' }).waitFor();
    await page.locator('.q-item', { hasText: ctx.ticket.protocol }).click();
    await page.getByRole('heading', { name: 'Auszahlung März' }).waitFor();
    await page.getByText('Noch niemand hat diese Anfrage übernommen.').waitFor();
    await page.getByRole('button', { name: 'Übernehmen' }).click();
    await page.getByRole('heading', { name: 'Der Person antworten' }).waitFor();
    await page.locator('#t-status', { hasText: 'In Bearbeitung' }).waitFor();
    assert.match(await page.locator('#detail').innerText(), /Antwort fällig bis/);
    await chromium.shot(page, 'taken');
    assert.equal(await chromium.axe(page, 'de taken'), []);
  });

  test('an Italian operator switches the console to Deutsch and back', async () => {
    const page: Page = await chromium.newPage('it');
    await signInOffice(page, ctx.server!.url, 'SEDE-BZ', 'Chiara Ferrari', 'op-ferrari');
    await page.getByRole('heading', { name: 'Richieste della sede' }).waitFor();
    assert.equal(await page.locator('#lang option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), ['it', 'de', 'en']);
    await page.locator('#lang').selectOption('de');
    await page.getByRole('heading', { name: 'Anfragen des Sitzes' }).waitFor();
    await page.getByRole('button', { name: 'Filtern' }).waitFor();
    assert.match(await page.locator('#me').innerText(), /SEDE-BZ \(Bolzano\/Bozen\)/);
    await chromium.shot(page, 'switched');
    await page.locator('#lang').selectOption('it');
    await page.getByRole('heading', { name: 'Richieste della sede' }).waitFor();
  });

  test('at 320 px with text at 200 % the German console reflows: nothing scrolls sideways, every control is on screen', async () => {
    const page: Page = await chromium.newPage('de-320', { locale: 'de-DE', viewport: { width: 320, height: 700 } });
    // The same operator in this tab's new session: the development sign-in again, in German.
    await page.goto(`${ctx.server!.url}/office/`);
    await page.locator('#si-sede').selectOption('SEDE-BZ');
    await page.locator('#si-sub').fill('op-pichler');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { name: 'Anfragen des Sitzes' }).waitFor();
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    await page.locator('.q-item', { hasText: ctx.ticket.protocol }).click();
    await page.getByRole('heading', { name: 'Auszahlung März' }).waitFor();
    await page.getByRole('button', { name: 'Weitere Filter' }).click(); // the dates, folded
    const controls = ['#lang', '#signout', '#f-status', '#f-more-toggle', '#f-to', '#reply-text', '#close-outcome', '#transfer-sede', '#transfer-form button[type="submit"]'];
    assert.equal(await reflowProblems(page, controls), []);
    await page.locator('#transfer-form').screenshot({ path: 'test/screenshots/office-de-320-transfer.png' });
    assert.equal(await chromium.axe(page, 'de 320 200%'), []);
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
