/**
 * The chat in a browser that blocks the page's storage, as one blocking site
 * data does for the bubble embedded in another site's page: touching
 * `sessionStorage` throws a SecurityError. The page must still sign in, keep
 * the message being typed, show the whole ended view with its rating question,
 * and sign out on "Esci"; only what it would keep across a reload is lost
 * (widgets/lib/tab-store.js). Before the guard, the first write threw: the
 * development sign-in never finished, the ended view stopped halfway and
 * "Esci" did nothing. Screenshots: test/screenshots/chat-nostorage-*.png.
 * Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { workerAsksForChat } from './helpers/pages.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, prefix: 'chat-nostorage-', context: { viewport: { width: 800, height: 900 } } });
const ctx = { server: null as TestServer | null, page: null as unknown as Page, advisor: null as unknown as TestSocket, conversationId: '' };

/** Storage as a browser blocking site data leaves it to an embedded page: every touch throws. */
function blockStorage(): void {
  for (const name of ['sessionStorage', 'localStorage']) {
    Object.defineProperty(window, name, {
      configurable: true,
      get() {
        throw new DOMException(`Access to '${name}' is denied for this document.`, 'SecurityError');
      },
    });
  }
}

if (chromiumOrSkip('chat with storage blocked')) {
  test.before(async () => {
    ctx.server = await startServer();
    [ctx.advisor] = await TestSocket.signIn(ctx.server.wsUrl, await ctx.server.token({ role: 'advisor', sub: 'adv-anna', name: 'Anna Rossi' }));
    assert.is((await ctx.advisor.request({ type: 'advisor.status', status: 'available' })).type, 'ok');
    await chromium.launch();
    const context = await chromium.newContext('worker');
    await context.addInitScript(blockStorage);
    ctx.page = await context.newPage();
  });

  test.after(async () => {
    await chromium.close();
    ctx.advisor?.drop();
    await ctx.server?.close();
  });

  test('the page really cannot touch its storage (the test would prove nothing otherwise)', async () => {
    await ctx.page.goto(`${ctx.server!.url}/chat/`);
    const denied = await ctx.page.evaluate(() => {
      try {
        sessionStorage.getItem('x');
        return false;
      } catch {
        return true;
      }
    });
    assert.ok(denied);
  });

  test('with storage blocked the user still signs in, writes, and a message typed while writing is sent', async () => {
    const page = ctx.page;
    await workerAsksForChat(page, ctx.server!.url);
    await page.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    const box = page.getByLabel('Il tuo messaggio');
    await box.pressSequentially('La mia domanda di CIGO è ferma da marzo.', { delay: 5 });
    await box.press('Enter');
    const sent = await ctx.advisor.next('message', (m) => m.text === 'La mia domanda di CIGO è ferma da marzo.', 10_000);
    ctx.conversationId = String(sent.conversationId);
    assert.is(await box.inputValue(), '');
  });

  test('when the advisor closes the chat the whole ended view is shown, the rating is taken, and "Esci" signs out', async () => {
    const page = ctx.page;
    assert.ok(ctx.conversationId, 'the chat of the test before');
    assert.is((await ctx.advisor.request({ type: 'conversation.close', conversationId: ctx.conversationId, outcome: 'resolved' })).type, 'ok');

    await page.getByRole('heading', { name: 'Conversazione terminata' }).waitFor();
    await page.getByText('Il consulente ha chiuso la conversazione.').waitFor();
    const question = page.getByRole('group', { name: 'Come valuta questa conversazione? (facoltativo)' });
    await question.waitFor();
    assert.is(await page.getByLabel('Il tuo messaggio').isDisabled().catch(() => true), true, 'the composer is off');
    await chromium.shot(page, 'ended');
    await question.getByLabel('5 – Ottima').check();
    await page.getByRole('button', { name: 'Invia la valutazione' }).click();
    await page.getByRole('status').filter({ hasText: 'Grazie per la valutazione.' }).waitFor();

    await page.getByRole('button', { name: 'Esci' }).click();
    await page.getByRole('button', { name: 'Entra' }).waitFor();
    await chromium.shot(page, 'signed-out');
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
