/**
 * The chat for employers and labour consultants opened province by province
 * (Milano from December 2022; Torino, Roma and Napoli from 13 February 2023;
 * then the rest): a Torino employer who opens INFO CIG before that day, in a
 * real browser (Debian chromium through playwright-core) against a real
 * server whose clock is set to Monday 16 January 2023, 15:30 in Rome (inside
 * the hours, so only the roll-out closes it). The page must not say that the
 * chat "reopens" (it never opened for them), and must name the year of a day
 * that may be months away. The Linea INPS request is offered instead.
 *
 * Screenshots: test/screenshots/rollout-*.png. Skips without /usr/bin/chromium.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, prefix: 'rollout-', fullPage: true });
const clock = new ManualClock(new Date('2023-01-16T14:30:00Z'));
const ctx = { server: null as TestServer | null };

if (chromiumOrSkip('roll-out test')) {
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
      const page = await chromium.newPage(`employer-to-${lang}`);
      await page.goto(`${ctx.server!.url}/chat/?lang=${lang}`);
      await page.locator('#dev-role').selectOption({ label: role });
      await page.locator('#dev-province').selectOption('TO');
      await page.locator('.dev-form button[type="submit"]').click();
      await page.locator('#closed-reason', { hasText: reason }).waitFor();
      assert.is((await page.locator('#closed-opens').textContent())?.trim(), opens);
      assert.ok(await page.locator('#closed-slot #ticket-form').isVisible(), 'the Linea INPS request is offered');
      await chromium.shot(page, lang);
      assert.equal(await chromium.axe(page, lang), []);
    });
  }

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
