/**
 * Service announcements in a real browser (Debian chromium through
 * playwright-core): a supervisor publishes one on the dashboard ("Avvisi agli
 * utenti") for workers in Milan and Bolzano/Bozen, with a German translation; a
 * worker in Milan reads it on the chat's start view and in the queue, a worker
 * in Rome does not, a worker of Bolzano reads it in German (and in Italian,
 * marked lang="it", after switching to English, which it was not written in).
 * Withdrawn, it leaves the waiting worker's queue view at the next refresh.
 * From a browser set to American English in New York, a window typed as
 * 15:00 is 15:00 in Rome, sent as the ISO instant and listed so; 02:30 on the
 * night Rome's clocks skip, and times that are none, are refused on their field.
 * axe-core on every page; screenshots test/screenshots/annc-*.png.
 * Skips without /usr/bin/chromium.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { browserHarness, chromiumOrSkip, reflowProblems } from './helpers/browser.ts';
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
const TITLE_NY = 'Servizio sospeso per aggiornamento';
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

/** Rome's calendar day `days` from today, as the Italian page writes it (dd/mm/yyyy). */
const romeDay = (days: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric' }).format(Date.now() + days * 86_400_000);
/** Rome's clock at an instant: "dd/mm/yyyy hh:mm". */
const romeClock = (when: string | number) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(when)).replace(',', '');

/** "Conferma" under the preview that "Pubblica" shows (dashboard-confirm-browser.test.ts). */
const confirmNotice = (page: Page) => page.getByRole('group', { name: 'Pubblicare questo avviso?' }).getByRole('button', { name: 'Conferma' }).click();

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
    await panel.getByLabel('Giorno di fine').fill('');
    await panel.getByRole('button', { name: 'Pubblica' }).click();
    assert.match((await panel.getByRole('alert').textContent()) ?? '', /fino a quando/, 'the end is required');
    await panel.getByLabel('Giorno di fine').fill(romeDay(1));
    await panel.getByRole('button', { name: 'Pubblica' }).click();
    await confirmNotice(page);
    await panel.getByRole('alert').getByText('Solo testo semplice: niente tag HTML (come <b>) né entità (come &amp;).').waitFor();
    await panel.getByLabel('Testo (italiano)').fill(TEXT);
    await panel.getByText(/^Traduzioni \(facoltative\)/).click();
    await panel.getByLabel('Titolo in tedesco').fill(TITLE_DE);
    await panel.getByLabel('Testo in tedesco').fill(TEXT_DE);
    await panel.getByLabel('Importante (in evidenza)').check();
    await panel.getByLabel('Lavoratori').check();
    await panel.getByLabel('Province', { exact: true }).fill('mi, BZ');
    await panel.getByRole('button', { name: 'Pubblica' }).click();
    await confirmNotice(page);
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
    assert.is(await page.locator('.notices .notice').count(), 0, 'no announcement anywhere');
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
    assert.is(await again.locator('.notices .notice').count(), 0, 'no announcement anywhere');
  });

  test('in a browser set to American English in New York, 15:00 typed means 15:00 in Rome; 02:30 on the night clocks skip is refused', async () => {
    const page = await chromium.newPage('new-york', { locale: 'en-US', timezoneId: 'America/New_York', viewport: { width: 1024, height: 900 } });
    assert.is(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), 'America/New_York');
    await page.goto(`${ctx.base}/dashboard/`);
    await page.getByLabel('Profilo').selectOption('supervisor');
    await page.getByLabel('Nome').fill('Sara Bianchi');
    const before = Date.now();
    await page.getByRole('button', { name: 'Entra' }).click();
    const panel = page.getByRole('region', { name: 'Avvisi agli utenti' });
    const field = (label: string) => panel.getByLabel(label, { exact: true });
    const [fromDay, fromTime, toDay, toTime] = [field('Giorno di inizio'), field('Ora di inizio'), field('Giorno di fine'), field('Ora di fine')];
    await page.waitForFunction(() => (document.getElementById('ann-from-time') as HTMLInputElement).value !== '');
    const after = Date.now();
    // Suggested: from now, as Rome's clock reads it (six hours after New York's), day first.
    const suggested = `${await fromDay.inputValue()} ${await fromTime.inputValue()}`;
    assert.ok([romeClock(before), romeClock(after)].includes(suggested), `suggested ${suggested}, Rome's now ${romeClock(before)}`);
    assert.is(await panel.locator('#ann-from-format').textContent(), 'gg/mm/aaaa');
    assert.is(await panel.locator('#ann-from-time-format').textContent(), 'hh:mm');
    assert.match((await fromTime.getAttribute('aria-describedby')) ?? '', /^ann-from-time-format ann-window-hint$/);
    assert.match((await panel.locator('#ann-window-hint').textContent()) ?? '', /^In ora italiana, sulle 24 ore/);

    await panel.getByLabel('Titolo (italiano)').fill(TITLE_NY);
    await panel.getByLabel('Testo (italiano)').fill('Il servizio è sospeso per aggiornamento.');
    await fromDay.fill('28/03/2027');
    await fromTime.fill('2.30');
    await panel.getByRole('button', { name: 'Pubblica' }).click();
    await panel.getByRole('alert').getByText('«Ora di inizio»: il 28/03/2027 alle 02:30 in Italia non esiste: quella notte gli orologi passano dalle 02:00 alle 03:00 (ora legale). Scegli le 03:00 o un’altra ora.').waitFor();
    assert.is(await fromTime.getAttribute('aria-invalid'), 'true');
    assert.is(await fromDay.getAttribute('aria-invalid'), null);
    assert.is(await page.evaluate(() => document.activeElement?.id), 'ann-from-time', 'the focus on the field to fix');
    assert.is(await fromTime.inputValue(), '02:30', 'what was typed stays (read as 02:30)');
    await panelShot(page, 'ny-dst-gap');

    await fromTime.fill('3 PM');
    await panel.getByRole('button', { name: 'Pubblica' }).click();
    await panel.getByRole('alert').getByText('«Ora di inizio»: scrivi l’ora sulle 24 ore come hh:mm, per esempio 15:30.').waitFor();

    await fromDay.fill(romeDay(1));
    await fromTime.fill('15');
    await toDay.fill(romeDay(2));
    await toTime.fill('1530');
    await toTime.press('Tab');
    assert.is(await fromTime.inputValue(), '15:00', 'a time is shown as it was understood');
    assert.is(await toTime.inputValue(), '15:30');
    const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/announcements');
    await panel.getByRole('button', { name: 'Pubblica' }).click();
    await confirmNotice(page);
    const body = (await sent).postDataJSON() as { startsAt: string; endsAt: string };
    assert.match(body.startsAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/, 'an ISO instant, as the API takes it');
    assert.is(romeClock(body.startsAt), `${romeDay(1)} 15:00`, '15:00 in Rome, not in New York');
    assert.is(romeClock(body.endsAt), `${romeDay(2)} 15:30`);
    assert.is(await fromTime.getAttribute('aria-invalid'), null, 'no longer refused');
    const row = panel.locator('#ann-body tr', { hasText: TITLE_NY });
    await row.waitFor();
    assert.is(await row.locator('td').first().textContent(), 'Programmato');
    assert.match((await row.textContent()) ?? '', new RegExp(`dal ${romeDay(1)}, 15:00 al ${romeDay(2)}, 15:30`), 'listed in Rome time too');
    await panelShot(page, 'ny-published');
    assert.equal(await axe(page, 'dashboard new york'), []);

    // 320 px with text at 200 %, a time refused: the four fields and the message fit.
    await page.setViewportSize({ width: 320, height: 800 });
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    // Short: a text longer than its field scrolls inside it, which the reflow check would count.
    await panel.getByLabel('Titolo (italiano)').fill('Chiuso');
    await panel.getByLabel('Testo (italiano)').fill('Chiuso');
    await toTime.fill('25');
    await panel.getByRole('button', { name: 'Pubblica' }).click();
    await panel.getByRole('alert').getByText('«Ora di fine»: 25 non è un’ora del giorno, che va da 00:00 a 23:59.').waitFor();
    assert.is(await toTime.getAttribute('aria-invalid'), 'true');
    const controls = ['#ann-from', '#ann-from-time', '#ann-to', '#ann-to-time', '#ann-error', '#ann-form button[type="submit"]'];
    assert.equal(await reflowProblems(page, controls), []);
    await page.locator('#ann-form').screenshot({ path: path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots', 'annc-ny-320-200.png') });
    assert.equal(await axe(page, 'dashboard new york 320 px 200 %'), []);
  });

  test('no console errors, CSP violations or script errors on any page', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
