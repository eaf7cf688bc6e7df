/**
 * The office console's filters (widgets/office/) on the screen a sede works
 * on, 1024×768, in a real browser (Debian chromium through playwright-core):
 * compact enough that the list starts under 300 px and shows six whole
 * requests at least without scrolling (three before); the less-used filters (matricola, dates) folded under "Altri
 * filtri", a disclosure button that says how many of them are set; every
 * filter reachable by keyboard and labelled; a refused date unfolds them to
 * be corrected. axe-core finds no serious or critical violation.
 * Screenshots: test/screenshots/office-filters-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { browserHarness, chromiumOrSkip, reflowProblems, serverApi } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({ console: { expected: /^$/ }, prefix: 'office-filters-', context: { viewport: { width: 1024, height: 768 } } });
const ctx = { server: null as TestServer | null, page: null as unknown as Page };
const { api, devToken } = serverApi(() => ctx.server!.url);
const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');
const more = (page: Page) => page.locator('#f-more-toggle');
const LONG_SUBJECT = 'Pagamento diretto della CIGO di marzo e aprile non ricevuto dopo il decreto di autorizzazione della sede';

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    const worker = await devToken({ role: 'worker', sub: 'w-filters', province: 'MI', name: 'Giuseppe Rossi' });
    // Subjects as users write them, short and long: a long one wrapped, a row of three lines, and only six rows fitted.
    const subjects = ['Pagamento CIGO di marzo', 'Domanda CIGO ferma da settimane', 'Conguaglio CIGO di aprile', LONG_SUBJECT, 'CIGO per l’unità produttiva di Roma', `${LONG_SUBJECT}: sollecito`];
    for (let i = 1; i <= 12; i++) {
      const res = await api(worker, 'POST', '/api/v1/tickets', { subject: `${subjects[i % subjects.length]} (${i})`, category: 'payment', body: 'Non ho ricevuto il pagamento.' });
      assert.is(res.status, 201);
    }
    await chromium.launch();
    ctx.page = await chromium.newPage('office');
    await signInOffice(ctx.page, ctx.server.url, 'SEDE-MI', 'Laura Conti', 'op-conti');
    await ctx.page.locator('.q-item').nth(11).waitFor();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('at 1024×768 the list starts under compact filters and shows eight requests without scrolling, long subjects too', async () => {
    const page = ctx.page;
    // Was three (the filters took 240 px, each row three lines), then six when subjects were long (they wrapped): now eight.
    const shown = await page.evaluate(() => [...document.querySelectorAll('.q-item')].filter((row) => row.getBoundingClientRect().bottom <= window.innerHeight).length);
    assert.ok(shown >= 8, `${shown} requests above the fold`);
    const top = await page.locator('#queue').boundingBox();
    assert.ok(top && top.y <= 300, `the list starts at ${top?.y} px`);
    await chromium.shot(page, '1024', false);
    assert.equal(await chromium.axe(page, 'office filters at 1024×768'), []);
  });

  test('a long subject keeps to one line, ending in "…"; its whole text is the row\'s name and its title', async () => {
    const page = ctx.page;
    const rows = page.locator('.q-item', { hasText: LONG_SUBJECT });
    assert.ok((await rows.count()) >= 4);
    for (const row of await rows.all()) {
      const subject = row.locator('.q-subject');
      const full = (await subject.textContent()) ?? '';
      assert.ok(full.startsWith(LONG_SUBJECT), full);
      const lines = await subject.evaluate((el) => Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)));
      assert.is(lines, 1, `${full}: one line`);
      assert.ok(await subject.evaluate((el) => el.scrollWidth > el.clientWidth), 'cut, with the ellipsis');
      assert.is(await subject.getAttribute('title'), full);
      assert.ok(((await row.getAttribute('aria-label')) ?? (await row.textContent()) ?? '').includes(full), 'the accessible name has it whole');
    }
    await page.getByRole('button', { name: new RegExp(`${LONG_SUBJECT}: sollecito`) }).first().waitFor();
  });

  test('the less-used filters are folded under "Altri filtri", which says how many of them are set', async () => {
    const page = ctx.page;
    assert.is(await more(page).getAttribute('aria-expanded'), 'false');
    assert.ok(await page.getByLabel('Matricola').isHidden());
    await more(page).click();
    assert.is(await more(page).getAttribute('aria-expanded'), 'true');
    await page.getByLabel('Matricola').fill('0000000000');
    await page.getByRole('button', { name: 'Altri filtri (attivi: 1)' }).waitFor();
    await page.getByLabel('Aperte dal').fill('01/01/2000');
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.locator('#queue-count', { hasText: 'Nessuna richiesta con questi filtri.' }).waitFor();
    await more(page).click();
    // Folded, the filters still narrow the list, and the button says so.
    assert.ok(await page.getByLabel('Matricola').isHidden());
    await page.getByRole('button', { name: 'Altri filtri (attivi: 2)', expanded: false }).waitFor();
    await chromium.shot(page, 'folded-active', false);
    await page.locator('#lang').selectOption('de');
    await page.getByRole('button', { name: 'Weitere Filter (aktiv: 2)' }).waitFor();
    await page.locator('#lang').selectOption('it');
    await page.getByRole('button', { name: 'Azzera' }).click();
    await page.getByRole('button', { name: 'Altri filtri', exact: true }).waitFor();
    await page.locator('.q-item').nth(11).waitFor();
  });

  test('every filter is reached by keyboard, labelled, in the order it is seen', async () => {
    const page = ctx.page;
    await page.locator('#compose-open').focus();
    const order: string[] = [];
    for (let i = 0; i < 9; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.id || (document.activeElement?.textContent ?? '').trim()));
      if (order.at(-1) === 'f-more-toggle' && (await more(page).getAttribute('aria-expanded')) === 'false') await page.keyboard.press('Enter');
    }
    assert.equal(order, ['f-status', 'f-subject', 'f-overdue', 'f-more-toggle', 'Azzera', 'Filtra', 'f-matricola', 'f-from', 'f-to']);
    for (const label of ['Stato', 'Oggetto contiene', 'Solo in ritardo', 'Matricola', 'Aperte dal', 'Aperte fino al']) assert.is(await page.getByLabel(label, { exact: true }).count(), 1, label);
  });

  test('a day that does not exist, typed under the folded filters, unfolds them with the focus on it', async () => {
    const page = ctx.page;
    if ((await more(page).getAttribute('aria-expanded')) === 'false') await more(page).click();
    await page.getByLabel('Aperte fino al').fill('31/02/2026');
    await more(page).click();
    assert.ok(await page.getByLabel('Aperte fino al').isHidden());
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.locator('#queue-error', { hasText: '«Aperte fino al»: il 31/02/2026 non esiste nel calendario.' }).waitFor();
    assert.is(await more(page).getAttribute('aria-expanded'), 'true');
    assert.is(await focused(page), 'f-to');
    await page.getByRole('button', { name: 'Azzera' }).click();
  });

  test('at 320 px the filters fit, folded and unfolded', async () => {
    const page = await chromium.newPage('office-320', { viewport: { width: 320, height: 640 } });
    await signInOffice(page, ctx.server!.url, 'SEDE-MI', 'Laura Conti', 'op-conti');
    await page.locator('.q-item').first().waitFor();
    await page.locator('#filters').screenshot({ path: 'test/screenshots/office-filters-320-folded.png' });
    await more(page).click();
    assert.equal(await reflowProblems(page, ['#f-status', '#f-subject', '#f-more-toggle', '#f-matricola', '#f-from', '#f-to', '#filters button[type="submit"]']), []);
    await page.locator('#filters').screenshot({ path: 'test/screenshots/office-filters-320-unfolded.png' });
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
