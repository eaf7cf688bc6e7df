/**
 * The end of a user's chat in chromium: the rating question after the advisor
 * closes it (kept over a reload, asked once), a message typed and not sent named
 * before the user closes (it would be lost), "Esci" with a chat open (asks, then
 * closes the chat before signing out; the advisor sees it closed by the user; a
 * message typed and not sent is named there too),
 * and the bubble's unread count while minimised (the advisor joining is not a
 * message; with no chat open, a question written on the start form is named before it is lost). Named buttons keep
 * their words together in the dialog («Im Chat bleiben» at 360 px). The server runs in this process on the test database (PostgreSQL
 * with DATABASE_URL, else PGlite); screenshots in test/screenshots/chat-end-*.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { browserHarness, chooseLangBehindDialog, chromiumOrSkip, splitPhrases, splitWords } from './helpers/browser.ts';
import { marioCard, signInAdvisor, workerAsksForChat } from './helpers/pages.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({
  console: { expected: /WebSocket connection to/i },
  prefix: 'chat-end-',
  context: { viewport: { width: 1100, height: 820 } },
});
const { newPage, shot, axe } = chromium;

let server: TestServer;
const base = () => server.url;

/** Anna Rossi, available at the console, and Mario Rossi talking with her in /chat/, each at their own computer. */
async function chatWithAnna(tag: string): Promise<{ adv: Page; w: Page }> {
  const adv = await newPage(`advisor-${tag}`);
  await signInAdvisor(adv, base(), 'Anna Rossi', `adv-${tag}-b`, true);
  const w = await newPage(`worker-${tag}`);
  await workerAsksForChat(w, base());
  await w.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
  return { adv, w };
}

/** The advisor closes Mario Rossi's chat from the console's card. */
async function advisorCloses(adv: Page): Promise<void> {
  await marioCard(adv).getByRole('button', { name: 'Chiudi la chat' }).click();
  await marioCard(adv).getByText(/Chat chiusa/).waitFor();
}

/** Each test's people leave: an advisor left available would take the next test's user. */
async function closeAll(...pages: Page[]): Promise<void> {
  for (const p of pages) await p.close();
}

/** At 320 px with text at 200 %: nothing scrolls sideways; a screenshot; then back. */
async function atPhoneWith200Percent(page: Page, name: string, more?: () => Promise<void>, fullPage = true): Promise<void> {
  const before = page.viewportSize()!;
  // Through the CSSOM, which the page's style-src 'self' allows.
  await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scroll at 320 px and 200 % (${overflow} px)`);
  // Nor does a button run out of its box (the dialog's, which the page's scroll width does not see).
  const cut = await page.evaluate(() =>
    [...document.querySelectorAll('button')].filter((b) => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1).map((b) => b.textContent),
  );
  assert.equal(cut, [], 'every visible button shows its whole label');
  const dialogs = await page.evaluate(() => [...document.querySelectorAll('dialog[open]')].filter((d) => d.scrollWidth > d.clientWidth).length);
  assert.is(dialogs, 0, 'an open dialog does not scroll sideways');
  await shot(page, name, fullPage);
  await more?.();
  await page.evaluate(() => (document.documentElement.style.fontSize = ''));
  await page.setViewportSize(before);
}

/** The conversation as the page's own client reads it over HTTP. */
const conversationOf = (page: Page, id: string) =>
  page.evaluate(async (cid) => (window as unknown as { infocigChat: { api(p: string): Promise<{ rating: number | null; rateUntil: string | null }> } }).infocigChat.api(`api/v1/conversations/${cid}`), id);
const currentConversation = (page: Page) => page.evaluate(() => sessionStorage.getItem('infocig.chat.ended')).then((s) => JSON.parse(s ?? '{}').conversationId as string);

if (chromiumOrSkip('chat end browser test')) {
  test.before(async () => {
    server = await startServer();
    await chromium.launch();
  });
  test.after(async () => {
    await chromium.close();
    await server.close();
  });

  test('after the advisor closes the chat the user is asked to rate it, the question survives a reload, and is asked once', async () => {
    const { adv, w } = await chatWithAnna('rate');
    await advisorCloses(adv);

    await w.getByRole('heading', { name: 'Conversazione terminata' }).waitFor();
    await w.getByText('Il consulente ha chiuso la conversazione.').waitFor();
    const question = w.getByRole('group', { name: 'Come valuta questa conversazione? (facoltativo)' });
    await question.waitFor();
    await shot(w, 'rating-asked', true);
    assert.equal(await axe(w, 'chat (ended, rating asked)'), []);
    await atPhoneWith200Percent(w, 'rating-320-200', async () => assert.equal(await axe(w, 'rating at 320 px, 200 %'), []));

    // Sent with nothing picked: a clear word, nothing sent.
    await w.getByRole('button', { name: 'Invia la valutazione' }).click();
    await w.getByRole('alert').filter({ hasText: 'Scegli un valore da 1 a 5.' }).waitFor();

    await w.reload();
    await w.getByRole('heading', { name: 'Conversazione terminata' }).waitFor();
    await question.waitFor();
    await question.getByLabel('4 – Buona').check();
    await w.getByRole('button', { name: 'Invia la valutazione' }).click();
    await w.getByRole('status').filter({ hasText: 'Grazie per la valutazione.' }).waitFor();
    assert.is(await question.count(), 0, 'the question is gone once answered');
    await shot(w, 'rating-thanks', true);
    const id = await currentConversation(w);
    assert.is((await conversationOf(w, id)).rating, 4);

    await w.reload();
    await w.getByRole('heading', { name: 'Conversazione terminata' }).waitFor();
    await w.getByRole('button', { name: 'Nuova richiesta' }).waitFor();
    assert.is(await w.locator('#after-rate').isHidden(), true, 'not asked again after a reload');
    await w.getByRole('button', { name: 'Nuova richiesta' }).click();
    await w.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await w.reload();
    await w.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await closeAll(adv, w);
  });

  test('a user who ended the chat with the closing form is not asked a second time', async () => {
    const { adv, w } = await chatWithAnna('own');
    await w.getByRole('button', { name: 'Termina la chat' }).click();
    await w.getByRole('button', { name: 'Chiudi la chat' }).click();
    await w.getByText('Grazie per averci contattato.').waitFor();
    assert.is(await w.locator('#after-rate').isHidden(), true);
    await closeAll(adv, w);
  });

  test('"Termina la chat" with a message typed and not sent says so; "Continua la chat" puts the focus back on it, to send', async () => {
    const { adv, w } = await chatWithAnna('unsent');
    const unsent = w.locator('#rate-unsent');
    await w.getByRole('button', { name: 'Termina la chat' }).click();
    await w.getByRole('heading', { name: 'Prima di chiudere' }).waitFor();
    assert.is(await unsent.isVisible(), false, 'nothing typed: nothing said');
    await w.getByRole('button', { name: 'Continua la chat' }).click();

    await w.getByLabel('Il tuo messaggio').fill('Il protocollo è INPS.IS.2025.0004711');
    await w.getByRole('button', { name: 'Termina la chat' }).click();
    await unsent.filter({ hasText: 'Il messaggio che stai scrivendo non è stato inviato: per inviarlo scegli «Continua la chat».' }).waitFor();
    await shot(w, 'unsent', true);
    await w.getByRole('button', { name: 'Continua la chat' }).click();
    assert.is(await w.evaluate(() => document.activeElement?.id), 'text', 'back on the message, to send it');
    await w.getByLabel('Il tuo messaggio').press('Enter');
    await marioCard(adv).locator('.msg-text', { hasText: 'INPS.IS.2025.0004711' }).waitFor();
    await w.getByRole('button', { name: 'Termina la chat' }).click();
    assert.is(await unsent.isVisible(), false, 'sent: nothing left to say');
    await closeAll(adv, w);
  });

  test('"Esci" during a chat asks first; confirmed, it closes the chat (the advisor sees it closed by the user) and signs out', async () => {
    const { adv, w } = await chatWithAnna('out');
    await marioCard(adv).waitFor();

    await w.getByRole('button', { name: 'Esci' }).click();
    const dialog = w.getByRole('dialog', { name: 'Uscire?' });
    await dialog.waitFor();
    await dialog.getByText('La conversazione con il consulente verrà chiusa.').waitFor();
    assert.is(await w.evaluate(() => document.activeElement?.id), 'signout-stay', 'the safe answer has the focus');
    await shot(w, 'signout-asked');
    assert.equal(await axe(w, 'chat (sign-out question)'), []);
    await atPhoneWith200Percent(w, 'signout-320-200', undefined, false);
    await dialog.getByRole('button', { name: 'Resta nella chat' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await w.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    assert.is(await marioCard(adv).getByText(/Chat chiusa/).count(), 0, 'staying keeps the chat open');

    await w.getByRole('button', { name: 'Esci' }).click();
    await dialog.getByRole('button', { name: 'Esci e chiudi la chat' }).click();
    await w.getByRole('heading', { name: /Accesso di prova/ }).waitFor();
    await marioCard(adv).getByText('Chat chiusa (chiusa dall’utente).').waitFor();
    await shot(adv, 'signout-advisor', true);
    await closeAll(adv, w);
  });

  test('"Esci" with a message typed and not sent says so; "Resta nella chat" puts the focus back on it, to send', async () => {
    const { adv, w } = await chatWithAnna('out-unsent');
    // Closed even when a step fails: an advisor left available would take the next test's user.
    try {
      const dialog = w.getByRole('dialog', { name: 'Uscire?' });
      const unsent = w.locator('#signout-unsent');
      await w.getByRole('button', { name: 'Esci' }).click();
      await dialog.waitFor();
      assert.is(await unsent.isVisible(), false, 'nothing typed: nothing said');
      assert.is(await dialog.getAttribute('aria-describedby'), 'signout-text', 'nor read out from the hidden line');
      await dialog.getByRole('button', { name: 'Resta nella chat' }).click();
      assert.is(await w.evaluate(() => document.activeElement?.id), 'signout', 'nothing to send: back on «Esci»');

      await w.getByLabel('Il tuo messaggio').fill('Il protocollo è INPS.IS.2025.0004712');
      await w.getByRole('button', { name: 'Esci' }).click();
      await unsent.filter({ hasText: 'Il messaggio che stai scrivendo non è stato inviato: per inviarlo scegli «Resta nella chat».' }).waitFor();
      assert.is(await dialog.getAttribute('aria-describedby'), 'signout-text signout-unsent', 'said with the question');
      assert.is(await w.evaluate(() => document.activeElement?.id), 'signout-stay', 'the safe answer still has the focus');
      await shot(w, 'signout-unsent');
      assert.equal(await axe(w, 'chat (sign-out with a message not sent)'), []);
      await w.setViewportSize({ width: 360, height: 640 });
      await shot(w, 'signout-unsent-360');
      assert.equal(await splitWords(w, '#signout-dialog p'), [], 'the dialog keeps its words whole at 360 px');
      await chooseLangBehindDialog(w, 'de');
      await unsent.filter({ hasText: 'Um sie zu senden, wählen Sie „Im Chat bleiben“.' }).waitFor();
      assert.equal(await splitWords(w, '#signout-dialog p'), [], 'in German too');
      assert.equal(await splitPhrases(w, '#signout-dialog :is(p, button)', 'Im Chat bleiben'), [], 'the button named in the sentence, and its own label, on one line');
      await shot(w, 'signout-unsent-360-de');
      await chooseLangBehindDialog(w, 'it');
      await unsent.filter({ hasText: 'Il messaggio che stai scrivendo' }).waitFor();
      await w.setViewportSize({ width: 1100, height: 820 });
      await atPhoneWith200Percent(w, 'signout-unsent-320-200', async () => assert.equal(await splitWords(w, '#signout-dialog p'), [], 'words whole at 320 px, 200 %'), false);
      await dialog.getByRole('button', { name: 'Resta nella chat' }).click();
      await dialog.waitFor({ state: 'hidden' });
      // The dialog's `close` event, which moves the focus, comes a moment after it is hidden; the browser alone puts it back on «Esci».
      await w.waitForFunction(() => document.activeElement?.id === 'text', undefined, { timeout: 3000 }).catch(() => assert.unreachable('back on the message, to send it'));
      await w.getByLabel('Il tuo messaggio').press('Enter');
      await marioCard(adv).locator('.msg-text', { hasText: 'INPS.IS.2025.0004712' }).waitFor();
      await w.getByRole('button', { name: 'Esci' }).click();
      await dialog.waitFor();
      assert.is(await unsent.isVisible(), false, 'sent: nothing left to say');
      await dialog.getByRole('button', { name: 'Resta nella chat' }).click();
    } finally {
      await closeAll(adv, w);
    }
  });

  test('"Esci" with no chat open and a question written on the start form says the question would be lost; "Resta nella chat" goes back to it; nothing written signs out at once', async () => {
    const w = await newPage('worker-idle');
    const question = 'Quando arriva la CIGO di ottobre? Protocollo INPS.IS.2025.0004713';
    await w.goto(`${base()}/chat/`);
    await w.getByRole('button', { name: 'Entra' }).click();
    await w.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await w.getByLabel('La tua domanda (facoltativa)').fill(question);
    await w.getByRole('button', { name: 'Esci' }).click();
    const dialog = w.getByRole('dialog', { name: 'Uscire?' });
    const said = w.locator('#signout-question');
    await said.filter({ hasText: 'La domanda che hai scritto non è stata inviata e andrà persa: per inviarla scegli «Resta nella chat».' }).waitFor();
    assert.is(await dialog.getAttribute('aria-describedby'), 'signout-question', 'read with the question');
    assert.is(await w.locator('#signout-text').isVisible(), false, 'no chat to close: not said');
    assert.is(await dialog.getByRole('button', { name: 'Esci e chiudi la chat' }).isVisible(), false);
    assert.is(await w.evaluate(() => document.activeElement?.id), 'signout-stay', 'the safe answer has the focus');
    await shot(w, 'signout-question');
    assert.equal(await axe(w, 'chat (sign-out with a question not sent)'), []);
    await w.setViewportSize({ width: 360, height: 640 });
    await chooseLangBehindDialog(w, 'de');
    await said.filter({ hasText: 'Ihre Frage wurde nicht gesendet und geht verloren: Um sie zu senden, wählen Sie „Im Chat bleiben“.' }).waitFor();
    assert.equal(await splitPhrases(w, '#signout-dialog :is(p, button)', 'Im Chat bleiben'), [], '„Im Chat bleiben“ on one line at 360 px');
    await shot(w, 'signout-question-360-de');
    await chooseLangBehindDialog(w, 'en');
    await said.filter({ hasText: 'Your question has not been sent and will be lost' }).waitFor();
    await chooseLangBehindDialog(w, 'it');
    await w.setViewportSize({ width: 1100, height: 820 });
    await atPhoneWith200Percent(w, 'signout-question-320-200', undefined, false);
    await dialog.getByRole('button', { name: 'Resta nella chat' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await w.waitForFunction(() => document.activeElement?.id === 'question', undefined, { timeout: 3000 }).catch(() => assert.unreachable('back on the question, to send it'));
    assert.is(await w.getByLabel('La tua domanda (facoltativa)').inputValue(), question, 'the question is kept');

    await w.getByRole('button', { name: 'Esci' }).click();
    await dialog.getByRole('button', { name: 'Esci senza inviare' }).click();
    await w.getByRole('heading', { name: /Accesso di prova/ }).waitFor();
    await w.getByRole('button', { name: 'Entra' }).click();
    await w.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    assert.is(await w.getByLabel('La tua domanda (facoltativa)').inputValue(), '', 'gone, as the dialog said');
    await w.getByRole('button', { name: 'Esci' }).click();
    await w.getByRole('heading', { name: /Accesso di prova/ }).waitFor();
    assert.is(await w.locator('#signout-dialog').evaluate((d) => (d as HTMLDialogElement).open), false, 'nothing written: out at once');
    await closeAll(w);
  });

  test('minimised, the bubble counts the advisor’s messages only, not the advisor joining', async () => {
    const adv = await newPage('advisor-bubble');
    const page = await newPage('worker-bubble');
    await page.goto(`${base()}/demo/?role=worker&province=PA&name=Mario%20Rossi`);
    await page.locator('button.infocig-bubble').click();
    const chat = page.frameLocator('iframe.infocig-frame');
    await chat.getByLabel('CIGO – Cassa integrazione ordinaria').check();
    await chat.getByRole('button', { name: 'Avvia la chat' }).click();
    await chat.locator('#queue-status').waitFor();
    await chat.getByRole('button', { name: 'Riduci a icona' }).click();
    await page.locator('.infocig-panel').waitFor({ state: 'hidden' });

    await signInAdvisor(adv, base(), 'Paola Neri', 'adv-bubble-b', true);
    await marioCard(adv).waitFor();
    const reply = adv.getByLabel('Risposta a Mario Rossi');
    await reply.fill('Buongiorno, sono Paola: come posso aiutarla?');
    await reply.press('Enter');
    // The message is in the (hidden) chat: every count the chat posted to the host page before it was posted too.
    await chat.locator('.msg-text', { hasText: 'sono Paola' }).waitFor({ state: 'attached' });
    const badge = page.locator('.infocig-badge');
    await badge.waitFor();
    assert.is(await badge.textContent(), '1', 'one message, one unread: the advisor joining is not counted');
    assert.is(await page.locator('button.infocig-bubble').getAttribute('aria-label'), 'Apri la chat INFO CIG, 1 messaggio non letto');
    await shot(page, 'bubble-unread');
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
