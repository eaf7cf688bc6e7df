/**
 * The advisor console (widgets/advisor/) at 320 px wide with text at 200 %
 * (WCAG 1.4.10 reflow), in a real browser (Debian chromium through
 * playwright-core): an advisor with a chat whose user gave a long application
 * protocol and wrote a long unbroken reference, with the user's requests and
 * the escalation and transfer forms unfolded. Nothing is cut or runs out of
 * its box, the page does not scroll sideways, and every control is on screen.
 * axe-core finds no serious or critical violation. Screenshots:
 * test/screenshots/advisor-reflow-*.png. Skips without chromium.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip, reflowProblems, serverApi } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, prefix: 'advisor-reflow-', fullPage: true });
const ctx = { server: null as TestServer | null, page: null as unknown as Page, worker: null as TestSocket | null };
const { api } = serverApi(() => ctx.server!.url);

const REFERENCE = 'INPS.HERMES.2026.0012345678/SR41-UNITA-PRODUTTIVA-MILANO-NORD';

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    const claims = { role: 'worker', sub: 'w-reflow', province: 'MI', name: 'Mario Rossi' };
    const ticket = await api(await ctx.server.token(claims), 'POST', '/api/v1/tickets', { subject: 'Pagamento diretto CIGO di marzo non ricevuto', category: 'payment', body: 'Non ho ricevuto il pagamento.' });
    assert.is(ticket.status, 201, JSON.stringify(ticket.body));
    [ctx.worker] = await TestSocket.signIn(ctx.server.wsUrl, await ctx.server.token(claims));
    await chromium.launch();
    ctx.page = await chromium.newPage('advisor', { viewport: { width: 320, height: 700 } });
  });

  test.after(async () => {
    await chromium.close();
    ctx.worker?.drop();
    await ctx.server?.close();
  });

  test('at 320 px with text at 200 % the advisor console reflows: a chat card with its context, requests and forms fits, nothing scrolls sideways, every control is on screen', async () => {
    const page = ctx.page;
    await page.goto(`${ctx.server!.url}/advisor/`);
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    await page.getByLabel('Nome').fill('Giulia Rossi');
    await page.getByLabel('Codice utente').fill('adv-rossi');
    await page.getByRole('button', { name: 'Entra' }).click();
    await page.getByRole('heading', { name: 'Chat assegnate' }).waitFor();
    await page.getByLabel('Disponibile').check();
    await page.locator('#load', { hasText: /^Chat aperte: 0 su \d+$/ }).waitFor();

    const worker = ctx.worker!;
    const asked = await worker.request({ type: 'chat.request', topic: 'cigo', context: { protocol: 'INPS.2026.CIGO.0001234567', matricola: '1234567890' } });
    assert.is(asked.type, 'ok', JSON.stringify(asked));
    const assigned = await worker.next('conversation.assigned', () => true, 10_000);
    worker.send({ type: 'message.send', conversationId: assigned.conversationId, clientMsgId: 'm-1', text: `Buongiorno, il riferimento è ${REFERENCE}` });
    const card = page.locator('article.chat-card');
    await card.locator('.msg-text', { hasText: REFERENCE }).waitFor();
    await card.locator('.requests-box li').first().waitFor();
    for (const summary of await card.locator('details > summary').all()) await summary.click();
    await card.getByRole('button', { name: 'Scarica la trascrizione' }).waitFor();

    await chromium.shot(page, 'page');
    await page.evaluate(() => window.scrollTo(0, 0));
    await chromium.shot(page, 'top', false);
    // The card in parts: a whole card at 200 % is taller than a screenshot can be looked at.
    for (const part of ['chat-card-head', 'log', 'composer', 'card-foot', 'handover']) await card.locator(`.${part}`).first().screenshot({ path: `${SHOTS}advisor-reflow-${part}.png` });
    const controls = ['#signout', '#lang', '.status-switch', 'article.chat-card textarea', 'article.chat-card .composer button[type="submit"]',
      'article.chat-card .close-form select', 'article.chat-card .close-form button', 'article.chat-card .chat-card-head > button', 'article.chat-card .escalate-form button[type="submit"]',
      'article.chat-card .transfer-form select', 'article.chat-card .transfer-form button[type="submit"]'];
    assert.equal(await reflowProblems(page, controls), []);
    assert.equal(await chromium.axe(page, 'advisor 320 200%'), []);
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
