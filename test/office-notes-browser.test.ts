/**
 * The office console's "Note interne" (widgets/office/notes.js) in a real
 * browser (Debian chromium through playwright-core): an operator of SEDE-MI
 * opens a worker's request, reads that notes are for INPS staff only, is told
 * in words when the note is empty, adds one by keyboard and sees it listed
 * with author and time, apart from the thread; another request opened leaves
 * the unsent note behind; a closed request still takes notes; the section
 * speaks English; at 320 px with text at 200 % the skip link stays out of sight
 * until focused. The worker's own view (the API the chat's "Le mie
 * richieste" reads) carries none of it. axe-core finds no serious or critical
 * violations and the page logs no CSP violation or script error. Screenshots:
 * test/screenshots/notes-*.png and /tmp/shots-notes/. Skips without chromium.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { ManualClock } from '../routing/clock.ts';
import { browserHarness, chromiumOrSkip, serverApi, type Json } from './helpers/browser.ts';
import { startServer } from './helpers/server.ts';

const SHOTS = '/tmp/shots-notes';
const NOTE = 'Ho chiesto all’ufficio prestazioni l’esito del pagamento diretto, attendere risposta';

const chromium = browserHarness({
  console: { expected: /^$/ },
  prefix: 'notes-',
  context: { viewport: { width: 1366, height: 900 } },
  fullPage: true,
});
const { axe } = chromium;

const clock = new ManualClock(Date.now());
const ctx = {
  server: null as { url: string; close(): Promise<void> } | null,
  page: null as unknown as Page,
  first: {} as Json,
  second: {} as Json,
  workerToken: '',
};
const { api, devToken } = serverApi(() => ctx.server!.url);

async function shot(page: Page, name: string): Promise<void> {
  await chromium.shot(page, name);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

const focused = (page: Page) => page.evaluate(() => document.activeElement?.id);

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer({ clock });
    await chromium.launch();
    ctx.page = await chromium.newPage('notes');
    ctx.workerToken = await devToken({ role: 'worker', sub: 'w-notes', province: 'MI', name: 'Mario Bianchi' });
    const open = (subject: string) => api(ctx.workerToken, 'POST', '/api/v1/tickets', { subject, category: 'payment', body: 'Non ho ricevuto il pagamento.' });
    const [a, b] = [await open('Pagamento diretto di aprile'), await open('Conguaglio di maggio')];
    assert.is(a.status, 201);
    assert.is(b.status, 201);
    ctx.first = a.body;
    ctx.second = b.body;
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('an operator opens a request and finds the internal notes apart, saying they are for INPS staff only', async () => {
    const page = ctx.page;
    await signInOffice(page, ctx.server!.url, 'SEDE-MI', 'Laura Conti', 'op-conti');
    await page.locator('.q-item', { hasText: ctx.first.protocol }).click();
    await page.getByRole('heading', { name: 'Pagamento diretto di aprile' }).waitFor();
    const box = page.getByRole('region', { name: 'Note interne' });
    await box.getByRole('heading', { name: 'Note interne' }).waitFor();
    assert.match((await box.textContent()) ?? '', /Visibili solo al personale INPS/);
    await box.getByText('Nessuna nota interna.').waitFor();
    const [notesBg, replyBg] = await page.evaluate(() => [
      getComputedStyle(document.querySelector('#t-notes-box')!).backgroundColor,
      getComputedStyle(document.querySelector('#t-thread .reply')!).backgroundColor,
    ]);
    assert.is.not(notesBg, replyBg, 'a background of its own, unlike a reply');
  });

  test('an empty note is refused in words, by keyboard; a note written and sent by keyboard appears with author and time', async () => {
    const page = ctx.page;
    const text = page.getByLabel('Nuova nota per i colleghi');
    await text.focus();
    await page.keyboard.press('Tab');
    assert.is(await focused(page), 'note-send');
    await page.keyboard.press('Enter');
    await page.locator('#note-error', { hasText: 'Scrivi il testo della nota.' }).waitFor();
    assert.is(await focused(page), 'note-text');
    assert.is(await text.getAttribute('aria-invalid'), 'true');

    await page.keyboard.type(NOTE);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('#announce', { hasText: 'Nota interna aggiunta.' }).waitFor();
    const item = page.locator('#t-notes li.note-item');
    await item.waitFor();
    assert.match((await item.locator('.note-meta').textContent()) ?? '', /^Laura Conti \(Sede\) · \d/);
    assert.is(await item.locator('.note-body').textContent(), NOTE);
    assert.ok(await page.locator('#notes-empty').isHidden());
    assert.is(await text.inputValue(), '');
    assert.is(await text.getAttribute('aria-invalid'), null);
    assert.is(await page.locator('#note-error').textContent(), '');
    assert.is(await focused(page), 'note-text', 'ready for the next note');
    assert.not.ok(((await page.locator('#t-thread').textContent()) ?? '').includes('ufficio prestazioni'), 'not in the thread');
    assert.equal(await axe(page, 'office notes'), []);
    await shot(page, 'office-notes');
  });

  test('the worker’s view of the request (what the chat’s "Le mie richieste" reads) carries no note', async () => {
    const mine = await api(ctx.workerToken, 'GET', `/api/v1/tickets/${ctx.first.id}`);
    assert.is(mine.status, 200);
    assert.not.ok('notes' in mine.body);
    assert.not.ok(JSON.stringify(mine.body).includes('ufficio prestazioni'));
    const staff = await api(await devToken({ role: 'office', sub: 'op-2', sede: 'SEDE-MI' }), 'GET', `/api/v1/tickets/${ctx.first.id}`);
    assert.equal(staff.body.notes.map((n: Json) => n.body), [NOTE], 'stored, for colleagues');
  });

  test('an unsent note stays with its request: opening another one empties the form and shows that one’s notes', async () => {
    const page = ctx.page;
    await page.getByLabel('Nuova nota per i colleghi').fill('Bozza per la prima richiesta');
    await page.locator('#note-send').click();
    await page.locator('#announce', { hasText: 'Nota interna aggiunta.' }).waitFor();
    await page.getByLabel('Nuova nota per i colleghi').fill('Non inviata');
    await page.locator('.q-item', { hasText: ctx.second.protocol }).click();
    await page.locator('#t-protocol', { hasText: ctx.second.protocol }).waitFor();
    assert.is(await page.getByLabel('Nuova nota per i colleghi').inputValue(), '');
    assert.is(await page.locator('#t-notes li').count(), 0);
    await page.getByText('Nessuna nota interna.').waitFor();
    await page.locator('.q-item', { hasText: ctx.first.protocol }).click();
    await page.locator('#t-protocol', { hasText: ctx.first.protocol }).waitFor();
    await page.locator('#t-notes li').nth(1).waitFor();
    assert.is(await page.locator('#t-notes li').count(), 2);
  });

  test('a closed request still takes notes; the section speaks English', async () => {
    const page = ctx.page;
    await page.getByLabel('Esito', { exact: true }).selectOption('info');
    await page.getByRole('button', { name: 'Chiudi la richiesta' }).click();
    await page.locator('#t-status', { hasText: 'Chiusa' }).waitFor();
    assert.ok(await page.locator('#reply-form').isHidden());
    await page.getByLabel('Nuova nota per i colleghi').fill('Chiusa dopo la telefonata con l’azienda');
    await page.getByRole('button', { name: 'Aggiungi la nota interna' }).click();
    await page.locator('#t-notes li', { hasText: 'Chiusa dopo la telefonata' }).waitFor();
    await page.getByLabel('Lingua').selectOption('en');
    const box = page.getByRole('region', { name: 'Internal notes' });
    await box.getByText('Seen only by INPS staff').waitFor();
    await box.getByLabel('New note for colleagues').waitFor();
    assert.match((await box.locator('.note-meta').first().textContent()) ?? '', /^Laura Conti \(Office\)/);
    assert.equal(await axe(page, 'office notes, closed, English'), []);
    await shot(page, 'office-notes-closed-en');
    await page.getByLabel('Language').selectOption('it');
  });

  test('at 320 px with text at 200 % the skip link, two lines high, stays out of sight until focused', async () => {
    const page = await chromium.newPage('small', { viewport: { width: 320, height: 640 } });
    await page.goto(`${ctx.server!.url}/office/`);
    await page.locator('a.skip-link').waitFor({ state: 'attached' });
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    const skip = page.locator('a.skip-link');
    const box = (await skip.boundingBox())!;
    assert.ok(box.y + box.height <= 0, `out of sight (bottom at ${box.y + box.height} px)`);
    await skip.focus();
    assert.ok((await skip.boundingBox())!.y >= 0, 'focused, it is in sight');
    await page.close();
  });

  test('no Content-Security-Policy violation or script error was logged', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
