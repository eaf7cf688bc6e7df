/**
 * Words and figures of the dashboard: its "Ultimi 30 giorni" panel (widgets/dashboard/history-charts.js)
 * in a real browser (Debian chromium through playwright-core): the line that
 * says which series and days the charts show names the national series in the
 * page's language, "Italy" in English ("Italia" there was the server's Italian
 * name), and again "Italia" when switched back; the open tickets' figure,
 * which counts those in progress too, says so, and is the sum of the sedi
 * table's «Aperti» and «In lavorazione» columns; so does the chart of the
 * tickets left at the end of each day (`backlogEnd`, not closed by then).
 * Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip, serverApi } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({ console: { expected: /^$/ }, prefix: 'dashboard-words-', context: { viewport: { width: 1024, height: 768 } } });
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
    // Three requests at Milano, one of them taken in charge: 2 «Aperti», 1 «In lavorazione».
    const worker = await devToken({ role: 'worker', sub: 'w-history', province: 'MI', name: 'Giuseppe Rossi' });
    const office = await devToken({ role: 'office', sub: 'op-conti', sede: 'SEDE-MI', name: 'Laura Conti' });
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) ids.push((await api(worker, 'POST', '/api/v1/tickets', { subject: `Pagamento CIGO ${i}`, category: 'payment', body: 'Non ho ricevuto il pagamento.' })).body.id);
    assert.is((await api(office, 'PATCH', `/api/v1/tickets/${ids[0]}`, { status: 'in_progress' })).status, 200);
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

  test('the open tickets\' figure says it counts those in progress, and adds up the sedi table\'s two columns', async () => {
    const page = ctx.page;
    const milano = page.locator('#tickets-body tr', { hasText: 'SEDE-MI' });
    await milano.waitFor();
    const heads = (await page.locator('#tickets-table thead th').allTextContents()).map((c) => c.trim());
    const figure = page.locator('#kpis .kpi', { has: page.locator('dt', { hasText: 'Ticket aperti o in lavorazione' }) });
    assert.is(await figure.locator('dt').textContent(), 'Ticket aperti o in lavorazione');
    // the row's cells, its header (the sede) first, in the order of the head's
    const row = await milano.evaluate((tr) => [...tr.children].map((c) => c.textContent!.trim()));
    const open = Number(row[heads.indexOf('Aperti')]);
    const inProgress = Number(row[heads.indexOf('In lavorazione')]);
    assert.equal([open, inProgress], [2, 1], `${heads} / ${row}`);
    assert.is(Number(await figure.locator('dd').first().textContent()), open + inProgress);
    await page.getByLabel('Lingua', { exact: true }).selectOption('en');
    await page.locator('#kpis dt', { hasText: 'Tickets open or in progress' }).waitFor();
    await page.getByLabel('Language', { exact: true }).selectOption('it');
    await chromium.shot(page, 'kpis');
  });

  test('the backlog chart says it counts the tickets in progress too, as its figure does, in Italian and English', async () => {
    const page = ctx.page;
    const caption = page.locator('#ch-backlog-cap');
    await caption.filter({ hasText: 'Ticket aperti o in lavorazione a fine giornata' }).waitFor();
    await page.getByLabel('Lingua', { exact: true }).selectOption('en');
    await caption.filter({ hasText: 'Tickets open or in progress at end of day' }).waitFor();
    await page.getByLabel('Language', { exact: true }).selectOption('it');
    await caption.scrollIntoViewIfNeeded();
    await chromium.shot(page, 'backlog-chart');
  });
}

test.run();
