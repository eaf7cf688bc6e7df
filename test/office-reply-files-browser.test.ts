/**
 * The files of an office reply (widgets/office/ticket-forms.js) at the office
 * console of INPS Sede di Milano, 1024×768, in a real browser (Debian chromium
 * through playwright-core): what is wrong with the files chosen (a fourth, one
 * over 5 MB) is said as they are chosen, not only at «Invia la risposta», and
 * goes away when the choice is fixed; a file the server refuses for its content
 * takes the focus to the files, marked invalid, since they are what to change,
 * in a reply and in a letter written first («Scrivi a un utente»), whose
 * files are also checked as chosen; the empty text's message goes as the
 * operator writes.
 * Screenshots: test/screenshots/office-reply-files-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { browserHarness, chromiumOrSkip, serverApi } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { EXE, PDF, pdfOfSize } from './helpers/sample-files.ts';

// The server's 415 for the refused file is logged by chromium as a failed resource.
const chromium = browserHarness({ console: { expected: /status of (415|503)/ }, prefix: 'office-reply-files-', context: { viewport: { width: 1024, height: 768 } } });
const ctx = { server: null as TestServer | null, page: null as unknown as Page };
const { api, devToken } = serverApi(() => ctx.server!.url);
const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');
const pdf = (name: string) => ({ name, mimeType: 'application/pdf', buffer: PDF });

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    const worker = await devToken({ role: 'worker', sub: 'w-files', province: 'MI', name: 'Giuseppe Rossi' });
    const res = await api(worker, 'POST', '/api/v1/tickets', { subject: 'Pagamento CIGO di marzo', category: 'payment', body: 'Non ho ricevuto il pagamento.' });
    assert.is(res.status, 201);
    await chromium.launch();
    ctx.page = await chromium.newPage('office');
    await signInOffice(ctx.page, ctx.server.url, 'SEDE-MI', 'Laura Conti', 'op-conti');
    await ctx.page.locator('.q-item').first().click();
    await ctx.page.locator('#reply-text').waitFor();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('choosing a fourth file says at once that three is the most, and choosing three takes the message away', async () => {
    const page = ctx.page;
    const files = page.getByLabel('Allegati (facoltativi)');
    await files.setInputFiles(['a.pdf', 'b.pdf', 'c.pdf', 'd.pdf'].map(pdf));
    await page.locator('#reply-error', { hasText: 'Puoi allegare al massimo 3 file.' }).waitFor();
    assert.is(await files.getAttribute('aria-invalid'), 'true');
    await chromium.shot(page, 'four', true);
    await files.setInputFiles(['a.pdf', 'b.pdf', 'c.pdf'].map(pdf));
    await page.locator('#reply-chosen li').nth(2).waitFor();
    assert.is(await page.locator('#reply-error').textContent(), '');
    assert.is(await files.getAttribute('aria-invalid'), null);
  });

  test('a file the server refuses for its content puts the focus on the files, marked, to change them', async () => {
    const page = ctx.page;
    const files = page.getByLabel('Allegati (facoltativi)');
    await page.getByLabel('Testo della risposta').fill('Gentile utente, trova allegato il modulo.');
    // Named .pdf: only its content (a program) gives it away, on the server.
    await files.setInputFiles([{ name: 'modulo.pdf', mimeType: 'application/pdf', buffer: EXE }]);
    assert.is(await page.locator('#reply-error').textContent(), '');
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('#reply-error', { hasText: 'attachment_type_refused' }).waitFor();
    assert.is(await focused(page), 'reply-files');
    assert.is(await files.getAttribute('aria-invalid'), 'true');
    assert.is(await page.getByLabel('Testo della risposta').inputValue(), 'Gentile utente, trova allegato il modulo.', 'the text stays');
    await chromium.shot(page, 'refused', true);
    // A good file then sends the reply, with no mark left.
    await files.setInputFiles([pdf('modulo.pdf')]);
    assert.is(await page.locator('#reply-error').textContent(), '');
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('#t-thread li', { hasText: 'trova allegato il modulo' }).waitFor();
    assert.is(await files.getAttribute('aria-invalid'), null);
  });

  test('a letter to a user with a file the server refuses keeps the focus, on the files, marked; another refusal leaves it on «Invia»', async () => {
    const page = ctx.page;
    await page.getByRole('button', { name: 'Scrivi a un utente' }).click();
    await page.locator('#compose-user').fill('w-files');
    await page.locator('#compose-subject').fill('Documenti mancanti');
    await page.locator('#compose-body').fill('Gentile utente, ci invii il modulo SR41 firmato.');
    const files = page.locator('#compose-files');
    await files.setInputFiles([{ name: 'sr41.pdf', mimeType: 'application/pdf', buffer: EXE }]);
    await page.getByRole('button', { name: 'Invia la comunicazione' }).click();
    await page.locator('#compose-error', { hasText: 'attachment_type_refused' }).waitFor();
    // It was lost to the page with the button disabled while sending.
    assert.is(await focused(page), 'compose-files');
    assert.is(await files.getAttribute('aria-invalid'), 'true');
    await files.setInputFiles([]);
    // Refused for something else (an outage here): back on the button pressed.
    await page.route('**/api/v1/tickets', (route) => (route.request().method() === 'POST' ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'store_unavailable', message: 'down' } }) }) : route.continue()));
    await page.getByRole('button', { name: 'Invia la comunicazione' }).click();
    await page.locator('#compose-error', { hasText: 'store_unavailable' }).waitFor();
    assert.is(await focused(page), 'compose-send');
    await page.unroute('**/api/v1/tickets');
    await page.getByRole('button', { name: 'Annulla' }).click();
    // the request again, for what follows
    await page.locator('.q-item').first().click();
    await page.locator('#reply-text').waitFor();
  });

  test('a file over 5 MB is named as it is chosen; another problem in the text is not taken away by a good choice', async () => {
    const page = ctx.page;
    const files = page.getByLabel('Allegati (facoltativi)');
    await files.setInputFiles([{ name: 'busta-paga.pdf', mimeType: 'application/pdf', buffer: pdfOfSize(5 * 1024 * 1024 + 1) }]);
    await page.locator('#reply-error', { hasText: '«busta-paga.pdf» supera i 5 MB.' }).waitFor();
    await files.setInputFiles([]);
    assert.is(await page.locator('#reply-error').textContent(), '');
    // An empty text is said at «Invia»; choosing files then leaves that message, which is not about them.
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    const said = (await page.locator('#reply-error').textContent()) ?? '';
    assert.ok(said.length > 0, 'the empty text is refused');
    await files.setInputFiles([pdf('a.pdf')]);
    assert.is(await page.locator('#reply-error').textContent(), said);
  });

  test('the empty text\'s message goes once the operator writes, not at the next «Invia»', async () => {
    const page = ctx.page;
    const text = page.getByLabel('Testo della risposta');
    await text.fill('');
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('#reply-error', { hasText: 'Scrivi il testo della risposta.' }).waitFor();
    assert.is(await text.getAttribute('aria-invalid'), 'true');
    // Spaces are still no text: the message stays.
    await text.pressSequentially('  ');
    assert.is(await page.locator('#reply-error').textContent(), 'Scrivi il testo della risposta.');
    await text.pressSequentially('Gentile');
    assert.is(await page.locator('#reply-error').textContent(), '');
    assert.is(await text.getAttribute('aria-invalid'), null);
    await chromium.shot(page, 'text-fixed', true);
  });

  test('a letter to a user says a fourth file or one over 5 MB as they are chosen, and takes the message away when the choice is right', async () => {
    const page = ctx.page;
    await page.getByRole('button', { name: 'Scrivi a un utente' }).click();
    const files = page.locator('#compose-files');
    const error = page.locator('#compose-error');
    await files.setInputFiles(['a.pdf', 'b.pdf', 'c.pdf', 'd.pdf'].map(pdf));
    await error.filter({ hasText: 'Puoi allegare al massimo 3 file.' }).waitFor();
    assert.is(await files.getAttribute('aria-invalid'), 'true');
    await chromium.shot(page, 'letter-four', true);
    await files.setInputFiles([{ name: 'cud.pdf', mimeType: 'application/pdf', buffer: pdfOfSize(5 * 1024 * 1024 + 1) }]);
    await error.filter({ hasText: '«cud.pdf» supera i 5 MB.' }).waitFor();
    await files.setInputFiles([pdf('a.pdf')]);
    assert.is(await error.textContent(), '');
    assert.is(await files.getAttribute('aria-invalid'), null);
    await page.getByRole('button', { name: 'Annulla' }).click();
    await page.locator('.q-item').first().click();
    await page.locator('#reply-text').waitFor();
  });
}

test.run();
