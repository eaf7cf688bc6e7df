/**
 * Closing requests at the office console (widgets/office/) of INPS Sede di
 * Milano, in a real browser (Debian chromium through playwright-core): a
 * request closed after its due time says so in its pane, as the list says
 * "scaduta il …" of an open one (and one first answered late says when it was
 * answered; one closed in time says neither); after closing, the focus is on
 * the request's title and Shift+Tab goes back to the request's row when the
 * list still shows it, else to the list's start, not to whichever row ends the
 * list. The server's clock is a ManualClock, so that requests opened ten days
 * ago are past their due time. Screenshots: test/screenshots/office-closing-*.png.
 * Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { signInOffice } from './helpers/pages.ts';
import { browserHarness, chromiumOrSkip, serverApi, type Json } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const DAY = 24 * 3600 * 1000;
const chromium = browserHarness({
  console: { expected: /^$/ },
  prefix: 'office-closing-',
  context: { viewport: { width: 1280, height: 850 } },
});
const clock = new ManualClock(Date.now());
const ctx = { server: null as TestServer | null, page: null as unknown as Page, old: [] as Json[], fresh: [] as Json[] };
const { api, devToken } = serverApi(() => ctx.server!.url);
const focused = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset?.id ?? document.activeElement?.id ?? '');
const colleague = () => devToken({ role: 'office', sub: 'op-bassi', sede: 'SEDE-MI', name: 'Marco Bassi' });

/** The operator closes the request on screen as «Pratica definita» (chosen: nothing is preselected) and waits for the pane to say it. */
async function closeOnScreen(page: Page): Promise<void> {
  await page.getByLabel('Esito', { exact: true }).selectOption('defined');
  await page.getByRole('button', { name: 'Chiudi la richiesta' }).click();
  await page.locator('#t-closed').waitFor();
}

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer({ clock });
    const worker = await devToken({ role: 'worker', sub: 'w-closing', province: 'MI', name: 'Giuseppe Rossi' });
    const now = Date.now();
    const open = async (when: number, i: number) => {
      clock.set(when);
      const res = await api(worker, 'POST', '/api/v1/tickets', { subject: `Conguaglio CIGO, richiesta ${i}`, category: 'cigo', body: 'Il conguaglio non torna.' });
      assert.is(res.status, 201);
      return res.body;
    };
    for (let i = 1; i <= 3; i++) ctx.old.push(await open(now - 10 * DAY, i));
    for (let i = 4; i <= 6; i++) ctx.fresh.push(await open(now, i));
    clock.set(now);
    await chromium.launch();
    ctx.page = await chromium.newPage('closing');
    await signInOffice(ctx.page, ctx.server.url, 'SEDE-MI', 'Laura Conti', 'op-conti');
    await ctx.page.locator('.q-item').nth(5).waitFor();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('a request closed after its due time says so in its pane: closed on …, after the due time of …', async () => {
    const page = ctx.page;
    const t = ctx.old[0]!;
    await page.locator('.q-item', { hasText: t.protocol }).click();
    await page.locator('#t-title', { hasText: t.subject }).waitFor();
    await closeOnScreen(page);
    assert.match((await page.locator('#t-closed').textContent()) ?? '', /^Richiesta chiusa il \d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}, oltre la scadenza del .+\. Esito: Pratica definita\.$/);
    await chromium.shot(page, 'late', true);
    await page.locator('#lang').selectOption('de');
    await page.locator('#t-closed', { hasText: /^Anfrage abgeschlossen am .+, nach Ablauf der Frist \(.+\)\. Ergebnis: Pratica definita\.$/ }).waitFor();
    await page.locator('#lang').selectOption('en');
    await page.locator('#t-closed', { hasText: /^Request closed on .+, after its due time \(.+\)\. Outcome: Pratica definita\.$/ }).waitFor();
    await page.locator('#lang').selectOption('it');
    await page.locator('#t-closed', { hasText: 'oltre la scadenza del' }).waitFor();
  });

  test('a request first answered after its due time says when; one closed in time says neither', async () => {
    const page = ctx.page;
    const [late, inTime] = [ctx.old[1]!, ctx.fresh[0]!];
    const tok = await colleague();
    assert.is((await api(tok, 'POST', `/api/v1/tickets/${late.id}/replies`, { body: 'Il conguaglio è in lavorazione.' })).status, 201);
    for (const t of [late, inTime]) assert.is((await api(tok, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Informazioni fornite' })).status, 200);
    await page.getByLabel('Stato').selectOption('closed');
    await page.locator('.q-item', { hasText: late.protocol }).click();
    await page.locator('#t-closed', { hasText: /^Richiesta chiusa il .+\. Prima risposta il \d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}, oltre la scadenza del .+\. Esito: Informazioni fornite\.$/ }).waitFor();
    await page.locator('.q-item', { hasText: inTime.protocol }).click();
    await page.locator('#t-title', { hasText: inTime.subject }).waitFor();
    assert.match((await page.locator('#t-closed').textContent()) ?? '', /^Richiesta chiusa il \d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}\. Esito: Informazioni fornite\.$/);
    await page.getByLabel('Stato').selectOption('active');
    await page.locator('.q-item', { hasText: inTime.protocol }).waitFor({ state: 'detached' });
  });

  test('a closed request’s row in the list says when it was closed, not a due time, in Italian, German and English', async () => {
    const page = ctx.page;
    await page.getByLabel('Stato').selectOption('closed');
    const due = page.locator('.q-item', { hasText: ctx.fresh[0]!.protocol }).locator('.q-due');
    await due.filter({ hasText: /^chiusa il \d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}$/ }).waitFor();
    await chromium.shot(page, 'closed-list', false);
    await page.locator('#lang').selectOption('de');
    await due.filter({ hasText: /^abgeschlossen am \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/ }).waitFor();
    await page.locator('#lang').selectOption('en');
    await due.filter({ hasText: /^closed on \d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}$/ }).waitFor();
    await page.locator('#lang').selectOption('it');
    await page.getByLabel('Stato').selectOption('active');
    await due.waitFor({ state: 'detached' });
  });

  test('after closing a request that leaves the list, Shift+Tab from its title goes to the list’s start, not its last row', async () => {
    const page = ctx.page;
    const t = ctx.old[2]!;
    await page.locator('.q-item', { hasText: t.protocol }).click();
    await page.locator('#t-title', { hasText: t.subject }).waitFor();
    await closeOnScreen(page);
    await page.locator('.q-item', { hasText: t.protocol }).waitFor({ state: 'detached' });
    assert.is(await focused(page), 't-title');
    const rows = page.locator('.q-item');
    assert.ok((await rows.count()) >= 2, 'a first row and a last row');
    await page.keyboard.press('Shift+Tab');
    assert.is(await focused(page), await rows.first().getAttribute('data-id'));
  });

  test('after closing a request the list still shows, Shift+Tab from its title goes back to its row', async () => {
    const page = ctx.page;
    await page.getByLabel('Stato').selectOption('all');
    await page.locator('.q-item').nth(5).waitFor();
    // Of the two still open (opened at the same instant, so in either order), the one that is not the list's last row.
    const ids = await page.locator('.q-item').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.id));
    const t = [ctx.fresh[1]!, ctx.fresh[2]!].sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id))[0]!;
    assert.ok(ids.indexOf(t.id) < ids.length - 1);
    const row = page.locator('.q-item', { hasText: t.protocol });
    await row.click();
    await page.locator('#t-title', { hasText: t.subject }).waitFor();
    await closeOnScreen(page);
    await row.locator('.badge', { hasText: 'Chiusa' }).waitFor();
    assert.is(await focused(page), 't-title');
    await page.keyboard.press('Shift+Tab');
    assert.is(await focused(page), t.id);
    await chromium.shot(page, 'back-to-row', false);
    assert.equal(await chromium.axe(page, 'office closing'), []);
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
