/**
 * A worker whose chat waits to be handed over reloads the chat page, in a real
 * browser (Debian chromium through playwright-core) against a server with real
 * sockets. Advisor Anna answers, goes away and passes the chat back to the queue:
 * the conversation stays open and names no advisor, and the welcome after the
 * reload carries the place in the queue. The page must show that place and the
 * hand-over note, as the live `queue.joined` did, not "Stai parlando con un
 * consulente" in a chat nobody is in (not even for a moment); and when Bruno takes
 * it over (the queue avoids Anna for it), the chat returns with what was said before.
 * Screenshots: test/screenshots/chat-handover-reload-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
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

if (chromiumOrSkip('hand-over reload test')) {
  test.before(ctx.start);
  test.after(ctx.stop);

  test('Anna answers, then passes the chat back to the queue while away: the worker is told they wait for another advisor', async () => {
    const w = ctx.worker;
    await workerAsksForChat(w, ctx.base);
    await w.locator('#queue-status').filter({ hasText: 'Sei il primo in coda' }).waitFor();
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
    assert.is(await w.getByRole('button', { name: 'Esci dalla coda' }).isVisible(), true);
    await shot(w, 'queue');
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
