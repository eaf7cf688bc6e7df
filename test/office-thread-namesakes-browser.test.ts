/**
 * Namesakes in a request's thread and notes, in the office console
 * (widgets/office/) in a real browser (Debian chromium through playwright-core):
 * two operators of SEDE-MI both called «Laura Bianchi» reply to a worker and
 * write internal notes on the same request; each reply and note names its
 * author with their user code too, as the rest of the console does, so the
 * two are told apart by eye and by a screen reader (the code is in the text,
 * not only in a tooltip). An author with no namesake keeps the name alone.
 * axe-core finds no serious or critical violation. Screenshot:
 * test/screenshots/office-thread-namesakes*.png. Skips without chromium.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { browserHarness, chromiumOrSkip, serverApi, type Json } from './helpers/browser.ts';
import { startServer } from './helpers/server.ts';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const chromium = browserHarness({ console: { expected: /^$/ }, prefix: 'office-thread-', context: { viewport: { width: 1366, height: 900 } }, fullPage: true });
const ctx = { server: null as { url: string; close(): Promise<void> } | null, page: null as unknown as Page, ticket: {} as Json };
const { api, devToken } = serverApi(() => ctx.server!.url);

/** The accessible names of a list's author lines, as a screen reader reads them. */
const authors = (page: Page, list: string, meta: string) => page.locator(`${list} ${meta} strong`).allTextContents();

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    await chromium.launch();
    ctx.page = await chromium.newPage('office');
    const worker = await devToken({ role: 'worker', sub: 'w-namesakes', province: 'MI', name: 'Mario Bianchi' });
    const created = await api(worker, 'POST', '/api/v1/tickets', { subject: 'Anticipo CIGO di giugno', category: 'cigo', body: 'Quando arriva l’anticipo?' });
    assert.is(created.status, 201, JSON.stringify(created.body));
    ctx.ticket = created.body;
    const id = ctx.ticket.id;
    const laura = (sub: string) => devToken({ role: 'office', sub, sede: 'SEDE-MI', name: 'Laura Bianchi' });
    const [first, second] = [await laura('op-bianchi-1'), await laura('op-bianchi-2')];
    const conti = await devToken({ role: 'office', sub: 'op-conti', sede: 'SEDE-MI', name: 'Laura Conti' });
    for (const [token, path, body] of [
      [first, 'replies', 'Buongiorno, verifico la pratica.'],
      [second, 'replies', 'La pratica è in pagamento.'],
      [conti, 'replies', 'Le confermo la data.'],
      [first, 'notes', 'Chiesto all’ufficio prestazioni.'],
      [second, 'notes', 'Risposta arrivata: in pagamento.'],
    ] as const) {
      const res = await api(token, 'POST', `/api/v1/tickets/${id}/${path}`, { body });
      assert.is(res.status, 201, JSON.stringify(res.body));
    }
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('two operators of the same name in one thread are each named with their user code, in replies and in notes; a name without a namesake stays alone', async () => {
    const page = ctx.page;
    await signInOffice(page, ctx.server!.url, 'SEDE-MI', 'Ugo Lettore', 'op-lettore');
    await page.locator('.q-item', { hasText: ctx.ticket.protocol }).click();
    await page.getByRole('heading', { name: 'Anticipo CIGO di giugno' }).waitFor();
    await page.locator('#t-thread .reply').nth(3).waitFor();
    await page.locator('#t-notes .note-item').nth(1).waitFor();
    await page.locator('#t-notes').screenshot({ path: `${SHOTS}office-thread-namesakes-notes.png` });
    await page.locator('#t-thread').screenshot({ path: `${SHOTS}office-thread-namesakes.png` });
    assert.equal(await authors(page, '#t-thread', '.reply-meta'), [
      'Mario Bianchi (Lavoratore)',
      'Laura Bianchi (op-bianchi-1, Sede)',
      'Laura Bianchi (op-bianchi-2, Sede)',
      'Laura Conti (Sede)',
    ]);
    assert.equal(await authors(page, '#t-notes', '.note-meta'), ['Laura Bianchi (op-bianchi-1, Sede)', 'Laura Bianchi (op-bianchi-2, Sede)']);
    // What a screen reader says for the reply: its author line, code included.
    const heard = await page.locator('#t-thread .reply').nth(1).locator('.reply-meta').evaluate((p) => (p as HTMLElement).innerText);
    assert.match(heard, /^Laura Bianchi \(op-bianchi-1, Sede\) · /);
    assert.equal(await chromium.axe(page, 'thread namesakes'), []);
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
