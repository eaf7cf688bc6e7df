/**
 * Refusals as the pages word them (widgets/lib/error-words.js), driven for real
 * against the server in a browser (Debian chromium through playwright-core):
 * - the dashboard's access log with its store failing says the log is not
 *   available, why and what to do, not "Registro degli accessi non disponibile (internal)";
 * - the office console, in German, opening a request whose read cannot be
 *   recorded in the access log (503 access_log_unavailable) says so in words;
 * - the chat's Linea INPS request refused with the store failing says what
 *   happened, that the text is kept, and what to do.
 * No sentence holds the code: it follows apart, in a small element with
 * data-code, for the help desk. axe-core finds no serious or critical violation.
 * Screenshots: test/screenshots/error-words-*.png. Skips without chromium.
 */
import type { Locator, Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip, serverApi, type Json } from './helpers/browser.ts';
import { CLOSED } from './helpers/chat-ticket-pages.ts';
import { startServer, type TestServer } from './helpers/server.ts';

// The refusals these tests provoke are logged by the browser as failed loads.
const chromium = browserHarness({ console: { expected: /Failed to load resource|status of (500|503)/i }, prefix: 'error-words-', context: { viewport: { width: 1024, height: 768 } } });
const ctx = { server: null as TestServer | null, ticket: {} as Json };
const { api, devToken } = serverApi(() => ctx.server!.url);

/** Runs `fn` with the table `name` renamed away, as when the database cannot reach it, then puts it back. */
async function without(name: string, fn: () => Promise<void>): Promise<void> {
  const db = ctx.server!.services.db.db;
  await db.execute(`ALTER TABLE ${name} RENAME TO ${name}_away`);
  try {
    await fn();
  } finally {
    await db.execute(`ALTER TABLE ${name}_away RENAME TO ${name}`);
  }
}

/** What an error line says: its sentence (without the code's element), and the code's element and data-code. */
function said(line: Locator): Promise<{ sentence: string; ref: string | null; code: string | null }> {
  return line.evaluate((el) => {
    const ref = el.querySelector('.error-code');
    const sentence = Array.from(el.childNodes).filter((n) => n !== ref).map((n) => n.textContent).join('').trim();
    return { sentence, ref: ref?.textContent ?? null, code: ref?.getAttribute('data-code') ?? null };
  });
}

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    const worker = await devToken({ role: 'worker', sub: 'w-bz-words', province: 'BZ', name: 'Anna Gruber', lang: 'de' });
    const res = await api(worker, 'POST', '/api/v1/tickets', { subject: 'Auszahlung April', category: 'payment', body: 'Die Auszahlung ist noch nicht angekommen.' });
    assert.is(res.status, 201);
    ctx.ticket = res.body;
    await chromium.launch();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('the dashboard\'s access log, its store failing, says it is not available and what to do, the code apart', async () => {
    const page: Page = await chromium.newPage('dashboard');
    await page.goto(`${ctx.server!.url}/dashboard/`);
    await page.getByLabel('Profilo').selectOption('supervisor');
    await page.getByLabel('Nome').fill('Sara Bianchi');
    await page.getByRole('button', { name: 'Entra' }).click();
    await page.getByRole('heading', { name: 'Code per provincia' }).waitFor();
    const line = page.locator('#access-error');
    await without('access_log', async () => {
      await page.getByRole('button', { name: 'Cerca negli accessi' }).click();
      await line.locator('.error-code').waitFor();
    });
    assert.equal(await said(line), {
      sentence: 'Registro degli accessi non disponibile. Si è verificato un errore nel servizio. Riprova tra poco; se si ripete, comunica all’assistenza il codice indicato.',
      ref: '(codice: internal)',
      code: 'internal',
    });
    await line.scrollIntoViewIfNeeded();
    await chromium.shot(page, 'dashboard-access');
    assert.equal(await chromium.axe(page, 'dashboard access log refused'), []);
    // The next search, the store back, clears it.
    await page.getByRole('button', { name: 'Cerca negli accessi' }).click();
    await page.locator('#access-count', { hasText: 'Accessi trovati' }).waitFor();
    assert.is(await line.textContent(), '');
    await page.close();
  });

  test('the office console in German, a request\'s read not recordable in the access log, says why nothing is shown', async () => {
    const page: Page = await chromium.newPage('office', { locale: 'de-DE' });
    await page.goto(`${ctx.server!.url}/office/`);
    await page.getByLabel('Sitz', { exact: true }).first().selectOption('SEDE-BZ');
    await page.getByLabel('Name').fill('Lukas Pichler');
    await page.getByLabel('Kennung der Sachbearbeiterin / des Sachbearbeiters').fill('op-pichler-words');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { name: 'Anfragen des Sitzes' }).waitFor();
    const line = page.locator('#queue-error');
    await without('access_log', async () => {
      await page.locator('.q-item', { hasText: ctx.ticket.protocol }).click();
      await line.locator('.error-code').waitFor();
    });
    assert.equal(await said(line), {
      sentence: 'Die Einsichtnahme konnte nicht im Zugriffsprotokoll vermerkt werden, daher werden die Daten nicht angezeigt. Bitte versuchen Sie es in einigen Augenblicken erneut.',
      ref: '(Code: access_log_unavailable)',
      code: 'access_log_unavailable',
    });
    await chromium.shot(page, 'office-de');
    assert.equal(await chromium.axe(page, 'office refused'), []);
    // At 320 px the long code breaks instead of pushing the page sideways.
    await page.setViewportSize({ width: 320, height: 700 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'nothing scrolls sideways at 320 px');
    await line.scrollIntoViewIfNeeded();
    await chromium.shot(page, 'office-de-320');
    await page.close();
  });

  test('the chat\'s Linea INPS request refused with the store failing says what happened, that the text is kept, and what to do', async () => {
    const context = await chromium.newContext('chat');
    await context.route('**/api/v1/availability?**', (route) => route.fulfill({ json: CLOSED }));
    const page = await context.newPage();
    await page.goto(`${ctx.server!.url}/chat/`);
    await page.getByLabel('Profilo').selectOption('worker');
    await page.getByLabel('Provincia').selectOption('MI');
    await page.getByLabel('Nome').fill('Mario Rossi');
    await page.getByRole('button', { name: 'Entra' }).click();
    await page.getByRole('heading', { name: 'Lascia una richiesta Linea INPS' }).waitFor();
    await page.getByLabel('Oggetto', { exact: true }).fill('Pagamento di marzo');
    await page.getByLabel('Argomento', { exact: true }).selectOption('payment');
    await page.getByLabel('Testo della richiesta').fill('Il pagamento di marzo non è arrivato.');
    const line = page.locator('#tk-error');
    await without('tickets', async () => {
      await page.getByRole('button', { name: 'Invia la richiesta' }).click();
      await line.locator('.error-code').waitFor();
    });
    const { sentence, ref, code } = await said(line);
    assert.is(ref, `(codice: ${code})`);
    assert.not.ok(sentence.includes(code!), `no code in «${sentence}»`);
    assert.match(sentence, /^Si è verificato un errore nel servizio\. Riprova tra poco; se si ripete, comunica all’assistenza il codice indicato\. /);
    assert.match(sentence, / Quello che hai scritto è rimasto nel modulo\.$/, 'the text is kept, and the page says so');
    assert.is(await page.getByLabel('Testo della richiesta').inputValue(), 'Il pagamento di marzo non è arrivato.');
    await line.scrollIntoViewIfNeeded();
    await chromium.shot(page, 'chat-request');
    assert.equal(await chromium.axe(page, 'chat request refused'), []);
    await context.close();
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
