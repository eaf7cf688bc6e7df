/**
 * The demo host page's wizard (/demo/, a mock OMNIA IS) asks the days of the
 * suspension as the other pages ask days (widgets/lib/date-field.js), in a
 * real browser (Debian chromium through playwright-core): text in the page's
 * format, gg/mm/aaaa, whatever the browser's language (a native date input
 * asked an American browser for mm/dd/yyyy); a day that does not exist, or an
 * end before the start, is said on its field and the wizard stays. axe-core at
 * 1024 and 320 px. Screenshots: test/screenshots/demo-dates-*.png. Skips
 * without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const chromium = browserHarness({
  console: { expected: /WebSocket connection to/i },
  context: { viewport: { width: 1024, height: 768 } },
  prefix: 'demo-dates-',
});
const { shot, axe } = chromium;
const ctx = { proc: null as ServerProcess | null, page: null as unknown as Page };

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');
const heading = (page: Page) => page.locator('#step-title').textContent();

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.proc = await startServerProcess('demo-dates', {});
    await chromium.launch();
    // A browser set to American English: a native date input would ask for mm/dd/yyyy.
    ctx.page = await chromium.newPage('demo', { locale: 'en-US' });
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('in an American browser the suspension\'s days are asked and shown as gg/mm/aaaa, the Italian page\'s format', async () => {
    const page = ctx.page;
    await page.goto(`${ctx.proc!.base}/demo/`);
    await page.getByRole('button', { name: 'Avanti' }).click();
    await page.getByRole('button', { name: 'Avanti' }).click();
    assert.is(await heading(page), 'Passo 3 di 4: Periodo e lavoratori');
    const from = page.getByRole('textbox', { name: 'Inizio della sospensione' });
    const to = page.getByRole('textbox', { name: 'Fine della sospensione' });
    assert.equal([await from.getAttribute('type'), await from.getAttribute('inputmode')], ['text', 'numeric']);
    assert.equal([await from.inputValue(), await to.inputValue()], ['03/03/2025', '30/04/2025']);
    const described = await from.evaluate((el) => el.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join('|'));
    assert.is(described, 'gg/mm/aaaa|', 'the format is shown and read with the field');
    // Typed the Italian way, it is understood and written back in full.
    await from.fill('2/3/25');
    await to.click();
    assert.is(await from.inputValue(), '02/03/2025');
    await shot(page, 'step3');
    assert.equal(await axe(page), [], 'axe on the period step');
  });

  test('a day that does not exist, or an end before the start, is said on its field and the wizard stays on the period', async () => {
    const page = ctx.page;
    const from = page.getByRole('textbox', { name: 'Inizio della sospensione' });
    const to = page.getByRole('textbox', { name: 'Fine della sospensione' });
    await to.fill('31/02/2025');
    await page.getByRole('button', { name: 'Avanti' }).click();
    await page.getByRole('alert').filter({ hasText: '«Fine della sospensione»: il 31/02/2025 non esiste nel calendario. Controlla il giorno e il mese.' }).waitFor();
    assert.is(await focusedId(page), 'f-to');
    assert.equal([await to.getAttribute('aria-invalid'), await from.getAttribute('aria-invalid')], ['true', null]);
    assert.is(await to.inputValue(), '31/02/2025', 'what was typed stays');
    assert.is(await heading(page), 'Passo 3 di 4: Periodo e lavoratori');

    await to.fill('28/02/2025');
    await page.getByRole('button', { name: 'Avanti' }).click();
    await page.getByRole('alert').filter({ hasText: 'La fine della sospensione viene prima dell’inizio' }).waitFor();
    assert.is(await focusedId(page), 'f-to');
    await shot(page, 'refused');
    assert.equal(await axe(page), [], 'axe with a period refused');
    await page.setViewportSize({ width: 320, height: 700 });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    assert.not.ok(wide, 'nothing scrolls sideways at 320 px');
    await page.locator('#step-error').scrollIntoViewIfNeeded();
    await shot(page, 'refused-320');
    await page.setViewportSize({ width: 1024, height: 768 });

    await to.fill('30/4/2025');
    await page.getByRole('button', { name: 'Avanti' }).click();
    await page.locator('#step-title', { hasText: 'Passo 4 di 4' }).waitFor();
    assert.is(await page.locator('#step-error').textContent(), '');
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
