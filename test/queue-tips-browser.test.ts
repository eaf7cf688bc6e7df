/**
 * "Mentre aspetti" in a real browser (Debian chromium through playwright-core):
 * a worker waiting for a CIGO chat, with no advisor free, sees the institute's
 * answers for CIGO folded under their place in the queue, opens one, reads it in
 * English after switching language, and leaves with "Ho trovato la risposta",
 * which the server counts as self_served. axe-core on the view with a tip open.
 * Screenshots: test/screenshots/tips-*.png. Skips without /usr/bin/chromium.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { ANY_REFUSAL, browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { workerAsksForChat } from './helpers/pages.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const chromium = browserHarness({
  console: { refused: ANY_REFUSAL, expected: /WebSocket connection to/i },
  context: { viewport: { width: 420, height: 900 } },
  prefix: 'tips-',
  fullPage: true,
});
const { shot, axe } = chromium;

const ctx = { proc: null as ServerProcess | null, base: '', worker: null as unknown as Page };

const selfServed = async () => {
  const text = await (await fetch(`${ctx.base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('infocig_queue_abandoned_total{reason="self_served"}'));
  return line ? Number(line.split(' ').pop()) : 0;
};

if (chromiumOrSkip('waiting-tips test')) {
  test.before(async () => {
    ctx.proc = await startServerProcess('tips', { SERVICE_HOURS: 'always' });
    ctx.base = ctx.proc.base;
    await chromium.launch();
    ctx.worker = await chromium.newPage('worker');
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('a worker waiting for a CIGO chat sees the CIGO answers folded under their place in the queue', async () => {
    const w = ctx.worker;
    await workerAsksForChat(w, ctx.base);
    await w.getByRole('heading', { name: 'Sei in coda' }).waitFor();
    const tips = w.getByRole('region', { name: 'Mentre aspetti: forse la risposta è qui' });
    await tips.waitFor();
    const titles = await tips.locator('summary').allTextContents();
    assert.equal(titles, ['Pagamento diretto: da cosa dipendono i tempi', 'Dove vedere lo stato dei pagamenti']);
    assert.not.ok(await tips.getByText(/UniEmens-Cig/).isVisible(), 'folded until opened');
    await tips.locator('summary').first().click();
    assert.ok(await tips.getByText(/UniEmens-Cig/).isVisible());
    assert.match((await w.locator('#queue-status').textContent()) ?? '', /Sei il primo in coda/, 'the place in the queue stays in view');
    await shot(w, 'queue-open');
    assert.equal(await axe(w, 'tips'), []);
  });

  test('with no advisor available the place in the queue comes with no number of minutes: the wait cannot be estimated', async () => {
    const status = ctx.worker.locator('#queue-status');
    assert.is((await status.textContent())?.trim(), 'Sei il primo in coda. Al momento tutti i consulenti sono occupati o non disponibili: non è possibile stimare l’attesa.');
  });

  test('in English the same answers read in English', async () => {
    const w = ctx.worker;
    await w.locator('#lang').selectOption('en');
    const tips = w.getByRole('region', { name: 'While you wait: the answer may be here' });
    await tips.getByText('Where to see the state of payments').waitFor();
    assert.ok(await tips.getByText(/UniEmens-Cig data/).isVisible(), 'the opened one stays open, in English');
    await shot(w, 'queue-en');
    await w.locator('#lang').selectOption('it');
  });

  test('"Ho trovato la risposta" leaves the queue, and the server counts it as self-served', async () => {
    const w = ctx.worker;
    const before = await selfServed();
    await w.getByRole('button', { name: 'Ho trovato la risposta: esco dalla coda' }).click();
    await w.getByRole('heading', { name: 'Sei in coda' }).waitFor({ state: 'hidden' });
    assert.is(await selfServed(), before + 1);
    await shot(w, 'left');
  });
}

test.run();
