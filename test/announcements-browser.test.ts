/**
 * Service announcements in a real browser (Debian chromium through
 * playwright-core): a supervisor publishes one on the dashboard ("Avvisi agli
 * utenti") for workers in Milan and Bolzano/Bozen, with a German translation; a
 * worker in Milan reads it on the chat's start view and in the queue, a worker
 * in Rome does not, a worker of Bolzano reads it in German (and in Italian,
 * marked lang="it", after switching to English, which it was not written in).
 * Withdrawn, it leaves the waiting worker's queue view at the next refresh.
 * axe-core on every page; screenshots test/screenshots/annc-*.png.
 * Skips without /usr/bin/chromium.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const chromium = browserHarness({
  // The 400 is the markup the first test sends on purpose (the browser logs every refused fetch).
  console: { expected: /WebSocket connection to|status of 400 \(Bad Request\)/i },
  context: { viewport: { width: 420, height: 900 } },
  prefix: 'annc-',
  fullPage: true,
});
const { shot, axe } = chromium;
/** The dashboard's panel alone, legible (the whole page is 3,800 px tall). */
const panelShot = (page: Page, name: string) =>
  page.getByRole('region', { name: 'Avvisi agli utenti' }).screenshot({ path: path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots', `annc-${name}.png`) });

const TITLE = 'Pagamenti di febbraio in ritardo';
const TEXT = 'I pagamenti diretti di febbraio arriveranno entro il 20 marzo.';
const TITLE_DE = 'Verspätete Zahlungen für Februar';
const TEXT_DE = 'Die Direktzahlungen für Februar kommen bis zum 20. März.';

const ctx = { proc: null as ServerProcess | null, base: '', supervisor: null as unknown as Page, milan: null as unknown as Page };

/** The chat's development sign-in as a worker of `province`; resolves with the first answer about announcements. */
async function worker(page: Page, province: string, url = `${ctx.base}/chat/`) {
  await page.goto(url);
  await page.locator('#dev-province').selectOption(province);
  const answered = page.waitForResponse((r) => r.url().includes('/api/v1/announcements/current'));
  await page.locator('#dev-name').fill(`Worker ${province}`);
  await page.locator('#view-signin button[type="submit"]').click();
  const res = await answered;
  assert.match(res.url(), new RegExp(`province=${province}&audience=worker`));
  return (await res.json()) as { items: unknown[] };
}

/** An announcement's region by its heading, "<kind>: <title>" (the colon is for screen readers only, the kind on a line of its own). */
const notice = (page: Page, kind: string, title: string) => page.getByRole('region', { name: new RegExp(`^${kind}\\s*:\\s*${title}$`) });

if (chromiumOrSkip('announcements test')) {
  test.before(async () => {
    ctx.proc = await startServerProcess('annc', { SERVICE_HOURS: 'always' });
    ctx.base = ctx.proc.base;
    await chromium.launch();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('a supervisor publishes an announcement on the dashboard; markup is refused with a clear message', async () => {
    const page = await chromium.newPage('supervisor', { viewport: { width: 1280, height: 900 } });
    ctx.supervisor = page;
    await page.goto(`${ctx.base}/dashboard/`);
    await page.getByLabel('Profilo').selectOption('supervisor');
    await page.getByLabel('Nome').fill('Sara Bianchi');
    await page.getByRole('button', { name: 'Entra' }).click();
    const panel = page.getByRole('region', { name: 'Avvisi agli utenti' });
    await panel.getByText('Nessun avviso negli ultimi 30 giorni.').waitFor();
    await panel.getByLabel('Titolo (italiano)').fill(TITLE);
    await panel.getByLabel('Testo (italiano)').fill(`${TEXT} Vedi <b>qui</b>`);
    await panel.getByLabel('Al', { exact: true }).fill('');
    await panel.getByRole('button', { name: 'Pubblica' }).click();
    assert.match((await panel.getByRole('alert').textContent()) ?? '', /fino a quando/, 'the end is required');
    const tomorrow = await page.evaluate(() => {
      const d = new Date(Date.now() + 86_400_000);
      return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    });
    await panel.getByLabel('Al', { exact: true }).fill(tomorrow);
    await panel.getByRole('button', { name: 'Pubblica' }).click();
    await panel.getByRole('alert').getByText('Solo testo semplice: niente tag HTML (come <b>) né entità (come &amp;).').waitFor();
    await panel.getByLabel('Testo (italiano)').fill(TEXT);
    await panel.getByText(/^Traduzioni \(facoltative\)/).click();
    await panel.getByLabel('Titolo in tedesco').fill(TITLE_DE);
    await panel.getByLabel('Testo in tedesco').fill(TEXT_DE);
    await panel.getByLabel('Importante (in evidenza)').check();
    await panel.getByLabel('Lavoratori').check();
    await panel.getByLabel('Province', { exact: true }).fill('mi, BZ');
    await panel.getByRole('button', { name: 'Pubblica' }).click();
    const row = panel.locator('#ann-body tr', { hasText: TITLE });
    await row.waitFor();
    assert.equal(await row.locator('td').first().textContent(), 'In corso');
    assert.match((await row.textContent()) ?? '', /Lavoratori · BZ, MI/);
    assert.match((await row.textContent()) ?? '', /Lingue: IT, DE · pubblicato da Sara Bianchi/);
    assert.is(await panel.getByLabel('Titolo (italiano)').inputValue(), '', 'the form is emptied');
    await page.locator('#audit li', { hasText: `Sara Bianchi ha pubblicato l’avviso «${TITLE}»` }).waitFor();
    await panelShot(page, 'panel');
    await shot(page, 'dashboard');
    assert.equal(await axe(page, 'dashboard'), []);
  });

  test('a worker in Milan reads it on the start view and while waiting in the queue', async () => {
    const page = await chromium.newPage('milan');
    ctx.milan = page;
    await worker(page, 'MI');
    await page.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    const start = notice(page, 'Avviso importante', TITLE);
    await start.waitFor();
    assert.is(await start.locator('p').textContent(), TEXT);
    assert.ok(await start.evaluate((el) => el.classList.contains('notice-warning')), 'a warning looks like one');
    assert.is(await start.evaluate((el) => el.closest('.view')?.id), 'view-start');
    await shot(page, 'start');
    assert.equal(await axe(page, 'start'), []);
    await page.getByLabel('CIGO – Cassa integrazione ordinaria').check();
    await page.getByRole('button', { name: 'Avvia la chat' }).click();
    await page.getByRole('heading', { name: 'Sei in coda' }).waitFor();
    const queued = notice(page, 'Avviso importante', TITLE);
    await queued.waitFor();
    assert.is(await queued.evaluate((el) => el.closest('.view')?.id), 'view-queue');
    await shot(page, 'queue');
    assert.equal(await axe(page, 'queue'), []);
  });

  test('a worker in Rome is not shown it', async () => {
    const page = await chromium.newPage('rome');
    const answer = await worker(page, 'RM');
    assert.equal(answer.items, []);
    await page.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await page.waitForTimeout(200); // what the answer would have shown, shown
    assert.ok(await page.locator('#start-notices').isHidden());
    assert.is(await page.locator('.notice').count(), 0);
  });

  test('a worker of Bolzano reads it in German, and in Italian marked as such on the English page', async () => {
    const page = await chromium.newPage('bolzano');
    await worker(page, 'BZ', `${ctx.base}/chat/?lang=de`);
    await page.getByRole('heading', { name: 'Wie können wir Ihnen helfen?' }).waitFor();
    const de = notice(page, 'Wichtiger Hinweis', TITLE_DE);
    await de.waitFor();
    assert.is(await de.locator('p').textContent(), TEXT_DE);
    assert.is(await de.locator('p').getAttribute('lang'), null, 'German on a German page');
    await shot(page, 'de');
    assert.equal(await axe(page, 'de'), []);
    await page.getByLabel('Sprache').selectOption('en');
    const en = notice(page, 'Important notice', TITLE);
    await en.waitFor();
    assert.is(await en.locator('p').getAttribute('lang'), 'it', 'not written in English: Italian, marked');
    assert.is(await en.locator('h3 span[lang="it"]').textContent(), TITLE);
    await shot(page, 'en');
    assert.equal(await axe(page, 'en'), []);
  });

  test('withdrawn on the dashboard, it leaves the waiting worker\'s view at the next refresh', async () => {
    const page = ctx.supervisor;
    const panel = page.getByRole('region', { name: 'Avvisi agli utenti' });
    await panel.getByRole('button', { name: `Ritira l’avviso «${TITLE}»` }).click();
    const row = panel.locator('#ann-body tr', { hasText: TITLE });
    await row.getByRole('cell', { name: 'Ritirato', exact: true }).waitFor();
    assert.match((await row.textContent()) ?? '', /ritirato il \d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}/);
    assert.is(await row.getByRole('button').count(), 0, 'nothing more to withdraw');
    await page.locator('#audit li', { hasText: `Sara Bianchi ha ritirato l’avviso «${TITLE}»` }).waitFor();
    await panelShot(page, 'panel-withdrawn');
    // The waiting page asks again every 30 seconds.
    await ctx.milan.locator('#queue-notices').waitFor({ state: 'hidden', timeout: 40_000 });
    assert.ok(await ctx.milan.getByRole('heading', { name: 'Sei in coda' }).isVisible(), 'still waiting');
    await shot(ctx.milan, 'queue-withdrawn');
    const again = await chromium.newPage('milan-again');
    await worker(again, 'MI');
    await again.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    assert.is(await again.locator('.notice').count(), 0);
  });

  test('no console errors, CSP violations or script errors on any page', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
