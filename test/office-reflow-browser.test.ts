/**
 * The office console (widgets/office/) as an operator works it on an ordinary
 * office screen, in a real browser (Debian chromium through playwright-core):
 * at 1024 px with text at 200 % a request opened from the list fits beside or
 * under it (the list beside the request only where both fit), a search by
 * dates the wrong way round says so instead of "no requests", and a request
 * due today or tomorrow says so in the list and in its pane. axe-core finds
 * no serious or critical violation. Screenshots: test/screenshots/office-reflow-*.png.
 * Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { browserHarness, chromiumOrSkip, reflowProblems, serverApi, type Json } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({ console: { expected: /^$/ }, prefix: 'office-reflow-', fullPage: true });
const ctx = { server: null as TestServer | null, page: null as unknown as Page, ticket: {} as Json };
const { api, devToken } = serverApi(() => ctx.server!.url);

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    const worker = await devToken({ role: 'worker', sub: 'w-office-reflow', province: 'MI', name: 'Mario Bianchi' });
    const res = await api(worker, 'POST', '/api/v1/tickets', { subject: 'Pagamento diretto CIGO di marzo non ricevuto', category: 'payment', body: 'Non ho ricevuto il pagamento.' });
    assert.is(res.status, 201);
    ctx.ticket = res.body;
    await chromium.launch();
    ctx.page = await chromium.newPage('office', { viewport: { width: 1024, height: 800 } });
    await signInOffice(ctx.page, ctx.server.url, 'SEDE-MI', 'Laura Conti', 'op-conti');
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('at 1024 px with text at 200 % a request opened from the list fits: nothing scrolls sideways, every form is on screen', async () => {
    const page = ctx.page;
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    await page.locator('.q-item', { hasText: ctx.ticket.protocol }).click();
    await page.getByRole('heading', { name: 'Pagamento diretto CIGO di marzo non ricevuto' }).waitFor();
    const detail = await page.locator('#detail').boundingBox();
    assert.ok(detail && detail.width > 600, `the request has room to be read: ${detail?.width} px`);
    await page.locator('#f-more-toggle').click(); // the dates, folded under "Altri filtri"
    const controls = ['#lang', '#signout', '#f-status', '#f-more-toggle', '#f-to', '#t-title', '#take', '#reply-text', '#close-outcome', '#transfer-sede'];
    assert.equal(await reflowProblems(page, controls), []);
    await page.evaluate(() => window.scrollTo(0, 0));
    await chromium.shot(page, 'zoom-top', false);
    assert.equal(await chromium.axe(page, 'office 1024 200%'), []);
    await page.evaluate(() => (document.documentElement.style.fontSize = ''));
  });

  test('at 1024 px with ordinary text the list stays beside the request', async () => {
    const page = ctx.page;
    const [queue, detail] = [await page.locator('.queue-pane').boundingBox(), await page.locator('#detail').boundingBox()];
    assert.ok(queue && detail && queue.x + queue.width <= detail.x, 'side by side');
    await chromium.shot(page, 'desktop', false);
  });

  test('a search by dates the wrong way round says so, and keeps the list it had', async () => {
    const page = ctx.page;
    await page.getByLabel('Aperte dal').fill('20/12/2000');
    await page.getByLabel('Aperte fino al').fill('1.12.2000');
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.locator('#queue-error', { hasText: 'La data «Aperte dal» è successiva a «Aperte fino al»' }).waitFor();
    assert.is(await page.evaluate(() => document.activeElement?.id), 'f-from', 'the focus on the date to correct');
    assert.is(await page.locator('#f-from').getAttribute('aria-invalid'), 'true');
    assert.is(await page.locator('.q-item', { hasText: ctx.ticket.protocol }).count(), 1, 'the list it had stays');
    await chromium.shot(page, 'bad-range', false);
    // A day the calendar lacks, in the page's language, on its field; what was typed stays.
    await page.getByLabel('Aperte fino al').fill('31/04/2000');
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.locator('#queue-error', { hasText: '«Aperte fino al»: il 31/04/2000 non esiste nel calendario.' }).waitFor();
    assert.is(await page.evaluate(() => document.activeElement?.id), 'f-to');
    assert.equal([await page.locator('#f-from').getAttribute('aria-invalid'), await page.locator('#f-to').getAttribute('aria-invalid')], [null, 'true']);
    assert.is(await page.locator('#f-to').inputValue(), '31/04/2000');
    assert.is(await page.locator('.q-item', { hasText: ctx.ticket.protocol }).count(), 1, 'the list it had stays');
    assert.is(await page.locator('#f-from-format').textContent(), 'gg/mm/aaaa');
    await chromium.shot(page, 'bad-date', false);
    assert.equal(await chromium.axe(page, 'office, a date refused'), []);
    // In German the format and the day typed follow; a pasted ISO day is read.
    await page.locator('#lang').selectOption('de');
    assert.equal([await page.locator('#f-from-format').textContent(), await page.locator('#f-from').inputValue()], ['TT.MM.JJJJ', '20.12.2000']);
    await page.locator('#lang').selectOption('it');
    await page.getByLabel('Aperte dal').fill('2000-01-01');
    await page.getByLabel('Aperte fino al').fill('2/1/2000');
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.locator('#queue-count', { hasText: 'Nessuna richiesta' }).waitFor();
    assert.is(await page.locator('#queue-error').innerText(), '');
    assert.equal([await page.locator('#f-from').inputValue(), await page.locator('#f-to').inputValue()], ['01/01/2000', '02/01/2000']);
    assert.is(await page.locator('#f-from').getAttribute('aria-invalid'), null);
  });

  for (const [hoursBefore, words] of [[3, 'Scade oggi'], [27, 'Scade domani']] as const) {
    test(`a request due in ${hoursBefore} hours says "${words}" in the list and in its pane`, async () => {
      // The page's clock put before the request's due time; the server's (now) keeps it not overdue.
      const page = await chromium.newPage(`due-${hoursBefore}`, { viewport: { width: 1366, height: 900 } });
      await page.clock.setFixedTime(Date.parse(ctx.ticket.dueAt) - hoursBefore * 3_600_000);
      await signInOffice(page, ctx.server!.url, 'SEDE-MI', 'Laura Conti', 'op-conti');
      const item = page.locator('.q-item', { hasText: ctx.ticket.protocol });
      await item.locator('.badge.due-soon', { hasText: words }).waitFor();
      await item.click();
      await page.locator('#t-due-soon', { hasText: words }).waitFor();
      await page.locator('#lang').selectOption('de');
      await page.locator('#t-due-soon', { hasText: hoursBefore === 3 ? 'Heute fällig' : 'Morgen fällig' }).waitFor();
      await chromium.shot(page, `due-${hoursBefore}`, false);
      assert.equal(await chromium.axe(page, `due ${hoursBefore}`), []);
    });
  }

  test('a request due later has no such word', async () => {
    const page = await chromium.newPage('due-later', { viewport: { width: 1366, height: 900 } });
    await page.clock.setFixedTime(Date.parse(ctx.ticket.dueAt) - 60 * 3_600_000);
    await signInOffice(page, ctx.server!.url, 'SEDE-MI', 'Laura Conti', 'op-conti');
    await page.locator('.q-item', { hasText: ctx.ticket.protocol }).waitFor();
    assert.is(await page.locator('.q-item .badge.due-soon').count(), 0);
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
