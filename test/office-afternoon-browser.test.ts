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
 * found". Screenshots: test/screenshots/office-afternoon-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { browserHarness, chromiumOrSkip, serverApi, type Json } from './helpers/browser.ts';
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

  test('a reply to a request a colleague transferred meanwhile says it is no longer the sede’s, updates the list, keeps the text and the focus', async () => {
    const page = ctx.page;
    const t = ctx.tickets[1]!;
    await openThenColleague(page, t, () => colleague('POST', `/api/v1/tickets/${t.id}/transfer`, { sede: 'SEDE-RM', reason: 'Unità produttiva a Roma' }));
    await page.getByLabel('Testo della risposta').fill('Gentile signor Rossi, il pagamento è stato disposto.');
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('#reply-error', { hasText: `La richiesta ${t.protocol} non è più tra quelle della sede` }).waitFor();
    await page.locator('.q-item', { hasText: t.protocol }).waitFor({ state: 'detached' });
    assert.is(await focused(page), 'reply-send');
    assert.is(await page.locator('#reply-text').inputValue(), 'Gentile signor Rossi, il pagamento è stato disposto.');
    await chromium.shot(page, 'reply-gone', true);
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
