/**
 * What the closed chat tells people on real calendar days, in a real browser
 * (Debian chromium through playwright-core) against a real server whose clock
 * is set to each day (Europe/Rome):
 *
 * - the chat for employers and labour consultants opened province by province
 *   (Milano from December 2022; Torino, Roma and Napoli from 13 February 2023;
 *   then the rest): a Torino employer on Monday 16 January 2023, 15:30 (inside
 *   the hours, so only the roll-out closes it) must not read that the chat
 *   "reopens" (it never opened for them), and must get the year of a day that
 *   may be months away; the Linea INPS request is offered instead;
 * - a working day skipped for a national holiday is named: on Monday
 *   7 December 2026 after 18:00 the chat opens on Wednesday, because Tuesday
 *   8 December is the Immacolata;
 * - "Verifica di nuovo" that cannot reach the server keeps the closed view (it
 *   showed the chat's start form, as if the service were open) and says so.
 *
 * Screenshots: test/screenshots/closed-calendar-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import type { Page } from 'playwright-core';

// ERR_CONNECTION_REFUSED: the availability check refused on purpose.
const chromium = browserHarness({ console: { expected: /WebSocket connection to|ERR_CONNECTION_REFUSED/i }, prefix: 'closed-calendar-', fullPage: true });
const clock = new ManualClock(Date.parse('2023-01-16T14:30:00Z'));
const ctx = { server: null as TestServer | null };

/** The development sign-in of the full-page chat, in `lang`, as `role` (its label) of `province`. */
async function signIn(name: string, lang: string, role: string, province: string): Promise<Page> {
  const page = await chromium.newPage(name);
  // The page's day is the one of the server's clock: "today" and "tomorrow" are said from it.
  await page.clock.setFixedTime(clock.now());
  await page.goto(`${ctx.server!.url}/chat/?lang=${lang}`);
  await page.locator('#dev-role').selectOption({ label: role });
  await page.locator('#dev-province').selectOption(province);
  await page.locator('.dev-form button[type="submit"]').click();
  return page;
}

if (chromiumOrSkip('closed-calendar test')) {
  test.before(async () => {
    // The real calendar, not SERVICE_HOURS=always.
    ctx.server = await startServer({ clock, env: { SERVICE_HOURS: '' } });
    await chromium.launch();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  for (const [lang, reason, opens, role] of [
    ['it', 'La chat non è ancora disponibile per il tuo profilo in questa provincia.', 'Sarà disponibile da lunedì 13 febbraio 2023 alle 15:00.', 'Datore di lavoro'],
    ['de', 'Der Chat ist für Ihr Profil in dieser Provinz noch nicht verfügbar.', 'Er ist ab Montag, 13. Februar 2023 um 15:00 Uhr verfügbar.', 'Arbeitgeber/in'],
    ['en', 'The chat is not yet available for your profile in this province.', 'It will be available from Monday, 13 February 2023 at 15:00 (Italian time).', 'Employer'],
  ] as const) {
    test(`(${lang}) a Torino employer before 13 February 2023 reads that the chat will be available from that day, with its year, not that it "reopens"; the request form is there`, async () => {
      clock.set(new Date('2023-01-16T14:30:00Z'));
      const page = await signIn(`employer-to-${lang}`, lang, role, 'TO');
      await page.locator('#closed-reason', { hasText: reason }).waitFor();
      assert.is((await page.locator('#closed-opens').textContent())?.trim(), opens);
      assert.ok(await page.locator('#closed-slot #ticket-form').isVisible(), 'the Linea INPS request is offered');
      await chromium.shot(page, lang);
      assert.equal(await chromium.axe(page, lang), []);
    });
  }

  for (const [lang, opens] of [
    ['it', 'Riapre mercoledì 9 dicembre alle 15:00. Martedì 8 dicembre è festivo (Immacolata Concezione).'],
    ['de', 'Der Chat öffnet wieder am Mittwoch, 9. Dezember um 15:00 Uhr. Dienstag, 8. Dezember ist ein Feiertag (Mariä Empfängnis).'],
  ] as const) {
    test(`(${lang}) on Monday 7 December 2026 after 18:00 a worker reads that the chat opens on Wednesday and that Tuesday is a holiday, not a silent skip`, async () => {
      clock.set(new Date('2026-12-07T18:30:00Z'));
      const page = await signIn(`worker-mi-${lang}`, lang, lang === 'it' ? 'Lavoratore' : 'Arbeitnehmer/in', 'MI');
      await page.locator('#closed-opens', { hasText: opens.slice(0, 20) }).waitFor();
      assert.is((await page.locator('#closed-opens').textContent())?.trim(), opens);
      await chromium.shot(page, `holiday-before-${lang}`);
      assert.equal(await chromium.axe(page, `holiday-before-${lang}`), []);
    });
  }

  for (const [lang, role, at, opens] of [
    ['it', 'Lavoratore', '2026-12-07T09:00:00Z', 'Apre oggi alle 15:00.'],
    ['de', 'Arbeitnehmer/in', '2026-12-07T09:00:00Z', 'Der Chat öffnet heute um 15:00 Uhr.'],
    ['en', 'Worker', '2026-12-07T09:00:00Z', 'It opens today at 15:00 (Italian time).'],
    ['it', 'Lavoratore', '2026-12-03T17:30:00Z', 'Apre domani alle 15:00.'],
    ['en', 'Worker', '2026-12-03T17:30:00Z', 'It opens tomorrow at 15:00 (Italian time).'],
  ] as const) {
    test(`(${lang}) at ${at} (Rome ${at.includes('T09') ? 'Monday 10:00' : 'Thursday 18:30'}) a worker reads "${opens}", not the day's name as if it were another day`, async () => {
      clock.set(new Date(at));
      const page = await signIn(`worker-today-${lang}-${at.slice(8, 10)}`, lang, role, 'MI');
      await page.locator('#closed-opens', { hasText: opens.slice(0, 12) }).waitFor();
      assert.is((await page.locator('#closed-opens').textContent())?.trim(), opens);
      await chromium.shot(page, `opens-${lang}-${at.slice(8, 10)}`);
    });
  }

  test('"Verifica di nuovo" that cannot reach the server keeps the closed view and the request being written, and says the check failed', async () => {
    clock.set(new Date('2026-12-07T18:30:00Z'));
    const page = await signIn('worker-recheck', 'it', 'Lavoratore', 'MI');
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    await page.getByLabel('Oggetto', { exact: true }).fill('Pagamento diretto di novembre');
    await page.route('**/api/v1/availability?**', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Verifica di nuovo' }).click();
    await page.getByRole('alert').filter({ hasText: 'Non è stato possibile verificare la disponibilità del servizio.' }).waitFor();
    assert.is(await page.locator('body').getAttribute('data-view'), 'closed', 'not the chat’s start, while the service is closed');
    assert.is(await page.getByLabel('Oggetto', { exact: true }).inputValue(), 'Pagamento diretto di novembre');
    await chromium.shot(page, 'recheck-failed');
    await page.unroute('**/api/v1/availability?**');
    await page.getByRole('button', { name: 'Verifica di nuovo' }).click();
    await page.waitForTimeout(300);
    assert.is(await page.locator('#closed-check-error').isVisible(), false, 'checked again: the failure is no longer said');
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
