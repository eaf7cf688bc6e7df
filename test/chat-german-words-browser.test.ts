/**
 * German words at 320 px with text at 200 % (WCAG 1.4.10), in a real browser
 * (Debian chromium through playwright-core) against a real server on the real
 * calendar, its clock on a Thursday morning (the service closed): a labour
 * consultant in Bolzano signs in, leaves a request and reads it. A button's or
 * a fact's words stay whole: overflow-wrap:anywhere let those boxes shrink
 * below their longest word and split "Anmelden", "Aktualisieren",
 * "Protokollnummer" at any letter where the word fitted the line; now only a
 * word wider than the whole line breaks (with a hyphen where the browser can:
 * hyphens:auto, lang="de"), and the page never scrolls sideways.
 *
 * Screenshots: test/screenshots/de-words-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { ManualClock } from '../routing/clock.ts';
import { browserHarness, chromiumOrSkip, reflowProblems, splitWords } from './helpers/browser.ts';
import { clockedServer } from './helpers/clocked-server.ts';

const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, prefix: 'de-words-', context: { viewport: { width: 320, height: 640 } } });
const clock = new ManualClock(Date.parse('2026-12-10T09:00:00Z'));
const ctx = { server: { url: () => '' }, page: null as unknown as Page };

/** At 200 % text: buttons, labels drawn as buttons and the facts' labels keep their words whole; nothing scrolls sideways. */
async function wordsWhole(name: string, selector = 'button, .button, dt', reflow = true): Promise<void> {
  const page = ctx.page;
  await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
  assert.equal(await splitWords(page, selector), [], `${name}: words broken inside`);
  if (reflow) assert.equal(await reflowProblems(page, []), [], `${name}: reflow`);
  await chromium.shot(page, name, true);
  await page.evaluate(() => (document.documentElement.style.fontSize = ''));
}

if (chromiumOrSkip('German words test')) {
  ctx.server = clockedServer(chromium, clock, async () => {
    ctx.page = await chromium.newPage('consultant');
    await ctx.page.clock.setFixedTime(clock.now());
  });

  test('the sign-in and the closed view with the request form: "Anmelden", "Erneut prüfen", "Dateien auswählen" and the title whole', async () => {
    const page = ctx.page;
    await page.goto(`${ctx.server.url()}/chat/?lang=de`);
    await page.locator('#dev-role').waitFor();
    // The development sign-in's button; its name field (development only) is not the subject here.
    await wordsWhole('signin', 'button', false);
    await page.locator('#dev-role').selectOption('intermediary');
    await page.locator('#dev-province').selectOption('BZ');
    await page.locator('.dev-form button[type="submit"]').click();
    await page.locator('#tk-subject').waitFor({ state: 'visible' });
    // The title too: "Lohnausgleichskasse" is wider than the line at 200 %; it breaks at its joint, with a hyphen.
    await wordsWhole('closed', 'button, .button, dt, h1');
  });

  test('the registered request: "Protokollnummer" and the other facts\' labels whole', async () => {
    const page = ctx.page;
    await page.locator('#tk-subject').fill('Direktzahlung der Lohnausgleichskasse für Februar');
    await page.locator('#tk-topic').selectOption('payment');
    await page.locator('#tk-matricola').selectOption('1234567890');
    await page.locator('#tk-body').fill('Guten Tag, die Direktzahlung für Februar ist noch nicht eingegangen.');
    await page.locator('#ticket-form button[type="submit"]').click();
    await page.locator('#done-box dl').waitFor();
    await wordsWhole('done');
  });

  test('the list with the company filter and the thread: "zurücksetzen", "Aktualisieren" whole', async () => {
    const page = ctx.page;
    await page.locator('#done-mine').click();
    await page.locator('.tk-item').first().waitFor();
    // At 100 % on a 360 px phone the filters' labels stay whole: «Betrieb (Matrikelnummer)» left its «)» on a line of its own.
    await page.setViewportSize({ width: 360, height: 640 });
    assert.equal(await splitWords(page, '.tk-filters label', { marks: true }), [], 'the filters\' labels whole at 360 px');
    await page.setViewportSize({ width: 320, height: 640 });
    await wordsWhole('list', 'button:not(.tk-item), .button, dt');
    await page.locator('.tk-item').first().click();
    await page.locator('#th-facts dd').first().waitFor();
    await wordsWhole('thread');
  });
}

test.run();
