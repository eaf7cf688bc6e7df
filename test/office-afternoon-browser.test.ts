/**
 * An afternoon at the office console (widgets/office/) of INPS Sede di Milano,
 * in a real browser (Debian chromium through playwright-core), for what the
 * other office suites did not walk: a request escalated from a chat carries
 * the advisor's internal note, and its author is said to be the chat's INPS
 * advisor, not a colleague of the sede; an operator going through the list by
 * keyboard keeps the row they are on when the list is drawn again (the
 * 30-second refresh); a reply or a take-in-charge the server refuses leaves
 * the focus on the form, not at the top of the page, and a request a colleague
 * transferred meanwhile is said to be no longer the sede's instead of "not
 * found", with nothing left to send on it and the text typed kept read only, and one erased meanwhile
 * (retention) is said to no longer exist, not to have been transferred;
 * the chat's transcript names the advisor "Consulente INPS".
 * Screenshots: test/screenshots/office-afternoon-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { browserHarness, chromiumOrSkip, serverApi, type Json } from './helpers/browser.ts';
import pino from 'pino';
import { Retention } from '../server/retention.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({
  // The refusals (404, 409) the page shows in words are logged by the browser.
  console: { expected: /Failed to load resource/i },
  prefix: 'office-afternoon-',
  context: { viewport: { width: 1280, height: 850 } },
});
const ctx = { server: null as TestServer | null, page: null as unknown as Page, escalated: '', tickets: [] as Json[] };
const { api, devToken } = serverApi(() => ctx.server!.url);
const focused = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset?.id ?? document.activeElement?.id ?? '');

/** Marco Bassi, a colleague at the same sede, acting over HTTP while the operator looks on. */
const colleague = (method: string, url: string, body: Json) =>
  devToken({ role: 'office', sub: 'op-bassi', sede: 'SEDE-MI', name: 'Marco Bassi' }).then((tok) => api(tok, method, url, body));

/** The operator opens request `t` from the list; then the colleague does `act` to it. */
async function openThenColleague(page: Page, t: Json, act: () => Promise<{ status: number }>): Promise<void> {
  await page.locator('.q-item', { hasText: t.protocol }).click();
  await page.locator('#t-title', { hasText: t.subject }).waitFor();
  assert.is((await act()).status, 200);
}

/** A chat of Anna Bruno's that the advisor Paolo Neri escalates to the sede, with a note for it. */
async function escalate(server: TestServer): Promise<string> {
  const { store, tickets } = server.services;
  const conversation = await store.createConversation({
    id: crypto.randomUUID(), userId: 'w-bruno', userRole: 'worker', userName: 'Anna Bruno', province: 'MI', audience: 'worker',
    topic: 'cigo', entry: 'web', context: {}, advisorId: 'adv-neri', advisorName: 'Paolo Neri', openedAt: new Date(),
  } as never);
  await store.appendMessage({ conversationId: conversation.id, senderId: 'w-bruno', senderRole: 'worker', clientMsgId: crypto.randomUUID(), text: 'La mia azienda ha chiesto la CIGO ma non vedo nulla.' });
  await store.appendMessage({ conversationId: conversation.id, senderId: 'adv-neri', senderRole: 'advisor', clientMsgId: crypto.randomUUID(), text: 'Passo la sua richiesta alla sede di Milano.' });
  const ticket = await tickets.createFromEscalation({
    conversation, advisor: { role: 'advisor', sub: 'adv-neri', name: 'Paolo Neri' } as never,
    summary: 'Lavoratrice senza riscontro sulla domanda CIGO dell’azienda', transcript: await store.messagesAfter(conversation.id, 0),
    note: 'Utente molto preoccupata, richiamare.',
  });
  return ticket.protocol;
}

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    const worker = await devToken({ role: 'worker', sub: 'w-afternoon', province: 'MI', name: 'Giuseppe Rossi' });
    for (let i = 1; i <= 6; i++) {
      const res = await api(worker, 'POST', '/api/v1/tickets', { subject: `Pagamento diretto CIGO, richiesta ${i}`, category: 'payment', body: 'Non ho ricevuto il pagamento.' });
      assert.is(res.status, 201);
      ctx.tickets.push(res.body);
    }
    ctx.escalated = await escalate(ctx.server);
    await chromium.launch();
    ctx.page = await chromium.newPage('afternoon');
    await ctx.page.clock.install();
    await signInOffice(ctx.page, ctx.server.url, 'SEDE-MI', 'Laura Conti', 'op-conti');
    await ctx.page.locator('.q-item').nth(6).waitFor();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('the note the chat’s advisor left on an escalated request says it is the advisor’s, not the sede’s', async () => {
    const page = ctx.page;
    await page.locator('.q-item', { hasText: ctx.escalated }).click();
    const meta = page.locator('#t-notes li.note-item .note-meta');
    await meta.waitFor();
    assert.match((await meta.textContent()) ?? '', /^Paolo Neri \(Consulente INPS della chat\) · /);
    // Its origin too: in a sede «consulente» alone would be the labour consultant.
    assert.match((await page.locator('#ticket').textContent()) ?? '', /Da una chat con un consulente INPS/);
    await page.locator('#lang').selectOption('de');
    await page.locator('#t-notes li.note-item .note-meta', { hasText: /^Paolo Neri \(NISF\/INPS-Beratung des Chats\) · / }).waitFor();
    await page.locator('#lang').selectOption('it');
    await chromium.shot(page, 'advisor-note', true);
  });

  test('the transcript of an escalated chat names its advisor "Consulente INPS", not «Consulente» alone (the labour consultant, in a sede)', async () => {
    const page = ctx.page;
    await page.locator('.q-item', { hasText: ctx.escalated }).click();
    await page.getByText('Trascrizione della chat').click();
    const speakers = page.locator('#t-transcript .msg-meta strong');
    await speakers.nth(1).waitFor();
    assert.equal(await speakers.allTextContents(), ['Lavoratore', 'Consulente INPS']);
    await page.locator('#lang').selectOption('de');
    await page.locator('#t-transcript .msg-meta strong', { hasText: 'NISF/INPS-Berater/in' }).waitFor();
    await page.locator('#lang').selectOption('en');
    await page.locator('#t-transcript .msg-meta strong', { hasText: 'INPS advisor' }).waitFor();
    await page.locator('#lang').selectOption('it');
    await page.locator('#t-transcript .msg-meta strong', { hasText: 'Consulente INPS' }).waitFor();
    await chromium.shot(page, 'transcript', true);
  });

  test('going through the list by keyboard, the row in focus stays in focus when the list is drawn again', async () => {
    const page = ctx.page;
    const row = page.locator('.q-item').nth(3);
    const id = await row.getAttribute('data-id');
    await row.focus();
    await page.clock.runFor(31_000); // the periodic refresh
    await page.waitForFunction(() => !document.querySelector('#queue[aria-busy]'));
    await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    assert.is(await focused(page), id, 'the same row, drawn anew');
    // A colleague closes that request: the focus goes to the row now in its place.
    assert.is((await colleague('PATCH', `/api/v1/tickets/${id}`, { status: 'closed', outcome: 'Pratica definita' })).status, 200);
    await page.clock.runFor(31_000);
    await page.locator(`.q-item[data-id="${id}"]`).waitFor({ state: 'detached' });
    assert.is(await focused(page), await page.locator('.q-item').nth(3).getAttribute('data-id'));
  });

  test('a take-in-charge refused because a colleague closed the request leaves the focus on the request, not at the top of the page', async () => {
    const page = ctx.page;
    const t = ctx.tickets[0]!;
    await openThenColleague(page, t, () => colleague('PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Pratica definita' }));
    await page.locator('#take').click();
    await page.locator('#t-error', { hasText: 'Un altro operatore ha già cambiato lo stato' }).waitFor();
    await page.locator('#t-closed').waitFor();
    assert.is(await focused(page), 't-title');
  });

  test('a reply to a request a colleague transferred meanwhile: the pane says it is no longer the sede’s, offers nothing to send, keeps the text typed read only', async () => {
    const page = ctx.page;
    const t = ctx.tickets[1]!;
    const reply = 'Gentile signor Rossi, il pagamento è stato disposto.';
    const note = 'Sentita l’azienda: il pagamento parte venerdì.';
    await openThenColleague(page, t, () => colleague('POST', `/api/v1/tickets/${t.id}/transfer`, { sede: 'SEDE-RM', reason: 'Unità produttiva a Roma' }));
    await page.getByLabel('Testo della risposta').fill(reply);
    await page.getByLabel('Nuova nota per i colleghi').fill(note);
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    const gone = page.locator('#t-gone');
    await gone.getByRole('heading', { name: 'Richiesta non più della sede' }).waitFor();
    assert.match((await gone.textContent()) ?? '', `La richiesta ${t.protocol} non è più tra quelle della sede: nel frattempo è stata trasferita ad altra sede.`);
    await page.locator('.q-item', { hasText: t.protocol }).waitFor({ state: 'detached' });
    assert.is(await focused(page), 't-gone-title', 'the focus on what happened, the button pressed having gone');
    await page.locator('#announce', { hasText: `La richiesta ${t.protocol} non è più tra quelle della sede` }).waitFor();
    // Nothing left to act with: no take, reply, note, close or transfer, nor a file or a ready answer to send.
    for (const name of ['Prendi in carico', 'Invia la risposta', 'Aggiungi la nota interna', 'Chiudi la richiesta', 'Trasferisci la richiesta', 'Inserisci nel testo']) {
      assert.is(await page.getByRole('button', { name }).count(), 0, `no "${name}"`);
    }
    assert.ok(await page.getByLabel('Allegati (facoltativi)').isHidden());
    // What was typed stays, read only, to copy.
    for (const [label, text] of [['Testo della risposta', reply], ['Nuova nota per i colleghi', note]] as const) {
      const field = page.getByLabel(label);
      assert.is(await field.inputValue(), text);
      assert.ok(await field.evaluate((el) => (el as HTMLTextAreaElement).readOnly), `${label}: read only`);
    }
    assert.ok(await page.locator('#t-gone-kept').isVisible(), 'the pane says the text is kept to copy');
    assert.is(await page.locator('#reply-error').textContent(), '', 'said once, in the pane');
    await chromium.shot(page, 'reply-gone', true);
    assert.equal(await chromium.axe(page, 'office, a request transferred meanwhile'), []);
    // The language switch draws the pane again: still gone.
    await page.locator('#lang').selectOption('de');
    await gone.getByRole('heading', { name: 'Anfrage nicht mehr bei diesem Sitz' }).waitFor();
    assert.is(await page.getByRole('button', { name: 'Antwort senden' }).count(), 0);
    await page.locator('#lang').selectOption('it');
    // Another request opened: its forms are back, empty and writable.
    await page.locator('.q-item', { hasText: ctx.tickets[2]!.protocol }).click();
    await page.getByRole('button', { name: 'Invia la risposta' }).waitFor();
    assert.ok(await gone.isHidden());
    assert.is(await page.getByLabel('Testo della risposta').inputValue(), '');
    assert.not.ok(await page.getByLabel('Testo della risposta').evaluate((el) => (el as HTMLTextAreaElement).readOnly));
  });

  test('a take-in-charge of a request a colleague transferred meanwhile leaves no form behind, only the words why', async () => {
    const page = ctx.page;
    const t = ctx.tickets[4]!;
    await openThenColleague(page, t, () => colleague('POST', `/api/v1/tickets/${t.id}/transfer`, { sede: 'SEDE-RM', reason: 'Unità produttiva a Roma' }));
    await page.locator('#take').click();
    await page.locator('#t-gone', { hasText: `La richiesta ${t.protocol} non è più tra quelle della sede` }).waitFor();
    assert.is(await focused(page), 't-gone-title');
    for (const form of ['#take-box', '#reply-form', '#note-form', '#close-form', '#transfer-form']) assert.ok(await page.locator(form).isHidden(), `${form} hidden`);
    assert.ok(await page.locator('#t-gone-kept').isHidden(), 'nothing typed, nothing kept');
  });

  test('a reply to a request erased meanwhile says it no longer exists, not that it was transferred; the text typed stays', async () => {
    const page = ctx.page;
    const t = ctx.tickets[5]!;
    const reply = 'Gentile signor Rossi, le confermo il pagamento.';
    await openThenColleague(page, t, () => colleague('PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Pratica definita' }));
    // The retention sweep, run as if its period had passed: last in this suite, it erases every closed request.
    const services = ctx.server!.services;
    const later = { now: () => Date.now() + 400 * 86_400_000 };
    assert.ok((await new Retention({ db: services.db.db, clock: later as never, days: 90, log: pino({ level: 'silent' }) }).sweep()).tickets >= 1);
    await page.getByLabel('Testo della risposta').fill(reply);
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    const gone = page.locator('#t-gone');
    await gone.getByRole('heading', { name: 'Richiesta cancellata' }).waitFor();
    const words = (await gone.textContent()) ?? '';
    assert.match(words, `La richiesta ${t.protocol} non esiste più: è stata cancellata al termine della conservazione.`);
    assert.not.match(words, 'trasferita', 'not said to be transferred');
    assert.is(await focused(page), 't-gone-title');
    await page.locator('#announce', { hasText: `La richiesta ${t.protocol} non esiste più` }).waitFor();
    assert.is(await page.getByRole('button', { name: 'Invia la risposta' }).count(), 0);
    assert.is(await page.getByLabel('Testo della risposta').inputValue(), reply);
    await chromium.shot(page, 'reply-erased', true);
    await page.locator('#lang').selectOption('en');
    await gone.getByRole('heading', { name: 'Request erased' }).waitFor();
    assert.match((await gone.textContent()) ?? '', `Request ${t.protocol} no longer exists`);
    await page.locator('#lang').selectOption('it');
    await gone.getByRole('heading', { name: 'Richiesta cancellata' }).waitFor();
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
