/**
 * Linea INPS requests from the chat app when the service closes or is closed,
 * in a real browser (Debian chromium through playwright-core): closing time
 * (`closing_soon`: wait anyway, or leave a request) and a wait that ran out
 * (`queue.left` with `offerTicket`), a chat request refused as
 * `service_closed` and a queue closed under the user, through a WebSocket
 * route in front of the real server; the request form at 320 px and in
 * English; the closed chat in the bubble on the host page; axe-core.
 *
 * The server runs on the real calendar; "closed" and "open" are made
 * deterministic by answering GET /api/v1/availability in the page
 * (test/helpers/chat-ticket-pages.ts). Screenshots:
 * test/screenshots/chat-ticket-*.png. Skips without /usr/bin/chromium.
 */
import { chromiumOrSkip, type Json } from './helpers/browser.ts';
import { chatTicketPages, CLOSED } from './helpers/chat-ticket-pages.ts';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { WebSocketRoute } from 'playwright-core';

const CLOSES_AT = '2031-03-03T17:00:00.000Z'; // 18:00 in Rome

const pages = chatTicketPages('chat-ticket-closing');
const { chromium, server, newContext, signIn, focusedId } = pages;
const { shot, axe } = chromium;

if (chromiumOrSkip()) {
  test.before(async () => {
    await pages.start();
  });

  test.after(async () => {
    await pages.stop();
  });

  test('closing soon: "Lascia una richiesta" prefills the form; "Aspetto comunque" resends with waitAnyway; a wait that runs out offers the form', async () => {
    const c = await newContext('closing', { open: true, closesAt: CLOSES_AT, province: 'RM', audience: 'worker' });
    let route: WebSocketRoute | null = null;
    const requests: Json[] = [];
    // In front of the real server: chat.request gets the closing-time answers, everything else passes.
    await c.routeWebSocket(/\/ws$/, (ws) => {
      route = ws;
      const server = ws.connectToServer();
      ws.onMessage((msg) => {
        const f = JSON.parse(String(msg)) as Json;
        if (f.type !== 'chat.request') return server.send(msg);
        requests.push(f);
        if (!f.waitAnyway) {
          ws.send(JSON.stringify({ type: 'error', code: 'closing_soon', message: 'about 40 minutes', re: f.id, etaSeconds: 2400, closesAt: CLOSES_AT, offerTicket: true }));
        } else {
          ws.send(JSON.stringify({ type: 'queue.joined', province: 'RM', audience: 'worker', position: 7, etaSeconds: 2400 }));
          ws.send(JSON.stringify({ type: 'ok', re: f.id }));
        }
      });
    });
    const page = await c.newPage();
    await signIn(page, 'worker', 'RM', 'Paolo Gialli');
    await page.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await page.getByLabel('CIGS – Cassa integrazione straordinaria').check();
    await page.getByLabel('La tua domanda (facoltativa)').fill('Quando arriva il pagamento di marzo?');
    await page.getByRole('button', { name: 'Avvia la chat' }).click();
    await page.getByRole('heading', { name: 'Il servizio sta per chiudere' }).waitFor();
    assert.is(await page.locator('#closing-text').textContent(), 'L’attesa stimata è di circa 40 minuti e la chat chiude alle 18:00: potresti non essere servito in tempo.');
    assert.is(await focusedId(page), 'closing-title');
    await shot(page, 'closing');
    assert.equal(await axe(page), [], 'axe on the closing-time choice');

    await page.getByRole('button', { name: 'Lascia una richiesta', exact: true }).click();
    await page.getByRole('heading', { name: 'Lascia una richiesta Linea INPS' }).waitFor();
    assert.match((await page.locator('#ticket-why').textContent()) ?? '', /La chat chiude alle 18:00\. Abbiamo già inserito/);
    assert.is(await page.locator('#tk-topic').inputValue(), 'cigs');
    assert.is(await page.getByLabel('Testo della richiesta').inputValue(), 'Quando arriva il pagamento di marzo?');
    await page.getByRole('button', { name: 'Indietro' }).click();
    await page.getByRole('heading', { name: 'Il servizio sta per chiudere' }).waitFor();

    await page.getByRole('button', { name: 'Aspetto comunque' }).click();
    await page.getByRole('heading', { name: 'Sei in coda' }).waitFor();
    assert.is(requests.length, 2);
    assert.equal({ ...requests[1], id: undefined }, { ...requests[0], id: undefined, waitAnyway: true }, 'the same request, with waitAnyway');
    assert.is(requests[1]!.topic, 'cigs');
    assert.is(requests[1]!.text, 'Quando arriva il pagamento di marzo?');

    route!.send(JSON.stringify({ type: 'queue.left', reason: 'timeout', offerTicket: true }));
    await page.getByRole('heading', { name: 'Lascia una richiesta Linea INPS' }).waitFor();
    assert.match((await page.locator('#ticket-why').textContent()) ?? '', /tempo massimo di attesa: ci dispiace\. Abbiamo già inserito l’argomento e la domanda/);
    await page.locator('#announce', { hasText: 'tempo massimo di attesa' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Indietro' }).isVisible(), 'a way back');
    assert.is(await page.locator('#tk-topic').inputValue(), 'cigs');
    assert.is(await page.getByLabel('Testo della richiesta').inputValue(), 'Quando arriva il pagamento di marzo?');
    await shot(page, 'offer');
    assert.equal(await axe(page), [], 'axe on the offer after a wait');
    await page.getByLabel('Oggetto', { exact: true }).fill('Pagamento CIGS di marzo');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.locator('#done-box', { hasText: 'INPS Sede di Roma' }).waitFor();
    await c.close();
  });

  test('a chat request refused as service_closed shows the closed view with the form prefilled; queue.left "closed" explains why', async () => {
    const c = await newContext('refused', { open: true, closesAt: CLOSES_AT, province: 'NA', audience: 'worker' });
    let route: WebSocketRoute | null = null;
    await c.routeWebSocket(/\/ws$/, (ws) => {
      route = ws;
      const server = ws.connectToServer();
      ws.onMessage((msg) => {
        const f = JSON.parse(String(msg)) as Json;
        if (f.type !== 'chat.request') return server.send(msg);
        if (f.topic === 'fis') {
          ws.send(JSON.stringify({ type: 'error', code: 'service_closed', message: 'closed', re: f.id, reason: 'holiday', opensAt: '2031-03-04T14:00:00.000Z', offerTicket: true }));
        } else {
          ws.send(JSON.stringify({ type: 'queue.joined', province: 'NA', audience: 'worker', position: 2, etaSeconds: 300 }));
          ws.send(JSON.stringify({ type: 'ok', re: f.id }));
        }
      });
    });
    const page = await c.newPage();
    await signIn(page, 'worker', 'NA', 'Rita Viola');
    await page.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await page.getByLabel('FIS / assegno di integrazione salariale').check();
    await page.getByLabel('La tua domanda (facoltativa)').fill('Il FIS copre anche i lavoratori part-time?');
    await page.getByRole('button', { name: 'Avvia la chat' }).click();
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    assert.match((await page.locator('#closed-reason').textContent()) ?? '', /giorno festivo/);
    assert.is(await page.locator('#tk-topic').inputValue(), 'fis');
    assert.is(await page.getByLabel('Testo della richiesta').inputValue(), 'Il FIS copre anche i lavoratori part-time?');

    // Open again (the page's answer says so): a chat on another topic, then the closing cut-off.
    await page.getByRole('button', { name: 'Verifica di nuovo' }).click();
    await page.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await page.getByLabel('CIGO – Cassa integrazione ordinaria').check();
    await page.getByRole('button', { name: 'Avvia la chat' }).click();
    await page.getByRole('heading', { name: 'Sei in coda' }).waitFor();
    route!.send(JSON.stringify({ type: 'queue.left', reason: 'closed', offerTicket: true }));
    await page.getByRole('heading', { name: 'Lascia una richiesta Linea INPS' }).waitFor();
    assert.match((await page.locator('#ticket-why').textContent()) ?? '', /Il servizio ha chiuso prima che un consulente si liberasse/);
    assert.is(await page.locator('#tk-topic').inputValue(), 'cigo', 'the topic follows the last request (it was only prefilled before)');
    await page.getByRole('button', { name: 'Indietro' }).click();
    await page.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await c.close();
  });

  test('at 320 px the form fits without horizontal scrolling, and it reads in English', async () => {
    const c = await newContext('small', CLOSED, { viewport: { width: 320, height: 640 } });
    const page = await c.newPage();
    await signIn(page, 'worker', 'MI', 'Sara Blu');
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    await page.getByLabel('Lingua').selectOption('en');
    await page.getByRole('heading', { name: 'Leave a Linea INPS request' }).waitFor();
    for (const field of ['Subject line', 'Topic', 'Your request', 'Attachments (optional)']) assert.ok(await page.getByLabel(field, { exact: true }).isVisible(), field);
    assert.is(await page.locator('#tk-topic option').nth(1).textContent(), 'CIGO – ordinary wage guarantee');
    await page.getByRole('button', { name: 'My requests' }).click();
    await page.locator('#list-status', { hasText: 'You have no Linea INPS requests yet.' }).waitFor();
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('button', { name: 'Send the request' }).click();
    await page.locator('#tk-error', { hasText: 'Write a subject line for your request.' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll at 320 px (${overflow} px)`);
    await shot(page, '320-en');
    await c.close();
  });

  test('inside the bubble on the host page, the closed chat takes a request too', async () => {
    const c = await newContext('bubble', { ...CLOSED, province: 'TO' });
    const page = await c.newPage();
    await page.goto(`${server.base}/demo/?role=worker&province=TO&name=Luca%20Neri`);
    await page.locator('button.infocig-bubble').click();
    const chat = page.frameLocator('iframe.infocig-frame');
    await chat.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    await chat.getByLabel('Oggetto', { exact: true }).fill('Domanda CIGO non trovata');
    await chat.getByLabel('Argomento', { exact: true }).selectOption('cigo');
    await chat.getByLabel('Testo della richiesta').fill('Nel Cassetto non trovo la domanda di CIGO della mia azienda.');
    await shot(page, 'bubble', false);
    const frame = await (await page.waitForSelector('iframe.infocig-frame')).contentFrame();
    assert.equal(await axe(frame!), [], 'axe in the bubble');
    await chat.getByRole('button', { name: 'Invia la richiesta' }).click();
    await chat.locator('#done-box', { hasText: 'INPS Sede di Torino' }).waitFor();
    await shot(page, 'bubble-done', false);
    await c.close();
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
