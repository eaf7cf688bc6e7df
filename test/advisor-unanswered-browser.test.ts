/**
 * An advisor who does not answer in time, in a real browser (Debian chromium):
 * the card says by when a first answer must come; past it (unansweredSeconds,
 * 5 s here through ROUTING_CONFIG) the chat goes to a colleague, whose card
 * gets it with its history, and the silent advisor's console says what happened
 * and that their status is now "Assente" — until they choose again. Answering
 * removes the countdown. Screenshot: test/screenshots/unanswered-*.png.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { marioCard, signInAdvisor, workerAsksForChat } from './helpers/pages.ts';
import { routingFile } from './helpers/server-process.ts';
import { threePeople } from './helpers/three-people.ts';

const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, prefix: 'unanswered-', fullPage: true });

const card = marioCard;

const ctx = threePeople(chromium, 'unanswered', { SERVICE_HOURS: 'always', ROUTING_CONFIG: routingFile({ unansweredSeconds: 5 }) });

if (chromiumOrSkip('unanswered-chat test')) {
  test.before(ctx.start);
  test.after(ctx.stop);

  test('the card says by when to answer; unanswered, the chat goes to a colleague and the silent advisor is told they are now away', async () => {
    await signInAdvisor(ctx.anna, ctx.base, 'Anna Rossi', 'adv-anna', true);
    const w = ctx.worker;
    await workerAsksForChat(w, ctx.base);
    await w.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    await w.getByLabel('Il tuo messaggio').fill('C’è qualcuno?');
    await w.getByLabel('Il tuo messaggio').press('Enter');
    const a = card(ctx.anna);
    assert.match((await a.locator('.answer-by').textContent()) ?? '', /^Rispondi entro le \d\d:\d\d: poi la chat passa a un collega/);
    await signInAdvisor(ctx.bruno, ctx.base, 'Bruno Verdi', 'adv-bruno', true);

    await a.locator('.closed-note', { hasText: 'La chat è tornata in coda: l’utente non ha ricevuto risposta in tempo.' }).waitFor({ timeout: 20_000 });
    await ctx.anna.locator('#away-note', { hasText: 'Il tuo stato è «Assente»' }).waitFor();
    assert.is(await ctx.anna.getByLabel('Assente').isChecked(), true);
    assert.match((await ctx.anna.locator('#load').textContent()) ?? '', /Chat aperte: 0 su 3/, 'the load line keeps its capacity');
    assert.is(await a.locator('.answer-by').isVisible(), false, 'no countdown on a chat that is gone');
    await chromium.shot(ctx.anna, 'advisor');

    const b = card(ctx.bruno);
    await b.locator('.msg.theirs .msg-text', { hasText: 'C’è qualcuno?' }).waitFor();
    assert.is(await b.locator('.answer-by').isVisible(), true);
    await b.getByLabel('Risposta a Mario Rossi').fill('Buongiorno, sono Bruno: la aiuto io.');
    await b.getByLabel('Risposta a Mario Rossi').press('Enter');
    await w.locator('.msg-text', { hasText: 'la aiuto io' }).waitFor();
    await b.locator('.answer-by').waitFor({ state: 'hidden' });

    await ctx.anna.getByLabel('Disponibile').check();
    await ctx.anna.locator('#away-note').waitFor({ state: 'hidden' });
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
