/**
 * A worker whose chat waits to be handed over reloads the chat page, in a real
 * browser (Debian chromium through playwright-core) against a server with real
 * sockets. Advisor Anna answers, goes away and passes the chat back to the queue:
 * the conversation stays open and names no advisor, and the welcome after the
 * reload carries the place in the queue. The page must show that place and the
 * hand-over note, as the live `queue.joined` did, not "Stai parlando con un
 * consulente" in a chat nobody is in (not even for a moment); and when Bruno takes
 * it over (the queue avoids Anna for it), the chat returns with what was said before.
 * Meanwhile the queue says the chat goes on with another advisor and that leaving ends it.
 * Screenshots: test/screenshots/chat-handover-reload-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { ANY_REFUSAL, browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { marioCard, signInAdvisor, workerAsksForChat } from './helpers/pages.ts';
import { threePeople } from './helpers/three-people.ts';

const chromium = browserHarness({
  console: { refused: ANY_REFUSAL, expected: /WebSocket connection to/i },
  context: { viewport: { width: 1280, height: 900 } },
  prefix: 'chat-handover-reload-',
});
const { shot } = chromium;
const QUESTION = 'La CIGS di aprile risulta autorizzata ma non pagata.';
const ANNA_REPLY = 'Buongiorno, guardo subito la sua domanda.';

const ctx = threePeople(chromium, 'handover-reload', { SERVICE_HOURS: 'always' });

/**
 * The queue of a chat being handed over speaks of that chat: it goes on with another advisor, and
 * leaving ends it (`left_queue`). No "la chat inizierà", and no tips with "Ho trovato la risposta:
 * esco dalla coda", which closed the chat as a mere leaving of the queue.
 */
async function handOverWords(w: Page): Promise<void> {
  await w.locator('#queue-keep-open', { hasText: 'Tieni aperta questa pagina: la chat continuerà appena un altro consulente sarà libero.' }).waitFor();
  await w.getByRole('button', { name: 'Esci dalla coda e chiudi la chat' }).waitFor();
  assert.is(await w.getByRole('button', { name: 'Esci dalla coda', exact: true }).count(), 0);
  // Tips arrive after a fetch: long enough for them to show if they were going to.
  await w.waitForTimeout(500);
  assert.is(await w.locator('#queue-tips').isVisible(), false, 'no tips whose «esco dalla coda» would end the chat');
}

if (chromiumOrSkip('hand-over reload test')) {
  test.before(ctx.start);
  test.after(ctx.stop);

  test('Anna answers, then passes the chat back to the queue while away: the worker is told they wait for another advisor', async () => {
    const w = ctx.worker;
    await workerAsksForChat(w, ctx.base);
    await w.locator('#queue-status').filter({ hasText: 'Sei il primo in coda' }).waitFor();
    // A chat yet to start: it starts when an advisor is free, and leaving the queue is only that.
    await w.locator('#queue-keep-open', { hasText: 'la chat inizierà appena un consulente sarà libero' }).waitFor();
    await w.getByRole('button', { name: 'Esci dalla coda', exact: true }).waitFor();
    await signInAdvisor(ctx.anna, ctx.base, 'Anna Rossi', 'adv-anna', true);
    const card = marioCard(ctx.anna);
    await card.waitFor();
    await w.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    await w.getByLabel('Il tuo messaggio').fill(QUESTION);
    await w.getByLabel('Il tuo messaggio').press('Enter');
    await card.locator('.msg.theirs .msg-text', { hasText: QUESTION }).waitFor();
    await card.getByLabel('Risposta a Mario Rossi').fill(ANNA_REPLY);
    await card.getByLabel('Risposta a Mario Rossi').press('Enter');
    await w.locator('.msg-text', { hasText: ANNA_REPLY }).waitFor();

    // Away first, so that the router does not give the chat straight back to her.
    await ctx.anna.getByLabel('Assente').check();
    await ctx.anna.waitForTimeout(300);
    await card.getByText('Trasferisci a un altro consulente').click();
    await card.getByRole('button', { name: 'Trasferisci', exact: true }).click();
    await card.locator('.closed-note').filter({ hasText: 'Chat rimessa in coda per un altro consulente.' }).waitFor();
    await w.locator('#queue-handover', { hasText: 'Ti stiamo passando a un altro consulente' }).waitFor();
    await handOverWords(w);
  });

  test('reloaded, the page shows the queue and the hand-over note, not a chat with nobody in it', async () => {
    const w = ctx.worker;
    // Every view the page shows, sampled from its start: a chat flashed before the queue counts too.
    await w.addInitScript(() => {
      const seen: string[] = ((window as any).viewsSeen = []);
      setInterval(() => {
        const view = document.body?.dataset.view ?? '';
        if (view && seen[seen.length - 1] !== view) seen.push(view);
      }, 5);
    });
    await w.reload();
    await w.locator('#queue-status').filter({ hasText: 'Sei il primo in coda' }).waitFor();
    assert.is(await w.locator('body').getAttribute('data-view'), 'queue');
    assert.is(await w.locator('#queue-handover').isVisible(), true, 'the page says why it waits: the conversation stays');
    assert.is(await w.locator('#view-chat').isVisible(), false, 'no chat on screen with nobody in it');
    await handOverWords(w);
    await shot(w, 'queue');
    await w.setViewportSize({ width: 360, height: 640 });
    await shot(w, 'queue-360', true);
    // The same words in German and English, and back.
    await w.locator('#lang').selectOption('de');
    await w.locator('#queue-keep-open', { hasText: 'Der Chat wird fortgesetzt, sobald eine andere Beraterin oder ein anderer Berater frei ist.' }).waitFor();
    await w.getByRole('button', { name: 'Warteschlange verlassen und Chat beenden' }).waitFor();
    await shot(w, 'queue-360-de', true);
    await w.locator('#lang').selectOption('en');
    await w.locator('#queue-keep-open', { hasText: 'the chat will continue as soon as another advisor is free' }).waitFor();
    await w.getByRole('button', { name: 'Leave the queue and end the chat' }).waitFor();
    await w.locator('#lang').selectOption('it');
    await w.setViewportSize({ width: 1280, height: 900 });
    await handOverWords(w);
    // Settled: a late history read or a second welcome does not flip it into the chat.
    await w.waitForTimeout(800);
    assert.is(await w.locator('body').getAttribute('data-view'), 'queue');
    assert.equal(await w.evaluate(() => (window as any).viewsSeen), ['loading', 'queue'], 'straight from loading to the queue');
  });

  test('Bruno takes it over (the queue avoids Anna for it): the chat returns with what was said before the hand-over, once each', async () => {
    const w = ctx.worker;
    const bruno = ctx.bruno;
    await signInAdvisor(bruno, ctx.base, 'Bruno Verdi', 'adv-bruno', true);
    await w.getByRole('heading', { name: 'Stai parlando con Bruno Verdi' }).waitFor();
    const annaInChat = w.locator('#log .msg', { hasText: ANNA_REPLY });
    await annaInChat.waitFor();
    assert.is(await annaInChat.locator('.msg-who').textContent(), 'Consulente INPS', 'what Anna wrote is not put under Bruno’s name');
    assert.is(await w.locator('#log .msg-text', { hasText: QUESTION }).count(), 1, 'the worker’s question, once');
    assert.is(await w.locator('#log .msg-text', { hasText: ANNA_REPLY }).count(), 1, 'Anna’s answer, once');
    await marioCard(bruno).getByLabel('Risposta a Mario Rossi').fill('Sono Bruno, ho letto la conversazione.');
    await marioCard(bruno).getByLabel('Risposta a Mario Rossi').press('Enter');
    await w.locator('#log .msg-text', { hasText: 'Sono Bruno' }).waitFor();
    await shot(w, 'chat-again');
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
