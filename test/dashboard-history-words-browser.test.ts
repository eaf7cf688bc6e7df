/**
 * The dashboard's "Ultimi 30 giorni" panel (widgets/dashboard/history-charts.js)
 * in a real browser (Debian chromium through playwright-core): the line that
 * says which series and days the charts show names the national series in the
 * page's language, "Italy" in English ("Italia" there was the server's Italian
 * name), and again "Italia" when switched back. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip, serverApi } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({ console: { expected: /^$/ }, prefix: 'dashboard-history-words-', context: { viewport: { width: 1024, height: 768 } } });
const ctx = { server: null as TestServer | null, page: null as unknown as Page };
const { api, devToken } = serverApi(() => ctx.server!.url);
/** Yesterday in Rome, YYYY-MM-DD: a day that may be recorded. */
const yesterday = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome' }).format(new Date(Date.now() - 24 * 3600 * 1000));

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    const supervisor = await devToken({ role: 'supervisor', sub: 'sup-history', name: 'Sara Bianchi' });
    // One day recorded, so that the panel names its series (with none it says there is no snapshot).
    const taken = await api(supervisor, 'POST', '/api/v1/dashboard/snapshots', { day: yesterday() });
    assert.is(taken.status, 201, JSON.stringify(taken.body));
    await chromium.launch();
    ctx.page = await chromium.newPage('dashboard');
    // Not signInSupervisor(), which waits for a province's row: nobody waits in a queue here.
    await ctx.page.goto(`${ctx.server.url}/dashboard/`);
    await ctx.page.getByLabel('Profilo').selectOption('supervisor');
    await ctx.page.getByRole('button', { name: 'Entra' }).click();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('the history names the national series "Italy" in English and "Italia" in Italian', async () => {
    const page = ctx.page;
    const status = page.locator('#history-status');
    await status.filter({ hasText: /^Italia · / }).waitFor();
    await page.getByLabel('Lingua', { exact: true }).selectOption('en');
    await status.filter({ hasText: ' · ' }).waitFor();
    assert.match((await status.textContent()) ?? '', /^Italy · /);
    await page.getByLabel('Language', { exact: true }).selectOption('it');
    assert.match((await status.textContent()) ?? '', /^Italia · /);
  });
}

test.run();
