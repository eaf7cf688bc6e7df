/**
 * The dashboard's "Ticket Linea INPS per sede" (widgets/dashboard/) in a real
 * browser (Debian chromium through playwright-core): in its half-width column
 * on a 1280 px and a 1024 px screen every column of the backlog is in sight, the
 * last one ("Chiusi oggi") too, without scrolling the table sideways, and a
 * sede's code is not broken at its hyphen. axe-core
 * finds no serious or critical violation. Screenshots:
 * test/screenshots/dashboard-backlog-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip, serverApi } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, prefix: 'dashboard-backlog-' });
const ctx = { server: null as TestServer | null };
const { api, devToken } = serverApi(() => ctx.server!.url);

async function signInSupervisor(page: Page): Promise<void> {
  await page.goto(`${ctx.server!.url}/dashboard/`);
  await page.getByLabel('Profilo').selectOption('supervisor');
  await page.getByLabel('Nome').fill('Sara Bianchi');
  await page.getByRole('button', { name: 'Entra' }).click();
  await page.locator('#tickets-body tr').first().waitFor();
}

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    const worker = await devToken({ role: 'worker', sub: 'w-backlog', province: 'MI', name: 'Mario Bianchi' });
    assert.is((await api(worker, 'POST', '/api/v1/tickets', { subject: 'Pagamento di marzo', category: 'payment', body: 'Non arrivato.' })).status, 201);
    await chromium.launch();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  for (const width of [1280, 1024]) {
    test(`at ${width} px every column of the sede backlog is in sight, "Chiusi oggi" too`, async () => {
      const page = await chromium.newPage(`${width}`, { viewport: { width, height: 900 } });
      await signInSupervisor(page);
      const wrap = page.locator('#tickets-table').locator('xpath=..');
      const [table, box] = await Promise.all([page.locator('#tickets-table').evaluate((t) => t.scrollWidth), wrap.evaluate((w) => w.clientWidth)]);
      assert.ok(table <= box, `the table (${table} px) fits its box (${box} px)`);
      const last = await page.getByRole('columnheader', { name: 'Chiusi oggi' }).boundingBox();
      const edge = await wrap.boundingBox();
      assert.ok(last && edge && last.x + last.width <= edge.x + edge.width + 1, 'the last heading is not cut');
      const lines = await page.locator('#tickets-body tr', { hasText: 'SEDE-MI' }).locator('th').evaluate((th) => {
        const range = document.createRange();
        range.selectNodeContents(th);
        return new Set([...range.getClientRects()].filter((r) => /SEDE/.test(th.textContent ?? '') && r.width > 0).map((r) => Math.round(r.top))).size;
      });
      assert.ok(lines <= 2, `"Milano (SEDE-MI)" on at most two lines, the code whole: ${lines}`);
      await wrap.screenshot({ path: `test/screenshots/dashboard-backlog-${width}.png` });
      assert.equal(await chromium.axe(page, `backlog ${width}`), []);
    });
  }

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
