/**
 * The dashboard as a supervisor uses it through a busy afternoon, in a real
 * browser (Debian chromium through playwright-core), on what a user-QA walk found:
 * - at 1024 px the "Code per provincia" table fits its box, the "Solo ticket"
 *   switch (its last column) in sight, and "Lav. / Dat. / Int." on one line;
 *   within one level the province where someone has waited longest comes first;
 * - at 1024×768 the "Consulenti e carico" table fits its half of the page too,
 *   its last column ("Lingue") in sight without scrolling sideways;
 * - when the connection is lost the line under the figures says, as a warning,
 *   that the data are NOT up to date (not a grey note with the code "error");
 * - a "solo ticket" switch or a "Rileva il giorno" the server refuses says so on
 *   the page, not only to a screen reader; a day recorded is confirmed there too;
 * - pushes that stop with the socket open (the server skips a round whose read
 *   failed) make the page read by itself after 10 s, not show frozen figures as live.
 * axe-core finds no serious or critical violation. Screenshots:
 * test/screenshots/dashboard-supervisor-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { signInSupervisor } from './helpers/pages.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

// Going offline on purpose makes chromium log failed loads and the dropped socket.
const chromium = browserHarness({ console: { expected: /WebSocket connection to|Failed to load resource|ERR_INTERNET_DISCONNECTED/i }, prefix: 'dashboard-supervisor-' });
const ctx = { server: null as TestServer | null, advisors: [] as TestSocket[] };

/**
 * Advisors as a national help desk has them: long names, a region with a hyphen, two languages.
 * None goes available, or they would take the users waiting in the provinces table.
 */
const ADVISORS = [
  { sub: 'adv-esposito', name: 'Francesca Esposito', skills: [] },
  { sub: 'adv-pichler', name: 'Lena Pichler', skills: ['lang:de', 'lang:en', 'region:Trentino-Alto Adige'] },
  { sub: 'adv-colombo', name: 'Chiara Colombo', skills: ['region:Lombardia', 'region:Piemonte'] },
  { sub: 'adv-torinese', name: 'Tommaso Torinese', skills: ['province:TO', 'province:CN', 'province:AT'] },
];

/** "Conferma" in the switch's question (the switch only asks: dashboard-confirm-browser.test.ts). */
const confirm = (page: Page, question: string) => page.getByRole('group', { name: question }).getByRole('button', { name: 'Conferma' }).click();

const signIn = (page: Page) => signInSupervisor(page, ctx.server!.url);

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    // Users waiting in eight provinces, Bologna the longest: every row of the table filled.
    for (const [province, minutes] of [['BO', 30], ['GE', 9], ['TO', 8], ['MI', 7], ['FI', 6], ['NA', 5], ['PA', 4], ['RM', 3]] as const) {
      for (const [i, audience] of (['worker', 'employer', 'intermediary'] as const).entries()) {
        await ctx.server.services.state.enqueue({
          userId: `w-${province}-${i}`, role: audience, name: `Utente ${province}`, province, audience, topic: 'cigo', lang: 'it', entry: 'omnia', context: {}, priority: 0,
          since: Date.now() - (minutes + i) * 60_000,
        } as never);
      }
    }
    for (const a of ADVISORS) {
      const [socket] = await TestSocket.signIn(ctx.server.wsUrl, await ctx.server.token({ role: 'advisor', ...a }));
      ctx.advisors.push(socket);
    }
    await chromium.launch();
  });

  test.after(async () => {
    await chromium.close();
    for (const s of ctx.advisors) s.drop();
    await ctx.server?.close();
  });

  test('at 1024 px the provinces table fits, the "Solo ticket" switch in sight and "1 / 1 / 1" on one line', async () => {
    const page = await chromium.newPage('1024', { viewport: { width: 1024, height: 800 } });
    await signIn(page);
    const wrap = page.locator('#prov-table').locator('xpath=..');
    const [table, box] = await Promise.all([page.locator('#prov-table').evaluate((t) => t.scrollWidth), wrap.evaluate((w) => w.clientWidth)]);
    assert.ok(table <= box, `the table (${table} px) fits its box (${box} px)`);
    const sw = await page.getByRole('switch', { name: 'Solo richieste Linea INPS per Bologna' }).locator('xpath=..').boundingBox();
    const edge = await wrap.boundingBox();
    assert.ok(sw && edge && sw.x + sw.width <= edge.x + edge.width + 1, `the switch and its state are in sight: ${JSON.stringify(sw)} in ${JSON.stringify(edge)}`);
    const audience = page.locator('#prov-body tr[data-province="BO"] td').nth(2);
    assert.is(await audience.textContent(), '1 / 1 / 1');
    const [cell, line] = await audience.evaluate((td) => [td.getBoundingClientRect().height, parseFloat(getComputedStyle(td).lineHeight)]);
    assert.ok(cell < line * 2 + 16, `"1 / 1 / 1" on one line: the cell is ${cell} px high, a line ${line} px`);
    // Sorted by level (the default), and within a level where someone has waited longest first.
    const order = await page.locator('#prov-body tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.province));
    assert.equal(order, ['BO', 'GE', 'TO', 'MI', 'FI', 'NA', 'PA', 'RM'], `Bologna, then the longest waits: ${order}`);
    // The "Attesa più lunga" card says where: the row to look at.
    const card = page.locator('#kpis .kpi').filter({ hasText: 'Attesa più lunga' });
    assert.is(await card.locator('.kpi-note').textContent(), 'provincia di Bologna (BO)');
    await chromium.shot(page, 'provinces-1024');
    assert.equal(await chromium.axe(page, 'provinces 1024'), []);
    await page.close();
  });

  test('at 1024×768 the advisors table fits its half of the page: every column in sight, nothing scrolled out', async () => {
    const page = await chromium.newPage('advisors-1024', { viewport: { width: 1024, height: 768 } });
    await signIn(page);
    await page.locator('#adv-body tr', { hasText: 'Tommaso Torinese' }).waitFor();
    assert.is(await page.locator('#adv-body tr').count(), ADVISORS.length);
    const wrap = page.locator('#adv-table').locator('xpath=..');
    const [table, box] = await Promise.all([page.locator('#adv-table').evaluate((t) => t.scrollWidth), wrap.evaluate((w) => w.clientWidth)]);
    assert.ok(table <= box, `the table (${table} px) fits its box (${box} px)`);
    // The last column, languages, wholly in sight; the load still says "0 di 3" beside its meter.
    const langs = await page.locator('#adv-body tr', { hasText: 'Lena Pichler' }).locator('td').last().boundingBox();
    const edge = await wrap.boundingBox();
    assert.ok(langs && edge && langs.x + langs.width <= edge.x + edge.width + 1, `"Lingue" in sight: ${JSON.stringify(langs)} in ${JSON.stringify(edge)}`);
    assert.is(await page.locator('#adv-body tr', { hasText: 'Lena Pichler' }).locator('td').last().textContent(), 'Tedesco, Inglese');
    assert.is(await page.locator('#adv-body tr', { hasText: 'Lena Pichler' }).locator('.load').textContent(), '0 di 3');
    // "Per lingua" under it (German and English are in play): its long headings wrap rather than run past the edge.
    const [langs2, langBox] = await Promise.all([page.locator('#lang-table').evaluate((t) => t.scrollWidth), page.locator('#lang-table').locator('xpath=..').evaluate((w) => w.clientWidth)]);
    assert.ok(langs2 <= langBox, `"Per lingua" (${langs2} px) fits its box (${langBox} px)`);
    await page.locator('#adv-table').locator('xpath=../..').screenshot({ path: 'test/screenshots/dashboard-supervisor-advisors-1024.png' });
    assert.equal(await chromium.axe(page, 'advisors 1024'), []);
    await page.close();
  });

  test('with the connection lost the page says, as a warning, that the figures are no longer up to date', async () => {
    const context = await chromium.newContext('offline', { viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await signIn(page);
    const note = page.locator('#live-note');
    await note.filter({ hasText: /Aggiornato alle \d{2}:\d{2}\./ }).waitFor();
    assert.not.ok(await note.evaluate((p) => p.classList.contains('stale')), 'a quiet note while the data are live');
    await context.setOffline(true);
    await note.filter({ hasText: 'Dati NON aggiornati: collegamento al server interrotto. Nuovo tentativo ogni 5 secondi.' }).waitFor({ timeout: 15_000 });
    assert.ok(await note.evaluate((p) => p.classList.contains('stale')), 'the line is a warning');
    assert.not.match(await note.textContent() ?? '', /\(error\)/, 'no bare code');
    await chromium.shot(page, 'offline');
    // Switching a province now fails: said on the page by the table, the switch back as it was.
    const sw = page.getByRole('switch', { name: 'Solo richieste Linea INPS per Bologna' });
    await sw.click();
    await confirm(page, 'Attivare «Solo ticket» per Bologna?');
    await page.locator('#prov-error', { hasText: '«Solo ticket» per Bologna non cambiato: collegamento al server interrotto. Riprovare.' }).waitFor();
    assert.is(await sw.isChecked(), false);
    assert.ok(await page.locator('#prov-error').isVisible());
    await context.setOffline(false);
    await note.filter({ hasText: /^Aggiornato alle \d{2}:\d{2}\. Aggiornamento (in tempo reale|ogni 5 secondi)\.$/ }).waitFor({ timeout: 15_000 });
    assert.not.ok(await note.evaluate((p) => p.classList.contains('stale')), 'back to a quiet note once the data flow again');
    await context.close();
  });

  test('a refused switch or day snapshot is said on the page in words, its code apart, and cleared at the next try', async () => {
    const page = await chromium.newPage('refused', { viewport: { width: 1366, height: 768 } });
    await signIn(page);
    const refuse = (route: import('playwright-core').Route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'down' } }) });
    await page.route('**/api/v1/dashboard/provinces/*/ticket-only', refuse);
    await page.route('**/api/v1/dashboard/snapshots', refuse);
    await page.getByRole('switch', { name: 'Solo richieste Linea INPS per Genova' }).click();
    await confirm(page, 'Attivare «Solo ticket» per Genova?');
    const error = page.locator('#prov-error');
    await error.filter({ hasText: '«Solo ticket» per Genova non cambiato. Il servizio non risponde in questo momento. Riprova tra qualche istante.' }).waitFor();
    assert.is(await error.locator('.error-code').textContent(), '(codice: unavailable)');
    assert.ok(await error.isVisible());
    await page.unroute('**/api/v1/dashboard/provinces/*/ticket-only');
    await page.getByRole('switch', { name: 'Solo richieste Linea INPS per Genova' }).click();
    await confirm(page, 'Attivare «Solo ticket» per Genova?');
    await page.locator('#audit li', { hasText: '«solo ticket» per GE' }).waitFor();
    assert.is(await error.textContent(), '', 'the error goes at the next try');
    await page.getByRole('switch', { name: 'Solo richieste Linea INPS per Genova' }).click(); // back as it was
    await confirm(page, 'Disattivare «Solo ticket» per Genova?');
    await page.getByRole('button', { name: 'Rileva il giorno' }).click();
    const snap = page.locator('#snapshot-error');
    await snap.filter({ hasText: 'Giorno non rilevato. Il servizio non risponde in questo momento. Riprova tra qualche istante.' }).waitFor();
    assert.is(await snap.locator('.error-code').getAttribute('data-code'), 'unavailable');
    assert.ok(await snap.isVisible());
    await chromium.shot(page, 'refused', true);
    assert.equal(await chromium.axe(page, 'refused'), []);
  });

  test('a day recorded with «Rileva il giorno» is confirmed on the page, not only to a screen reader, and the confirmation goes at the next try', async () => {
    const page = await chromium.newPage('snapshot-done', { viewport: { width: 1024, height: 768 } });
    await signIn(page);
    const done = page.locator('#snapshot-done');
    assert.is(await done.textContent(), '');
    await page.getByRole('button', { name: 'Rileva il giorno' }).click();
    await done.filter({ hasText: /^Rilevazione del \d{2}\/\d{2}\/\d{4} salvata\.$/ }).waitFor();
    assert.ok(await done.isVisible());
    await page.locator('#snapshot-form').scrollIntoViewIfNeeded();
    await chromium.shot(page, 'snapshot-done', false);
    await page.getByLabel('Lingua', { exact: true }).selectOption('en');
    await done.filter({ hasText: /^Snapshot of .+ saved\.$/ }).waitFor();
    await page.getByLabel('Language', { exact: true }).selectOption('it');
    // A refused next try shows its error, not the earlier confirmation beside it.
    await page.route('**/api/v1/dashboard/snapshots', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'down' } }) }));
    await page.getByRole('button', { name: 'Rileva il giorno' }).click();
    await page.locator('#snapshot-error', { hasText: 'Giorno non rilevato.' }).waitFor();
    assert.is(await done.textContent(), '');
    assert.equal(await chromium.axe(page, 'snapshot done'), []);
  });

  test('when the pushes stop with the socket still open, the page reads the figures itself instead of passing frozen ones off as live, and takes the pushes again when they come back', async () => {
    const page = await chromium.newPage('stalled');
    // The server's pushes dropped on the way (as when its reads fail: server/dashboard-feed.ts skips the round), the socket kept.
    const pushes = { dropped: false };
    await page.routeWebSocket(/\/ws/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        if (!(pushes.dropped && typeof m === 'string' && m.includes('"dashboard.update"'))) ws.send(m);
      });
    });
    await signIn(page);
    await page.locator('#mode', { hasText: 'Aggiornamento in tempo reale.' }).waitFor();
    pushes.dropped = true;
    await page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/dashboard/live', { timeout: 30_000 });
    await page.locator('#mode', { hasText: 'Aggiornamento ogni 5 secondi.' }).waitFor();
    pushes.dropped = false;
    await page.locator('#mode', { hasText: 'Aggiornamento in tempo reale.' }).waitFor();
    await page.context().close();
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
