/**
 * "Le mie richieste" and a request's thread update live (widgets/chat/ticket-live.js,
 * docs/tickets.md "Live updates"), in a real browser (Debian chromium through
 * playwright-core) against a real server process: the Milano office answers and
 * takes the request in charge over the API, and the worker's open page shows it
 * without "Aggiorna", says it once in the polite live region, keeps the focus on
 * the row, and in the thread keeps the reply being typed. A push lost on the way
 * (Redis pub/sub is at-most-once; here the test's route drops the frame) is made
 * good when the socket comes back after a drop and when the tab is shown again.
 * Screenshots:
 * test/screenshots/chat-ticket-live-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page, WebSocketRoute } from 'playwright-core';
import { chromiumOrSkip } from './helpers/browser.ts';
import { chatTicketPages } from './helpers/chat-ticket-pages.ts';

const pages = chatTicketPages('chat-ticket-live');
const { chromium, api, devToken, newContext, signIn, focusedId } = pages;
const { shot, axe } = chromium;
const ctx = { page: null as unknown as Page, id: '', protocol: '' };
/** A second worker whose socket passes through the test: pushes can be lost on the way, the socket dropped. */
const lossy = { page: null as unknown as Page, id: '', protocol: '', drop: false, dropped: 0, sockets: [] as { page: WebSocketRoute; server: WebSocketRoute }[] };

const officeToken = () => devToken({ role: 'office', sub: 'op-mi-live', name: 'Laura Bianchi', sede: 'SEDE-MI' });
const tokenOfPage = async (page: Page) => devToken(JSON.parse((await page.evaluate(() => sessionStorage.getItem('infocig.chat.dev')))!));

async function office(method: 'POST' | 'PATCH', path: string, body: object, id = ctx.id): Promise<void> {
  const res = await api(await officeToken(), method, `/api/v1/tickets/${id}${path}`, body);
  assert.ok(res.status < 300, JSON.stringify(res.body));
}

/** A worker signed in with one request of theirs (its id and protocol kept in `into`), shown in "Le mie richieste": its row. */
async function listWithRequest(page: Page, personName: string, into: { id: string; protocol: string }, request: object) {
  await signIn(page, 'worker', 'MI', personName);
  await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
  const res = await api(await tokenOfPage(page), 'POST', '/api/v1/tickets', request);
  assert.is(res.status, 201, JSON.stringify(res.body));
  into.id = res.body.id;
  into.protocol = res.body.protocol;
  await page.locator('#closed-mine').click();
  const row = page.locator(`#tk-list [data-id="${into.id}"]`);
  await row.locator('.tk-meta', { hasText: 'Risposta entro' }).waitFor();
  return row;
}

/** Empties the live region, so what is said next is read on its own. */
const quiet = (page: Page) => page.evaluate(() => (document.querySelector('#announce')!.textContent = ''));
/** What the live region says once it says something. */
async function said(page: Page): Promise<string> {
  await page.waitForFunction(() => document.querySelector('#announce')!.textContent !== '');
  return (await page.locator('#announce').textContent()) ?? '';
}

if (chromiumOrSkip()) {
  test.before(async () => {
    await pages.start();
    ctx.page = await (await newContext('worker')).newPage();
  });

  test.after(async () => {
    await pages.stop();
  });

  /** The page's WebSocket through a route that drops `ticket.updated` frames while `lossy.drop` is set. */
  async function lossyPage(): Promise<Page> {
    const context = await newContext('worker-lossy');
    await context.routeWebSocket(/\/ws(\?|$)/, (page) => {
      const server = page.connectToServer();
      server.onMessage((frame) => {
        if (lossy.drop && typeof frame === 'string' && JSON.parse(frame).type === 'ticket.updated') lossy.dropped++;
        else page.send(frame);
      });
      lossy.sockets.push({ page, server });
    });
    return context.newPage();
  }

  /** Polls the test's own counters (what the page shows is waited for with locators). */
  async function until(what: string, ok: () => boolean): Promise<void> {
    for (const start = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() - start > 10_000) assert.unreachable(`timed out waiting for ${what}`);
    }
  }

  /** The office's change is made and its push lost on the way to the page. */
  async function lostPush(method: 'POST' | 'PATCH', path: string, body: object): Promise<void> {
    lossy.drop = true;
    const before = lossy.dropped;
    await office(method, path, body, lossy.id);
    await until('the push to be dropped', () => lossy.dropped > before);
  }

  /** The page's document says it is hidden or visible, as when the user switches tabs. */
  const setVisibility = (page: Page, state: 'hidden' | 'visible') =>
    // A string, not a function: tsx would name the getters with a helper the page does not have.
    page.evaluate(`(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => '${state}' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${state === 'hidden'} });
      document.dispatchEvent(new Event('visibilitychange'));
    })()`);

  test('with "Le mie richieste" open, the sede\'s answer and its taking the request in charge show on the row without "Aggiorna", each said once, the focus left on the row', async () => {
    const page = ctx.page;
    const row = await listWithRequest(page, 'Mario Rossi', ctx, { subject: 'Pagamento diretto di marzo', category: 'payment', body: 'Non ho ricevuto il pagamento.' });
    await row.focus();
    await quiet(page);

    await office('POST', '/replies', { body: 'Il pagamento è stato disposto il 12 marzo.' });
    await row.locator('.tk-answered', { hasText: 'La sede ha risposto il' }).waitFor();
    assert.is(await said(page), `La sede ha risposto alla richiesta ${ctx.protocol}.`);
    assert.is(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id), ctx.id, 'the focus stays on the request');
    await shot(page, 'live-list-answered');

    await quiet(page);
    await office('PATCH', '', { status: 'in_progress' });
    await row.locator('.badge', { hasText: 'In lavorazione' }).waitFor();
    assert.is(await said(page), `La richiesta ${ctx.protocol} ora è: In lavorazione.`);
    assert.equal(await axe(page), [], 'axe on the list updated live');
  });

  test('with the request\'s thread open, the sede\'s next reply appears while a half-typed reply stays, with the focus, and is said once', async () => {
    const page = ctx.page;
    await page.locator(`#tk-list [data-id="${ctx.id}"]`).click();
    await page.locator('#th-replies .from-office').first().waitFor();
    const typing = page.getByLabel('Testo della risposta');
    await typing.fill('Allego il cedolino di feb');
    await typing.focus();
    await quiet(page);

    await office('POST', '/replies', { body: 'Ci serve anche il modello SR41 firmato.' });
    await page.locator('#th-replies .from-office', { hasText: 'modello SR41' }).waitFor();
    assert.is(await said(page), `La sede ha risposto alla richiesta ${ctx.protocol}.`);
    assert.is(await typing.inputValue(), 'Allego il cedolino di feb', 'the reply being typed is kept');
    assert.is(await focusedId(page), 'rp-body', 'and so is the focus');
    assert.is(await page.locator('#th-replies .reply').count(), 3, 'the first message and the two answers, each once');
    await shot(page, 'live-thread-answered');
    assert.equal(await axe(page), [], 'axe on the thread updated live');
  });

  test('with "Le mie richieste" open, an answer whose push was lost shows on the row once the dropped socket is back, without "Aggiorna"', async () => {
    const page = (lossy.page = await lossyPage());
    const row = await listWithRequest(page, 'Giulia Verdi', lossy, { subject: 'Integrazione salariale di aprile', category: 'cigo', body: 'A che punto è la mia domanda?' });

    await lostPush('POST', '/replies', { body: 'La domanda è in istruttoria.' });
    assert.is(await row.locator('.tk-answered').count(), 0, 'the push was lost: the row does not know yet');

    const { page: pageSide, server } = lossy.sockets.at(-1)!;
    await server.close({ code: 1001, reason: 'going away' });
    await pageSide.close({ code: 1012, reason: 'service restart' }); // a node restarting: the page reconnects
    await row.locator('.tk-answered', { hasText: 'La sede ha risposto il' }).waitFor();
    assert.is(lossy.sockets.length, 2, 'read again over the new socket');
    await shot(page, 'live-list-after-reconnect');
  });

  test('with a request\'s thread open, a reply whose push was lost while the tab was hidden appears when the tab is shown again', async () => {
    const page = lossy.page;
    await page.locator(`#tk-list [data-id="${lossy.id}"]`).click();
    await page.locator('#th-replies .from-office').first().waitFor();
    await setVisibility(page, 'hidden');

    await lostPush('POST', '/replies', { body: 'Manca il modello SR41 firmato.' });
    assert.is(await page.locator('#th-replies .from-office', { hasText: 'modello SR41' }).count(), 0, 'the push was lost: the thread does not know yet');

    await setVisibility(page, 'visible');
    await page.locator('#th-replies .from-office', { hasText: 'modello SR41' }).waitFor();
    assert.is(await page.locator('#th-replies .reply').count(), 3, 'the first message and the two answers, each once');
    await shot(page, 'live-thread-shown-again');
  });
}

test.run();
