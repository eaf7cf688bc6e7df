/**
 * Closing a request at the office console (widgets/office/ticket-forms.js) of
 * INPS Sede di Milano, 1024×768, in a real browser (Debian chromium through
 * playwright-core): no outcome is chosen for the operator, so «Chiudi la
 * richiesta» with none chosen says to choose one (the message going once one
 * is) and closes nothing; a request nobody has answered yet says so in the form
 * before it is closed, in Italian, German and English, and no longer once
 * answered. The English request facts say "Reply due by". Screenshots:
 * test/screenshots/office-close-deliberate-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { browserHarness, chromiumOrSkip, serverApi, type Json } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({ console: { expected: /^$/ }, prefix: 'office-close-deliberate-', context: { viewport: { width: 1024, height: 768 } } });
const ctx = { server: null as TestServer | null, page: null as unknown as Page, tickets: [] as Json[] };
const { api, devToken } = serverApi(() => ctx.server!.url);
const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

async function openOnScreen(page: Page, t: Json): Promise<void> {
  await page.locator('.q-item', { hasText: t.protocol }).click();
  await page.locator('#t-title', { hasText: t.subject }).waitFor();
}

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    const worker = await devToken({ role: 'worker', sub: 'w-close', province: 'MI', name: 'Giuseppe Rossi' });
    for (const subject of ['Anticipo CIGO di aprile', 'Domanda FIS respinta']) {
      const res = await api(worker, 'POST', '/api/v1/tickets', { subject, category: 'cigo', body: 'Vorrei sapere a che punto è.' });
      assert.is(res.status, 201);
      ctx.tickets.push(res.body);
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

  test('«Chiudi la richiesta» with no outcome chosen closes nothing and says to choose one; choosing one takes the message away', async () => {
    const page = ctx.page;
    const t = ctx.tickets[0]!;
    await openOnScreen(page, t);
    const outcome = page.getByLabel('Esito', { exact: true });
    assert.is(await outcome.inputValue(), '', 'nothing chosen for the operator');
    assert.is(await outcome.locator('option:checked').textContent(), '— Scegli l’esito —');
    await page.getByRole('button', { name: 'Chiudi la richiesta' }).click();
    const error = page.locator('#close-error');
    await error.filter({ hasText: 'Scegli l’esito della richiesta.' }).waitFor();
    assert.is(await outcome.getAttribute('aria-invalid'), 'true');
    assert.is(await focused(page), 'close-outcome');
    await chromium.shot(page, 'no-outcome', true);
    const stored = await api(await devToken({ role: 'office', sub: 'op-conti', sede: 'SEDE-MI', name: 'Laura Conti' }), 'GET', `/api/v1/tickets/${t.id}`);
    assert.is(stored.body.status, 'open', 'not closed');
    assert.ok(await page.locator('#t-closed').isHidden());
    await outcome.selectOption('info');
    assert.is(await error.textContent(), '');
    assert.is(await outcome.getAttribute('aria-invalid'), null);
    await page.getByRole('button', { name: 'Chiudi la richiesta' }).click();
    await page.locator('#t-closed', { hasText: 'Esito: Informazioni fornite.' }).waitFor();
  });

  test('a request nobody has answered says so in the close form, in Italian, German and English; once answered it does not', async () => {
    const page = ctx.page;
    const t = ctx.tickets[1]!;
    await openOnScreen(page, t);
    const note = page.locator('#close-unanswered');
    await note.filter({ hasText: 'Questa richiesta non ha ancora avuto risposta: chiudendola ora, chi ha scritto non ne riceverà.' }).waitFor();
    assert.ok(await note.isVisible());
    await page.locator('#close-form').scrollIntoViewIfNeeded();
    await chromium.shot(page, 'unanswered', true);
    await page.locator('#lang').selectOption('de');
    await note.filter({ hasText: 'Diese Anfrage wurde noch nicht beantwortet' }).waitFor();
    await page.locator('#lang').selectOption('en');
    await note.filter({ hasText: 'This request has had no reply yet' }).waitFor();
    await page.locator('#lang').selectOption('it');
    await page.getByLabel('Testo della risposta').fill('Gentile utente, la domanda è in istruttoria.');
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('#t-thread li', { hasText: 'in istruttoria' }).waitFor();
    await note.waitFor({ state: 'hidden' });
  });

  test('in English the request\'s deadline reads "Reply due by", in German "Antwort fällig bis"', async () => {
    const page = ctx.page;
    await page.locator('#lang').selectOption('en');
    await page.locator('#detail', { hasText: 'Reply due by' }).waitFor();
    assert.not.match(await page.locator('#detail').innerText(), /Recontact/);
    await page.locator('#lang').selectOption('de');
    await page.locator('#detail', { hasText: 'Antwort fällig bis' }).waitFor();
    await page.locator('#lang').selectOption('it');
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
