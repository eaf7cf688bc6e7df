/**
 * A worker waiting in the queue while the server restarts, in a real browser (Debian
 * chromium through playwright-core) against a real server process stopped and started
 * again on the same port and data. On the in-process routing state the restart loses
 * the place; the page, reconnected, went back to "Come possiamo aiutarti?" with no word
 * and the question gone. It must say that the place was lost, with the question still
 * written, so that one click asks again. Screenshot: test/screenshots/chat-queue-restart-*.png.
 * Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { ANY_REFUSAL, browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const chromium = browserHarness({
  // The page's reconnection attempts while the server is down.
  console: { refused: ANY_REFUSAL, expected: /WebSocket connection to|ERR_CONNECTION_REFUSED|Failed to load resource/i },
  context: { viewport: { width: 360, height: 640 } },
  prefix: 'chat-queue-restart-',
});
const { shot } = chromium;
const QUESTION = 'Quando arriva l’assegno FIS di novembre?';

const ctx = { proc: null as ServerProcess | null, worker: null as unknown as Page };

if (chromiumOrSkip('queue restart test')) {
  test.before(async () => {
    ctx.proc = await startServerProcess('queue-restart', { SERVICE_HOURS: 'always' });
    await chromium.launch();
    ctx.worker = await chromium.newPage('worker');
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('a worker waits in the queue of Roma with a question, nobody available', async () => {
    const w = ctx.worker;
    await w.goto(`${ctx.proc!.base}/chat/`);
    await w.getByLabel('Provincia').selectOption('RM');
    await w.getByRole('button', { name: 'Entra' }).click();
    await w.getByLabel('FIS / assegno di integrazione salariale').check();
    await w.getByLabel('La tua domanda (facoltativa)').fill(QUESTION);
    await w.getByRole('button', { name: 'Avvia la chat' }).click();
    await w.locator('#queue-status').filter({ hasText: 'Sei il primo in coda' }).waitFor();
  });

  test('the server restarts: back on the start, the page says the place was lost and keeps the question to ask again', async () => {
    const w = ctx.worker;
    await ctx.proc!.restart();
    const start = w.locator('#view-start');
    await start.waitFor({ state: 'visible', timeout: 30_000 });
    await start.getByText('La connessione si è interrotta e il posto in coda è andato perso: puoi avviare di nuovo la chat.').waitFor();
    assert.is(await w.getByLabel('La tua domanda (facoltativa)').inputValue(), QUESTION, 'the question is still written');
    assert.is(await w.getByLabel('FIS / assegno di integrazione salariale').isChecked(), true, 'and its topic chosen');
    await shot(w, 'lost');
    await w.getByRole('button', { name: 'Avvia la chat' }).click();
    await w.locator('#queue-status').filter({ hasText: 'Sei il primo in coda' }).waitFor();
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
