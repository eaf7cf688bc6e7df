/**
 * One person with too many chat windows (sockets) open on a node, in chromium: the
 * eleventh is refused at its hello (4429 too_many_sockets, server/ws-budgets.ts), and
 * the chat page says so in words the person can act on, not "session expired"; once a
 * window is closed, "Riprova" connects. Screenshot: test/screenshots/chat-sockets-*.png.
 * Skips without chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const chromium = browserHarness({
  console: { expected: /WebSocket connection to|1 error/i },
  prefix: 'chat-sockets-',
  context: { viewport: { width: 800, height: 700 } },
});
let server: TestServer;
let page: Page;
const others: TestSocket[] = [];

if (chromiumOrSkip('too many chat windows')) {
  test.before(async () => {
    server = await startServer();
    await chromium.launch();
    page = await chromium.newPage('worker');
  });
  test.after(async () => {
    for (const s of others) s.drop();
    await chromium.close();
    await server.close();
  });

  test('the eleventh chat window of one person says to close one, and Riprova connects once one is closed', async () => {
    await page.goto(`${server.url}/chat/`);
    await page.getByRole('button', { name: 'Entra' }).click();
    await page.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    const saved = await page.evaluate(() => sessionStorage.getItem('infocig.chat.dev') ?? '{}');
    const sub = JSON.parse(saved).sub as string;
    assert.match(sub, /^dev-worker-/);
    // Nine more windows of the same person elsewhere: ten in all, the cap.
    for (let i = 0; i < 9; i++) others.push((await TestSocket.signIn(server.wsUrl, await server.token({ role: 'worker', sub, province: 'MI', name: 'Mario Rossi' })))[0]);

    // A second tab of the page is the eleventh: it says why, not that the session expired.
    const second = await page.context().newPage();
    // The same person signed in there (a tab's sessionStorage is its own).
    await second.goto(`${server.url}/chat/`);
    await second.evaluate((choice) => sessionStorage.setItem('infocig.chat.dev', choice), saved);
    await second.reload();
    await second.getByText('Hai troppe finestre della chat aperte. Chiudine una e riprova.').waitFor();
    assert.is(await second.getByText('La sessione non è valida o è scaduta').count(), 0);
    await chromium.shot(second, 'refused');
    assert.equal(await chromium.axe(second, 'too many windows'), []);

    others.shift()!.drop();
    await second.locator('#error-retry').click();
    await second.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    assert.is(await second.getByText('Hai troppe finestre').isVisible(), false, 'the message is gone');
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
