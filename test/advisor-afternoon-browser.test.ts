/**
 * An advisor's afternoon, in a real browser (Debian chromium) at 1024×768: what
 * reaches a card late must not change what the advisor chose or was told, and
 * what they type must not be lost. Of two lists of
 * colleagues asked for a hand-over on a slow line, the older answering last does
 * not replace the newer; the colleague picked stays picked when the list comes
 * again, and when they are gone the form says so instead of falling silently to
 * «the first free advisor»; «Chiudi» with the console offline says so in words on
 * the form (it was «Si è verificato un errore (disconnected)» on the card); a chat handed on while the console was offline past its grace
 * (advisorGraceSeconds 2 here) keeps what was said on the card, says it is no
 * longer the advisor's and offers nothing to write in (it was an empty log with a
 * reply box); a ready answer put in the reply box shows whole; a reload gives back the reply and the summary half written on a
 * card, and «Esci» leaves none in the tab. Screenshots: test/screenshots/advisor-afternoon-*.png.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { browserHarness, chromiumOrSkip, holdRequest } from './helpers/browser.ts';
import { marioCard, signInAdvisor, workerAsksForChat } from './helpers/pages.ts';
import { routingFile } from './helpers/server-process.ts';
import { threePeople } from './helpers/three-people.ts';

const chromium = browserHarness({
  console: { expected: /WebSocket connection to|ERR_INTERNET_DISCONNECTED/i },
  context: { viewport: { width: 1024, height: 768 } },
  prefix: 'advisor-afternoon-',
});
/** Mario Rossi's chat while it is the advisor's (a closed card of his may still be on the board). */
const card = (p: Page) => p.locator('article.chat-card:not(.closed)', { has: p.getByRole('heading', { name: 'Mario Rossi' }) });
const toBox = (p: Page) => card(p).getByLabel('A chi passarla');
const transferStatus = (p: Page) => card(p).locator('.transfer-form [role="status"]');
/** The note of a chat handed on while the console was offline past its grace. */
const LOST = 'La chat non è più assegnata a te: mentre la console era senza connessione è tornata in coda per un altro consulente.';

/** Folds the transfer form if open, then opens it: the list is asked each time it opens. */
async function reopenTransfer(p: Page): Promise<void> {
  const summary = card(p).getByText('Trasferisci a un altro consulente');
  if (await toBox(p).isVisible()) await summary.click();
  await summary.click();
}

async function setStatus(p: Page, status: 'Disponibile' | 'Assente'): Promise<void> {
  await p.getByLabel(status).check();
  // The server said so: the load line follows its advisor.status frame.
  await p.waitForFunction((s) => document.body.dataset.status === s, status === 'Disponibile' ? 'available' : 'away');
}

const ctx = threePeople(chromium, 'advisor-afternoon', { SERVICE_HOURS: 'always', ROUTING_CONFIG: routingFile({ advisorGraceSeconds: 2 }) });

if (chromiumOrSkip('advisor afternoon test')) {
  test.before(ctx.start);
  test.after(ctx.stop);

  test('of two lists of colleagues asked on a slow line, the older answering last replaces neither the newer nor the colleague picked in it', async () => {
    await signInAdvisor(ctx.anna, ctx.base, 'Anna Rossi', 'adv-anna', true);
    await workerAsksForChat(ctx.worker, ctx.base);
    await card(ctx.anna).waitFor();
    await signInAdvisor(ctx.bruno, ctx.base, 'Bruno Verdi', 'adv-bruno', true);
    const id = await card(ctx.anna).getAttribute('data-conversation');
    // The first list, asked when nobody was free, answers only after the second.
    const held = await holdRequest(ctx.anna, `/api/v1/conversations/${id}/transfer-targets`, (route) => route.fulfill({ json: { items: [] } }));
    await reopenTransfer(ctx.anna);
    await reopenTransfer(ctx.anna);
    await toBox(ctx.anna).locator('option[value="adv-bruno"]').waitFor({ state: 'attached' });
    await toBox(ctx.anna).selectOption('adv-bruno');
    await held.release();
    assert.is(await toBox(ctx.anna).inputValue(), 'adv-bruno', 'Bruno is still the one picked');
    assert.is(await transferStatus(ctx.anna).textContent(), '', 'no «nobody is free» from the older list');
  });

  test('the colleague picked stays picked when the list comes again; gone, the form says so by name', async () => {
    const a = ctx.anna;
    const id = await card(a).getAttribute('data-conversation');
    const fresh = await holdRequest(a, `/api/v1/conversations/${id}/transfer-targets`);
    await reopenTransfer(a);
    await fresh.release();
    assert.is(await toBox(a).inputValue(), 'adv-bruno', 'a fresh list keeps the choice');

    await setStatus(ctx.bruno, 'Assente');
    await reopenTransfer(a);
    await transferStatus(a).filter({ hasText: 'Bruno Verdi non è più disponibile con un posto libero: scegli di nuovo a chi passarla.' }).waitFor();
    assert.is(await toBox(a).inputValue(), '');
    await chromium.shot(a, 'colleague-gone', true);
    await reopenTransfer(a);
    // Said once, for the choice that was lost; the next list says only that nobody is free.
    await transferStatus(a).filter({ hasText: /^Nessun collega è disponibile con un posto libero in questo momento\.$/ }).waitFor();
  });

  test('«Chiudi» with the console offline says in words, on the form, that nothing left, and the chat stays open; back online it closes', async () => {
    const a = ctx.anna;
    const id = await card(a).getAttribute('data-conversation');
    const mine = a.locator(`article.chat-card[data-conversation="${id}"]`);
    await a.context().setOffline(true);
    await a.locator('#conn').waitFor();
    await mine.getByRole('button', { name: 'Chiudi la chat' }).click();
    await mine.locator('.close-form [role="alert"]', { hasText: 'Connessione assente: la richiesta non è partita. Riprova appena la console è di nuovo collegata.' }).waitFor();
    assert.is(await mine.locator('.closed-note').textContent(), '', 'the card does not read as closed, nor carries a code');
    await chromium.shot(a, 'close-offline', true);
    await a.context().setOffline(false);
    await a.locator('#conn').waitFor({ state: 'hidden' });
    await mine.getByRole('button', { name: 'Chiudi la chat' }).click();
    await mine.locator('.closed-note', { hasText: 'Chat chiusa (Risolto).' }).waitFor();
    assert.is(await mine.locator('.close-form').isVisible(), false);
    await mine.getByRole('button', { name: 'Rimuovi dalla vista' }).click();
  });

  test('a chat handed on while the console was offline past its grace keeps what was said, says it is no longer the advisor’s, and has no reply box', async () => {
    await setStatus(ctx.bruno, 'Assente'); // the new chat goes to Anna
    const w = ctx.worker;
    await w.getByRole('button', { name: 'Nuova richiesta' }).click();
    await w.getByLabel('CIGO – Cassa integrazione ordinaria').check();
    await w.getByRole('button', { name: 'Avvia la chat' }).click();
    const a = ctx.anna;
    await card(a).waitFor();
    await w.getByLabel('Il tuo messaggio').fill('Il pagamento di marzo non è arrivato.');
    await w.getByLabel('Il tuo messaggio').press('Enter');
    await card(a).locator('.msg.theirs', { hasText: 'Il pagamento di marzo' }).waitFor();
    const id = await card(a).getAttribute('data-conversation');
    const mine = a.locator(`article.chat-card[data-conversation="${id}"]`);

    await setStatus(ctx.bruno, 'Disponibile');
    await a.context().setOffline(true);
    await a.locator('#conn').waitFor();
    await marioCard(ctx.bruno).locator('.msg.theirs', { hasText: 'Il pagamento di marzo' }).waitFor();
    await a.context().setOffline(false);
    await a.locator('#conn').waitFor({ state: 'hidden' });

    await mine.locator('.closed-note', { hasText: LOST }).waitFor();
    assert.is(await mine.locator('.msg.theirs', { hasText: 'Il pagamento di marzo' }).count(), 1, 'what was said stays on the card');
    assert.is(await mine.getByLabel('Risposta a Mario Rossi').isVisible(), false, 'nothing to write into');
    assert.is(await mine.getByRole('button', { name: 'Rimuovi dalla vista' }).isVisible(), true);
    assert.match((await a.locator('#load').textContent()) ?? '', /^Chat aperte: 0 su 3$/);
    await chromium.shot(a, 'handed-on-offline', true);
  });

  test('a ready answer put in the reply box shows whole, to be read before it is sent', async () => {
    const b = ctx.bruno;
    const c = marioCard(b);
    const reply = c.getByLabel('Risposta a Mario Rossi');
    const heightOf = () => reply.evaluate((t) => ({ scroll: t.scrollHeight, client: t.clientHeight }));
    const empty = await heightOf();
    await c.getByLabel('Risposte pronte').selectOption('pagamento-diretto-tempi');
    await c.getByRole('button', { name: 'Inserisci' }).click();
    assert.match(await reply.inputValue(), /UniEmens/);
    const full = await heightOf();
    assert.ok(full.scroll <= full.client, `the whole answer is in view (${full.scroll} px of text in a ${full.client} px box)`);
    await reply.scrollIntoViewIfNeeded();
    await chromium.shot(b, 'ready-answer');
    await reply.fill('');
    assert.is((await heightOf()).client, empty.client, 'emptied, the box is as small as before');
  });

  test('a reload gives back the reply and the summary half written on a card; a reply sent is not given back, and «Esci» leaves nothing in the tab', async () => {
    const b = ctx.bruno;
    const c = marioCard(b);
    const REPLY = 'Buongiorno, sono Bruno: sto controllando la sua domanda di CIGO, ';
    const SUMMARY = 'Pagamento CIGO di marzo non arrivato: verificare i dati UniEmens-Cig dell’azienda.';
    await c.getByLabel('Risposta a Mario Rossi').fill(REPLY);
    await c.getByText('Passa alla sede (Linea INPS)').click();
    await c.getByLabel('Sintesi per la sede').fill(SUMMARY);
    await b.reload();
    await c.getByLabel('Risposta a Mario Rossi').waitFor();
    assert.is(await c.getByLabel('Risposta a Mario Rossi').inputValue(), REPLY);
    assert.is(await c.getByLabel('Sintesi per la sede').inputValue(), SUMMARY);
    assert.ok(await c.getByLabel('Sintesi per la sede').isVisible(), 'the form is open where it was left');
    await chromium.shot(b, 'drafts-back', true);

    await c.getByLabel('Risposta a Mario Rossi').press('End');
    await c.getByLabel('Risposta a Mario Rossi').pressSequentially('un momento.');
    await c.getByLabel('Risposta a Mario Rossi').press('Enter');
    await ctx.worker.locator('.msg-text', { hasText: 'sto controllando la sua domanda di CIGO, un momento.' }).waitFor();
    await b.reload();
    await c.getByLabel('Risposta a Mario Rossi').waitFor();
    assert.is(await c.getByLabel('Risposta a Mario Rossi').inputValue(), '', 'a reply sent is not written again');
    assert.is(await c.getByLabel('Sintesi per la sede').inputValue(), SUMMARY);

    await b.getByRole('button', { name: 'Esci' }).click();
    await b.getByRole('button', { name: 'Entra' }).waitFor();
    assert.is(await b.evaluate(() => sessionStorage.getItem('infocig.advisor.drafts')), null);
  });

  test('a chat back in the queue while the console was offline past its grace, nobody else free, is no longer the advisor’s when the console is back: said on its card, no reply box, no «Rispondi entro», not counted', async () => {
    const w = ctx.worker;
    const a = ctx.anna;
    // Bruno left with «Esci»: after his grace Mario's chat goes to Anna, at once or once she is available.
    await setStatus(a, 'Disponibile');
    await card(a).waitFor();
    const id = await card(a).getAttribute('data-conversation');
    await w.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    await setStatus(a, 'Assente'); // nobody else is free: the chat will wait in the queue
    await a.context().setOffline(true);
    await a.locator('#conn').waitFor();
    await w.locator('#queue-handover').waitFor(); // the user waits again, told the advisor left
    await a.context().setOffline(false);
    await a.locator('#conn').waitFor({ state: 'hidden' });

    const mine = a.locator(`article.chat-card[data-conversation="${id}"]`);
    await mine.locator('.closed-note', { hasText: LOST }).waitFor();
    assert.is(await mine.getByLabel('Risposta a Mario Rossi').isVisible(), false, 'nothing to write into');
    assert.is(await mine.getByText(/Rispondi entro/).isVisible(), false, 'no deadline for a chat that is not hers');
    assert.match((await a.locator('#load').textContent()) ?? '', /^Chat aperte: 0 su 3$/);
    await chromium.shot(a, 'back-in-queue-offline', true);
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
