/**
 * A company's requests in the office console's list (widgets/office/queue.js)
 * at 1024×768, in a real browser (Debian chromium through playwright-core):
 * each row says the company's matricola whole, however long the company's
 * name, which is what ends in "…" (it was the matricola: "Tessiture Lombarde
 * spa · 4987…", on rows an operator tells apart by it). Whole in the row's
 * title too. Screenshots: test/screenshots/office-row-matricola-*.png. Skips
 * without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { browserHarness, chromiumOrSkip, serverApi } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({ console: { expected: /^$/ }, prefix: 'office-row-matricola-', context: { viewport: { width: 1024, height: 768 } } });
const ctx = { server: null as TestServer | null, page: null as unknown as Page };
const { api, devToken } = serverApi(() => ctx.server!.url);
const COMPANIES = [
  { name: 'Officine Meccaniche Brambilla e Figli srl', matricola: '4912345678' },
  { name: 'Tessiture Lombarde spa', matricola: '4987654321' },
];

/** Whether the text `text` in the row is drawn whole: inside every box of the row that clips what overflows it. */
const shownWhole = (page: Page, protocol: string, text: string) =>
  page.locator('.q-item', { hasText: protocol }).evaluate((row, text) => {
    const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent!.indexOf(text);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + text.length);
      const drawn = range.getBoundingClientRect();
      for (let box = node.parentElement; box && row.contains(box); box = box.parentElement) {
        if (getComputedStyle(box).overflowX === 'visible') continue;
        const clip = box.getBoundingClientRect();
        // the ellipsis is drawn instead of the text's end, so a cut text overflows its clipping box
        if (box.scrollWidth > box.clientWidth && drawn.right > clip.right - 1) return false;
        if (drawn.right > clip.right + 0.5 || drawn.left < clip.left - 0.5) return false;
      }
      return true;
    }
    return false;
  }, text);

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    for (const [i, c] of COMPANIES.entries()) {
      const employer = await devToken({ role: 'employer', sub: `emp-${i}`, province: 'MI', name: c.name, matricola: c.matricola });
      const res = await api(employer, 'POST', '/api/v1/tickets', { subject: 'Assegno di integrazione salariale per l’unità produttiva di Sesto San Giovanni', category: 'payment', body: 'Quando arriva il pagamento diretto?' });
      assert.is(res.status, 201);
    }
    await chromium.launch();
    ctx.page = await chromium.newPage('office');
    await signInOffice(ctx.page, ctx.server.url, 'SEDE-MI', 'Laura Conti', 'op-conti');
    await ctx.page.locator('.q-item').nth(1).waitFor();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('at 1024×768 a row shows the company\'s matricola whole, and a long company name is what gives way', async () => {
    const page = ctx.page;
    for (const c of COMPANIES) {
      const row = page.locator('.q-item', { hasText: c.matricola });
      const protocol = (await row.locator('.q-protocol').textContent())!;
      assert.ok(await shownWhole(page, protocol, c.matricola), `${c.matricola} whole on its row`);
      assert.is(await row.locator('[title*="·"]').getAttribute('title'), `${c.name} · ${c.matricola}`);
    }
    const long = page.locator('.q-item', { hasText: COMPANIES[0]!.matricola });
    assert.not.ok(await shownWhole(page, (await long.locator('.q-protocol').textContent())!, COMPANIES[0]!.name), 'the long name ends in "…"');
    await chromium.shot(page, '1024');
  });
}

test.run();
