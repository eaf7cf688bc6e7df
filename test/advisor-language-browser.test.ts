/**
 * The advisor console (widgets/advisor/) switched from Italian to English with a
 * chat card already on screen, in a real browser (Debian chromium through
 * playwright-core): the card's messages, context, forms and the note of a closed
 * chat read in English, not half in the language the card was built in.
 * Screenshots: test/screenshots/advisor-language-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInAdvisor } from './helpers/pages.ts';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, prefix: 'advisor-language-' });
const ctx = { server: null as TestServer | null, page: null as unknown as Page, worker: null as TestSocket | null };

const text = (page: Page, sel: string) => page.locator(sel).first().innerText().then((s) => s.trim());

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    const claims = { role: 'worker', sub: 'w-lang', province: 'MI', name: 'Mario Rossi' };
    [ctx.worker] = await TestSocket.signIn(ctx.server.wsUrl, await ctx.server.token(claims));
    await chromium.launch();
    ctx.page = await chromium.newPage('advisor');
  });

  test.after(async () => {
    await chromium.close();
    ctx.worker?.drop();
    await ctx.server?.close();
  });

  test('switching the advisor console to English puts the card already shown in English: who wrote, context, typing line, forms, and the closed note', async () => {
    const page = ctx.page;
    await signInAdvisor(page, ctx.server!.url, 'Giulia Rossi', 'adv-rossi', true);

    const worker = ctx.worker!;
    assert.is((await worker.request({ type: 'chat.request', topic: 'cigo' })).type, 'ok');
    const assigned = await worker.next('conversation.assigned', () => true, 10_000);
    worker.send({ type: 'message.send', conversationId: assigned.conversationId, clientMsgId: 'm-1', text: 'Buongiorno, quando arriva il pagamento?' });
    const card = page.locator('article.chat-card');
    await card.locator('.msg-text', { hasText: 'quando arriva' }).waitFor();
    await card.getByLabel('Risposta a Mario Rossi').fill('Buongiorno, controllo subito.');
    await card.getByRole('button', { name: 'Invia' }).click();
    await card.locator('.msg.mine .msg-who', { hasText: 'Tu' }).waitFor();
    await card.locator('.requests-box summary', { hasText: 'nessuna richiesta aperta' }).waitFor();
    worker.send({ type: 'typing', conversationId: assigned.conversationId, active: true });
    await card.locator('.typing', { hasText: 'Mario Rossi sta scrivendo…' }).waitFor();

    await page.locator('#lang').selectOption('en');
    await card.getByLabel('Reply to Mario Rossi').waitFor();
    assert.is(await text(page, '.typing'), 'Mario Rossi is typing…', 'the typing line too, while the user still types');
    assert.is(await text(page, '.msg.mine .msg-who'), 'You');
    assert.is(await card.locator('.ctx dt', { hasText: /^(Subject|Argomento)$/ }).innerText(), 'Subject');
    assert.is(await text(page, '.requests-box summary'), 'The user’s Linea INPS requests: none open');
    await card.getByRole('button', { name: 'Close the chat' }).waitFor();
    assert.is(await card.locator('.close-form option[value="resolved"]').innerText(), 'Resolved');
    await chromium.shot(page, 'open');

    await card.getByRole('button', { name: 'Close the chat' }).click();
    await card.locator('.closed-note', { hasText: 'Chat closed' }).waitFor();
    await page.locator('#lang').selectOption('it');
    await card.locator('.closed-note', { hasText: 'Chat chiusa (Risolto).' }).waitFor();
    assert.is(await text(page, '.msg.mine .msg-who'), 'Tu');
    await chromium.shot(page, 'closed');
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
