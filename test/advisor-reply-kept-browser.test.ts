/**
 * A reply being typed when the chat ends (the user closed it first) in the
 * advisor console (widgets/advisor/advisor.js), in a real browser (Debian
 * chromium through playwright-core) at 1024×768 and 320 px: the box stays on the
 * card, read only, with what was typed and a line saying it was not sent, and
 * nothing that sends; it goes with the card («Rimuovi dalla vista»). (A chat
 * ended with an empty box has none: test/advisor-afternoon-browser.test.ts.) Screenshots:
 * test/screenshots/advisor-kept-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { marioCard, signInAdvisor, workerAsksForChat } from './helpers/pages.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const chromium = browserHarness({
  console: { expected: /WebSocket connection to/i },
  context: { viewport: { width: 1024, height: 768 } },
  prefix: 'advisor-kept-',
});
const ctx = { proc: null as ServerProcess | null, worker: null as unknown as Page, anna: null as unknown as Page };
const TYPED = 'Buongiorno Mario, la sua domanda di CIGO risulta autorizzata: il pagamento diretto';

/** The worker ends the chat from the chat page (the rating is optional). */
async function workerEndsChat(w: Page): Promise<void> {
  await w.getByRole('button', { name: 'Termina la chat' }).click();
  await w.getByRole('button', { name: 'Chiudi la chat' }).click();
  await w.getByRole('heading', { name: 'Conversazione terminata' }).waitFor();
}

if (chromiumOrSkip('advisor reply kept test')) {
  test.before(async () => {
    ctx.proc = await startServerProcess('advisor-kept', { SERVICE_HOURS: 'always' });
    await chromium.launch();
    ctx.worker = await chromium.newPage('worker');
    ctx.anna = await chromium.newPage('anna');
    await signInAdvisor(ctx.anna, ctx.proc.base, 'Anna Rossi', 'adv-anna', true);
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('a reply typed when the user closes the chat stays on the card, read only, to copy, until the card is removed from view', async () => {
    const a = ctx.anna;
    await workerAsksForChat(ctx.worker, ctx.proc!.base);
    const c = marioCard(a);
    const reply = c.getByLabel('Risposta a Mario Rossi');
    await reply.fill(TYPED);
    await workerEndsChat(ctx.worker);
    await c.locator('.closed-note', { hasText: /^Chat chiusa/ }).waitFor();
    assert.ok(await reply.isVisible(), 'the reply is still in sight');
    assert.is(await reply.inputValue(), TYPED);
    assert.is(await reply.evaluate((t) => (t as HTMLTextAreaElement).readOnly && !(t as HTMLTextAreaElement).disabled), true, 'read only, and selectable to copy');
    await c.getByText('La risposta che stavi scrivendo non è stata inviata: resta qui sotto, in sola lettura, da copiare.').waitFor();
    assert.is(await c.getByRole('button', { name: 'Invia' }).count(), 0, 'nothing sends it');
    assert.is(await c.locator('.composer button:visible, .composer select:visible').count(), 0, 'no ready answers either');
    await reply.press('Enter');
    assert.is(await ctx.worker.locator('.msg-text', { hasText: 'risulta autorizzata' }).count(), 0, 'Enter sends nothing');
    await c.scrollIntoViewIfNeeded();
    await chromium.shot(a, '1024', true);
    assert.equal(await chromium.axe(a, 'reply kept'), []);
    await a.setViewportSize({ width: 320, height: 640 });
    await reply.scrollIntoViewIfNeeded();
    await chromium.shot(a, '320', false);
    await a.setViewportSize({ width: 1024, height: 768 });
    await a.locator('#lang').selectOption('en');
    await c.getByText('The reply you were writing was not sent: it stays below, read only, to copy.').waitFor();
    await a.locator('#lang').selectOption('it');
    await c.getByRole('button', { name: 'Rimuovi dalla vista' }).click();
    await c.waitFor({ state: 'detached' });
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
