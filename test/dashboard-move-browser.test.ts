/**
 * The supervisor's "Sposta un consulente tra le code" on the dashboard
 * (widgets/dashboard/supervisor-controls.js) in a real browser (Debian
 * chromium through playwright-core): an advisor serving all Italy is moved to
 * Milan and back, and the picker names where they serve now as soon as the
 * move is done, without a reload. axe-core finds no serious or critical
 * violation. Screenshot: test/screenshots/dashboard-move-*.png. Skips without
 * chromium.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, prefix: 'dashboard-move-', context: { viewport: { width: 1280, height: 900 } } });
const ctx = { server: null as TestServer | null, page: null as unknown as Page, advisor: null as TestSocket | null };

/** The picker's text for the advisor Alba Assente (adv-away). */
const option = (page: Page) => page.locator('#move-advisor option[value="adv-away"]');

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    [ctx.advisor] = await TestSocket.signIn(ctx.server.wsUrl, await ctx.server.token({ role: 'advisor', sub: 'adv-away', name: 'Alba Assente' }));
    await chromium.launch();
    ctx.page = await chromium.newPage('supervisor');
  });

  test.after(async () => {
    await chromium.close();
    ctx.advisor?.drop();
    await ctx.server?.close();
  });

  test('after a move the advisor picker names where the advisor serves now, without reloading the page', async () => {
    const page = ctx.page;
    await page.goto(`${ctx.server!.url}/dashboard/`);
    await page.getByLabel('Profilo').selectOption('supervisor');
    await page.getByLabel('Nome').fill('Sara Bianchi');
    await page.getByRole('button', { name: 'Entra' }).click();
    await option(page).filter({ hasText: 'Alba Assente – adv-away (Tutta Italia)' }).waitFor({ state: 'attached' });
    const move = async (provinces: string, where: string) => {
      await page.getByLabel('Consulente', { exact: true }).selectOption('adv-away');
      await page.getByLabel('Province servite').fill(provinces);
      await page.getByRole('button', { name: 'Sposta', exact: true }).click();
      await page.locator('#announce', { hasText: `Alba Assente ora serve: ${where}.` }).waitFor({ state: 'attached' });
    };
    await move('MI, LO', 'LO, MI');
    await page.locator('#move-form').screenshot({ path: `${SHOTS}dashboard-move-moved.png` });
    // At once: the answer to the move says where they serve; no live update or reload is waited for.
    assert.is(await option(page).textContent(), 'Alba Assente – adv-away (LO, MI)');
    assert.is(await page.getByLabel('Consulente', { exact: true }).inputValue(), 'adv-away', 'the choice stays');
    assert.equal(await chromium.axe(page, 'moved'), []);
    await move('', 'Tutta Italia');
    assert.is(await option(page).textContent(), 'Alba Assente – adv-away (Tutta Italia)');
  });

  test('a province or region the page does not know is named on its field before anything is sent; a region typed in lower case is the one it names', async () => {
    const page = ctx.page;
    const sent: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && r.url().includes('/queues') && sent.push(r.postData() ?? ''));
    await page.getByLabel('Consulente', { exact: true }).selectOption('adv-away');
    await page.getByLabel('Province servite').fill('GE, XX, Milano');
    await page.getByRole('button', { name: 'Sposta', exact: true }).click();
    await page.locator('#move-error', { hasText: 'Provincia sconosciuta: XX, MILANO. Scrivere le sigle di due lettere separate da virgola (GE, SV).' }).waitFor();
    assert.is(await page.evaluate(() => document.activeElement?.id), 'move-provinces');
    assert.is(await page.locator('#move-provinces').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Province servite').fill('');
    await page.getByLabel('Regioni servite').fill('liguria, Atlantide');
    await page.getByRole('button', { name: 'Sposta', exact: true }).click();
    await page.locator('#move-error', { hasText: 'Regione sconosciuta: Atlantide.' }).waitFor();
    assert.is(await page.evaluate(() => document.activeElement?.id), 'move-regions');
    assert.equal(sent, [], 'nothing sent');
    await page.getByLabel('Regioni servite').fill('liguria');
    await page.getByRole('button', { name: 'Sposta', exact: true }).click();
    await page.locator('#announce', { hasText: 'Alba Assente ora serve: Liguria.' }).waitFor({ state: 'attached' });
    assert.is(await page.locator('#move-error').textContent(), '');
    assert.is(await page.locator('#move-regions').getAttribute('aria-invalid'), null);
    await page.getByLabel('Regioni servite').fill('');
    await page.getByRole('button', { name: 'Sposta', exact: true }).click();
    await page.locator('#announce', { hasText: 'Alba Assente ora serve: Tutta Italia.' }).waitFor({ state: 'attached' });
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
