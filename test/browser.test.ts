/**
 * The widgets in a real browser (Debian chromium through playwright-core): the
 * bubble on the demo page, the chat in its iframe, the advisor console, a drop
 * of the user's connection, close with a rating, accessibility (axe-core) and
 * Content-Security-Policy cleanliness. Starts its own server as a child process
 * (SERVICE_HOURS=always, a temporary DATA_DIR, a free port). Screenshots go to
 * test/screenshots/ (gitignored). Skips when /usr/bin/chromium is absent.
 */
import { readFileSync } from 'node:fs';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { BrowserContext, Frame, FrameLocator, Page } from 'playwright-core';

const chromium = browserHarness({
  // The suite takes the worker offline on purpose: the dropped socket is expected.
  console: { expected: /WebSocket connection to|ERR_INTERNET_DISCONNECTED/i },
  context: { viewport: { width: 1280, height: 860 } },
  // The chat frame is checked apart, in each of its views.
  axeRun: { iframes: false },
});
const { newContext, shot, axe } = chromium;

const ctx = {
  proc: null as ServerProcess | null,
  base: '',
  workerCtx: null as unknown as BrowserContext,
  worker: null as unknown as Page,
  advisor: null as unknown as Page,
  chat: null as unknown as FrameLocator,
};

async function startServer(): Promise<void> {
  ctx.proc = await startServerProcess('browser', { SERVICE_HOURS: 'always' });
  ctx.base = ctx.proc.base;
}

async function chatFrame(): Promise<Frame> {
  const handle = await ctx.worker.waitForSelector('iframe.infocig-frame', { state: 'attached' });
  const frame = await handle.contentFrame();
  assert.ok(frame, 'the chat iframe has a frame');
  return frame!;
}

const msgCount = (scope: FrameLocator | Page, text: string) => scope.locator('.msg-text', { hasText: text }).count();

if (chromiumOrSkip('browser test')) {
  test.before(async () => {
    await startServer();
    await chromium.launch();
    ctx.workerCtx = await newContext('worker');
    ctx.worker = await ctx.workerCtx.newPage();
    const advisorCtx = await newContext('advisor');
    // Counts the console's Web Audio beeps (an init script is not subject to the page's CSP).
    await advisorCtx.addInitScript(() => {
      const w = window as unknown as { __beeps: number };
      w.__beeps = 0;
      const create = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function (this: AudioContext) {
        w.__beeps++;
        return create.call(this);
      };
    });
    ctx.advisor = await advisorCtx.newPage();
    ctx.chat = ctx.worker.frameLocator('iframe.infocig-frame');
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('the demo page shows the OMNIA IS wizard and the chat bubble', async () => {
    const page = ctx.worker;
    await page.goto(`${ctx.base}/demo/`);
    await page.getByRole('heading', { name: /Domanda di cassa integrazione/ }).waitFor();
    const bubble = page.locator('button.infocig-bubble');
    await bubble.waitFor();
    assert.is(await bubble.getAttribute('aria-label'), 'Apri la chat INFO CIG');
    assert.is(await bubble.getAttribute('aria-expanded'), 'false');
    const box = await bubble.boundingBox();
    assert.ok(box && box.x > 1100 && box.y > 700, `the bubble sits bottom-right (${JSON.stringify(box)})`);
    await page.getByRole('button', { name: 'Avanti' }).click(); // step 2: the context follows
    await shot(page, 'demo');
  });

  test('a worker opens the bubble, picks a topic and sees a queue position', async () => {
    const page = ctx.worker;
    await page.locator('button.infocig-bubble').click();
    assert.is(await page.locator('button.infocig-bubble').getAttribute('aria-expanded'), 'true');
    const chat = ctx.chat;
    await chat.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await chat.getByText('Servizio aperto').waitFor();
    await chat.getByLabel('CIGO – Cassa integrazione ordinaria').check();
    await chat.getByRole('button', { name: 'Avvia la chat' }).click();
    const status = chat.locator('#queue-status');
    await status.filter({ hasText: 'Sei il primo in coda' }).waitFor();
    // Nobody available can serve the queue yet: the wait is said to be unknown, not guessed.
    assert.match(await status.textContent() ?? '', /Al momento tutti i consulenti sono occupati o non disponibili: non è possibile stimare l’attesa\./);
    // Spoken once through the page's polite live region; the status line, rewritten with each new estimate, is not one.
    await chat.locator('#announce[aria-live="polite"]', { hasText: 'Sei il primo in coda' }).waitFor();
    assert.is(await status.evaluate((el) => el.closest('[aria-live]')), null);
    assert.is((await chat.locator('#queue-number').textContent())?.trim(), '1');
    await shot(page, 'chat-queue');
    const v = await axe(await chatFrame(), 'chat (queue)');
    assert.equal(v, [], 'no serious axe violations in the queue view');
  });

  test('an advisor who goes available gets the chat with the user context', async () => {
    const adv = ctx.advisor;
    await adv.goto(`${ctx.base}/advisor/`);
    await adv.getByLabel('Nome').fill('Anna Rossi');
    await adv.getByLabel('Codice utente').fill('adv-rossi');
    await adv.getByRole('button', { name: 'Entra' }).click();
    await adv.getByRole('heading', { name: 'Chat assegnate' }).waitFor();
    await adv.getByLabel('Disponibile').check();
    const card = adv.locator('article.chat-card', { has: adv.getByRole('heading', { name: 'Mario Rossi' }) });
    await card.waitFor();
    const ctxText = (await card.locator('dl.ctx').textContent()) ?? '';
    for (const want of ['Lavoratore', 'MI', 'CIGO', 'OMNIA IS', 'INPS.IS.2025.0004711', '1234567890', '2 – Unità produttiva']) {
      assert.ok(ctxText.includes(want), `the card shows ${want}: ${ctxText}`);
    }
    await adv.locator('#load', { hasText: 'Chat aperte: 1 su 3' }).waitFor();
    await ctx.chat.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    await adv.locator('#announce', { hasText: 'Nuova chat assegnata: Mario Rossi' }).waitFor();
    assert.ok(await adv.evaluate(() => (window as unknown as { __beeps: number }).__beeps > 0), 'a Web Audio beep played');
  });

  test('a message each way appears on both sides', async () => {
    const chat = ctx.chat;
    const adv = ctx.advisor;
    await chat.getByLabel('Il tuo messaggio').fill('Buongiorno, quando arriva il pagamento della CIGO?');
    await chat.getByLabel('Il tuo messaggio').press('Enter');
    await adv.locator('.msg.theirs .msg-text', { hasText: 'quando arriva il pagamento' }).waitFor();
    const reply = adv.getByLabel('Risposta a Mario Rossi');
    await reply.fill('Buongiorno Mario, verifico subito la sua domanda.');
    await adv.getByRole('button', { name: 'Invia' }).click();
    await chat.locator('.msg.theirs .msg-text', { hasText: 'verifico subito' }).waitFor();
    // The worker has the advisor's reply on screen: the advisor's message is marked read.
    await adv.locator('.msg.mine .msg-status', { hasText: 'Letto' }).waitFor();
    await chat.locator('.msg.mine .msg-status', { hasText: /Inviato|Letto/ }).waitFor();
    assert.is(await msgCount(chat, 'quando arriva il pagamento'), 1);
    assert.is(await msgCount(adv, 'verifico subito'), 1);
    await shot(ctx.worker, 'chat-conversation');
    await shot(adv, 'advisor', true);
    const v = await axe(await chatFrame(), 'chat (conversation)');
    assert.equal(v, [], 'no serious axe violations in the conversation view');
  });

  test('a ready answer goes into the reply box with Inserisci, names filled in, answers for the chat’s topic first; it is sent only when the advisor sends it', async () => {
    const adv = ctx.advisor;
    const picker = adv.getByLabel('Risposte pronte');
    await picker.waitFor();
    const groups = await picker.locator('optgroup').evaluateAll((gs) => gs.map((g) => (g as HTMLOptGroupElement).label));
    assert.equal(groups, ['Per l’argomento di questa chat', 'Generali']);
    assert.ok(await picker.locator('optgroup').first().locator('option', { hasText: 'Pagamento diretto: da cosa dipendono i tempi' }).count(), 'a CIGO chat lists the payment answers first');
    const reply = adv.getByLabel('Risposta a Mario Rossi');
    await reply.fill('Gentile utente,');
    await picker.selectOption({ label: 'Saluto iniziale' });
    assert.is(await reply.inputValue(), 'Gentile utente,', 'choosing inserts nothing yet');
    await picker.locator('xpath=..').getByRole('button', { name: 'Inserisci' }).click();
    assert.is(await reply.inputValue(), 'Gentile utente,\nBuongiorno Mario Rossi, sono Anna Rossi, consulente INPS per la cassa integrazione. Come posso aiutarla?');
    assert.is(await picker.inputValue(), '', 'the picker is ready for the next one');
    assert.is(await adv.evaluate(() => document.activeElement?.id ?? ''), await reply.getAttribute('id'), 'the focus is in the reply box, to edit');
    await adv.waitForTimeout(300);
    assert.is(await msgCount(ctx.chat, 'consulente INPS per la cassa integrazione'), 0, 'nothing was sent by picking');
    await reply.fill('');
  });

  test('a message sent while the worker is offline arrives exactly once after reconnecting', async () => {
    const chat = ctx.chat;
    const adv = ctx.advisor;
    await ctx.workerCtx.setOffline(true);
    // The browser says it is offline: the page says so at once (it retries by itself, and at once when back online).
    await chat.locator('#conn', { hasText: 'Connessione assente: la pagina riprova da sola.' }).waitFor();
    await shot(ctx.worker, 'chat-reconnecting');
    await adv.getByLabel('Risposta a Mario Rossi').fill('Messaggio inviato durante la disconnessione');
    await adv.getByLabel('Risposta a Mario Rossi').press('Enter');
    await adv.locator('.msg.mine .msg-status', { hasText: 'Inviato' }).last().waitFor();
    await chat.getByLabel('Il tuo messaggio').fill('Scritto mentre ero offline');
    await chat.getByLabel('Il tuo messaggio').press('Enter');
    await chat.locator('.msg.mine[data-state="sending"]').waitFor();
    await ctx.worker.waitForTimeout(800);
    await ctx.workerCtx.setOffline(false);
    await chat.locator('.msg-text', { hasText: 'durante la disconnessione' }).waitFor();
    await adv.locator('.msg-text', { hasText: 'Scritto mentre ero offline' }).waitFor();
    await chat.locator('#conn').waitFor({ state: 'hidden' });
    await ctx.worker.waitForTimeout(1500); // any duplicate would have arrived by now
    assert.is(await msgCount(chat, 'durante la disconnessione'), 1, 'the advisor message is shown once');
    assert.is(await msgCount(chat, 'Scritto mentre ero offline'), 1, 'the pending message is shown once');
    assert.is(await msgCount(adv, 'Scritto mentre ero offline'), 1, 'the re-sent message was stored once');
    assert.is(await chat.locator('.msg.mine[data-state="sending"]').count(), 0);
  });

  test('a socket killed under the chat is resumed without losses or duplicates', async () => {
    const frame = await chatFrame();
    await frame.evaluate(() => (window as unknown as { infocigChat: { ws: WebSocket } }).infocigChat.ws.close(3000, 'test'));
    await ctx.advisor.getByLabel('Risposta a Mario Rossi').fill('Secondo messaggio dopo la chiusura del socket');
    await ctx.advisor.getByLabel('Risposta a Mario Rossi').press('Enter');
    await ctx.chat.locator('.msg-text', { hasText: 'Secondo messaggio dopo' }).waitFor();
    await ctx.worker.waitForTimeout(1000);
    assert.is(await msgCount(ctx.chat, 'Secondo messaggio dopo'), 1);
    const seqs = await frame.$$eval('#log li[data-seq]', (lis) => lis.map((li) => Number((li as HTMLElement).dataset.seq)));
    assert.equal(seqs, [...seqs].sort((a, b) => a - b), 'messages are in seq order');
    assert.equal(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'no gaps');
  });

  test('the unread badge counts advisor messages while the panel is closed, and its label says one in the singular', async () => {
    const page = ctx.worker;
    await ctx.chat.getByRole('button', { name: 'Riduci a icona' }).click();
    await page.locator('.infocig-panel').waitFor({ state: 'hidden' });
    await ctx.advisor.getByLabel('Risposta a Mario Rossi').fill('Ha ricevuto la comunicazione?');
    await ctx.advisor.getByLabel('Risposta a Mario Rossi').press('Enter');
    const badge = page.locator('.infocig-badge');
    await badge.filter({ hasText: '1' }).waitFor();
    assert.is(await page.locator('button.infocig-bubble').getAttribute('aria-label'), 'Apri la chat INFO CIG, 1 messaggio non letto');
    await ctx.advisor.getByLabel('Risposta a Mario Rossi').fill('Le scrivo anche l’indirizzo della sede.');
    await ctx.advisor.getByLabel('Risposta a Mario Rossi').press('Enter');
    await badge.filter({ hasText: '2' }).waitFor();
    assert.is(await page.locator('button.infocig-bubble').getAttribute('aria-label'), 'Apri la chat INFO CIG, 2 messaggi non letti');
    await shot(page, 'demo-unread');
    await page.locator('button.infocig-bubble').click();
    await badge.waitFor({ state: 'hidden' });
  });

  test('after the host page reloads, the open chat comes back with its history, each message once', async () => {
    const page = ctx.worker;
    await page.reload();
    // The loader remembers (sessionStorage) that a chat is going on and that the panel was open.
    await page.locator('.infocig-panel').waitFor({ state: 'visible' });
    await ctx.chat.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    await ctx.chat.locator('.msg-text', { hasText: 'Ha ricevuto la comunicazione?' }).waitFor();
    for (const text of ['quando arriva il pagamento', 'verifico subito', 'durante la disconnessione', 'Scritto mentre ero offline', 'Ha ricevuto la comunicazione?']) {
      assert.is(await msgCount(ctx.chat, text), 1, text);
    }
    await ctx.advisor.getByLabel('Risposta a Mario Rossi').fill('Dopo il ricaricamento della pagina');
    await ctx.advisor.getByLabel('Risposta a Mario Rossi').press('Enter');
    await ctx.chat.locator('.msg-text', { hasText: 'Dopo il ricaricamento' }).waitFor();
    assert.is(await msgCount(ctx.chat, 'Dopo il ricaricamento'), 1);
  });

  test('the worker rates and closes the chat, both sides see it closed, and the transcript downloads', async () => {
    const chat = ctx.chat;
    await chat.getByRole('button', { name: 'Termina la chat' }).click();
    await chat.getByLabel('4 – Buona').check();
    await chat.getByRole('button', { name: 'Chiudi la chat' }).click();
    await chat.getByRole('heading', { name: 'Conversazione terminata' }).waitFor();
    await chat.getByText('Grazie per averci contattato.').waitFor();
    await ctx.advisor.getByText(/Chat chiusa/).waitFor();
    await ctx.advisor.locator('#load', { hasText: 'Chat aperte: 0 su 3' }).waitFor();
    const [download] = await Promise.all([ctx.worker.waitForEvent('download'), chat.getByRole('button', { name: 'Scarica la trascrizione' }).click()]);
    const file = await download.path();
    const text = readFileSync(file, 'utf8');
    assert.match(text, /INFO CIG – trascrizione/);
    assert.match(text, /Tu: Buongiorno, quando arriva il pagamento/);
    assert.match(text, /Anna Rossi: Buongiorno Mario, verifico subito/);
    assert.is(text.split('durante la disconnessione').length - 1, 1);
    await shot(ctx.worker, 'chat-ended');
    await shot(ctx.advisor, 'advisor-closed', true);
  });

  test('the demo, chat and advisor pages have no serious or critical axe violations', async () => {
    assert.equal(await axe(ctx.worker, 'demo'), []);
    assert.equal(await axe(await chatFrame(), 'chat (ended)'), []);
    assert.equal(await axe(ctx.advisor, 'advisor'), []);
    const full = await ctx.workerCtx.newPage();
    await full.goto(`${ctx.base}/chat/`);
    await full.getByRole('heading', { name: /Accesso di prova/ }).waitFor();
    assert.equal(await axe(full, 'chat full page (sign-in)'), []);
    await full.getByLabel('Profilo').selectOption('employer');
    await full.getByLabel('Provincia').selectOption('RM');
    await full.getByRole('button', { name: 'Entra' }).click();
    await full.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    assert.equal(await axe(full, 'chat full page (start)'), []);
    await full.close();
    for (const stub of ['office', 'dashboard']) {
      const p = await ctx.workerCtx.newPage();
      const res = await p.goto(`${ctx.base}/${stub}/`);
      assert.is(res?.status(), 200);
      assert.equal(await axe(p, stub), []);
      await p.close();
    }
  });

  test('the chat and the bubble work at 320 px without horizontal scrolling', async () => {
    const small = await newContext('small', { viewport: { width: 320, height: 640 } });
    const page = await small.newPage();
    await page.goto(`${ctx.base}/chat/`);
    await page.getByLabel('Provincia').selectOption('NA');
    await page.getByRole('button', { name: 'Entra' }).click();
    await page.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll on /chat/ at 320 px (${overflow} px)`);
    await shot(page, 'chat-320');
    await page.goto(`${ctx.base}/demo/?role=worker&province=TO&name=Luca%20Neri`);
    await page.locator('button.infocig-bubble').click();
    await page.frameLocator('iframe.infocig-frame').getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    const panel = await page.locator('.infocig-panel').boundingBox();
    assert.ok(panel && panel.width === 320, `the panel fills a narrow screen (${JSON.stringify(panel)})`);
    const demoOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(demoOverflow <= 0, `no horizontal scroll on the demo at 320 px (${demoOverflow} px)`);
    await shot(page, 'demo-320-open');
  });

  test('when the service is closed the chat says why and when it opens, in Italian time', async () => {
    const c = await newContext('closed');
    // The server runs with SERVICE_HOURS=always; the closed answer is what the real calendar gives on a Sunday.
    await c.route('**/api/v1/availability?**', (route) =>
      route.fulfill({ json: { open: false, reason: 'weekend', opensAt: '2025-03-03T14:00:00.000Z', province: 'MI', audience: 'worker' } }),
    );
    const page = await c.newPage();
    await page.goto(`${ctx.base}/chat/`);
    await page.getByRole('button', { name: 'Entra' }).click();
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    assert.match((await page.locator('#closed-reason').textContent()) ?? '', /sabato e la domenica/);
    assert.is(await page.locator('#closed-opens').textContent(), 'Riapre lunedì 3 marzo alle 15:00.');
    await page.getByLabel('Lingua').selectOption('en');
    assert.is(await page.locator('#closed-opens').textContent(), 'It opens again Monday 3 March at 15:00 (Italian time).');
    await shot(page, 'chat-closed');
    assert.equal(await axe(page, 'chat (closed)'), []);
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
    for (const a of chromium.axeRuns) assert.equal(a.violations, [], a.name);
  });
}

test.run();
