/**
 * The advisor console at 1024×768 with three chats, in a real browser (Debian chromium): each card fits the
 * screen — its transcript, reply box, «Invia», the outcome and «Chiudi la chat» are all in sight once the card
 * is scrolled to, without scrolling inside it (the cards were about 1,160 px tall, the close form two screens
 * down from the first one). The context, the user's requests and the transcript's download stay on the card;
 * a hand-over form opened makes the card grow rather than scroll. A long reply (ready answers put in) on the card
 * that lists a request scrolls inside its box: the hand-over row, «Invia» and «Chiudi» stay in sight (they were
 * under the card's cap, in its own scroll). axe-core on the board.
 * Screenshots: test/screenshots/advisor-compact-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip, serverApi } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const VIEWPORT = { width: 1024, height: 768 };
const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, context: { viewport: VIEWPORT }, prefix: 'advisor-compact-' });
const ctx = { server: null as TestServer | null, page: null as unknown as Page, workers: [] as TestSocket[] };
const { api } = serverApi(() => ctx.server!.url);
const USERS = ['Mario Rossi', 'Lucia Bianchi', 'Paolo Verdi'];
const QUESTION = 'Buongiorno, il pagamento della CIGO di marzo non è ancora arrivato: potete verificare?';

/** Where the parts an advisor works with lie, in the viewport, once the card is scrolled to its top. */
async function inSight(page: Page, name: string) {
  const card = page.locator('article.chat-card', { has: page.getByRole('heading', { name }) });
  await card.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  // No named functions inside: the page gets the code as tsx compiled it, and their names would need tsx's helper.
  return card.evaluate((el, parts) => {
    const box = el.getBoundingClientRect();
    return {
      card: { top: Math.round(box.top), bottom: Math.round(box.bottom), height: Math.round(box.height), scrolls: el.scrollHeight > el.clientHeight + 1 },
      viewport: innerHeight,
      parts: Object.fromEntries(parts.map((p) => [p, el.querySelector(p)!.getBoundingClientRect()] as const).map(([p, r]) => [p, { top: Math.round(r.top), bottom: Math.round(r.bottom) }])),
      log: Math.round(el.querySelector('.log')!.getBoundingClientRect().height),
    };
  }, ['.ctx', '.log', '.composer textarea', '.composer button[type="submit"]', '.close-form select', '.close-form button', '.chat-card-head > button', '.handover']);
}

/** Each part lies within the viewport and within the card's own box (not scrolled away inside it); the card hides nothing. */
function assertInSight(seen: Awaited<ReturnType<typeof inSight>>, name: string, minLog = 128): void {
  const where = `${name}: ${JSON.stringify(seen)}`;
  assert.ok(seen.card.height <= seen.viewport, `the card fits the screen: ${where}`);
  assert.is(seen.card.scrolls, false, `nothing hidden inside the card: ${where}`);
  for (const [part, r] of Object.entries(seen.parts)) {
    assert.ok(r.top >= 0 && r.bottom <= seen.viewport, `${part} in the viewport: ${where}`);
    assert.ok(r.top >= seen.card.top && r.bottom <= seen.card.bottom, `${part} within the card's box: ${where}`);
  }
  assert.ok(seen.log >= minLog, `the transcript keeps room for messages: ${where}`);
}

if (chromiumOrSkip('advisor compact-card test')) {
  test.before(async () => {
    ctx.server = await startServer();
    await chromium.launch();
    ctx.page = await chromium.newPage('advisor');
  });

  test.after(async () => {
    await chromium.close();
    for (const w of ctx.workers) w.drop();
    await ctx.server?.close();
  });

  test('at 1024×768 each of three cards shows its transcript, reply box and close form without scrolling inside it', async () => {
    const page = ctx.page;
    const server = ctx.server!;
    await page.goto(`${server.url}/advisor/`);
    await page.getByLabel('Nome').fill('Giulia Rossi');
    await page.getByLabel('Codice utente').fill('adv-rossi');
    await page.getByRole('button', { name: 'Entra' }).click();
    await page.getByLabel('Disponibile').check();
    await page.locator('#load', { hasText: /^Chat aperte: 0 su 3$/ }).waitFor();
    for (const [i, name] of USERS.entries()) {
      const claims = { role: 'worker', sub: `w-compact-${i}`, province: 'MI', name };
      // The first has a request open at the sede: the card lists it, unfolded, the heaviest card there is.
      if (i === 0) assert.is((await api(await server.token(claims), 'POST', '/api/v1/tickets', { subject: 'Pagamento diretto CIGO di marzo non ricevuto', category: 'payment', body: 'Non ho ricevuto il pagamento.' })).status, 201);
      const [worker] = await TestSocket.signIn(server.wsUrl, await server.token(claims));
      ctx.workers.push(worker);
      assert.is((await worker.request({ type: 'chat.request', topic: 'cigo', context: { protocol: 'INPS.2026.CIGO.0001234567' } })).type, 'ok');
      const { conversationId } = await worker.next('conversation.assigned', () => true, 10_000);
      for (let k = 1; k <= 5; k++) worker.send({ type: 'message.send', conversationId, clientMsgId: `m-${i}-${k}`, text: `${k}. ${QUESTION}` });
      await page.locator('article.chat-card', { has: page.getByRole('heading', { name }) }).locator('.msg-text', { hasText: `5. ${QUESTION}` }).waitFor();
    }
    await page.locator('.requests-box[open] li').waitFor();
    await chromium.shot(page, 'board');

    for (const name of USERS) assertInSight(await inSight(page, name), name);
    await chromium.shot(page, 'card');
    assert.equal(await chromium.axe(page, 'board'), []);
  });

  test('a long ready answer on the card that lists a request scrolls inside the reply box: the hand-over row, «Invia» and «Chiudi» stay in sight', async () => {
    const page = ctx.page;
    const name = 'Mario Rossi'; // the first, whose request is listed on the card
    const card = page.locator('article.chat-card', { has: page.getByRole('heading', { name }) });
    const reply = card.getByLabel(`Risposta a ${name}`);
    // Three of the longest ready answers, one after the other: some 700 characters, past the box's own cap.
    for (const id of ['pagamento-diretto-tempi', 'domanda-azienda', 'passo-alla-sede']) {
      await card.getByLabel('Risposte pronte').selectOption(id);
      await card.getByRole('button', { name: 'Inserisci' }).click();
    }
    assert.match(await reply.inputValue(), /UniEmens[\s\S]*sede/);
    await card.locator('.requests-box[open] li').waitFor();
    // The card is fitted in the frame after it changed: wait for one to pass.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    // The transcript gives way first, down to 6rem (a message or two), then the reply box.
    assertInSight(await inSight(page, name), name, 96);
    const box = await reply.evaluate((t) => ({ scroll: t.scrollHeight, client: t.clientHeight }));
    assert.ok(box.client >= 72, `the reply box keeps a few lines: ${JSON.stringify(box)}`);
    await chromium.shot(page, 'long-answer');
    await reply.fill('');
    assertInSight(await inSight(page, name), name);
  });

  test('opening the escalation form makes the card grow, never scroll inside', async () => {
    const page = ctx.page;
    const card = page.locator('article.chat-card', { has: page.getByRole('heading', { name: 'Mario Rossi' }) });
    await card.getByText('Passa alla sede (Linea INPS)').click();
    const summary = card.getByLabel('Sintesi per la sede');
    await summary.waitFor();
    assert.is(await card.evaluate((el) => el.scrollHeight > el.clientHeight + 1), false);
    await card.getByText('Passa alla sede (Linea INPS)').click();
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
