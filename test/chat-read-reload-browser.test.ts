/**
 * Read receipts across a reload of the chat (widgets/chat/ over
 * widgets/lib/chat-client.js) in a real browser (Debian chromium through
 * playwright-core): a worker writes two messages, the advisor (a real socket)
 * reads the first, and the worker's page says «Letto» under it and «Inviato»
 * under the other; after a reload it says the same, from the read position the
 * server keeps and sends in the welcome (`peerReadSeq`). axe-core finds no
 * serious or critical violation. A message half typed is there again after a
 * reload, and gone once sent. Screenshots: test/screenshots/chat-read-*.png.
 * Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { workerAsksForChat } from './helpers/pages.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, prefix: 'chat-read-', context: { viewport: { width: 800, height: 900 } } });
const ctx = { server: null as TestServer | null, page: null as unknown as Page, advisor: null as unknown as TestSocket };

/** The status line under the worker's own message `text`. */
const statusOf = (page: Page, text: string) => page.locator('.msg.mine', { hasText: text }).locator('.msg-status');

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    [ctx.advisor] = await TestSocket.signIn(ctx.server.wsUrl, await ctx.server.token({ role: 'advisor', sub: 'adv-anna', name: 'Anna Rossi' }));
    assert.is((await ctx.advisor.request({ type: 'advisor.status', status: 'available' })).type, 'ok');
    await chromium.launch();
    ctx.page = await chromium.newPage('worker');
  });

  test.after(async () => {
    await chromium.close();
    ctx.advisor?.drop();
    await ctx.server?.close();
  });

  test('after a reload the messages the advisor had read still say «Letto», and the unread one «Inviato»', async () => {
    const page = ctx.page;
    await workerAsksForChat(page, ctx.server!.url);
    await page.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    const write = async (text: string) => {
      await page.getByLabel('Il tuo messaggio').fill(text);
      await page.getByLabel('Il tuo messaggio').press('Enter');
      return ctx.advisor.next('message', (m) => m.text === text, 10_000);
    };
    const first = await write('Buongiorno, la mia domanda di CIGO è ferma.');
    ctx.advisor.send({ type: 'read', conversationId: first.conversationId, seq: first.seq });
    await statusOf(page, 'è ferma').filter({ hasText: 'Letto' }).waitFor();
    await write('Vi allego il numero di protocollo.');
    await statusOf(page, 'numero di protocollo').filter({ hasText: 'Inviato' }).waitFor();
    await chromium.shot(page, 'before-reload');

    await page.reload();
    await page.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    await statusOf(page, 'numero di protocollo').filter({ hasText: 'Inviato' }).waitFor();
    await statusOf(page, 'è ferma').waitFor();
    await chromium.shot(page, 'after-reload');
    assert.equal(await page.locator('.msg.mine .msg-status').allTextContents(), ['Letto', 'Inviato']);
    assert.equal(await chromium.axe(page, 'after reload'), []);
  });

  test('a message half typed survives a reload and is there to send; once sent, a reload leaves the box empty', async () => {
    const page = ctx.page;
    const box = page.getByLabel('Il tuo messaggio');
    const draft = 'La mia domanda è lunga: il datore di lavoro ha anticipato';
    await box.pressSequentially(draft, { delay: 5 });
    await page.reload();
    await page.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    assert.is(await box.inputValue(), draft);
    await box.press('End');
    await box.pressSequentially(' marzo.', { delay: 5 });
    await box.press('Enter');
    await ctx.advisor.next('message', (m) => m.text === `${draft} marzo.`, 10_000);
    await page.reload();
    await page.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    await page.locator('.msg.mine', { hasText: 'anticipato marzo.' }).waitFor();
    assert.is(await box.inputValue(), '');
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
