/**
 * "Mentre aspetti" in a real browser (Debian chromium through playwright-core):
 * a worker waiting for a CIGO chat, with no advisor free, sees the institute's
 * answers for CIGO folded under their place in the queue, opens one, reads it in
 * English after switching language, and leaves with "Ho trovato la risposta",
 * which the server counts as self_served; waiting in two tabs, the tab that did
 * not leave says so; offline, starting and leaving say so in words. axe-core on the view with a tip open.
 * Screenshots: test/screenshots/tips-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { ANY_REFUSAL, browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { workerAsksForChat } from './helpers/pages.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const chromium = browserHarness({
  console: { refused: ANY_REFUSAL, expected: /WebSocket connection to|ERR_INTERNET_DISCONNECTED/i },
  context: { viewport: { width: 420, height: 900 } },
  prefix: 'tips-',
  fullPage: true,
});
const { shot, axe } = chromium;

const ctx = { proc: null as ServerProcess | null, base: '', worker: null as unknown as Page };

const selfServed = async () => {
  const text = await (await fetch(`${ctx.base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('infocig_queue_abandoned_total{reason="self_served"}'));
  return line ? Number(line.split(' ').pop()) : 0;
};

if (chromiumOrSkip('waiting-tips test')) {
  test.before(async () => {
    ctx.proc = await startServerProcess('tips', { SERVICE_HOURS: 'always' });
    ctx.base = ctx.proc.base;
    await chromium.launch();
    ctx.worker = await chromium.newPage('worker');
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('a worker waiting for a CIGO chat sees the CIGO answers folded under their place in the queue', async () => {
    const w = ctx.worker;
    await workerAsksForChat(w, ctx.base);
    await w.getByRole('heading', { name: 'Sei in coda' }).waitFor();
    const tips = w.getByRole('region', { name: 'Mentre aspetti: forse la risposta è qui' });
    await tips.waitFor();
    const titles = await tips.locator('summary').allTextContents();
    assert.equal(titles, ['Pagamento diretto: da cosa dipendono i tempi', 'Dove vedere lo stato dei pagamenti']);
    assert.not.ok(await tips.getByText(/UniEmens-Cig/).isVisible(), 'folded until opened');
    await tips.locator('summary').first().click();
    assert.ok(await tips.getByText(/UniEmens-Cig/).isVisible());
    assert.match((await w.locator('#queue-status').textContent()) ?? '', /Sei il primo in coda/, 'the place in the queue stays in view');
    await shot(w, 'queue-open');
    assert.equal(await axe(w, 'tips'), []);
  });

  test('with no advisor available the place in the queue comes with no number of minutes: the wait cannot be estimated', async () => {
    const status = ctx.worker.locator('#queue-status');
    assert.is((await status.textContent())?.trim(), 'Sei il primo in coda. Al momento tutti i consulenti sono occupati o non disponibili: non è possibile stimare l’attesa.');
  });

  test('in English the same answers read in English', async () => {
    const w = ctx.worker;
    await w.locator('#lang').selectOption('en');
    const tips = w.getByRole('region', { name: 'While you wait: the answer may be here' });
    await tips.getByText('Where to see the state of payments').waitFor();
    assert.ok(await tips.getByText(/UniEmens-Cig data/).isVisible(), 'the opened one stays open, in English');
    await shot(w, 'queue-en');
    await w.locator('#lang').selectOption('it');
  });

  test('"Ho trovato la risposta" leaves the queue, and the server counts it as self-served', async () => {
    const w = ctx.worker;
    const before = await selfServed();
    await w.getByRole('button', { name: 'Ho trovato la risposta: esco dalla coda' }).click();
    await w.getByRole('heading', { name: 'Sei in coda' }).waitFor({ state: 'hidden' });
    assert.is(await selfServed(), before + 1);
    await shot(w, 'left');
  });

  test('waiting in two tabs, left from one: the other says so instead of going back to the start with no word, and gives the question back', async () => {
    const first = await chromium.newPage('two-tabs');
    await first.goto(`${ctx.base}/chat/`);
    await first.getByRole('button', { name: 'Entra' }).click();
    await first.getByLabel('CIGO – Cassa integrazione ordinaria').check();
    await first.getByLabel('La tua domanda (facoltativa)').fill('Quando arriva il pagamento di marzo?');
    await first.getByRole('button', { name: 'Avvia la chat' }).click();
    await first.getByRole('heading', { name: 'Sei in coda' }).waitFor();
    // The same person in a second tab (sessionStorage is per tab: the sign-in is copied, as a new sign-in would give it).
    const signedIn = await first.evaluate(() => sessionStorage.getItem('infocig.chat.dev'));
    const second = await first.context().newPage();
    await second.addInitScript((v) => sessionStorage.setItem('infocig.chat.dev', v!), signedIn);
    await second.goto(`${ctx.base}/chat/`);
    await second.getByRole('heading', { name: 'Sei in coda' }).waitFor();
    await second.getByRole('button', { name: 'Esci dalla coda' }).click();
    await second.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    assert.is(await second.locator('#start-avail').textContent(), 'Servizio aperto.', 'the tab that left needs no explaining');
    await first.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    assert.is(await first.locator('#start-avail').textContent(), 'Sei uscito dalla coda da un’altra finestra o scheda del browser.');
    assert.is(await first.getByLabel('La tua domanda (facoltativa)').inputValue(), 'Quando arriva il pagamento di marzo?');
    await shot(first, 'left-elsewhere');
    assert.equal(await axe(first, 'left elsewhere'), []);
    // The line is said again in the language chosen next, as "Servizio aperto" is.
    await first.locator('#lang').selectOption('de');
    assert.is(await first.locator('#start-avail').textContent(), 'Sie haben die Warteschlange in einem anderen Fenster oder Tab des Browsers verlassen.');
    await second.locator('#lang').selectOption('en');
    assert.is(await second.locator('#start-avail').textContent(), 'The service is open.', 'in English too (it stayed «Servizio aperto.»)');
  });

  test('without a connection, starting a chat and leaving the queue say so in words; the place is kept, not left behind a start view', async () => {
    const w = await chromium.newPage('offline');
    await w.goto(`${ctx.base}/chat/`);
    await w.getByRole('button', { name: 'Entra' }).click();
    await w.getByLabel('CIGO – Cassa integrazione ordinaria').check();
    await w.context().setOffline(true);
    await w.locator('#conn', { hasText: 'Connessione assente: la pagina riprova da sola.' }).waitFor();
    await w.getByRole('button', { name: 'Avvia la chat' }).click();
    const NO_LINE = 'Connessione assente: controlla la rete e riprova (la pagina si ricollega da sola).';
    await w.locator('#start-error', { hasText: NO_LINE }).waitFor();
    await w.context().setOffline(false);
    await w.locator('#conn').waitFor({ state: 'hidden' });
    await w.getByRole('button', { name: 'Avvia la chat' }).click();
    await w.getByRole('heading', { name: 'Sei in coda' }).waitFor();
    await w.context().setOffline(true);
    await w.locator('#conn', { hasText: 'Connessione assente: la pagina riprova da sola.' }).waitFor();
    await w.getByRole('button', { name: 'Esci dalla coda' }).click();
    await w.locator('#queue-error', { hasText: 'Connessione assente: sei ancora in coda. Riprova quando la pagina è di nuovo collegata.' }).waitFor();
    assert.ok(await w.getByRole('heading', { name: 'Sei in coda' }).isVisible(), 'still in the queue view');
    await shot(w, 'leave-offline');
    assert.equal(await axe(w, 'leave offline'), []);
    await w.context().setOffline(false);
    await w.locator('#conn').waitFor({ state: 'hidden' });
    await w.locator('#queue-error').waitFor({ state: 'hidden' });
    await w.getByRole('button', { name: 'Esci dalla coda' }).click();
    await w.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
  });
}

test.run();
