/**
 * The advisor console's waiting line (widgets/advisor/queue-line.js), in a real browser
 * (Debian chromium through playwright-core): an advisor whose one seat is taken sees how
 * many users wait for them (a user outside their skills is not counted), a screen reader
 * hears it once, it says "sei in pausa" when they are away and "Nessuno" when the user
 * stops waiting; at 320 px with text at 200 % it reflows. axe-core finds no serious or
 * critical violation. Screenshots: test/screenshots/advisor-queue-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip, reflowProblems } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, prefix: 'advisor-queue-' });
const ctx = { server: null as TestServer | null };
const sockets: TestSocket[] = [];

async function user(sub: string, role = 'worker', province = 'MI') {
  const [socket] = await TestSocket.signIn(ctx.server!.wsUrl, await ctx.server!.token({ role, sub, province, name: 'Mario Rossi' }));
  sockets.push(socket);
  return socket;
}

async function asks(socket: TestSocket, topic = 'cigo') {
  const asked = await socket.request({ type: 'chat.request', topic });
  assert.is(asked.type, 'ok', JSON.stringify(asked));
}

/** Signs in with workers' skills, available, one seat; a worker takes the seat. */
async function fullAdvisor(page: Page, sub: string) {
  await page.goto(`${ctx.server!.url}/advisor/`);
  await page.getByLabel('Nome').fill('Giulia Rossi');
  await page.getByLabel('Codice utente').fill(sub);
  await page.getByLabel('Competenze').fill('worker');
  await page.getByRole('button', { name: 'Entra' }).click();
  await page.locator('#queue', { hasText: 'Nessuno in attesa per te' }).waitFor();
  await page.getByLabel('Disponibile').check();
  await page.locator('#load', { hasText: 'Chat aperte: 0 su 1' }).waitFor();
  const served = await user(`${sub}-served`);
  await asks(served);
  await served.next('conversation.assigned', () => true, 10_000);
  await page.locator('#load', { hasText: 'Chat aperte: 1 su 1' }).waitFor();
}

/** How many rows the console's header (status, load, waiting line) takes: an item below all of the row before starts one. */
const rows = (page: Page) =>
  page.locator('.toolbar > :not([hidden])').evaluateAll((els) => {
    const boxes = els.map((e) => e.getBoundingClientRect()).sort((a, b) => a.top - b.top);
    let count = 0;
    let bottom = -Infinity;
    for (const box of boxes) {
      if (box.top >= bottom - 1) count++;
      bottom = box.top >= bottom - 1 ? box.bottom : Math.max(bottom, box.bottom);
    }
    return count;
  });

if (chromiumOrSkip('advisor waiting-line test')) {
  test.before(async () => {
    ctx.server = await startServer({ routing: { defaultCapacity: 1 } });
    await chromium.launch();
  });

  test.after(async () => {
    for (const s of sockets.splice(0)) s.drop();
    await chromium.close();
    await ctx.server?.close();
  });

  test('a full advisor sees how many wait for them, away or not, and the line updates when a user starts or stops waiting', async () => {
    const page = await chromium.newPage('full', { viewport: { width: 1024, height: 700 } });
    await fullAdvisor(page, 'adv-queue-full');
    // An employer waits for someone else: not counted.
    await asks(await user('e-queue', 'employer'));
    const waiting = await user('w-queue');
    await asks(waiting);
    const line = page.locator('#queue');
    await line.filter({ hasText: '1 persona in attesa per te · da meno di un minuto' }).waitFor();
    assert.is(await line.getAttribute('data-pressure'), 'high', 'stands out: every seat is taken');
    await page.locator('#announce', { hasText: '1 persona in attesa per te' }).waitFor();
    await chromium.shot(page, 'full');

    await page.getByLabel('Assente').check();
    await line.filter({ hasText: '1 persona in attesa per te · da meno di un minuto — sei in pausa' }).waitFor();
    assert.equal(await rows(page), 1, 'at 1024 px the status, the load and the longest waiting line share one row');
    await chromium.shot(page, 'away');
    await page.getByLabel('Lingua').selectOption('en');
    await line.filter({ hasText: '1 person waiting for you · for under a minute — you are on a break' }).waitFor();
    await chromium.shot(page, 'away-en');
    await page.getByLabel('Language').selectOption('it');

    assert.is((await waiting.request({ type: 'chat.cancel' })).type, 'ok');
    await line.filter({ hasText: /^Nessuno in attesa per te$/ }).waitFor();
    assert.is(await line.getAttribute('data-pressure'), 'none');
    await page.locator('#announce', { hasText: 'Nessuno in attesa per te' }).waitFor();
    assert.equal(await chromium.axe(page, 'advisor queue'), []);
    await page.close();
  });

  test('at 320 px with text at 200 % the waiting line reflows by the status control', async () => {
    const page = await chromium.newPage('reflow', { viewport: { width: 320, height: 700 } });
    await fullAdvisor(page, 'adv-queue-narrow');
    // After the sign-in: its page load would reset it.
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    await asks(await user('w-queue-2'));
    await asks(await user('w-queue-3'));
    await page.locator('#queue', { hasText: '2 persone in attesa per te · la più lunga da meno di un minuto' }).waitFor();
    await page.locator('.toolbar').screenshot({ path: new URL('./screenshots/advisor-queue-320.png', import.meta.url).pathname });
    assert.equal(await reflowProblems(page, ['.status-switch', '#load', '#queue']), []);
    assert.equal(await chromium.axe(page, 'advisor queue 320 200%'), []);
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
